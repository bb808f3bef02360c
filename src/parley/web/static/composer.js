// The message box: Enter sends, Shift+Enter starts a new line, Up recalls what you sent,
// and your unfinished line goes out as live typing at most about three times a second.

import { activeTarget } from "./state.js";

const TYPING_INTERVAL_MS = 333;
const MAX_ROWS_PX = 200;

export class Composer {
  constructor({ submit, typing }) {
    this.submit = submit;
    this.typing = typing;
    this.input = document.getElementById("composer-input");
    this.form = document.getElementById("composer");
    this.lastTypingAt = 0;
    this.lastTypingText = "";
    this.typingTarget = null;
    this.typingTimer = null;
    this.recall = -1;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    this.input.addEventListener("keydown", (event) => this.onKey(event));
    this.input.addEventListener("input", () => this.onInput());
  }

  focus() {
    this.input.focus();
  }

  set maxLength(value) {
    this.input.maxLength = value;
  }

  onKey(event) {
    if (event.isComposing) return;
    if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.ctrlKey) {
      event.preventDefault();
      this.send();
    } else if (event.key === "ArrowUp" && this.canWalkHistory(true)) {
      event.preventDefault();
      this.walk(1);
    } else if (event.key === "ArrowDown" && this.recall >= 0 && this.canWalkHistory(false)) {
      event.preventDefault();
      this.walk(-1);
    } else if (event.key === "Escape" && this.recall >= 0) {
      event.preventDefault();
      this.setText("");
      this.recall = -1;
    }
  }

  /** Up recalls only from an empty box or the first line, Down only on the last line. */
  canWalkHistory(up) {
    const { value, selectionStart, selectionEnd } = this.input;
    if (selectionStart !== selectionEnd) return false;
    if (value === "") return up;
    if (this.recall < 0) return false;
    return up ? !value.slice(0, selectionStart).includes("\n")
      : !value.slice(selectionEnd).includes("\n");
  }

  walk(step) {
    const target = activeTarget();
    if (!target || target.sent.length === 0) return;
    const next = Math.min(this.recall + step, target.sent.length - 1);
    this.recall = next;
    if (next < 0) {
      this.setText("");
      return;
    }
    this.setText(target.sent[target.sent.length - 1 - next]);
  }

  setText(text) {
    this.input.value = text;
    this.input.setSelectionRange(text.length, text.length);
    this.grow();
    this.onInput(false);
  }

  grow() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, MAX_ROWS_PX)}px`;
  }

  onInput(fromUser = true) {
    if (fromUser) this.recall = -1;
    this.grow();
    const target = activeTarget();
    if (!target || target.kind !== "room" || this.input.value.startsWith("/")) {
      this.clearTyping();
      return;
    }
    if (this.typingTarget && this.typingTarget !== target) this.clearTyping();
    this.typingTarget = target;
    if (this.input.value === "") {
      this.clearTyping();
      return;
    }
    const wait = this.lastTypingAt + TYPING_INTERVAL_MS - Date.now();
    if (wait <= 0) this.flushTyping();
    else if (!this.typingTimer) this.typingTimer = setTimeout(() => this.flushTyping(), wait);
  }

  flushTyping() {
    clearTimeout(this.typingTimer);
    this.typingTimer = null;
    const target = this.typingTarget;
    const text = this.input.value;
    if (!target || text === this.lastTypingText || activeTarget() !== target) return;
    this.lastTypingAt = Date.now();
    this.lastTypingText = text;
    this.typing(target, text);
  }

  /** The line was cleared (or sent, or the room changed): others see the preview go. */
  clearTyping() {
    clearTimeout(this.typingTimer);
    this.typingTimer = null;
    if (this.typingTarget && this.lastTypingText !== "") this.typing(this.typingTarget, "");
    this.lastTypingText = "";
    this.typingTarget = null;
  }

  /** The line was sent: the server's message replaces the preview, nothing more to send. */
  sent() {
    clearTimeout(this.typingTimer);
    this.typingTimer = null;
    this.lastTypingText = "";
    this.typingTarget = null;
  }

  send() {
    const text = this.input.value;
    if (text.trim() === "") return;
    if (this.submit(text) === false) return;
    this.sent();
    this.recall = -1;
    this.input.value = "";
    this.grow();
  }
}
