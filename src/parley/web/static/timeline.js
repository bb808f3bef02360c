// One room's or conversation's messages as DOM rows, kept sorted by message id.
// Rows are inserted wherever their id falls (history pages above, live lines below, catch-up
// after a reconnect in between), and a message id is only ever shown once.

import { avatar, clockTime, dayKey, dayLabel, el, fullTime, nameHue, richText } from "./dom.js";

const GROUP_SECONDS = 300;

/** Index of the first element of the sorted `keys` greater than `key`. */
function upperBound(keys, key) {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (keys[mid] <= key) low = mid + 1;
    else high = mid;
  }
  return low;
}

export class Timeline {
  constructor(label) {
    this.list = el("div", { className: "rows", role: "list", "aria-label": label });
    this.startNode = el("div", { className: "timeline-start", hidden: true },
      el("h3", { className: "start-title" }), el("p", { className: "start-detail" }));
    this.list.append(this.startNode);
    this.keys = [];
    this.rows = [];
    this.ids = new Map();
    this.locals = [];
    this.marker = null;
    this.markerAfter = null;
    this.me = null;
    this.atStart = false;
  }

  /** The newest real message id shown, or 0. */
  get newestId() {
    let newest = 0;
    for (const id of this.ids.keys()) if (id > newest) newest = id;
    return newest;
  }

  /** The oldest real message id shown, or null. */
  get oldestId() {
    for (let i = 0; i < this.rows.length; i += 1) {
      const id = this.rows[i].message?.id;
      if (id !== undefined && id !== null) return id;
    }
    return null;
  }

  get tailKey() {
    return this.keys.length ? this.keys[this.keys.length - 1] : 0;
  }

  has(id) {
    return this.ids.has(id);
  }

  /** Insert a server message (with an id); returns its row, or null if already shown. */
  addMessage(message, me) {
    if (typeof message.id !== "number" || this.ids.has(message.id)) return null;
    if (message.from === me) this.dropLocalCopy(message.text);
    const row = { key: message.id, message, node: this.messageNode(message, me) };
    this.ids.set(message.id, row);
    this.insert(row);
    return row;
  }

  /** Show your own line at once, before the server has given it an id. */
  addLocal(text, me, at) {
    const message = { id: null, at, from: me, text, local: true };
    const row = { key: this.tailKey + 0.001, message, node: this.messageNode(message, me) };
    row.node.classList.add("pending");
    this.locals.push(row);
    this.insert(row);
    return row;
  }

  /** The server confirmed (ok) or refused a local line. */
  settleLocal(row, failed, reason) {
    row.node.classList.remove("pending");
    if (failed) {
      row.node.classList.add("failed");
      row.node.querySelector(".msg-text")?.append(el("span", { className: "msg-error", text: ` — not sent: ${reason}` }));
      this.locals = this.locals.filter((local) => local !== row);
    }
  }

  /** The server's `ok` gave a local line its id: key it by that id from now on (or drop it
   *  if the message with that id is already shown). */
  confirmLocal(row, id) {
    this.locals = this.locals.filter((local) => local !== row);
    row.node.classList.remove("pending");
    if (typeof id !== "number") return;
    // Its id places it among messages, but never after a notice (a join, say) that came
    // after it while the id was on its way: such a notice keeps following it.
    const later = this.rows.slice(this.rows.indexOf(row) + 1).find((other) => !other.message);
    this.remove(row);
    if (this.ids.has(id)) return;
    row.message.id = id;
    row.message.local = false;
    row.key = later && later.key < id ? later.key - 1e-6 : id;
    row.node.dataset.id = String(id);
    this.ids.set(id, row);
    this.insert(row);
  }

  /** A message of yours came back with its id (history after a reconnect, another session):
   *  the local copy of the same text goes, so it is never shown twice. */
  dropLocalCopy(text) {
    const index = this.locals.findIndex((row) => row.message.text === text);
    if (index < 0) return;
    const [row] = this.locals.splice(index, 1);
    this.remove(row);
  }

  /** A line that is not a message: join/leave, topic, kicks, connection notes. */
  addNotice(text, kind = "info") {
    const node = el("div", { className: `notice notice-${kind}`, role: "listitem" },
      el("span", { className: "notice-text", text }));
    const row = { key: this.tailKey + 0.001, message: null, node, at: Date.now() / 1000 };
    this.insert(row);
    return row;
  }

  /** A join, leave or quit: it joins the run of such notices at the end of the timeline (one
   *  folded line, see `presenceSummary`), or starts one. `who` is the name to show ("you"
   *  for yourself), `text` the line it reads as alone. */
  addPresence(who, kind, text) {
    const at = Date.now() / 1000;
    const last = this.rows[this.rows.length - 1];
    const entry = { who, kind, text, at };
    if (last?.run && dayKey(last.at) === dayKey(at)) {
      const focused = last.node.contains(document.activeElement);
      last.run.push(entry);
      renderRun(last);
      if (focused) last.node.querySelector(".presence-summary")?.focus();
      return last;
    }
    this.runs = (this.runs ?? 0) + 1;
    const node = el("div", { className: "notice notice-presence presence-run", role: "listitem" });
    const row = { key: this.tailKey + 0.001, message: null, node, at, run: [entry], expanded: false };
    row.detailsId = `${this.list.getAttribute("aria-label")}-run-${this.runs}`.replace(/[^\w-]/gu, "_");
    renderRun(row);
    this.insert(row);
    return row;
  }

  insert(row) {
    const index = upperBound(this.keys, row.key);
    this.keys.splice(index, 0, row.key);
    this.rows.splice(index, 0, row);
    const next = this.rows[index + 1];
    this.list.insertBefore(row.node, next ? next.node : null);
    this.restyle(index);
    this.restyle(index + 1);
    this.placeMarker();
  }

  remove(row) {
    const index = this.rows.indexOf(row);
    if (index < 0) return;
    this.rows.splice(index, 1);
    this.keys.splice(index, 1);
    row.node.remove();
    this.restyle(index);
  }

  /** Group a message under the one before it (same sender, within minutes), and mark days. */
  restyle(index) {
    const row = this.rows[index];
    if (!row) return;
    const previous = this.previousMessageRow(index);
    const message = row.message;
    const at = message ? message.at : row.at;
    const prevAt = previous ? (previous.message ? previous.message.at : previous.at) : null;
    const newDay = at !== null && at !== undefined && (prevAt === null || dayKey(prevAt) !== dayKey(at));
    row.node.classList.toggle("new-day", Boolean(newDay));
    if (newDay) row.node.dataset.day = dayLabel(at);
    else delete row.node.dataset.day;
    if (!message) return;
    const continued = !newDay && previous !== null && previous.message !== null
      && previous.message.from === message.from
      && at - prevAt < GROUP_SECONDS;
    row.node.classList.toggle("continued", continued);
  }

  previousMessageRow(index) {
    return index > 0 ? this.rows[index - 1] : null;
  }

  messageNode(message, me) {
    const at = message.at ?? Date.now() / 1000;
    const classes = ["msg"];
    if (message.from === me) classes.push("own");
    if (message.mention) classes.push("mention");
    if (message.offline) classes.push("offline");
    const time = el("time", {
      className: "msg-time",
      datetime: new Date(at * 1000).toISOString(),
      title: fullTime(at),
      text: clockTime(at),
    });
    const head = el("div", { className: "msg-head" },
      el("span", { className: "msg-from", text: message.from }), time);
    const text = el("div", { className: "msg-text" }, richText(message.text, me));
    if (message.offline) text.append(el("span", { className: "msg-flag", text: "sent while you were away" }));
    const node = el("div", { className: classes.join(" "), role: "listitem" },
      avatar(message.from, "avatar msg-avatar"),
      el("div", { className: "msg-body" }, head, text),
      el("span", { className: "msg-side-time", "aria-hidden": "true", text: clockTime(at) }));
    if (typeof message.id === "number") node.dataset.id = String(message.id);
    node.style.setProperty("--hue", String(nameHue(message.from)));
    return node;
  }

  /** The "new messages" line goes before the first message newer than `after` not by you. */
  setMarker(after, me) {
    this.markerAfter = after;
    this.me = me;
    this.placeMarker();
  }

  clearMarker() {
    this.markerAfter = null;
    this.marker?.remove();
    this.marker = null;
  }

  placeMarker() {
    if (this.markerAfter === null) return;
    const first = this.rows.find((row) => row.message && typeof row.message.id === "number"
      && row.message.id > this.markerAfter && row.message.from !== this.me);
    // Only where it is known to be: the line before it is shown, or nothing is older.
    const oldest = this.oldestId;
    const known = this.atStart || (oldest !== null && oldest <= this.markerAfter);
    if (!first || !known) {
      this.marker?.remove();
      return;
    }
    if (!this.marker) {
      this.marker = el("div", { className: "unread-marker", role: "separator", "aria-label": "New messages" },
        el("span", { text: "New messages" }));
    }
    if (this.marker.nextSibling !== first.node) this.list.insertBefore(this.marker, first.node);
  }

  /** Nothing is older than what is shown: say where the room or conversation begins. */
  markStart(title, detail) {
    this.startNode.querySelector(".start-title").textContent = title;
    this.startNode.querySelector(".start-detail").textContent = detail;
    this.startNode.hidden = false;
    this.atStart = true;
    this.placeMarker();
  }

  /** True when the first unread message is loaded (so the marker can be scrolled to). */
  get markerLoaded() {
    return this.marker !== null && this.marker.isConnected;
  }
}

const FOLD_NAMES = 3; // more people than this in a run: counts instead of names
const VERBS = { join: "joined", leave: "left", quit: "left the server" };
const NOUNS = { join: ["join", "joins"], leave: ["leave", "leaves"], quit: ["quit", "quits"] };

/** The one line a run of joins, leaves and quits folds into: "alice, bob joined; carol left",
 *  or "5 joins, 2 leaves" past `FOLD_NAMES` people. */
export function presenceSummary(run) {
  const byKind = new Map();
  for (const { who, kind } of run) {
    if (!byKind.has(kind)) byKind.set(kind, { names: [], count: 0 });
    const part = byKind.get(kind);
    part.count += 1;
    if (!part.names.includes(who)) part.names.push(who);
  }
  const people = [...byKind.values()].reduce((sum, part) => sum + part.names.length, 0);
  const parts = [...byKind.entries()];
  if (people <= FOLD_NAMES) {
    return parts.map(([kind, part]) => `${part.names.join(", ")} ${VERBS[kind] ?? kind}`).join("; ");
  }
  return parts.map(([kind, part]) => {
    const [one, many] = NOUNS[kind] ?? [kind, kind];
    return `${part.count} ${part.count === 1 ? one : many}`;
  }).join(", ");
}

/** Draw a run: one entry reads as before; more are a button (Enter or a click) that shows
 *  or hides each line of the run. */
function renderRun(row) {
  const { run, node } = row;
  if (run.length === 1) {
    node.replaceChildren(el("span", { className: "notice-text", text: run[0].text }));
    return;
  }
  const toggle = el("button", {
    type: "button",
    className: "presence-summary notice-text",
    "aria-expanded": String(row.expanded),
    "aria-controls": row.detailsId,
    title: row.expanded ? "Hide who joined and left" : "Show who joined and left",
    onclick: () => {
      row.expanded = !row.expanded;
      renderRun(row);
      node.querySelector(".presence-summary")?.focus();
    },
  }, el("span", { className: "run-caret", "aria-hidden": "true", text: row.expanded ? "▾" : "▸" }),
  el("span", { className: "run-text", text: presenceSummary(run) }));
  const details = el("ul", { className: "presence-details", id: row.detailsId, hidden: !row.expanded },
    ...run.map((entry) => el("li", {},
      el("time", { className: "run-time", datetime: new Date(entry.at * 1000).toISOString(), text: clockTime(entry.at) }),
      el("span", { text: entry.text }))));
  node.replaceChildren(toggle, details);
}
