"""IRC messages (RFC 1459/2812 as modern.ircdocs.horse describes them, IRCv3 message tags),
sans-I/O.

A line is ``[@tags ][:prefix ]COMMAND[ params…][ :trailing]``. `parse_message` turns one
framed line into a `Message` or a `Malformed` (never raises); `encode` turns a `Message`
into at most 512 bytes plus the tags allowance, trimming the last parameter (on a UTF-8
boundary) rather than sending more. Tag values are escaped and unescaped as the
message-tags specification says.
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import field

from parley.protocol.framing import LineTooLong
from parley.records import record

MAX_LINE = 512  # bytes of a message without its tags, CR LF included
MAX_TAGS = 8191  # bytes of the tags part a client may send (IRCv3 message-tags)
MAX_LINE_WITH_TAGS = MAX_LINE + MAX_TAGS + 1
MAX_CLIENT_TAGS = 4094  # bytes of tag data a client may send, without "@" and " " (the spec's)

_ESCAPES = {";": "\\:", " ": "\\s", "\\": "\\\\", "\r": "\\r", "\n": "\\n"}
_UNESCAPES = {"\\:": ";", "\\s": " ", "\\\\": "\\", "\\r": "\r", "\\n": "\n"}


@record
class Message:
    """One IRC message: its command (upper case), parameters, and optional prefix and tags."""

    command: str
    params: tuple[str, ...] = ()
    prefix: str = ""
    tags: dict[str, str] = field(default_factory=dict, compare=False)
    trailing: bool = False  # send the last parameter with its ':' even if it needs none


@record
class Malformed:
    """A line that is not an IRC message; `reason` says why (for a log or ``ERROR``)."""

    reason: str
    too_long: bool = False


def escape_tag_value(value: str) -> str:
    """A tag value as it goes on the wire."""
    return "".join(_ESCAPES.get(ch, ch) for ch in value)


def unescape_tag_value(raw: str) -> str:
    """A tag value as sent, unescaped (an unknown escape loses its backslash, per the spec)."""
    out: list[str] = []
    index = 0
    while index < len(raw):
        ch = raw[index]
        if ch == "\\":
            pair = raw[index : index + 2]
            out.append(_UNESCAPES.get(pair, pair[1:]))
            index += 2
        else:
            out.append(ch)
            index += 1
    return "".join(out)


def _parse_tags(raw: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for item in raw.split(";"):
        if item:
            key, _, value = item.partition("=")
            tags[key] = unescape_tag_value(value)
    return tags


_LINE_BREAKERS = bytes.maketrans(b"\r\n\0", b"   ")
"""Characters no IRC line may hold inside it; read and written as spaces. A table for bytes
(UTF-8 never has these bytes inside a longer character), which is far quicker than a str's."""


_PLAIN = re.compile(rb"(PRIVMSG|NOTICE) ([^ :\r\n\0][^ \r\n\0]*) :([^\r\n\0]*)")
_PLAIN_VERBS = {b"PRIVMSG": "PRIVMSG", b"NOTICE": "NOTICE"}


def split_plain_message(line: bytes) -> tuple[str, str, str] | None:
    """``PRIVMSG <target> :<text>`` (or ``NOTICE``) without tags or prefix, as (command,
    target, text); None for any other line.

    The line nearly every message arrives as, read without the general parser: what it gives
    is what `parse_message` gives for the same line (``Message(command, (target, text))``).
    Anything unusual (other bytes than valid UTF-8, a line break character, extra spaces,
    a line past the limit) is left to `parse_message`.
    """
    match = _PLAIN.fullmatch(line)
    if match is None or len(line) > MAX_LINE - 2:
        return None
    verb, target, text = match.groups()
    try:
        return _PLAIN_VERBS[verb], target.decode("utf-8"), text.decode("utf-8")
    except UnicodeDecodeError:
        return None


def parse_message(line: bytes | LineTooLong) -> Message | Malformed:
    """Read one line a client sent (without its line end)."""
    if isinstance(line, LineTooLong):
        return Malformed("line too long", too_long=True)
    plain = split_plain_message(line)
    if plain is not None:
        command, target, text = plain
        return Message(command, (target, text))
    text = line.translate(_LINE_BREAKERS).decode("utf-8", errors="replace")
    tags: dict[str, str] = {}
    if text.startswith("@"):
        raw_tags, _, text = text[1:].partition(" ")
        if len(raw_tags.encode("utf-8", errors="replace")) > MAX_CLIENT_TAGS:
            return Malformed("tags too long", too_long=True)
        tags = _parse_tags(raw_tags)
    text = text.lstrip(" ")
    # The limit counts the prefix too (RFC 1459 2.3): it is written back, and a line past
    # the limit once written would lose the end of its command (found by the fuzzer).
    if len(text.encode("utf-8", errors="replace")) > MAX_LINE - 2:
        return Malformed("line too long", too_long=True)
    prefix = ""
    if text.startswith(":"):
        prefix, _, text = text[1:].partition(" ")
        text = text.lstrip(" ")
    head, colon, trailing = text.partition(" :")
    words = [word for word in head.split(" ") if word]  # IRC separates by 0x20 alone
    # ":trailing" with no command, nothing at all, or a "command" that reads as tags
    if text.startswith(":") or not words or not _is_command(words[0]):
        return Malformed("no command")
    command = words[0]
    params = words[1:]
    if colon:
        params.append(trailing)
    return Message(command.upper(), tuple(params), prefix, tags)


def _is_command(word: str) -> bool:
    # Lenient, as servers are (an unknown command deserves 421, ``FOO_BAR`` too), but a
    # word that would read back as tags is none.
    return not word.startswith("@")


def encode(message: Message) -> bytes:
    """The message as a client reads it, CR LF included, trimmed to the IRC limits."""
    parts: list[str] = []
    if message.prefix:
        parts.append(":" + message.prefix)
    parts.append(message.command)
    params = list(message.params)
    if params:
        last = params.pop()
        parts.extend(params)
        if not last or " " in last or last.startswith(":") or message.trailing:
            last = ":" + last
        parts.append(last)
    # CR, LF and NUL would end or cut the line at the receiver: a text from any door (or a
    # bug) must never become a second line.
    body = " ".join(parts).encode("utf-8").translate(_LINE_BREAKERS)
    if len(body) > MAX_LINE - 2:
        body = _trim_utf8(body, MAX_LINE - 2)
    if message.tags:
        return b"@" + format_tags(message.tags).encode("utf-8") + b" " + body + b"\r\n"
    return body + b"\r\n"


def encode_texts(prefix: str, command: str, target: str, texts: tuple[str, ...]) -> bytes:
    """``:prefix COMMAND target :text`` for each of `texts`, as `encode` writes each
    (``trailing=True``, no tags), with the part before the text encoded once."""
    source = f":{prefix} " if prefix else ""
    head = f"{source}{command} {target} :".encode().translate(_LINE_BREAKERS)
    room = MAX_LINE - 2 - len(head)
    if room < 4:  # never for a real nick and channel: `encode` trims it all
        return b"".join(encode(Message(command, (target, t), prefix, trailing=True)) for t in texts)
    lines = []
    for text in texts:
        body = text.encode("utf-8").translate(_LINE_BREAKERS)
        if len(body) > room:
            body = _trim_utf8(body, room)
        lines.append(head + body + b"\r\n")
    return b"".join(lines)


def format_tags(tags: dict[str, str]) -> str:
    """``key=value;key`` (without the ``@``), values escaped."""
    return ";".join(
        key if value == "" else f"{key}={escape_tag_value(value)}" for key, value in tags.items()
    )


def add_tags(data: bytes, tags: str) -> bytes:
    """Every line of `data` (encoded messages) with `tags` (``a=b;c``) put first among its own.

    A line that already has a tag of the same name keeps its own (a message inside a nested
    batch keeps its inner ``batch``).
    """
    if not tags or not data:
        return data
    head = tags.encode("utf-8")
    added = [(item.partition(b"=")[0], item) for item in head.split(b";")]
    out: list[bytes] = []
    for line in data.split(b"\r\n"):
        if not line:
            continue
        if line.startswith(b"@"):
            own, _, rest = line[1:].partition(b" ")
            names = {item.partition(b"=")[0] for item in own.split(b";")}
            new = [item for name, item in added if name not in names]
            out.append(b"@" + b";".join([*new, own]) + b" " + rest + b"\r\n")
        else:
            out.append(b"@" + head + b" " + line + b"\r\n")
    return b"".join(out)


def format_time(moment: float) -> str:
    """A ``server-time`` stamp: ``2026-12-01T23:35:11.042Z`` (UTC, milliseconds cut, not
    rounded: a stamp is never later than the moment it stands for)."""
    millis = int(moment * 1000)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(millis // 1000))
    return f"{stamp}.{millis % 1000:03d}Z"


_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z")


def parse_time(text: str) -> float | None:
    """A ``server-time`` stamp as unix seconds, or None if it is not one."""
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    try:
        moment: int = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
        time.gmtime(moment)
    except (OverflowError, ValueError, OSError):
        return None
    fraction: str = match.group(7) or "0"
    seconds: float = moment + int(fraction) / 10 ** len(fraction)
    return seconds


def _trim_utf8(data: bytes, limit: int) -> bytes:
    """At most `limit` bytes of `data`, never cutting a UTF-8 sequence in two."""
    cut = data[:limit]
    while cut and (cut[-1] & 0xC0) == 0x80:
        cut = cut[:-1]
    if cut and cut[-1] >= 0xC0:
        cut = cut[:-1]
    return cut


def numeric(server: str, code: str, target: str, *params: str) -> bytes:
    """``:server CODE target params… :last`` (the last parameter always as trailing)."""
    return encode(Message(code, (target or "*", *params), server, trailing=bool(params)))


def split_targets(text: str) -> list[str]:
    """``#a,#b`` → the targets, empty ones left out."""
    return [target for target in text.split(",") if target]
