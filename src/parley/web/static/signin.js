// Signing in: the form (a name, or a name and password; "create account"), `resume` with
// the tab's token after a reload or a reconnect, what each refusal means in words, and the
// `welcome` that puts the page in step with the server.

import { hideBanner } from "./feedback.js";
import { askForNotificationsOnce } from "./prefs.js";
import { renderSidebar } from "./sidebar.js";
import { activeTarget, fold, orderedTargets, roomTarget, setMembers, state } from "./state.js";
import { forgetToken, savedRooms, savedSession, saveSession } from "./storage.js";

const $ = (id) => document.getElementById(id);

/** The sign-in functions, given what the page has (`page`). */
export function signinOf(page) {
  const { connection, view } = page;
  const select = (...args) => page.select(...args);
  const rejoin = (...args) => page.rejoin(...args);
  const catchUp = (...args) => page.catchUp(...args);
  const applyUnread = (...args) => page.applyUnread(...args);
  const keepRooms = (...args) => page.keepRooms(...args);
  let pendingAuth = null;

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

  /** The first message of every connection is hello: then we (re)introduce ourselves. */
  function onHello(hello) {
    state.hello = hello;
    state.maxText = hello.max_text ?? state.maxText;
    page.composer.maxLength = state.maxText;
    $("signin-name").maxLength = hello.max_name ?? 32;
    if (!pendingAuth) {
      const saved = savedSession();
      if (saved?.token) pendingAuth = { type: "resume", token: saved.token };
    }
    if (pendingAuth) sendAuth();
    else setSigninBusy(false);
    $("signin-status").textContent = "";
  }

  /** At load: resume this tab's session if it has one, else show the form. */
  function start() {
    const saved = savedSession();
    if (saved?.token) {
      $("signin-name").value = saved.name ?? "";
      showSignin("", "Signing in again…");
      setSigninBusy(true);
      pendingAuth = { type: "resume", token: saved.token };
    } else showSignin();
    connection.open();
  }

  return { onSigninSubmit, onHello, start };
}
