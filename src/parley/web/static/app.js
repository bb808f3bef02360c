// Parley's web page: signs in over the door's WebSocket (docs/web-protocol.md), then keeps
// rooms and conversations in step with the server, across drops and restarts: after a
// reconnect it resumes with its token and asks each room for what came `after` the last id
// it shows, so nothing is lost and (rows being keyed by id) nothing is shown twice.

import { ChatView } from "./chatview.js";
import { makeSubmit } from "./commands.js";
import { Composer } from "./composer.js";
import { Connection } from "./connection.js";
import { setupDialogs } from "./dialogs.js";
import { serverEvents } from "./events.js";
import { hideBanner, setBanner, setRetryBanner, toast } from "./feedback.js";
import {
  askForNotificationsOnce, presenceShown, setPresenceShown, setupTheme,
} from "./prefs.js";
import { drawerOpen, renderSidebar, setDrawer } from "./sidebar.js";
import {
  activeTarget, dmTarget, fold, orderedTargets, roomTarget, sameName, setMembers, state,
  targetFor,
} from "./state.js";
import {
  forgetSession, forgetToken, savedRooms, savedSession, saveRooms, saveSession,
} from "./storage.js";

const $ = (id) => document.getElementById(id);
const PAGE = 50;
const CATCH_UP_PAGE = 200;

const connection = new Connection();
let pendingAuth = null;

const view = new ChatView({
  loadOlder: (target) => loadOlder(target),
  markRead: (target) => markRead(target),
  openDm: (name) => openDm(name),
  editTopic: () => dialogs.openTopic(),
});
const submit = makeSubmit({
  joinRoom: (...args) => joinRoom(...args),
  leaveRoom: (target) => leaveRoom(target),
  setTopic: (target, topic) => setTopic(target, topic),
  openDm: (name) => openDm(name),
  sendTo: (target, text) => sendTo(target, text),
  notice: (text) => notice(text),
  who: () => connection.request({ type: "who" }).then((answer) => answer.names ?? []),
  moderate: (message) => connection.request(message),
});
const composer = new Composer({
  submit: (text) => submit(text),
  typing: (target, text) => connection.send({ type: "typing", room: target.name, text }),
});

/** Remember this tab's rooms, to join them again after a reload (see storage.js). */
function keepRooms() {
  saveRooms([...state.targets.values()].filter((t) => t.kind === "room").map((t) => t.name));
}

// ---------------------------------------------------------------- signing in

const AUTH_MESSAGES = {
  account_required: "This name belongs to an account: enter its password.",
  bad_password: "Wrong name or password.",
  name_taken: "Someone is using that name right now. Pick another one.",
  bad_name: "Names are one word of letters, digits, _ - or . (up to 32).",
  account_exists: "That name already has an account: sign in instead.",
  throttled: "Too many attempts. Wait a moment and try again.",
};

function showSignin(message = "", status = "") {
  $("app").hidden = true;
  $("signin").hidden = false;
  $("signin-error").textContent = message;
  $("signin-status").textContent = status;
  setSigninBusy(false);
}

function setSigninBusy(busy) {
  $("signin-submit").disabled = busy;
  $("signup-submit").disabled = busy;
}

function requestAuth(message) {
  setSigninBusy(true);
  $("signin-error").textContent = "";
  pendingAuth = message;
  if (connection.isOpen && connection.hello) sendAuth();
  else {
    $("signin-status").textContent = "Connecting…";
    connection.open();
    connection.retryNow();
  }
}

async function sendAuth() {
  const message = pendingAuth;
  if (!message) return;
  pendingAuth = null;
  try {
    const welcome = await connection.request(message);
    onWelcome(welcome);
  } catch (error) {
    authFailed(message, error);
  }
}

function authFailed(message, error) {
  if (error.code === "disconnected" || error.code === "timeout") {
    pendingAuth = message; // sent again once connected
    if (error.code === "timeout") connection.drop();
    return;
  }
  if (message.type === "resume" && error.code === "name_taken" && state.everSignedIn) {
    // The server has not yet noticed that our old connection is gone: try again shortly.
    pendingAuth = message;
    connection.drop();
    return;
  }
  if (message.type === "resume") {
    const saved = savedSession();
    forgetToken();
    if (saved && !saved.account && saved.name) {
      pendingAuth = { type: "signin", name: saved.name };
      sendAuth();
      return;
    }
    $("signin-name").value = saved?.name ?? "";
    if (state.everSignedIn) connection.close();
    showSignin("Your session has ended. Sign in again.");
    return;
  }
  let text = AUTH_MESSAGES[error.code] ?? error.message;
  if (error.retryAfter) text += ` (wait ${Math.ceil(error.retryAfter)} s)`;
  showSignin(text);
  (error.code === "bad_password" || error.code === "account_required"
    ? $("signin-password") : $("signin-name")).focus();
}

function onSigninSubmit(signup) {
  const name = $("signin-name").value.trim();
  const password = $("signin-password").value;
  if (!name) {
    showSignin("Enter a name.");
    $("signin-name").focus();
    return;
  }
  if (signup && password.length < 8) {
    showSignin("An account needs a password of at least 8 characters.");
    $("signin-password").focus();
    return;
  }
  askForNotificationsOnce();
  const message = { type: signup ? "signup" : "signin", name };
  if (password) message.password = password;
  requestAuth(message);
}

function onWelcome(welcome) {
  const again = state.everSignedIn;
  connection.succeeded();
  state.me = welcome.name;
  state.account = Boolean(welcome.account);
  state.signedIn = true;
  state.byeReason = null;
  if (welcome.token) saveSession(welcome.token, welcome.name, state.account);
  $("signin-password").value = "";
  $("me-name").textContent = welcome.name;
  $("me-avatar").textContent = [...welcome.name][0]?.toUpperCase() ?? "?";
  $("me-status").textContent = state.account ? "account" : "guest";
  const had = new Set([
    ...[...state.targets.values()].filter((t) => t.kind === "room").map((t) => t.name),
    ...savedRooms(),
  ]);
  const present = new Set();
  for (const room of welcome.rooms ?? []) {
    const target = roomTarget(room.name);
    target.topic = room.topic ?? "";
    setMembers(target, room);
    present.add(target.key);
  }
  for (const entry of welcome.unread ?? []) applyUnread(entry);
  $("signin").hidden = true;
  $("app").hidden = false;
  hideBanner();
  document.body.classList.remove("offline");
  if (!state.active || !state.targets.has(state.active)) {
    const lobby = state.targets.get("lobby") ?? orderedTargets().all[0];
    if (lobby) select(lobby.key, { focus: !again });
  } else {
    const active = activeTarget();
    view.renderHeader(active);
    view.renderMembers(active);
  }
  renderSidebar(select);
  if (!state.account) {
    for (const name of had) if (!present.has(fold(name))) rejoin(roomTarget(name));
  }
  if (again) catchUp();
  keepRooms();
}

// ---------------------------------------------------------------- history and catch-up

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

// ---------------------------------------------------------------- switching targets

function select(key, { focus = true } = {}) {
  const target = state.targets.get(key);
  if (!target) return;
  const previous = activeTarget();
  if (previous !== target) composer.clearTyping();
  state.active = key;
  view.show(target, previous);
  renderSidebar(select);
  if (!target.loaded) loadOlder(target);
  else markRead(target);
  if (drawerOpen()) setDrawer(false);
  if (focus) composer.focus();
}

function openDm(name) {
  if (sameName(name, state.me)) return;
  select(dmTarget(name).key);
}

// ---------------------------------------------------------------- sending

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

/** Join (or create) `name`, or open it if we are in it; rejects with the server's reason
 *  (and says it in the timeline unless `quiet`). */
async function joinRoom(name, key, { quiet = false } = {}) {
  const room = name.trim().replace(/^#/u, "");
  if (!room) {
    dialogs.openJoin();
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

async function leaveRoom(target) {
  if (!target) return;
  if (target.kind === "dm") {
    removeTarget(target);
    return;
  }
  try {
    await connection.request({ type: "leave", room: target.name });
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

// ---------------------------------------------------------------- what the server sends

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

function applyUnread(entry) {
  // Counts for a room we are not in (any more) are not ours to show.
  const target = targetFor(entry.target, entry.target.startsWith("@"));
  if (!target) return;
  target.unread = entry.unread ?? 0;
  target.mentions = entry.mentions ?? 0;
  target.lastRead = entry.last_read ?? target.lastRead;
  if (target.lastRead > target.lastReadSent) target.lastReadSent = target.lastRead;
}

const handlers = serverEvents({
  view,
  select,
  refresh: () => renderSidebar(select),
  addNotice,
  addPresence,
  removeTarget,
  joinRoom: (room) => joinRoom(room).catch(() => {}),
  applyUnread,
});

connection.addEventListener("message", (event) => {
  const handler = handlers[event.detail.type];
  if (handler) handler(event.detail);
});

connection.addEventListener("connecting", () => {
  if (state.signedIn || state.everSignedIn) setBanner(state.byeReason, "Reconnecting…");
});

// The first message of every connection is hello: then we (re)introduce ourselves.
connection.addEventListener("message", (event) => {
  if (event.detail.type !== "hello") return;
  state.hello = event.detail;
  state.maxText = event.detail.max_text ?? state.maxText;
  composer.maxLength = state.maxText;
  $("signin-name").maxLength = event.detail.max_name ?? 32;
  if (!pendingAuth) {
    const saved = savedSession();
    if (saved?.token) pendingAuth = { type: "resume", token: saved.token };
  }
  if (pendingAuth) sendAuth();
  else setSigninBusy(false);
  $("signin-status").textContent = "";
});

connection.addEventListener("down", () => {
  if (state.signedIn) state.everSignedIn = true;
  state.signedIn = false;
  document.body.classList.add("offline");
  for (const target of state.targets.values()) {
    for (const name of [...target.typing.keys()]) view.setTyping(target, name, "");
  }
  if (!state.everSignedIn) {
    $("signin-status").textContent = "Cannot reach the server. Trying again…";
  }
});

connection.addEventListener("retry", (event) => {
  if (state.everSignedIn) setRetryBanner(state.byeReason, event.detail.delay);
});

const dialogs = setupDialogs({
  join: (room, key) => joinRoom(room, key, { quiet: true }),
  openDm: (name) => openDm(name),
  setTopic: (topic) => setTopic(activeTarget(), topic, { quiet: true }),
});

// ---------------------------------------------------------------- wiring

$("signin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  onSigninSubmit(false);
});
$("signup-submit").addEventListener("click", () => onSigninSubmit(true));
$("join-open").addEventListener("click", () => dialogs.openJoin());
$("dm-open").addEventListener("click", () => dialogs.openDm());
$("leave").addEventListener("click", () => leaveRoom(activeTarget()));
$("menu-toggle").addEventListener("click", () => setDrawer(!drawerOpen()));
$("scrim").addEventListener("click", () => setDrawer(false));
$("banner-action").addEventListener("click", () => connection.retryNow());
$("signout").addEventListener("click", async () => {
  try {
    await connection.request({ type: "signout" });
  } catch {
    // Signed out either way: the token is forgotten here.
  }
  forgetSession();
  connection.close();
  location.reload();
});

function applyNotices() {
  const shown = presenceShown();
  document.body.classList.toggle("hide-presence", !shown);
  const toggle = $("notices-toggle");
  toggle.setAttribute("aria-pressed", String(shown));
  toggle.title = shown ? "Hide join and leave notices" : "Show join and leave notices";
}
$("notices-toggle").addEventListener("click", () => {
  setPresenceShown(!presenceShown());
  applyNotices();
});

function applyMembersPanel(shown) {
  document.body.classList.toggle("members-shown", shown);
  document.body.classList.toggle("members-hidden", !shown);
  $("members-toggle").setAttribute("aria-expanded", String(shown));
}
$("members-toggle").addEventListener("click", () => {
  applyMembersPanel(!document.body.classList.contains("members-shown"));
});

document.addEventListener("keydown", (event) => {
  if (event.altKey && !event.ctrlKey && !event.metaKey && /^Digit[1-9]$/u.test(event.code)) {
    const target = orderedTargets().all[Number(event.code.slice(5)) - 1];
    if (target && !$("app").hidden) {
      event.preventDefault();
      select(target.key);
    }
  } else if (event.key === "Escape" && drawerOpen()) {
    setDrawer(false);
    $("menu-toggle").focus();
  } else if (event.key === "Escape" && document.body.classList.contains("members-shown")
    && window.matchMedia("(max-width: 1099px)").matches) {
    applyMembersPanel(false);
  }
});

document.addEventListener("visibilitychange", () => {
  const target = activeTarget();
  if (document.visibilityState === "visible") {
    if (target) markRead(target);
    connection.retryNow();
  } else if (target && target.timeline.markerAfter === null) {
    // Lines that come while the tab is hidden get the "new messages" line above them.
    target.timeline.setMarker(target.timeline.newestId, state.me);
  }
});
window.addEventListener("online", () => connection.retryNow());

setupTheme();
applyNotices();
applyMembersPanel(window.matchMedia("(min-width: 1100px)").matches);

const saved = savedSession();
if (saved?.token) {
  $("signin-name").value = saved.name ?? "";
  showSignin("", "Signing in again…");
  setSigninBusy(true);
  pendingAuth = { type: "resume", token: saved.token };
  connection.open();
} else {
  showSignin();
  connection.open();
}

// For tests and the curious: the state (read-only by convention) and the connection.
window.parley = { state, connection };
