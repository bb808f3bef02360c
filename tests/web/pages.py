"""The chat page as the tests drive it: sign in, open a room, send, read what is shown."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from playwright.sync_api import Locator, Page, expect


@dataclass
class ChatPage:
    """One browser tab with the page, and what went wrong in it (checked at teardown)."""

    page: Page
    url: str
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    frames: list[str] = field(default_factory=list)  # every message the page sent

    def __post_init__(self) -> None:
        self.page.on("websocket", lambda ws: ws.on("framesent", self._sent))
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("console", self._console)

    def _sent(self, payload: str | bytes) -> None:
        self.frames.append(payload if isinstance(payload, str) else payload.decode())

    def sent(self, kind: str) -> list[dict[str, object]]:
        """The messages of type `kind` the page sent, oldest first."""
        messages = [json.loads(frame) for frame in self.frames]
        return [message for message in messages if message.get("type") == kind]

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(getattr(dialog, "message", "?"))
        getattr(dialog, "dismiss")()  # noqa: B009 (the Dialog type is not imported at runtime)

    def _console(self, message: object) -> None:
        text = str(getattr(message, "text", ""))
        if getattr(message, "type", "") == "error" and "Content Security Policy" in text:
            self.errors.append(f"CSP violation: {text}")

    def goto(self) -> ChatPage:
        self.page.goto(self.url)
        expect(self.page.locator("#signin-name")).to_be_visible()
        return self

    def sign_in(self, name: str, password: str | None = None, *, signup: bool = False) -> ChatPage:
        self.page.fill("#signin-name", name)
        if password is not None:
            self.page.fill("#signin-password", password)
        self.page.click("#signup-submit" if signup else "#signin-submit")
        expect(self.page.locator("#app")).to_be_visible()
        expect(self.page.locator("#me-name")).to_have_text(name)
        return self

    def target(self, key: str) -> Locator:
        """The sidebar button of a room (``dev``) or conversation (``@bob``)."""
        return self.page.locator(f'#sidebar button.target[data-key="{key}"]')

    def badge(self, key: str) -> Locator:
        return self.target(key).locator(".badge")

    def open(self, key: str) -> None:
        self.target(key).click()
        title = key[1:] if key.startswith("@") else f"#{key}"
        expect(self.page.locator("#chat-title")).to_have_text(re.compile(re.escape(title), re.I))

    def send(self, text: str) -> None:
        box = self.page.locator("#composer-input")
        box.fill(text)
        box.press("Enter")
        expect(box).to_have_value("")

    def message(self, text: str) -> Locator:
        """Rows of the open timeline whose text contains `text`."""
        return self.page.locator("#timeline .msg .msg-text", has_text=text)

    def texts(self) -> list[str]:
        """Every message text in the open timeline, top to bottom."""
        return self.page.locator("#timeline .msg .msg-text").all_inner_texts()

    def ids(self) -> list[int]:
        values = self.page.eval_on_selector_all(
            "#timeline .msg[data-id]", "rows => rows.map(row => Number(row.dataset.id))"
        )
        return [int(value) for value in values]

    def join(self, room: str) -> None:
        """Join with the sidebar's button (from the drawer on a phone)."""
        if not self.page.locator("#join-open").is_visible():
            self.page.click("#menu-toggle")
        self.page.click("#join-open")
        self.page.fill("#join-name", room)
        self.page.locator("#join-name").press("Enter")
        expect(self.page.locator("#chat-title")).to_have_text(f"#{room}")
