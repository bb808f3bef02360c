// The open room or conversation: its header, timeline scrolling (history when scrolling up,
// kept in place while reading back), the jump buttons, typing previews and the member list.

import { avatar, clear, el } from "./dom.js";
import { activeTarget, roleOf, sameName, state } from "./state.js";

const $ = (id) => document.getElementById(id);
const NEAR_BOTTOM_PX = 48;
const LOAD_ABOVE_PX = 300;
const TYPING_TTL_MS = 8000;
const ROLE_RANK = { operator: 0, voice: 1, "": 2, muted: 3 };
const ROLE_BADGES = {
  operator: { className: "role-operator", text: "op", title: "operator of the room" },
  voice: { className: "role-voice", text: "voice", title: "may speak when the room is moderated" },
  muted: { className: "role-muted", text: "muted", title: "may not speak in the room" },
};

export class ChatView {
  constructor({ loadOlder, markRead, openDm, editTopic }) {
    this.loadOlder = loadOlder;
    this.markRead = markRead;
    this.openDm = openDm;
    this.editTopic = editTopic;
    this.scroller = $("timeline");
    this.scroller.addEventListener("scroll", () => this.onScroll(), { passive: true });
    $("jump-bottom").addEventListener("click", () => this.jumpToBottom());
    $("jump-unread").addEventListener("click", () => this.jumpToUnread());
    $("topic").addEventListener("click", () => this.editTopic());
  }

  get atBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  /** Show `target` in place of the one open now, where it was left. */
  show(target, previous) {
    if (previous && previous !== target) {
      previous.scroll = this.atBottom ? null : this.scroller.scrollTop;
      previous.timeline.clearMarker();
    }
    if (target.unread > 0 && target.timeline.markerAfter === null) {
      target.timeline.setMarker(target.lastRead, state.me);
    }
    this.scroller.replaceChildren(target.timeline.list);
    this.renderHeader(target);
    this.renderMembers(target);
    this.renderTyping(target);
    this.restoreScroll(target);
  }

  restoreScroll(target) {
    if (target.scroll === null) {
      const marker = target.timeline.marker;
      if (marker?.isConnected) this.scrollToMarker(marker);
      else this.scrollToBottom();
    } else this.scroller.scrollTop = target.scroll;
    this.updatePills(target);
  }

  scrollToBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  scrollToMarker(marker) {
    const top = marker.offsetTop - this.scroller.offsetTop - 24;
    this.scroller.scrollTop = Math.max(0, top);
  }

  /** Run `change` (rows added somewhere) and keep the view steady: at the bottom if it was
   *  there, otherwise on the same rows, however many were added above. */
  preserve(target, change) {
    if (activeTarget() !== target) {
      change();
      return;
    }
    const wasAtBottom = this.atBottom;
    const fromBottom = this.scroller.scrollHeight - this.scroller.scrollTop;
    const before = target.timeline.rows.length;
    change();
    if (wasAtBottom && target.scroll === null) this.scrollToBottom();
    else this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
    if (!wasAtBottom && target.timeline.rows.length > before) this.updatePills(target);
  }

  /** A live line arrived in `target`: follow it if at the bottom, else count it. */
  arrived(target, row, own) {
    if (activeTarget() !== target) return;
    if (own || this.atBottom) {
      this.scrollToBottom();
      target.scroll = null;
    } else if (row.message && !own) {
      target.newBelow += 1;
    }
    this.updatePills(target);
    this.markRead(target);
  }

  onScroll() {
    const target = activeTarget();
    if (!target) return;
    if (this.atBottom) {
      target.newBelow = 0;
      target.scroll = null;
      this.markRead(target);
    } else target.scroll = this.scroller.scrollTop;
    if (this.scroller.scrollTop < LOAD_ABOVE_PX && target.more && target.loaded) {
      this.loadOlder(target);
    }
    this.updatePills(target);
  }

  /** After a page of history: load again if it still does not fill the view. */
  fillUp(target) {
    if (activeTarget() !== target || !target.more) return;
    if (this.scroller.scrollHeight <= this.scroller.clientHeight + LOAD_ABOVE_PX
        || this.scroller.scrollTop < LOAD_ABOVE_PX) {
      this.loadOlder(target);
    }
  }

  updatePills(target) {
    const bottom = $("jump-bottom");
    const atBottom = this.atBottom;
    bottom.hidden = atBottom;
    bottom.textContent = target.newBelow > 0
      ? `${target.newBelow} new message${target.newBelow === 1 ? "" : "s"} ↓`
      : "Jump to latest ↓";
    const unread = $("jump-unread");
    const timeline = target.timeline;
    let above = false;
    if (timeline.markerAfter !== null) {
      const marker = timeline.marker;
      if (marker?.isConnected) {
        const bottom = marker.offsetTop - this.scroller.offsetTop + marker.offsetHeight;
        above = bottom < this.scroller.scrollTop;
      } else {
        const oldest = timeline.oldestId;
        above = oldest !== null && oldest > timeline.markerAfter && target.more
          && timeline.rows.some((row) => row.message && row.message.from !== state.me
            && typeof row.message.id === "number");
      }
    }
    unread.hidden = !above;
    unread.textContent = "↑ Jump to first unread";
  }

  jumpToBottom() {
    const target = activeTarget();
    this.scrollToBottom();
    if (target) {
      target.newBelow = 0;
      target.scroll = null;
      this.updatePills(target);
      this.markRead(target);
    }
  }

  async jumpToUnread() {
    const target = activeTarget();
    if (!target) return;
    const timeline = target.timeline;
    for (let page = 0; page < 20 && !timeline.markerLoaded && target.more; page += 1) {
      await this.loadOlder(target);
    }
    if (timeline.marker?.isConnected) this.scrollToMarker(timeline.marker);
    this.updatePills(target);
  }

  renderHeader(target) {
    $("chat-title").textContent = target.title;
    const topic = $("topic");
    if (target.kind === "room") {
      topic.hidden = false;
      topic.textContent = target.topic || (target.key === "lobby" ? "Everyone is here" : "Add a topic");
      topic.classList.toggle("empty", !target.topic);
      topic.disabled = target.key === "lobby";
      topic.title = target.key === "lobby" ? "The lobby has no topic" : "Change the topic";
    } else {
      topic.hidden = false;
      topic.disabled = true;
      topic.classList.add("empty");
      topic.textContent = "Direct conversation";
    }
    const leave = $("leave");
    leave.hidden = target.kind === "room" && target.key === "lobby";
    leave.textContent = target.kind === "room" ? "Leave" : "Close";
    $("composer-label").textContent = `Message ${target.title}`;
    $("composer-input").placeholder = `Message ${target.title}`;
  }

  renderMembers(target) {
    const list = $("member-list");
    clear(list);
    const names = target.kind === "room" ? [...target.members] : [state.me, target.name];
    const role = (name) => (target.kind === "room" ? roleOf(target, name) : "");
    const rank = (name) => ROLE_RANK[role(name)];
    // Operators first, then voiced people, then everyone else, the muted last; by name within each.
    names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, undefined, { sensitivity: "base" }));
    $("members-heading").textContent = target.kind === "room"
      ? `Members — ${names.length}` : "In this conversation";
    $("member-count").textContent = target.kind === "room" ? String(names.length) : "";
    for (const name of names) {
      const me = sameName(name, state.me);
      const badge = ROLE_BADGES[role(name)];
      const button = el("button", {
        type: "button",
        className: "member",
        title: (me ? "You" : `Message ${name}`) + (badge ? ` (${badge.title})` : ""),
        disabled: me,
        onclick: () => this.openDm(name),
      }, avatar(name, "avatar small"), el("span", { className: "member-name", text: name }),
      badge ? el("span", { className: `role ${badge.className}`, title: badge.title, text: badge.text }) : null,
      me ? el("span", { className: "you", text: "you" }) : null);
      list.append(el("li", {}, button));
    }
  }

  /** Someone's unfinished line; "" (or a finished message) takes it away. */
  setTyping(target, name, text) {
    const old = target.typing.get(name);
    if (old) clearTimeout(old.timer);
    if (!text) target.typing.delete(name);
    else {
      const timer = setTimeout(() => this.setTyping(target, name, ""), TYPING_TTL_MS);
      target.typing.set(name, { text, timer });
    }
    if (activeTarget() === target) this.renderTyping(target);
  }

  renderTyping(target) {
    const bar = $("typing");
    clear(bar);
    const entries = [...target.typing.entries()].slice(0, 3);
    for (const [name, { text }] of entries) {
      bar.append(el("div", { className: "typing-line" },
        el("span", { className: "typing-dots", "aria-hidden": "true" }, el("i"), el("i"), el("i")),
        el("span", { className: "typing-name", text: name }),
        el("span", { className: "typing-text", text })));
    }
    bar.classList.toggle("active", entries.length > 0);
  }
}
