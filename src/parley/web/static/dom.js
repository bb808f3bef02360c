// DOM helpers. Every piece of text from the server goes in through textContent or
// createTextNode, never through innerHTML: the page must be safe whatever people type.

/** Make an element; `props` sets attributes (className, dataset, on* handlers), children are
 *  nodes or strings (strings become text nodes). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "className") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/giu;
const TRAILING = /[.,;:!?)\]}'"»”’]+$/u;

/** A safe link for `raw`, or null: only http and https, opened in a new tab without a
 *  referrer or a handle on this page. */
export function safeLink(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  return el("a", {
    href: url.href,
    target: "_blank",
    rel: "noopener noreferrer",
    className: "link",
    text: raw,
  });
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&");
}

/** Append `text` to `parent` as text nodes, with your name highlighted (as a word). */
function appendHighlighted(parent, text, name) {
  if (!name) {
    parent.append(document.createTextNode(text));
    return;
  }
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(name)}(?![\\p{L}\\p{N}_])`, "giu");
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) parent.append(document.createTextNode(text.slice(last, match.index)));
    parent.append(el("mark", { className: "mention-name", text: match[0] }));
    last = match.index + match[0].length;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
}

/** A message's text as nodes: links made clickable (http/https only), your name marked. */
export function richText(text, myName) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let raw = match[0];
    const trail = raw.match(TRAILING);
    if (trail) raw = raw.slice(0, raw.length - trail[0].length);
    const link = raw ? safeLink(raw) : null;
    if (!link) continue;
    appendHighlighted(fragment, text.slice(last, match.index), myName);
    fragment.append(link);
    last = match.index + raw.length;
  }
  appendHighlighted(fragment, text.slice(last), myName);
  return fragment;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "long", year: "numeric", month: "long", day: "numeric",
});
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });

export function clockTime(seconds) {
  return timeFormat.format(new Date(seconds * 1000));
}

export function fullTime(seconds) {
  return fullFormat.format(new Date(seconds * 1000));
}

export function dayLabel(seconds) {
  const date = new Date(seconds * 1000);
  const today = new Date();
  const yesterday = new Date(today.getTime() - 86_400_000);
  if (date.toDateString() === today.toDateString()) return "Today";
  if (date.toDateString() === yesterday.toDateString()) return "Yesterday";
  return dayFormat.format(date);
}

export function dayKey(seconds) {
  return new Date(seconds * 1000).toDateString();
}

const HUES = [212, 340, 28, 152, 270, 190, 4, 96, 300, 48, 232, 170];

/** A stable hue for a name (FNV-1a over its letters), so each person keeps one colour. */
export function nameHue(name) {
  let hash = 0x811c9dc5;
  for (const char of name.toLowerCase()) {
    hash ^= char.codePointAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return HUES[hash % HUES.length];
}

/** A round avatar with the name's first letter and colour. */
export function avatar(name, className = "avatar") {
  const node = el("span", { className, "aria-hidden": "true" });
  node.textContent = [...name][0]?.toUpperCase() ?? "?";
  node.style.setProperty("--hue", String(nameHue(name)));
  return node;
}

/** Remove every child of `node`. */
export function clear(node) {
  node.replaceChildren();
}
