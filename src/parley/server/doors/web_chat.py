"""The web door's chat messages: each becomes one core command, its answer one JSON reply.

`WebChat` is the part of `WebDoor` that handles signed-in messages (say, dm, join, history,
read, moderation...); the door itself owns the bytes, signing in and the deliveries. Kept
apart so that each module stays one job and readable in one sitting.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from parley.chat import commands as core
from parley.chat.answers import (
    Done,
    Entered,
    HistoryPage,
    Outcome,
    RoomList,
    UnreadCount,
    UnreadCounts,
    UserList,
)
from parley.chat.moderation import mode_command
from parley.chat.reading import is_mention
from parley.protocol import web
from parley.protocol.chat1 import neutralise_controls
from parley.server.doors.base import DoorBase, Link
from parley.server.doors.web_encoding import (
    QUEUED,
    refusal,
    refused,
    room_entry,
    stored_line,
)


class _Batch:
    """The ``say`` messages of one read to one room, relayed as one `Say`."""

    __slots__ = ("asked", "room", "texts")

    def __init__(self, room: str) -> None:
        self.room = room
        self.texts: list[str] = []
        self.asked: list[tuple[int | None, int]] = []  # (req, lines) of each message


class WebChat(DoorBase):
    """Handlers of the signed-in messages; the door gives `_send` and the `_unacked` queue."""

    __slots__ = ("_batch",)
    _unacked: deque[tuple[int | None, int, list[int | None]]]

    def __init__(self, link: Link) -> None:
        super().__init__(link)
        self._batch: _Batch | None = None  # says of this read, relayed at its end

    def _send(self, payload: bytes) -> None:
        raise NotImplementedError

    def _to_all_sessions(self, count: UnreadCount) -> None:
        raise NotImplementedError

    # Chat ----------------------------------------------------------------------------------

    def _ok_or_refused(self, req: int | None) -> Callable[[Done], None]:
        def render(answer: Done) -> None:
            if answer.ok:
                self._send(web.ok(req))
            elif answer.outcome in QUEUED:
                self._send(web.ok(req, queued=True))
            else:
                self._send(refused(req, answer))

        return render

    def _stored(self, req: int | None, count: int) -> Callable[[Done], None]:
        """`ok` once the store has the messages (with their ids), or the refusal now."""

        def render(answer: Done) -> None:
            if answer.ok:
                self._unacked.append((req, count, []))
            else:
                self._ok_or_refused(req)(answer)

        return render

    def _say(self, message: web.Say) -> None:
        """Hold the lines for `end_of_read`, with the other ``say`` messages of the same read
        to the same room: one core `Say` for them all, as the CHAT/1.0 door relays the lines
        of one read, so that a room's receivers get one delivery per read, not per message."""
        text = message.text
        if text.isprintable() and text.strip():  # one line, nothing to neutralise
            texts = [text]
        else:
            lines = (line.rstrip("\r") for line in text.split("\n"))
            texts = [neutralise_controls(line) for line in lines if line.strip()]
        if not texts:
            self._send(web.error(message.req, "bad_message", "Nothing to say"))
            return
        batch = self._batch
        if batch is not None and batch.room != message.room:
            self.end_of_read()
            batch = None
        if batch is None:
            batch = self._batch = _Batch(message.room)
        batch.texts += texts
        batch.asked.append((message.req, len(texts)))

    def end_of_read(self) -> None:
        """Relay the ``say`` messages held from this read (the transport calls this after
        each read; the door, before any other message, so that order is kept)."""
        batch = self._batch
        if batch is None:
            return
        self._batch = None
        self.call(
            core.Say(tuple(batch.texts), batch.room), lambda answer: self._said(answer, batch)
        )

    def _said(self, answer: Done, batch: _Batch) -> None:
        """Each ``say`` of the batch gets its own ``ok`` (with its ids) or the refusal."""
        if answer.ok:  # as `_stored` does for each, without a closure per message
            self._unacked.extend((req, count, []) for req, count in batch.asked)
            return
        for req, count in batch.asked:
            self._stored(req, count)(answer)

    def _dm(self, message: web.Dm) -> None:
        text = neutralise_controls(message.text)
        self.call(core.SendDirect(message.to, text), self._stored(message.req, 1))

    def _typing(self, message: web.TypingNow) -> None:
        self.call(core.ShowTyping(neutralise_controls(message.text), message.room), lambda d: None)

    def _join(self, message: web.Join) -> None:
        req = message.req

        def render(answer: Entered) -> None:
            if not answer.ok or answer.view is None:
                self._send(refusal(req, answer.outcome, answer.room))
                return
            body = {"type": "joined", "room": answer.room, **room_entry(answer.view)}
            del body["name"]
            body["recent"] = [stored_line(m, self._mentions) for m in answer.recent]
            self._send(web.encode(web.with_req(body, req)))

        self.call(core.Join(message.room, message.key), render)

    def _mentions(self, text: str) -> bool:
        name = self._link.session.name
        return name is not None and is_mention(text, name)

    def _leave(self, message: web.Leave) -> None:
        command = core.Leave(message.room, neutralise_controls(message.reason))
        self.call(command, self._ok_or_refused(message.req))

    def _topic(self, message: web.SetTopic) -> None:
        command = core.SetTopic(message.room, neutralise_controls(message.topic))
        self.call(command, self._ok_or_refused(message.req))

    def _history(self, message: web.HistoryRequest) -> None:
        req, target = message.req, message.target
        wanted = message.count or 50
        command = core.History(target, wanted + 1, message.before, message.after)

        def render(answer: HistoryPage) -> None:
            if not answer.ok:
                self._send(refusal(req, answer.outcome, answer.target))
                return
            messages = list(answer.messages)
            more = len(messages) > wanted
            messages = messages[:wanted] if message.after is not None else messages[-wanted:]
            body = {"type": "history", "target": target}
            lines = [stored_line(m, self._mentions) for m in messages]
            self._send(web.encode(web.with_req({**body, "messages": lines, "more": more}, req)))

        self.call(command, render)

    def _read(self, message: web.Read) -> None:
        def render(answer: UnreadCounts) -> None:
            user = self._link.session.user
            if user is None:
                return
            for count in answer.counts:
                self._to_all_sessions(count)

        self.call(core.MarkRead(message.target, message.id), render)

    def _who(self, message: web.Who) -> None:
        def render(answer: UserList) -> None:
            if answer.outcome is not Outcome.OK:
                self._send(refusal(message.req, answer.outcome))
                return
            body: dict[str, object] = {"type": "who", "names": list(answer.names)}
            self._send(web.encode(web.with_req(body, message.req)))

        self.call(core.Who(), render)

    def _rooms(self, message: web.Rooms) -> None:
        def render(answer: RoomList) -> None:
            if answer.outcome is not Outcome.OK:
                self._send(refusal(message.req, answer.outcome))
                return
            rooms = [
                {"name": r.name, "members": len(r.members), "topic": r.topic} for r in answer.rooms
            ]
            body: dict[str, object] = {"type": "rooms", "rooms": rooms, "more": answer.more}
            self._send(web.encode(web.with_req(body, message.req)))

        self.call(core.ListRooms(), render)

    def _mode(self, message: web.Mode) -> None:
        argument = message.key if message.change[1:] == "k" else message.name
        command = mode_command(message.room, message.change, argument)
        if command is None:
            self._send(web.error(message.req, "bad_message", f"Unknown mode {message.change}"))
            return
        self.call(command, self._ok_or_refused(message.req))

    def _kick(self, message: web.Kick) -> None:
        command = core.Kick(message.room, message.name, neutralise_controls(message.reason))
        self.call(command, self._ok_or_refused(message.req))

    def _invite(self, message: web.Invite) -> None:
        command = core.Invite(message.room, message.name)
        self.call(command, self._ok_or_refused(message.req))

    def _ping(self, message: web.Ping) -> None:
        self._send(web.encode(web.with_req({"type": "pong"}, message.req)))
