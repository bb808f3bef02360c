// What the server sends on its own (not answers to our requests): messages, typing, presence,
// topics, moderation, unread counts and `bye`, each applied to the page's state and view.

import { announce, toast } from "./feedback.js";
import { notify } from "./prefs.js";
import {
  activeTarget, fold, roomTarget, sameName, state, targetOfMessage,
} from "./state.js";

const VERBS = { join: "joined", leave: "left", quit: "left the server" };

// A mode change in words: `by` did it; `{who}` is the person it is about ("you" for you).
const MODE_WORDS = {
  "+o": "{by} made {who} an operator of {room}",
  "-o": "{by} took operator from {who} in {room}",
  "+v": "{by} gave {who} voice in {room}",
  "-v": "{by} took voice from {who} in {room}",
  "+b": "{by} banned {who} from {room}",
  "-b": "{by} lifted the ban on {who} in {room}",
  "+q": "{by} muted {who} in {room}",
  "-q": "{by} unmuted {who} in {room}",
  "+m": "{by} made {room} moderated: only operators and voiced people speak",
  "-m": "{by} made {room} unmoderated",
  "+t": "{by} locked the topic of {room}: only operators set it",
  "-t": "{by} unlocked the topic of {room}",
  "+i": "{by} made {room} invite-only",
  "-i": "{by} opened {room} to everyone",
  "+s": "{by} made {room} secret",
  "-s": "{by} made {room} visible in the room list",
  "+k": "{by} gave {room} a key",
  "-k": "{by} took the key off {room}",
};
// Changes about you that are also said in a toast when the room is not the one open.
const ALERTS = new Set(["+b", "-b", "+q", "-q", "+o", "-o"]);

function modeWords(message, target, mine) {
  const words = MODE_WORDS[message.change];
  const who = mine ? "you" : message.name ?? "";
  if (!words) return `${message.by} set ${message.change}${who ? ` ${who}` : ""} in #${target.name}`;
  // Functions, not strings, as replacements: a "$&" in a name stays as it is.
  return words.replace("{by}", () => message.by).replace("{who}", () => who)
    .replace("{room}", () => `#${target.name}`);
}

/** Keep the member list's operator, voice and muted marks in step with `mode`. */
function applyRole(target, change, name) {
  const roles = { o: target.operators, v: target.voiced, q: target.muted }[change[1]];
  if (!roles) return;
  if (change[0] === "+") roles.add(fold(name));
  else roles.delete(fold(name));
}

/** The handler of each server message type, given what the page can do (`page`). */
export function serverEvents(page) {
  const {
    view, select, refresh, addNotice, addPresence, removeTarget, joinRoom, applyUnread,
  } = page;
  return {
    message(message) {
      const target = targetOfMessage(message);
      const own = sameName(message.from, state.me);
      view.setTyping(target, message.from, "");
      let row = null;
      view.preserve(target, () => {
        row = target.timeline.addMessage(message, state.me);
      });
      if (!row) return;
      if (!target.loaded && activeTarget() !== target) target.more = true;
      view.arrived(target, row, own);
      refresh();
      if (own) return;
      const where = target.kind === "room" ? ` in #${target.name}` : "";
      if (activeTarget() === target || message.mention || target.kind === "dm") {
        announce(`${message.from}${where}: ${message.text}`);
      }
      if (message.mention || target.kind === "dm") {
        const title = target.kind === "room" ? `${message.from} in #${target.name}` : message.from;
        notify(title, message.text, target.key, () => select(target.key));
      }
    },
    typing(message) {
      if (!message.room || sameName(message.from, state.me)) return;
      view.setTyping(roomTarget(message.room), message.from, message.text ?? "");
    },
    presence(message) {
      const rooms = message.room
        ? [roomTarget(message.room)]
        : [...state.targets.values()].filter((t) => t.kind === "room"
          && t.members.some((m) => sameName(m, message.name)));
      for (const target of rooms) {
        const had = target.members.some((m) => sameName(m, message.name));
        if (message.kind === "join") {
          if (!had) target.members.push(message.name);
        } else {
          target.members = target.members.filter((m) => !sameName(m, message.name));
          if (sameName(message.name, state.me) && message.kind === "leave") {
            removeTarget(target);
            continue;
          }
        }
        if (message.kind !== "join" || !had) {
          const mine = sameName(message.name, state.me);
          const said = message.reason ? ` (${message.reason})` : "";
          const text = mine
            ? `You joined #${target.name}`
            : `${message.name} ${VERBS[message.kind] ?? message.kind}${said}`;
          addPresence(target, mine ? "you" : message.name, message.kind, text);
        }
        if (activeTarget() === target) view.renderMembers(target);
        view.setTyping(target, message.name, "");
      }
      if (message.kind === "join" && sameName(message.name, state.me) && message.room) {
        refresh(); // joined from another session
      }
    },
    topic(message) {
      const target = roomTarget(message.room);
      target.topic = message.topic ?? "";
      const text = target.topic
        ? `${message.by} set the topic: ${target.topic}` : `${message.by} cleared the topic`;
      addNotice(target, text, "topic");
      if (activeTarget() === target) view.renderHeader(target);
    },
    kicked(message) {
      const target = roomTarget(message.room, false);
      if (!target) return;
      const reason = message.reason ? ` (${message.reason})` : "";
      if (sameName(message.name, state.me)) {
        const text = `${message.by} removed you from #${target.name}${reason}.`;
        removeTarget(target);
        toast(text);
        // Said where you land too, so it is still there after the toast has gone.
        const landed = activeTarget();
        if (landed) addNotice(landed, text, "alert");
        return;
      }
      target.members = target.members.filter((m) => !sameName(m, message.name));
      addNotice(target, `${message.by} removed ${message.name}${reason}`, "kick");
      if (activeTarget() === target) view.renderMembers(target);
    },
    mode(message) {
      const target = roomTarget(message.room, false);
      if (!target) return;
      const mine = Boolean(message.name) && sameName(message.name, state.me);
      if (message.name) applyRole(target, message.change, message.name);
      const text = modeWords(message, target, mine);
      addNotice(target, text, mine ? "alert" : "mode");
      if (mine && ALERTS.has(message.change) && activeTarget() !== target) toast(text);
      if (activeTarget() === target) view.renderMembers(target);
    },
    invited(message) {
      const text = `${message.by} invited you to #${message.room}.`;
      toast(text, "Join", () => joinRoom(message.room));
    },
    unread(message) {
      applyUnread(message);
      refresh();
    },
    bye(message) {
      state.byeReason = message.reason || "the server closed the connection";
    },
    error(message) {
      if (message.code === "throttled" || message.code === "too_fast") return; // typing budget
      toast(message.message || message.code);
    },
  };
}
