// Parley's web page: signs in over the door's WebSocket (docs/web-protocol.md), then keeps
// rooms and conversations in step with the server, across drops and restarts: after a
// reconnect it resumes with its token and asks each room for what came `after` the last id
// it shows, so nothing is lost and (rows being keyed by id) nothing is shown twice.

import { ChatView } from "./chatview.js";
import { Composer } from "./composer.js";
import { Connection } from "./connection.js";
import { el } from "./dom.js";
import {
  askForNotificationsOnce, notify, presenceShown, setPresenceShown, setupTheme,
} from "./prefs.js";
import { drawerOpen, renderSidebar, setDrawer } from "./sidebar.js";
import {
  activeTarget, dmTarget, fold, orderedTargets, roomTarget, sameName, state, targetFor,
  targetOfMessage,
} from "./state.js";

const $ = (id) => document.getElementById(id);
const SESSION_KEY = "parley.session";
const ROOMS_KEY = "parley.rooms";
const PAGE = 50;
const CATCH_UP_PAGE = 200;

const connection = new Connection();
let pendingAuth = null;
let retryClock = null;

const view = new ChatView({
  loadOlder: (target) => loadOlder(target),
  markRead: (target) => markRead(target),
  openDm: (name) => openDm(name),
  editTopic: () => openTopicDialog(),
});
const composer = new Composer({
  submit: (text) => submit(text),
  typing: (target, text) => connection.send({ type: "typing", room: target.name, text }),
});

// ---------------------------------------------------------------- session storage

function savedSession() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? "null");
  } catch {
    return null;
  }
}

function saveSession(token, name, account) {
  try {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ token, name, account }));
  } catch {
    // No storage: a reload signs in again.
  }
}

/** A name without an account is in no room after a reload or a restart: the page keeps
 *  the rooms it was in (per tab) and joins them again. */
function saveRooms() {
  const rooms = [...state.targets.values()].filter((t) => t.kind === "room").map((t) => t.name);
  try {
    sessionStorage.setItem(ROOMS_KEY, JSON.stringify(rooms));
  } catch {
    // No storage: the rooms are joined again by hand.
  }
}

function savedRooms() {
  try {
    const rooms = JSON.parse(sessionStorage.getItem(ROOMS_KEY) ?? "[]");
    return Array.isArray(rooms) ? rooms.filter((room) => typeof room === "string") : [];
  } catch {
    return [];
  }
}

function forgetSession() {
  try {
    sessionStorage.removeItem(SESSION_KEY);
    sessionStorage.removeItem(ROOMS_KEY);
  } catch {
    // Nothing kept.
  }
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
    return;
  }
  if (message.type === "resume") {
    const saved = savedSession();
    forgetSession();
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
    target.members = [...(room.members ?? [])];
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
  saveRooms();
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
    if (messages.length < CATCH_UP_PAGE || newest <= after) break;
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

function markStart(target) {
  if (target.kind === "dm") {
    target.timeline.markStart(`${target.name}`, `This is the start of your conversation with ${target.name}.`);
  } else if (target.key === "lobby") {
    target.timeline.markStart("#lobby", "Everyone on the server is here. This is where it begins.");
  } else {
    target.timeline.markStart(`#${target.name}`, `This is the start of #${target.name}.`);
  }
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
  const target = dmTarget(name);
  target.loaded = target.loaded || false;
  select(target.key);
}

// ---------------------------------------------------------------- sending

const COMMANDS = {
  join: (args) => joinRoom(args[0] ?? "", args[1]),
  j: (args) => joinRoom(args[0] ?? "", args[1]),
  leave: (args) => leaveRoom(args[0] ? roomTarget(args[0], false) : activeTarget()),
  part: (args) => leaveRoom(args[0] ? roomTarget(args[0], false) : activeTarget()),
  topic: (args, rest) => setTopic(activeTarget(), rest),
  msg: (args, rest) => {
    if (!args[0]) return notice("Usage: /msg NAME TEXT");
    const body = rest.slice(args[0].length).trimStart();
    openDm(args[0]);
    if (body) sendTo(activeTarget(), body);
    return undefined;
  },
  query: (args) => (args[0] ? openDm(args[0]) : notice("Usage: /query NAME")),
  who: () => connection.request({ type: "who" })
    .then((answer) => notice(`Online: ${(answer.names ?? []).join(", ")}`))
    .catch((error) => notice(error.message)),
  help: () => notice("Commands: /join ROOM [KEY], /leave [ROOM], /topic TEXT, /msg NAME TEXT, "
    + "/query NAME, /who. Enter sends, Shift+Enter for a new line, Up recalls, Alt+1…9 switch rooms."),
};

/** The composer's text: a command, or a message to the open room or conversation. */
function submit(text) {
  const target = activeTarget();
  if (!target) return false;
  if (text.startsWith("/") && !text.startsWith("//")) {
    const [head, ...rest] = text.slice(1).split(/\s+/u);
    const command = COMMANDS[head.toLowerCase()];
    if (!command) {
      notice(`Unknown command /${head}. Try /help.`);
      return false;
    }
    command(rest.filter(Boolean), text.slice(1 + head.length).trim());
    return true;
  }
  return sendTo(target, text.startsWith("//") ? text.slice(1) : text);
}

function sendTo(target, text) {
  if (!connection.isOpen || !state.signedIn) {
    toast("Not connected: the message was not sent. It will be possible again once reconnected.");
    return false;
  }
  if (new TextEncoder().encode(text).length > state.maxText * 4 || text.length > state.maxText) {
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
  const request = target.kind === "room"
    ? { type: "say", room: target.name, text }
    : { type: "dm", to: target.name, text };
  connection.request(request).then((answer) => {
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
  }).catch((error) => {
    for (const row of rows) target.timeline.settleLocal(row, true, error.message);
  });
  return true;
}

async function joinRoom(name, key) {
  const room = name.trim().replace(/^#/u, "");
  if (!room) {
    openJoinDialog();
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
    const answer = await connection.request(request);
    const target = applyJoined(answer);
    select(target.key);
    return target;
  } catch (error) {
    notice(`Could not join #${room}: ${error.message}`);
    throw error;
  }
}

function applyJoined(answer) {
  const target = roomTarget(answer.room);
  target.topic = answer.topic ?? "";
  target.members = [...(answer.members ?? [])];
  if (!target.members.some((m) => sameName(m, state.me))) target.members.push(state.me);
  const recent = answer.recent ?? [];
  target.more = recent.length > 0 || target.timeline.newestId > 0;
  addMessages(target, recent, !target.more);
  target.loaded = true;
  saveRooms();
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
    addNotice(target, `Could not join #${target.name} again: ${error.message}`);
  }
}

function removeTarget(target) {
  state.targets.delete(target.key);
  saveRooms();
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

async function setTopic(target, topic) {
  if (!target || target.kind !== "room") return notice("Topics are for rooms.");
  try {
    await connection.request({ type: "topic", room: target.name, topic });
    return undefined;
  } catch (error) {
    notice(`Topic not set: ${error.message}`);
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

function applyUnread(entry) {
  const target = targetFor(entry.target);
  target.unread = entry.unread ?? 0;
  target.mentions = entry.mentions ?? 0;
  target.lastRead = entry.last_read ?? target.lastRead;
  if (target.lastRead > target.lastReadSent) target.lastReadSent = target.lastRead;
}

function announce(text) {
  const region = $("announcer");
  region.append(el("p", { text }));
  while (region.childElementCount > 5) region.firstElementChild.remove();
}

const HANDLERS = {
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
    renderSidebar(select);
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
    const verbs = { join: "joined", leave: "left", quit: "left the server" };
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
        const text = sameName(message.name, state.me)
          ? `You joined #${target.name}` : `${message.name} ${verbs[message.kind] ?? message.kind}`;
        addNotice(target, text, "presence");
      }
      if (activeTarget() === target) view.renderMembers(target);
      view.setTyping(target, message.name, "");
    }
    if (message.kind === "join" && sameName(message.name, state.me) && message.room) {
      renderSidebar(select); // joined from another session
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
      removeTarget(target);
      toast(`${message.by} removed you from #${target.name}${reason}.`);
      return;
    }
    target.members = target.members.filter((m) => !sameName(m, message.name));
    addNotice(target, `${message.by} removed ${message.name}${reason}`, "kick");
    if (activeTarget() === target) view.renderMembers(target);
  },
  mode(message) {
    const target = roomTarget(message.room, false);
    if (!target) return;
    addNotice(target, `${message.by} set ${message.change}${message.name ? ` ${message.name}` : ""}`, "mode");
  },
  invited(message) {
    const text = `${message.by} invited you to #${message.room}.`;
    toast(text, "Join", () => joinRoom(message.room));
  },
  unread(message) {
    applyUnread(message);
    renderSidebar(select);
  },
  bye(message) {
    state.byeReason = message.reason || "the server closed the connection";
  },
  error(message) {
    if (message.code === "throttled" || message.code === "too_fast") return; // typing budget
    toast(message.message || message.code);
  },
};

connection.addEventListener("message", (event) => {
  const handler = HANDLERS[event.detail.type];
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
  if (!state.everSignedIn) return;
  const until = Date.now() + event.detail.delay;
  clearInterval(retryClock);
  const tick = () => {
    const seconds = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    setBanner(state.byeReason, seconds > 0 ? `Reconnecting in ${seconds} s…` : "Reconnecting…", true);
    if (seconds === 0) clearInterval(retryClock);
  };
  tick();
  retryClock = setInterval(tick, 500);
});

// ---------------------------------------------------------------- banner, toasts, dialogs

function setBanner(reason, action, button = false) {
  const banner = $("banner");
  banner.hidden = false;
  banner.classList.toggle("shutdown", Boolean(reason));
  $("banner-text").textContent = reason
    ? `The server closed the connection: ${reason}. ${action}`
    : `Connection lost. ${action} Nothing you missed will be lost.`;
  $("banner-action").hidden = !button;
  $("me-status").textContent = "offline";
}

function hideBanner() {
  clearInterval(retryClock);
  $("banner").hidden = true;
  $("banner").classList.remove("shutdown");
}

function toast(text, actionLabel, action) {
  const box = el("div", { className: "toast" }, el("span", { text }));
  const dismiss = () => box.remove();
  if (actionLabel) {
    box.append(el("button", { type: "button", className: "button small primary", text: actionLabel,
      onclick: () => { dismiss(); action(); } }));
  }
  box.append(el("button", { type: "button", className: "icon-button small", "aria-label": "Dismiss",
    text: "×", onclick: dismiss }));
  $("toasts").append(box);
  setTimeout(dismiss, 8000);
}

function dialog(id) {
  const node = $(id);
  node.querySelectorAll("[data-close]").forEach((button) => {
    button.addEventListener("click", () => node.close());
  });
  return node;
}

const joinDialog = dialog("join-dialog");
const dmDialog = dialog("dm-dialog");
const topicDialog = dialog("topic-dialog");

function openJoinDialog() {
  $("join-error").textContent = "";
  $("join-name").value = "";
  $("join-key").value = "";
  joinDialog.showModal();
}

function openTopicDialog() {
  const target = activeTarget();
  if (!target || target.kind !== "room" || target.key === "lobby") return;
  $("topic-error").textContent = "";
  $("topic-room").textContent = `#${target.name}`;
  $("topic-input").value = target.topic;
  topicDialog.showModal();
}

$("join-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = $("join-name").value.trim().replace(/^#/u, "");
  if (!name) {
    $("join-error").textContent = "Enter a room name.";
    return;
  }
  const request = { type: "join", room: name };
  if ($("join-key").value) request.key = $("join-key").value;
  const existing = roomTarget(name, false);
  if (existing) {
    joinDialog.close();
    select(existing.key);
    return;
  }
  try {
    const target = applyJoined(await connection.request(request));
    joinDialog.close();
    select(target.key);
  } catch (error) {
    $("join-error").textContent = error.message;
  }
});

$("dm-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = $("dm-name").value.trim().replace(/^@/u, "");
  if (!name) {
    $("dm-error").textContent = "Enter a name.";
    return;
  }
  if (sameName(name, state.me)) {
    $("dm-error").textContent = "That is you.";
    return;
  }
  dmDialog.close();
  openDm(name);
});

$("topic-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await setTopic(activeTarget(), $("topic-input").value);
    topicDialog.close();
  } catch (error) {
    $("topic-error").textContent = error.message;
  }
});

// ---------------------------------------------------------------- wiring

$("signin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  onSigninSubmit(false);
});
$("signup-submit").addEventListener("click", () => onSigninSubmit(true));
$("join-open").addEventListener("click", openJoinDialog);
$("dm-open").addEventListener("click", () => {
  $("dm-error").textContent = "";
  $("dm-name").value = "";
  dmDialog.showModal();
});
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

// For tests and the curious: the state, read-only by convention.
window.parley = { state, fold };
