// What the page knows: who we are, and our rooms and direct conversations ("targets").

import { Timeline } from "./timeline.js";

/** Names compare case-insensitively on the server; this is the page's key for one. */
export function fold(name) {
  return name.normalize("NFKC").toLowerCase();
}

export function sameName(a, b) {
  return typeof a === "string" && typeof b === "string" && fold(a) === fold(b);
}

export const state = {
  me: null,
  account: false,
  hello: null,
  signedIn: false,
  everSignedIn: false,
  targets: new Map(),
  active: null,
  byeReason: null,
  maxText: 4000,
};

class Target {
  constructor(kind, name) {
    this.kind = kind;
    this.name = name;
    this.key = kind === "room" ? fold(name) : `@${fold(name)}`;
    this.topic = "";
    this.members = [];
    this.operators = new Set(); // folded names, as `welcome`, `joined` and `mode` tell them
    this.voiced = new Set();
    this.muted = new Set();
    this.unread = 0;
    this.mentions = 0;
    this.lastRead = 0;
    this.lastReadSent = 0;
    this.more = true;
    this.loaded = false;
    this.loading = null;
    this.typing = new Map();
    this.scroll = null;
    this.newBelow = 0;
    this.sent = [];
    const label = kind === "room" ? `Messages in #${name}` : `Conversation with ${name}`;
    this.timeline = new Timeline(label);
  }

  /** How the protocol names this target in `history` and `read`. */
  get wire() {
    return this.kind === "room" ? this.name : `@${this.name}`;
  }

  get title() {
    return this.kind === "room" ? `#${this.name}` : this.name;
  }
}

export function roomTarget(name, create = true) {
  const bare = name.replace(/^#/u, "");
  const key = fold(bare);
  let target = state.targets.get(key);
  if (!target && create) {
    target = new Target("room", bare);
    state.targets.set(key, target);
  }
  return target ?? null;
}

export function dmTarget(name, create = true) {
  const bare = name.replace(/^@/u, "");
  const key = `@${fold(bare)}`;
  let target = state.targets.get(key);
  if (!target && create) {
    target = new Target("dm", bare);
    state.targets.set(key, target);
  }
  return target ?? null;
}

/** The target a protocol name (`dev`, `@bob`) stands for. */
export function targetFor(wire, create = true) {
  return wire.startsWith("@") ? dmTarget(wire, create) : roomTarget(wire, create);
}

/** The target of a `message` object: its room, or the other person of a direct message. */
export function targetOfMessage(message) {
  if (message.room) return roomTarget(message.room);
  const peer = sameName(message.from, state.me) ? message.to : message.from;
  return dmTarget(peer ?? message.from);
}

/** Rooms (lobby first, then by name), then conversations by name: the sidebar's order. */
export function orderedTargets() {
  const all = [...state.targets.values()];
  const byName = (a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" });
  const rooms = all.filter((t) => t.kind === "room").sort((a, b) => {
    if (a.key === "lobby") return -1;
    if (b.key === "lobby") return 1;
    return byName(a, b);
  });
  const dms = all.filter((t) => t.kind === "dm").sort(byName);
  return { rooms, dms, all: [...rooms, ...dms] };
}

export function activeTarget() {
  return state.active ? state.targets.get(state.active) ?? null : null;
}

/** A room's members and their roles from a `welcome` or `joined` entry. */
export function setMembers(target, entry) {
  target.members = [...(entry.members ?? [])];
  target.operators = new Set((entry.operators ?? []).map(fold));
  target.voiced = new Set((entry.voiced ?? []).map(fold));
  target.muted = new Set((entry.muted ?? []).map(fold));
}

/** The role a member has in `target`: "operator", "voice", "muted" (may not speak there,
 *  whatever else they are) or "". */
export function roleOf(target, name) {
  const key = fold(name);
  if (target.muted.has(key)) return "muted";
  if (target.operators.has(key)) return "operator";
  return target.voiced.has(key) ? "voice" : "";
}
