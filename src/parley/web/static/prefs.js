// Preferences kept in this browser: the theme, join/leave notices, and whether the page has
// already asked for permission to show notifications (it asks once).

const THEME_KEY = "parley.theme";
const NOTICES_KEY = "parley.presence-notices";
const ASKED_KEY = "parley.notifications-asked";

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode without storage: the preference lasts until the page closes.
  }
}

const systemDark = window.matchMedia("(prefers-color-scheme: dark)");

export function effectiveTheme() {
  const chosen = stored(THEME_KEY);
  if (chosen === "light" || chosen === "dark") return chosen;
  return systemDark.matches ? "dark" : "light";
}

function applyTheme() {
  const theme = effectiveTheme();
  document.documentElement.dataset.theme = theme;
  const toggle = document.getElementById("theme-toggle");
  toggle.setAttribute("aria-pressed", String(theme === "dark"));
  toggle.title = theme === "dark" ? "Switch to the light theme" : "Switch to the dark theme";
}

export function setupTheme() {
  applyTheme();
  systemDark.addEventListener("change", applyTheme);
  document.getElementById("theme-toggle").addEventListener("click", () => {
    store(THEME_KEY, effectiveTheme() === "dark" ? "light" : "dark");
    applyTheme();
  });
}

export function presenceShown() {
  return stored(NOTICES_KEY) !== "hidden";
}

export function setPresenceShown(shown) {
  store(NOTICES_KEY, shown ? "shown" : "hidden");
}

/** Ask for notification permission once per browser, from a user's click. */
export function askForNotificationsOnce() {
  if (!("Notification" in window) || Notification.permission !== "default") return;
  if (stored(ASKED_KEY)) return;
  store(ASKED_KEY, "1");
  Notification.requestPermission().catch(() => {});
}

/** A notification while the tab is hidden; clicking it shows the conversation. */
export function notify(title, body, tag, onClick) {
  if (!document.hidden || !("Notification" in window)) return;
  if (Notification.permission !== "granted") return;
  try {
    const note = new Notification(title, { body, tag, icon: "/static/icon.svg" });
    note.addEventListener("click", () => {
      window.focus();
      onClick();
      note.close();
    });
  } catch {
    // Some browsers only allow notifications from a service worker; the badge still counts.
  }
}
