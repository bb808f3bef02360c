// Rooms and conversations: opening one, joining (or creating) and leaving rooms, topics,
// the unread counts the server sends, and the list of rooms this tab keeps for a reload.

import { drawerOpen, renderSidebar, setDrawer } from "./sidebar.js";
import {
  activeTarget, dmTarget, orderedTargets, roomTarget, sameName, setMembers, state, targetFor,
} from "./state.js";
import { saveRooms } from "./storage.js";
import { toast } from "./feedback.js";

/** The room and conversation functions, given what the page has (`page`: its connection,
 *  view and composer, and the other modules' functions, looked up when called). */
export function targetsOf(page) {
  const { connection, view } = page;
  const loadOlder = (...args) => page.loadOlder(...args);
  const markRead = (...args) => page.markRead(...args);
  const addMessages = (...args) => page.addMessages(...args);
  const catchUpTarget = (...args) => page.catchUpTarget(...args);
  const notice = (...args) => page.notice(...args);

  /** Remember this tab's rooms, to join them again after a reload (see storage.js). */
  function keepRooms() {
    saveRooms([...state.targets.values()].filter((t) => t.kind === "room").map((t) => t.name));
  }

  function select(key, { focus = true } = {}) {
    const target = state.targets.get(key);
    if (!target) return;
    const previous = activeTarget();
    if (previous !== target) page.composer.clearTyping();
    state.active = key;
    view.show(target, previous);
    renderSidebar(select);
    if (!target.loaded) loadOlder(target);
    else markRead(target);
    if (drawerOpen()) setDrawer(false);
    if (focus) page.composer.focus();
  }

  function openDm(name) {
    if (sameName(name, state.me)) return;
    select(dmTarget(name).key);
  }

  /** Join (or create) `name`, or open it if we are in it; rejects with the server's reason
   *  (and says it in the timeline unless `quiet`). */
  async function joinRoom(name, key, { quiet = false } = {}) {
    const room = name.trim().replace(/^#/u, "");
    if (!room) {
      page.dialogs.openJoin();
      return null;
    }
    const existing = roomTarget(room, false);
    if (existing && existing.members.some((m) => sameName(m, state.me))) {
      select(existing.key);
      return existing;
    }
    const request = { type: "join", room };
    if (key) request.key = key;
    try {
      const target = applyJoined(await connection.request(request));
      select(target.key);
      return target;
    } catch (error) {
      if (!quiet) notice(`Could not join #${room}: ${error.message}`);
      throw error;
    }
  }

  function applyJoined(answer) {
    const target = roomTarget(answer.room);
    target.topic = answer.topic ?? "";
    setMembers(target, answer);
    if (!target.members.some((m) => sameName(m, state.me))) target.members.push(state.me);
    const recent = answer.recent ?? [];
    target.more = recent.length > 0 || target.timeline.newestId > 0;
    addMessages(target, recent, !target.more);
    target.loaded = true;
    keepRooms();
    renderSidebar(select);
    if (activeTarget() === target) {
      view.renderHeader(target);
      view.renderMembers(target);
    }
    return target;
  }

  async function rejoin(target) {
    try {
      applyJoined(await connection.request({ type: "join", room: target.name }));
      if (target.loaded) await catchUpTarget(target);
    } catch (error) {
      if (error.code === "disconnected") return;
      removeTarget(target);
      toast(`Could not join #${target.name} again: ${error.message}`);
    }
  }

  function removeTarget(target) {
    state.targets.delete(target.key);
    keepRooms();
    if (state.active === target.key) {
      state.active = null;
      const next = state.targets.get("lobby") ?? orderedTargets().all[0];
      if (next) select(next.key);
    }
    renderSidebar(select);
  }

  /** Leave `target` (a room: the others see `reason`, if any), or close a conversation. */
  async function leaveRoom(target, reason = "") {
    if (!target) return;
    if (target.kind === "dm") {
      removeTarget(target);
      return;
    }
    try {
      await connection.request({ type: "leave", room: target.name, ...(reason ? { reason } : {}) });
      removeTarget(target);
    } catch (error) {
      notice(error.message);
    }
  }

  async function setTopic(target, topic, { quiet = false } = {}) {
    if (!target || target.kind !== "room") throw new Error("Topics are for rooms.");
    try {
      await connection.request({ type: "topic", room: target.name, topic });
    } catch (error) {
      if (!quiet) notice(`Topic not set: ${error.message}`);
      throw error;
    }
  }

  function applyUnread(entry) {
    // Counts for a room we are not in (any more) are not ours to show.
    const target = targetFor(entry.target, entry.target.startsWith("@"));
    if (!target) return;
    target.unread = entry.unread ?? 0;
    target.mentions = entry.mentions ?? 0;
    target.lastRead = entry.last_read ?? target.lastRead;
    if (target.lastRead > target.lastReadSent) target.lastReadSent = target.lastRead;
  }

  return {
    keepRooms, select, openDm, joinRoom, applyJoined, rejoin, removeTarget, leaveRoom, setTopic,
    applyUnread,
  };
}
