// What the page tells people outside the timeline: the connection banner, short-lived
// toasts, and the polite live region that announces new messages to screen readers.

import { el } from "./dom.js";

const $ = (id) => document.getElementById(id);
const TOAST_MS = 8000;
let countdown = null;

/** The banner over the timeline: why the connection is down and what happens next. */
export function setBanner(reason, action, button = false) {
  clearInterval(countdown);
  const banner = $("banner");
  banner.hidden = false;
  banner.classList.toggle("shutdown", Boolean(reason));
  $("banner-text").textContent = reason
    ? `The server closed the connection (${reason}). ${action}`
    : `Connection lost. ${action}`;
  $("banner-action").hidden = !button;
  $("me-status").textContent = "offline";
}

/** The banner with a countdown to the next try (and a button to try now). */
export function setRetryBanner(reason, delayMs) {
  const until = Date.now() + delayMs;
  const tick = () => {
    const seconds = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    const action = seconds > 0 ? `Reconnecting in ${seconds} s…` : "Reconnecting…";
    setBanner(reason, action, true);
    if (seconds > 0) countdown = setInterval(tick, 500);
  };
  tick();
}

export function hideBanner() {
  clearInterval(countdown);
  $("banner").hidden = true;
  $("banner").classList.remove("shutdown");
}

/** A note in the corner that goes by itself, optionally with one action button. */
export function toast(text, actionLabel, action) {
  const box = el("div", { className: "toast" }, el("span", { text }));
  const dismiss = () => box.remove();
  if (actionLabel) {
    box.append(el("button", {
      type: "button",
      className: "button small primary",
      text: actionLabel,
      onclick: () => {
        dismiss();
        action();
      },
    }));
  }
  box.append(el("button", {
    type: "button", className: "icon-button small", "aria-label": "Dismiss", text: "×",
    onclick: dismiss,
  }));
  $("toasts").append(box);
  setTimeout(dismiss, TOAST_MS);
}

/** Read `text` out to screen readers (the region keeps only the last few). */
export function announce(text) {
  const region = $("announcer");
  region.append(el("p", { text }));
  while (region.childElementCount > 5) region.firstElementChild.remove();
}
