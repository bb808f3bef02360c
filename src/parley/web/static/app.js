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
import { setBanner, setRetryBanner } from "./feedback.js";
import { historyOf } from "./history.js";
import { presenceShown, setPresenceShown, setupTheme } from "./prefs.js";
import { sendingOf } from "./sending.js";
import { drawerOpen, renderSidebar, setDrawer } from "./sidebar.js";
import { signinOf } from "./signin.js";
import { activeTarget, orderedTargets, state } from "./state.js";
import { forgetSession } from "./storage.js";
import { targetsOf } from "./targets.js";

const $ = (id) => document.getElementById(id);

// One object the modules share: the connection, the view, the composer and dialogs, and each
// module's functions (history.js, targets.js, sending.js, signin.js). A module looks another's
// function up in it when it calls it, so the order they are made in does not matter.
const connection = new Connection();
const page = { connection };
const view = new ChatView({
  loadOlder: (target) => page.loadOlder(target),
  markRead: (target) => page.markRead(target),
  openDm: (name) => page.openDm(name),
  editTopic: () => page.dialogs.openTopic(),
});
page.view = view;
Object.assign(page, historyOf(page), targetsOf(page), sendingOf(page));
const signin = signinOf(page);
const { joinRoom, leaveRoom, markRead, openDm, select, setTopic } = page;

const submit = makeSubmit({
  joinRoom,
  leaveRoom,
  setTopic,
  openDm,
  sendTo: page.sendTo,
  notice: page.notice,
  who: () => connection.request({ type: "who" }).then((answer) => answer.names ?? []),
  moderate: (message) => connection.request(message),
});
page.composer = new Composer({
  submit: (text) => submit(text),
  typing: (target, text) => connection.send({ type: "typing", room: target.name, text }),
});

const handlers = serverEvents({
  view,
  select,
  refresh: () => renderSidebar(select),
  addNotice: page.addNotice,
  addPresence: page.addPresence,
  removeTarget: page.removeTarget,
  joinRoom: (room) => joinRoom(room).catch(() => {}),
  applyUnread: page.applyUnread,
});

connection.addEventListener("message", (event) => {
  if (event.detail.type === "hello") signin.onHello(event.detail);
  const handler = handlers[event.detail.type];
  if (handler) handler(event.detail);
});

connection.addEventListener("connecting", () => {
  if (state.signedIn || state.everSignedIn) setBanner(state.byeReason, "Reconnecting…");
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
page.dialogs = dialogs;

// ---------------------------------------------------------------- wiring

$("signin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  signin.onSigninSubmit(false);
});
$("signup-submit").addEventListener("click", () => signin.onSigninSubmit(true));
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

signin.start();

// For tests and the curious: the state (read-only by convention) and the connection.
window.parley = { state, connection };
