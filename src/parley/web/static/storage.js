// What one tab keeps in sessionStorage: its session token (for `resume` after a reload or a
// reconnect) and, for a name without an account, the rooms to join again. Nothing else.

const SESSION_KEY = "parley.session";
const ROOMS_KEY = "parley.rooms";

function read(key, fallback) {
  try {
    return JSON.parse(sessionStorage.getItem(key) ?? "null") ?? fallback;
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // No storage (a private window): a reload signs in again by hand.
  }
}

/** `{token, name, account}` of this tab's session, or null. */
export function savedSession() {
  const session = read(SESSION_KEY, null);
  return session && typeof session === "object" ? session : null;
}

export function saveSession(token, name, account) {
  write(SESSION_KEY, { token, name, account });
}

export function savedRooms() {
  const rooms = read(ROOMS_KEY, []);
  return Array.isArray(rooms) ? rooms.filter((room) => typeof room === "string") : [];
}

export function saveRooms(names) {
  write(ROOMS_KEY, names);
}

/** The token no longer works (a restarted server): drop it, keep the rooms to rejoin. */
export function forgetToken() {
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // Nothing was kept.
  }
}

export function forgetSession() {
  try {
    sessionStorage.removeItem(SESSION_KEY);
    sessionStorage.removeItem(ROOMS_KEY);
  } catch {
    // Nothing was kept.
  }
}
