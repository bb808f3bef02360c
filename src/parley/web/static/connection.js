// The WebSocket to the server (docs/web-protocol.md): JSON objects, requests matched to
// answers by `req`, and reconnection with back-off after a drop. It knows nothing of rooms.

const SUBPROTOCOL = "parley.v1";
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];
const REQUEST_TIMEOUT_MS = 20000;
const PING_INTERVAL_MS = 25000;

/** An error answer from the server, with its `code` for the page and `message` for people. */
export class ServerError extends Error {
  constructor(answer) {
    super(answer.message || answer.code || "refused");
    this.code = answer.code ?? "error";
    this.retryAfter = answer.retry_after ?? null;
  }
}

export class Connection extends EventTarget {
  constructor(url = Connection.defaultUrl()) {
    super();
    this.url = url;
    this.socket = null;
    this.nextReq = 1;
    this.pending = new Map();
    this.attempt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.wanted = false;
    this.hello = null;
  }

  static defaultUrl() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/ws`;
  }

  /** Open the socket and keep it open (reconnecting) until `close`. */
  open() {
    this.wanted = true;
    this.connect();
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.socket) return;
    let socket;
    try {
      socket = new WebSocket(this.url, SUBPROTOCOL);
    } catch (error) {
      this.scheduleRetry(String(error));
      return;
    }
    this.socket = socket;
    this.emit("connecting", { attempt: this.attempt });
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", (event) => this.closed(socket, event));
  }

  receive(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (!message || typeof message !== "object" || typeof message.type !== "string") return;
    if (message.type === "hello") {
      this.hello = message;
      this.startPings();
    }
    const waiting = message.req !== undefined ? this.pending.get(message.req) : undefined;
    if (waiting) {
      this.pending.delete(message.req);
      clearTimeout(waiting.timer);
      if (message.type === "error") waiting.reject(new ServerError(message));
      else waiting.resolve(message);
      return; // an answer is handled by its requester alone
    }
    this.emit("message", message);
  }

  closed(socket, event) {
    if (this.socket !== socket) return;
    this.socket = null;
    this.hello = null;
    clearInterval(this.pingTimer);
    for (const waiting of this.pending.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(new ServerError({ code: "disconnected", message: "Disconnected" }));
    }
    this.pending.clear();
    this.emit("down", { code: event.code, reason: event.reason });
    if (this.wanted) this.scheduleRetry(event.reason);
  }

  scheduleRetry(reason) {
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt += 1;
    this.retryAt = Date.now() + delay;
    this.emit("retry", { delay, reason, attempt: this.attempt });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Try again now (the "Reconnect now" button, the browser coming back online). */
  retryNow() {
    if (this.wanted && !this.socket) this.connect();
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  startPings() {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.send({ type: "ping" }), PING_INTERVAL_MS);
  }

  /** Send a message that has no answer (typing, read). Returns false when offline. */
  send(message) {
    if (!this.isOpen) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Send a request; resolves with its answer, rejects with a ServerError. */
  request(message) {
    if (!this.isOpen) {
      return Promise.reject(new ServerError({ code: "disconnected", message: "Not connected" }));
    }
    const req = this.nextReq++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(req);
        reject(new ServerError({ code: "timeout", message: "The server did not answer" }));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(req, { resolve, reject, timer });
      this.socket.send(JSON.stringify({ ...message, req }));
    });
  }

  /** Signed in: the next drop starts the back-off from the shortest wait again. */
  succeeded() {
    this.attempt = 0;
  }

  /** Close this socket and connect again after the usual back-off. */
  drop() {
    if (this.socket) this.socket.close(1000, "again");
  }

  /** Stop for good (signed out): no more reconnecting. */
  close() {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    if (this.socket) this.socket.close(1000, "bye");
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
