// What the page puts in a timeline: your own lines (shown at once, then confirmed with
// their ids or marked as not sent), notices, and joins and leaves (folded into runs).

import { toast } from "./feedback.js";
import { activeTarget, state } from "./state.js";

/** The sending and notice functions, given the page's connection and view (`page`). */
export function sendingOf(page) {
  const { connection, view } = page;

  function sendTo(target, text) {
    if (!connection.isOpen || !state.signedIn) {
      toast("Not connected: the message was not sent. It will be possible again once reconnected.");
      return false;
    }
    if (text.length > state.maxText) {
      toast(`That is too long (at most ${state.maxText} characters).`);
      return false;
    }
    target.sent.push(text);
    if (target.sent.length > 50) target.sent.shift();
    const at = Date.now() / 1000;
    const lines = text.split("\n").filter((line) => line.trim() !== "");
    let rows = [];
    view.preserve(target, () => {
      rows = lines.map((line) => target.timeline.addLocal(line, state.me, at));
    });
    if (rows.length) view.arrived(target, rows[rows.length - 1], true);
    // A room takes several lines at once (one message each); a direct message is one line.
    const sends = target.kind === "room"
      ? [{ group: rows, request: { type: "say", room: target.name, text: lines.join("\n") } }]
      : rows.map((row, index) => ({
        group: [row], request: { type: "dm", to: target.name, text: lines[index] },
      }));
    for (const { group, request } of sends) {
      connection.request(request).then((answer) => settle(target, group, answer))
        .catch((error) => {
          for (const row of group) target.timeline.settleLocal(row, true, error.message);
        });
    }
    return true;
  }

  /** The server took the lines: each gets its id (from `ids`, when the answer has them). */
  function settle(target, rows, answer) {
    const ids = Array.isArray(answer.ids) && answer.ids.length === rows.length ? answer.ids : null;
    view.preserve(target, () => {
      rows.forEach((row, index) => {
        if (ids) target.timeline.confirmLocal(row, ids[index]);
        else target.timeline.settleLocal(row, false);
      });
    });
    if (answer.queued) {
      addNotice(target, `${target.name} is offline; the message will be delivered when they are back.`);
    }
  }

  function notice(text, kind = "info") {
    const target = activeTarget();
    if (target) addNotice(target, text, kind);
    else toast(text);
  }

  function addNotice(target, text, kind = "info") {
    let row = null;
    view.preserve(target, () => {
      row = target.timeline.addNotice(text, kind);
    });
    if (row) view.arrived(target, row, false);
  }

  /** A join, leave or quit in `target`: folded into the run of them it follows. */
  function addPresence(target, who, kind, text) {
    let row = null;
    view.preserve(target, () => {
      row = target.timeline.addPresence(who, kind, text);
    });
    if (row) view.arrived(target, row, false);
  }

  return { sendTo, notice, addNotice, addPresence };
}
