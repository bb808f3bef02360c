"""The web door's fan-out: what every receiver of one room message shares, made once.

A room message reaches each of its receivers' doors one after another; the first makes its
`RoomEvent` (its frames, its folded texts, its place in the room's unread tally) and the
others only read it, so the cost per receiver is a few attribute reads and an append. This
module must never hold anything of one receiver: what differs per receiver (a mention) is
made by that receiver's door.
"""

from __future__ import annotations

from parley.chat.events import RoomMessage
from parley.chat.names import name_key
from parley.chat.reading import ReadMarkers, Tally
from parley.server.doors.web_encoding import room_frames
from parley.server.doors.web_socket import frame


class RoomEvent:
    """What every web receiver of one room message shares (made by the first of them): its
    frames as they read without a mention, its texts case-folded for the mention test, and
    its place in the room's unread tally (counted there once for all of them).

    The last one made is kept in `LATEST`, keyed by the event's identity like `OncePerEvent`
    (it holds the event, so a match can never be a recycled object); unlike that cache, making
    one also records the event in the tally of the core that delivers it. A new object per
    event, swapped in whole, so a server in another thread (tests) never sees half of one.
    """

    __slots__ = ("event", "folded", "frames", "mark", "sender")

    def __init__(
        self, event: RoomMessage | None = None, markers: ReadMarkers | None = None
    ) -> None:
        self.event = event
        self.frames = b""
        self.folded = ""
        self.sender = ""  # the sender's name key
        self.mark: Mark | None = None
        if event is None or markers is None:
            return
        texts = event.texts
        lines = room_frames(event, _no_mention)
        self.frames = frame(lines[0]) if len(lines) == 1 else b"".join(map(frame, lines))
        self.folded = texts[0].casefold() if len(texts) == 1 else "\n".join(texts).casefold()
        self.sender = name_key(event.sender)
        if event.id:  # an announcement has none, and is never unread
            tally = markers.tally(event.room)
            position = tally.append(event.id, len(texts), self.sender)
            self.mark = (tally.key, event.room, tally, position)


class Latest:
    """The `RoomEvent` of the room message being delivered."""

    __slots__ = ("room",)

    def __init__(self) -> None:
        self.room = RoomEvent()

    def share(self, event: RoomMessage, markers: ReadMarkers) -> RoomEvent:
        """The cache's miss: make the shared parts of `event`, and keep them."""
        shared = self.room = RoomEvent(event, markers)
        return shared


# What a page is to hear the counts of: (the target's key, its name, the room's tally and the
# position of the first message this write brought, or None and 0 for a conversation).
Mark = tuple[str, str, Tally | None, int]
LATEST = Latest()


def _no_mention(text: str) -> bool:
    return False
