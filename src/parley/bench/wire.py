"""The bench's own message format inside CHAT/1.0 ``@name: text`` lines.

Every bench client is named ``<tag><index>``: a five-letter tag, fresh for every run so that
names never collide with a previous run's on the same server, and a six-digit global
connection index. A message's text is ``<seq> <padding><send-time>``: a seven-digit sequence
number, optional padding, and the send time as twenty digits of `time.monotonic_ns`
(CLOCK_MONOTONIC, one clock for every process on a Linux machine, so a receiver in another
generator process can subtract it). Fixed widths let a receiver read a relayed line with two
slices and no parsing::

    @abcde000042: 0000017 00000001234567890123
     ^^^^^ sender index at [6:12]      ^^^^ send time at [-20:]

Over IRC (`--dialect irc`, for Parley's IRC door and for ngircd) the same text goes in a
``PRIVMSG`` to one channel, and a relayed one starts with the sender's prefix, so the same
two slices read it (the receiver strips the ``\r``)::

    :abcde000042!u@127.0.0.1 PRIVMSG #bench :0000017 00000001234567890123

Over the web door (`--dialect web`) the text is a ``say`` to the lobby in a WebSocket text
frame, and a delivery is a ``message`` object whose ``from`` is the sender's name.
"""

from __future__ import annotations

import random
import string

TAG_LENGTH = 5
INDEX_DIGITS = 6
MAX_CONNECTIONS = 10**INDEX_DIGITS
SENDER = slice(1 + TAG_LENGTH, 1 + TAG_LENGTH + INDEX_DIGITS)
SENT_AT = slice(-20, None)
VERSION = b"CHAT/1.0"
DIALECTS = ("chat1", "irc", "web")
IRC_CHANNEL = b"#bench"


def new_tag(rng: random.Random | None = None) -> str:
    """A fresh run tag: five lowercase ASCII letters."""
    rng = rng or random.Random()
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(TAG_LENGTH))


def client_name(tag: str, index: int) -> bytes:
    """The registered name of connection `index` in the run tagged `tag`."""
    return b"%s%06d" % (tag.encode(), index)


def register_line(name: bytes) -> bytes:
    """``REGISTER <name> CHAT/1.0\\n``."""
    return b"REGISTER %s %s\n" % (name, VERSION)


def disconnect_line(name: bytes) -> bytes:
    """``DISCONNECT <name> CHAT/1.0\\n``."""
    return b"DISCONNECT %s %s\n" % (name, VERSION)


def message_prefix(name: bytes) -> bytes:
    """``@<name>: ``, the start of every message this client sends."""
    return b"@%s: " % name


def encode_messages(
    prefix: bytes, first: int, stop: int, padding: bytes, sent_at: int, *, end: bytes = b"\n"
) -> bytes:
    """Messages `first` to `stop - 1` of one sender, all stamped `sent_at`, as one write."""
    return b"".join(
        [b"%s%07d %s%020d%s" % (prefix, seq, padding, sent_at, end) for seq in range(first, stop)]
    )


def read_sender(line: bytes) -> int:
    """The sender index of a relayed bench message (ValueError if it is not one)."""
    return int(line[SENDER])


def read_sent_at(line: bytes) -> int:
    """The send time of a relayed bench message (ValueError if it is not one)."""
    return int(line[SENT_AT])


def irc_register_lines(name: bytes) -> bytes:
    """``NICK``, ``USER`` and ``JOIN`` of the bench channel, sent as one write."""
    return b"NICK %s\r\nUSER %s 0 * :%s\r\nJOIN %s\r\n" % (name, name, name, IRC_CHANNEL)


def irc_message_prefix() -> bytes:
    """``PRIVMSG #bench :``, the start of every message an IRC bench client sends."""
    return b"PRIVMSG %s :" % IRC_CHANNEL


IRC_QUIT = b"QUIT :bench done\r\n"
