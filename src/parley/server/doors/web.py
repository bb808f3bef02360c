"""The web door: HTTP on the shared port, and the page's chat over a WebSocket.

The connection hands this door every byte from the first on (`framer`): first to the HTTP
side (`web_http.HttpSide`: the page, /healthz, /metrics), then, after the ``/ws`` handshake,
to the WebSocket side (`web_socket`), whose whole text messages come back to the connection
as units, so the flood bucket, the live-typing budget and jobs meter them as they meter lines
on every other door. Each message is parsed by `parley.protocol.web` and dispatched by a
table to a core command (the ``say`` messages of one read to one room as one, like the lines
of one read on the CHAT/1.0 door); answers and deliveries go out as JSON (`web_encoding`). A
door never decides a chat rule: it only translates.

The fan-out path costs each receiver a few attribute reads: a room message's frames, its
folded texts and its place in the room's unread tally are made once per event (`RoomEvent`),
and a page's counts are brought up to date once per write at most, and at most every
`UNREAD_INTERVAL` while they keep changing (`_send_unread`), not per message.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any, cast

import h11

from parley.chat import commands as core
from parley.chat.answers import (
    Done,
    Outcome,
    Registered,
    UnreadCount,
    UnreadCounts,
)
from parley.chat.events import Delivery, DirectMessage, RoomMessage
from parley.chat.reading import ReadMarkers, is_mention, target_key
from parley.chat.store import StoredMessage
from parley.protocol import web
from parley.protocol.framing import LineTooLong
from parley.server.doors.base import TOO_MANY_REGISTRATIONS, Link
from parley.server.doors.encoding import EncodeOnce
from parley.server.doors.web_chat import WebChat
from parley.server.doors.web_encoding import (
    direct_frame as encode_direct,
    encode_shared,
    refusal,
    room_entry,
    room_frames,
    unread_entry,
    unread_frame,
)
from parley.server.doors.web_fanout import LATEST, Mark, RoomEvent
from parley.server.doors.web_http import HttpSide, WebLink
from parley.server.doors.web_socket import WebSocketSide, accept, close_frame, frame

log = logging.getLogger("parley.server")

# Seconds between two `unread` messages to one page while its counts keep changing: the first
# change after a quiet spell is said with the write that brings it, the next ones are gathered
# until this much has passed (a badge cannot be read faster; a busy room would otherwise cost
# every reader a count and a frame at every write).
UNREAD_INTERVAL = 0.25


_shared = EncodeOnce[Delivery](lambda event: frame(encode_shared(event)))
_CLOSE_CODES = {"send queue exceeded": 1008, "excess flood": 1008, "server shutting down": 1001}


class _Framer:
    """The connection's framer while this door has it: bytes to whole WebSocket messages."""

    __slots__ = ("_door",)
    pending = 0  # nothing is ever taken as a fragment after a pause

    def __init__(self, door: WebDoor) -> None:
        self._door = door

    def feed(self, data: bytes) -> list[bytes | LineTooLong]:
        return list(self._door.received(data))

    def flush(self) -> bytes | LineTooLong | None:
        return None


class WebDoor(WebChat):
    """HTTP, then perhaps the chat WebSocket, on one connection."""

    __slots__ = (
        "_bye_req",
        "_early",
        "_folded_name",
        "_held",
        "_http",
        "_name",
        "_parsed",
        "_token",
        "_told",
        "_unacked",
        "_unread",
        "_unread_after",
        "_web",
        "_ws",
        "framer",
    )
    takes_fragments = False

    def __init__(self, link: Link) -> None:
        super().__init__(link)
        self._web = cast(WebLink, link)
        self.framer = _Framer(self)
        self._ws: WebSocketSide | None = None
        self._early: list[bytes] = []  # messages that came with the handshake request
        self._parsed: tuple[bytes, web.ClientMessage | web.BadMessage] | None = None
        self._held: list[Delivery] | None = None  # deliveries while the welcome is made
        self._token = ""
        self._bye_req: int | None = None  # the signout that the bye answers
        self._unacked: deque[tuple[int | None, int, list[int | None]]] = deque()
        self._unread: dict[str, Mark] = {}  # targets whose counts may have changed since said
        self._told: dict[str, tuple[int, int, int]] = {}  # target key -> the figures last sent
        self._unread_after = 0.0  # when counts may next be said (time.monotonic)
        self._name = ""  # the user's name, and case-folded for the mention test
        self._folded_name = ""
        self._http = HttpSide(self._web, self._upgrade)

    # Bytes in --------------------------------------------------------------------------------

    def received(self, data: bytes) -> list[bytes]:
        """Bytes from the connection: HTTP is answered here; WebSocket messages are returned."""
        if self._ws is not None:
            return self._ws.receive(data)
        self._http.receive(data)
        early, self._early = self._early, []
        return early

    def _upgrade(self, request: h11.Request, trailing: bytes) -> tuple[int, str] | None:
        """The ``/ws`` handshake: None once the connection is a WebSocket, else the refusal."""
        protocol, response = accept(request, self._link.config.web_origins)
        if response.status_code != 101:
            return response.status_code, response.body.decode("utf-8", "replace")
        protocol.send_response(response)
        # h11 read the request, so the protocol's parser must start at the first frame (the
        # library's own idiom for replacing its parser, as in `send_response`).
        protocol.parser = protocol.parse()
        next(protocol.parser)
        self._ws = WebSocketSide(self._web, protocol)
        self._ws.write_out()
        self._ws.send(frame(web.hello()))
        self._link.schedule(self._link.config.web_ping_interval, self._keepalive)
        if trailing:
            self._early = self._ws.receive(trailing)
        return None

    def _keepalive(self) -> None:
        ws = self._ws
        if ws is None or not ws.is_open:
            return
        if ws.awaiting_pong:
            self._link.close("websocket closed: no answer to ping", notify=True)
            return
        ws.ping()
        self._link.schedule(self._link.config.web_ping_interval, self._keepalive)

    # The Door protocol -------------------------------------------------------------------

    def _parse(self, unit: bytes | LineTooLong) -> web.ClientMessage | web.BadMessage:
        """The message in `unit`, parsed once (is_preview and handle_line both ask)."""
        parsed = self._parsed
        if parsed is not None and parsed[0] is unit:
            return parsed[1]
        if isinstance(unit, LineTooLong):
            return web.BadMessage("too_long", "Message too long")
        message = web.parse_client(unit)
        self._parsed = (unit, message)
        return message

    def is_preview(self, line: bytes | LineTooLong) -> bool:
        return self._link.session.user is not None and isinstance(self._parse(line), web.TypingNow)

    def handle_line(self, line: bytes | LineTooLong) -> None:
        message = self._parse(line)
        self._parsed = None
        if type(message) is not web.Say:
            self.end_of_read()  # the says before it take effect first
        if isinstance(message, web.BadMessage):
            self._send(web.error(message.req, message.code, message.message))
            return
        signed_only, handler = _TABLE[type(message)]
        if signed_only and self._link.session.user is None:
            self._send(web.error(message.req, "not_signed_in", "Sign in first"))
        else:
            handler(self, message)

    def goodbye(self) -> bytes:
        """`bye` with the reason and a close frame; nothing on plain HTTP (not the time)."""
        ws = self._ws
        if ws is None or not ws.is_open:
            return b""
        reason = self._web.reason or "closing"
        code = _CLOSE_CODES.get(reason, 1000)
        bye = web.encode(web.with_req({"type": "bye", "reason": reason}, self._bye_req))
        return frame(bye) + close_frame(code, reason)

    def notify(self, text: str) -> None:
        self._send(web.error(None, "too_fast", text))

    def kept(self, message: StoredMessage) -> None:
        """One of this session's messages is stored: its `ok` goes out with the ids."""
        self._settled(message.id)

    def not_kept(self) -> None:
        """One of its messages was not kept: the `ok` goes out with the ids of those that
        were (fewer than the lines, which tells the page that some have none)."""
        self._settled(None)

    def _settled(self, message_id: int | None) -> None:
        if not self._unacked:
            return
        req, count, ids = self._unacked[0]
        ids.append(message_id)
        if len(ids) == count:
            self._unacked.popleft()
            if req is not None:
                self._send(web.ok_ids(req, [i for i in ids if i is not None]))

    def _send(self, payload: bytes) -> None:
        if self._ws is not None:
            self._ws.send(frame(payload))

    def _to_all_sessions(self, count: UnreadCount) -> None:
        """Tell every web session of this user `count` (a read marker moved)."""
        user = self._link.session.user
        for session in user.sessions if user is not None else ():
            door = getattr(session.endpoint, "door", None)
            if isinstance(door, WebDoor) and door._ws is not None:
                door._told.pop(target_key(count.target), None)  # a read is always said
                door.tell_unread(count)

    # Deliveries --------------------------------------------------------------------------

    def deliver(self, event: Delivery) -> None:
        """Encode and queue a delivery. A room message is the fan-out path: what every
        receiver shares is made once (`RoomEvent`), so each does a few attribute reads."""
        if self._held is not None:
            self._held.append(event)
            return
        ws = self._ws
        if ws is None or not ws.is_open:
            return
        if type(event) is RoomMessage:  # inline: this runs once per receiver of every message
            shared = LATEST.room
            if shared.event is not event:
                shared = LATEST.share(event, self._markers())
            user = self._link.session.user
            if user is None:
                return
            if user.name is not self._name:  # signed in, or renamed
                self._name, self._folded_name = user.name, user.name.casefold()
            if self._folded_name in shared.folded and self._mentioned(event, shared, user.key):
                return
            self._web.send(shared.frames)
            mark = shared.mark
            if mark is not None and mark[0] not in self._unread:
                self._touch(mark)
        elif type(event) is DirectMessage:
            self._direct(event)
        else:
            cache = _shared
            ws.send(cache.data if event is cache.event else cache(event))

    def _mentioned(self, event: RoomMessage, shared: RoomEvent, user_key: str) -> bool:
        """Send `event` with its mention flags if it names the user (and note the mentions,
        which the tally cannot tell); False if it does not after all (``alicex``)."""
        name = self._link.session.name or ""
        mentioned = [is_mention(text, name) for text in event.texts]
        if not any(mentioned):
            return False
        marks = iter(mentioned)
        lines = room_frames(event, lambda text: next(marks))
        self._web.send(b"".join(frame(line) for line in lines))
        mark = shared.mark
        if mark is not None:
            if shared.sender != user_key:
                note = self._markers().note
                for number, mention in enumerate(mentioned, event.id):
                    if mention:
                        note(user_key, event.room, number, True)
            if mark[0] not in self._unread:
                self._touch(mark)
        return True

    def _touch(self, mark: Mark) -> None:
        """The counts of `mark`'s target may have changed: the page hears them with the next
        write, or once `UNREAD_INTERVAL` has passed since it last heard some."""
        if not self._unread:
            self._web.before_flush(self._send_unread)
        self._unread[mark[0]] = mark

    def _direct(self, event: DirectMessage) -> None:
        session = self._link.session
        self._send(encode_direct(event))
        own = session.is_named(event.sender)
        other = event.recipient if own else event.sender
        user = session.user
        if event.id and not own and user is not None:
            mention = is_mention(event.text, user.name)
            marker = self._markers().note(user.key, "@" + other, event.id, mention)
            if marker is not None:
                self._touch((target_key("@" + other), "@" + other, None, 0))

    def _markers(self) -> ReadMarkers:
        return self._link.core.reading.markers

    def _send_unread(self) -> None:
        """The counts that changed, each once, however many messages came since they were
        last said: each room's marker catches up with its tally here, at most once per
        `UNREAD_INTERVAL` rather than per message (or per write)."""
        now = time.monotonic()
        if now < self._unread_after:  # said a moment ago: gather until the interval is over
            self._web.defer(self._unread_after - now, self._send_unread)
            return
        self._unread_after = now + UNREAD_INTERVAL
        touched, self._unread = self._unread, {}
        user = self._link.session.user
        if user is None:
            return
        markers = self._markers()
        for key, target, tally, position in touched.values():
            if tally is None:
                marker = markers.marker(user.key, target)
            else:
                marker = markers.follow(user.key, target, tally, position)
            if self._told.get(key) != marker.figures():
                self.tell_unread(marker.count(), key)

    def tell_unread(self, count: UnreadCount, key: str | None = None) -> None:
        """Send `count` unless this page was last told the very same (a busy room at its
        999 cap, or a second tab's delivery of a message already counted)."""
        figures = (count.unread, count.mentions, count.last_read)
        key = key or target_key(count.target)
        if self._told.get(key) != figures:
            self._told[key] = figures
            self._send(unread_frame(count))

    # Signing in ----------------------------------------------------------------------------

    def _sign_in(self, message: web.SignIn | web.SignUp | web.Resume) -> None:
        req = message.req
        if self._link.session.user is not None:
            self._send(web.error(req, "not_allowed", "Already signed in"))
            return
        if not self._link.may_register():
            self._send(web.error(req, "too_fast", TOO_MANY_REGISTRATIONS))
            return
        command: core.Command[Registered]
        if isinstance(message, web.Resume):
            command = core.Resume(message.token)
            self._token = message.token
        elif isinstance(message, web.SignUp):
            command = core.Signup(message.name, message.password)
        elif message.password is None:
            command = core.Register(message.name)
        else:
            command = core.Login(message.name, message.password)
        signup = isinstance(message, web.SignUp)
        self.call(command, lambda answer: self._registered(req, answer, signup=signup))

    def _registered(self, req: int | None, answer: Registered, *, signup: bool) -> None:
        if not answer.ok:
            self._token = ""
            outcome = answer.outcome
            if signup and outcome is Outcome.NAME_TAKEN:
                outcome = Outcome.HAS_ACCOUNT  # the page's account_exists
            self._send(refusal(req, outcome, answer.name, answer.detail))
            return
        log.info("%s signed in from %s (web)", answer.name, self._link.address)
        self._held = []
        self._link.core.watch_presence(self._link.session)
        self.registration_done(answer, lambda welcomed: self._tokened(req))
        if answer.detail != "welcome":
            self._tokened(req)

    def _tokened(self, req: int | None) -> None:
        if self._token:
            self._counted(req)
        else:
            self.call(core.IssueToken(), lambda done: self._issued(req, done))

    def _issued(self, req: int | None, answer: Done) -> None:
        self._token = answer.detail
        self._counted(req)

    def _counted(self, req: int | None) -> None:
        self.call(core.Unread(), lambda counts: self._welcome(req, counts))

    def _welcome(self, req: int | None, counts: UnreadCounts) -> None:
        session = self._link.session
        user = session.user
        if user is None:
            return
        core_ = self._link.core
        body: dict[str, object] = {
            "type": "welcome",
            "name": user.name,
            "account": user.account,
            "token": self._token,
            "rooms": [room_entry(core_.view(room)) for room in user.rooms],
            "unread": [unread_entry(count) for count in counts.counts],
        }
        self._told = {
            target_key(c.target): (c.unread, c.mentions, c.last_read) for c in counts.counts
        }
        self._send(web.encode(web.with_req(body, req)))
        held, self._held = self._held or [], None
        for event in held:
            self.deliver(event)

    def _sign_out(self, message: web.SignOut) -> None:
        if self._token:
            self.call(core.RevokeToken(self._token), lambda done: None)
        self._token = ""
        self._bye_req = message.req
        self._link.close("signed out", notify=True)


_Handler = Callable[[WebDoor, Any], None]
# message type -> (needs a signed-in session, handler)
_TABLE: dict[type, tuple[bool, _Handler]] = {
    web.SignIn: (False, WebDoor._sign_in),
    web.SignUp: (False, WebDoor._sign_in),
    web.Resume: (False, WebDoor._sign_in),
    web.Ping: (False, WebDoor._ping),
    web.SignOut: (False, WebDoor._sign_out),
    web.Say: (True, WebDoor._say),
    web.Dm: (True, WebDoor._dm),
    web.TypingNow: (True, WebDoor._typing),
    web.Join: (True, WebDoor._join),
    web.Leave: (True, WebDoor._leave),
    web.SetTopic: (True, WebDoor._topic),
    web.HistoryRequest: (True, WebDoor._history),
    web.Read: (True, WebDoor._read),
    web.Who: (True, WebDoor._who),
    web.Rooms: (True, WebDoor._rooms),
    web.Mode: (True, WebDoor._mode),
    web.Kick: (True, WebDoor._kick),
    web.Invite: (True, WebDoor._invite),
}
