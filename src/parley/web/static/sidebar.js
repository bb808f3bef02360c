// The room list and the direct conversations, with the server's unread and mention counts.
// On a phone-sized screen it is a drawer opened with the menu button.

import { avatar, clear, el } from "./dom.js";
import { orderedTargets, state } from "./state.js";

const $ = (id) => document.getElementById(id);

function badge(target) {
  if (!target.unread && !target.mentions) return null;
  const mention = target.mentions > 0 || (target.kind === "dm" && target.unread > 0);
  return el("span", {
    className: mention ? "badge mention" : "badge",
    "aria-hidden": "true",
    text: String(target.unread || target.mentions),
  });
}

function accessibleName(target, index) {
  const parts = [target.kind === "room" ? `Room ${target.name}` : `Conversation with ${target.name}`];
  if (target.unread) parts.push(`${target.unread} unread`);
  if (target.mentions) parts.push(`${target.mentions} mention${target.mentions === 1 ? "" : "s"}`);
  if (index < 9) parts.push(`Alt+${index + 1}`);
  return parts.join(", ");
}

export function renderSidebar(select) {
  const { rooms, dms, all } = orderedTargets();
  for (const [list, targets] of [[$("room-list"), rooms], [$("dm-list"), dms]]) {
    clear(list);
    for (const target of targets) {
      const index = all.indexOf(target);
      const active = state.active === target.key;
      const icon = target.kind === "room"
        ? el("span", { className: "target-icon", "aria-hidden": "true", text: "#" })
        : avatar(target.name, "avatar tiny");
      const button = el("button", {
        type: "button",
        className: ["target", active ? "active" : "", target.unread ? "unread" : "",
          target.mentions ? "has-mention" : ""].join(" ").trim(),
        "aria-current": active ? "page" : null,
        "aria-label": accessibleName(target, index),
        dataset: { key: target.key, target: target.wire },
        onclick: () => select(target.key),
      }, icon, el("span", { className: "target-name", text: target.name }), badge(target));
      list.append(el("li", {}, button));
    }
  }
  $("dm-empty").hidden = dms.length > 0;
  const elsewhere = all.filter((t) => t.key !== state.active);
  const unread = elsewhere.reduce((sum, t) => sum + t.unread, 0);
  const menuBadge = $("menu-badge");
  menuBadge.hidden = unread === 0;
  menuBadge.textContent = unread > 99 ? "99+" : String(unread);
  menuBadge.classList.toggle("mention", elsewhere.some((t) => t.mentions > 0));
  const total = all.reduce((sum, t) => sum + t.unread, 0);
  const active = all.find((t) => t.key === state.active);
  const title = active ? `${active.title} · Parley` : "Parley";
  document.title = total > 0 ? `(${total}) ${title}` : title;
}

/** The drawer on small screens. */
export function setDrawer(open) {
  document.body.classList.toggle("drawer-open", open);
  $("menu-toggle").setAttribute("aria-expanded", String(open));
  $("scrim").hidden = !open;
  if (open) $("sidebar").querySelector(".target.active, .target")?.focus();
}

export function drawerOpen() {
  return document.body.classList.contains("drawer-open");
}
