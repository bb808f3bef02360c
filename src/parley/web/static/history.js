// History and catch-up: pages of older messages when scrolling up, everything `after` the
// newest id shown once reconnected (the gap of a drop or a restart), and the read marker.
// Rows are keyed by id, so a page that overlaps what is shown adds nothing twice.

import { toast } from "./feedback.js";
import { activeTarget, state } from "./state.js";

const PAGE = 50;
const CATCH_UP_PAGE = 200;

/** The history functions, given the page's connection and view (`page`). */
export function historyOf(page) {
  const { connection, view } = page;

  /** Put `messages` in their places (without moving what is being read); `atStart`: they are
   *  the oldest there are. */
  function addMessages(target, messages, atStart = false) {
    let added = 0;
    view.preserve(target, () => {
      for (const message of messages) if (target.timeline.addMessage(message, state.me)) added += 1;
      if (atStart) markStart(target);
    });
    return added;
  }

  /** One page of older history (above what is shown); resolves when it is in. */
  function loadOlder(target) {
    if (target.loading) return target.loading;
    if (!target.more || !connection.isOpen) return Promise.resolve();
    const request = { type: "history", target: target.wire, count: PAGE };
    const oldest = target.timeline.oldestId;
    if (oldest !== null) request.before = oldest;
    target.loading = connection.request(request).then((answer) => {
      const messages = answer.messages ?? [];
      target.more = Boolean(answer.more) && messages.length > 0;
      addMessages(target, messages, !target.more);
      const first = !target.loaded;
      target.loaded = true;
      if (first && activeTarget() === target) view.restoreScroll(target);
    }).catch((error) => {
      if (error.code === "not_member" || error.code === "no_such_room") target.more = false;
      if (error.code !== "disconnected") toast(`History of ${target.title}: ${error.message}`);
    }).finally(() => {
      target.loading = null;
      if (activeTarget() === target) {
        view.updatePills(target);
        view.fillUp(target);
        markRead(target);
      }
    });
    return target.loading;
  }

  /** Everything after the newest id shown, page by page: the gap of a reconnect. */
  async function catchUpTarget(target) {
    let after = target.timeline.newestId;
    if (after === 0) {
      target.more = true;
      target.loaded = false;
      if (activeTarget() === target) await loadOlder(target);
      return;
    }
    for (let page = 0; page < 50; page += 1) {
      const answer = await connection.request({
        type: "history", target: target.wire, after, count: CATCH_UP_PAGE,
      });
      const messages = answer.messages ?? [];
      addMessages(target, messages);
      const newest = messages.reduce((max, m) => Math.max(max, m.id ?? 0), after);
      if (!answer.more || newest <= after) break;
      after = newest;
    }
  }

  async function catchUp() {
    for (const target of [...state.targets.values()]) {
      if (!target.loaded && target.timeline.newestId === 0) continue;
      try {
        await catchUpTarget(target);
      } catch (error) {
        if (error.code === "disconnected") return;
        if (error.code !== "not_member") toast(`Catching up ${target.title}: ${error.message}`);
      }
    }
    const active = activeTarget();
    if (active) {
      view.updatePills(active);
      markRead(active);
    }
  }

  /** The heading above the oldest message there is. */
  function markStart(target) {
    const detail = target.kind === "dm"
      ? `This is the start of your conversation with ${target.name}.`
      : target.key === "lobby"
        ? "Everyone on the server is here. This is where it begins."
        : `This is the start of ${target.title}.`;
    target.timeline.markStart(target.title, detail);
  }

  function markRead(target) {
    if (activeTarget() !== target || document.visibilityState !== "visible") return;
    if (!view.atBottom || !state.signedIn) return;
    const newest = target.timeline.newestId;
    if (newest === 0 || newest <= target.lastReadSent) return;
    if (newest <= target.lastRead && target.unread === 0) return;
    if (connection.send({ type: "read", target: target.wire, id: newest })) {
      target.lastReadSent = newest;
    }
  }

  return { addMessages, loadOlder, catchUpTarget, catchUp, markRead };
}
