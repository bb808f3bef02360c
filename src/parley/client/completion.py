"""Completion of what is being typed: names, rooms, commands and their arguments.

Pure: `Recent` remembers the names and rooms the client has seen (in messages, presence,
``WHO`` and ``ROOMS`` answers), the most recently active first; `complete` takes the text
before the cursor and gives the `Candidate` words for it. The prompt_toolkit adapter lives in
`parley.client.tui`.

What completes what (``requested``: Tab was pressed; otherwise the choices are shown as you
type, only where a short list helps):

- ``/jo`` → the commands (as you type);
- after ``/join``, ``/leave``, ``/history`` and a ``#`` anywhere: room names (as you type);
- after ``/msg``, ``/op``, ``/kick``, ``/invite`` and the like, and an ``@``: names;
- after ``/live`` and ``/mode``: their words;
- any other word, on Tab: names; at the start of the line ``alice: ``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence

from parley.client.moderation import FLAG_CHANGES, ROLE_VERBS
from parley.protocol.names import name_key
from parley.records import record

MAX_REMEMBERED = 1000
"""Names (and rooms) remembered at most; the least recently active are forgotten first."""

COMMANDS: dict[str, str] = {
    "/msg": "private message: /msg NAME TEXT",
    "/join": "join or switch to a room",
    "/leave": "leave a room",
    "/who": "who is online",
    "/rooms": "every room and who is in it",
    "/topic": "show or set the room's topic",
    "/history": "the last messages of a room or a talk",
    "/more": "older messages",
    "/mentions": "recent lines that said your name",
    "/register": "protect your name with a password",
    "/password": "change that password",
    "/unregister": "remove the password",
    "/live": "live typing on or off",
    "/say": "send text as it is",
    "/help": "the commands",
    "/quit": "leave",
    **{verb: f"MODE {change} NAME in this room" for verb, change in ROLE_VERBS.items()},
    "/kick": "put someone out of this room",
    "/invite": "let someone in",
    "/mode": "the room's modes",
}
"""Every command offered, and the few words shown beside it in the menu."""

NAME_VERBS = frozenset({"/msg", "/m", "/tell", "/kick", "/invite", *ROLE_VERBS})
ROOM_VERBS = frozenset({"/join", "/leave", "/part"})
WORDS: dict[str, tuple[str, ...]] = {"/live": ("on", "off"), "/mode": FLAG_CHANGES}


@record
class Candidate:
    """A word that may replace the `replaces` characters before the cursor."""

    text: str
    replaces: int
    display: str = ""
    meta: str = ""


class _Ordered:
    """Keys in order of activity (the last is the most recent), spelt as last seen."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, str] = OrderedDict()

    def active(self, word: str) -> None:
        key = name_key(word)
        self._items.pop(key, None)
        self._items[key] = word
        self._trim()

    def seen(self, word: str) -> None:
        """Known, but not active now: kept where it was, or added as the least recent."""
        key = name_key(word)
        if key not in self._items:
            self._items[key] = word
            self._items.move_to_end(key, last=False)
            self._trim()

    def newest_first(self) -> list[str]:
        return list(reversed(self._items.values()))

    def _trim(self) -> None:
        while len(self._items) > MAX_REMEMBERED:
            self._items.popitem(last=False)


class Recent:
    """The names and rooms seen so far, most recently active first."""

    def __init__(self, me: str) -> None:
        self._me = name_key(me) if me else ""
        self._names = _Ordered()
        self._rooms = _Ordered()

    def name_active(self, name: str) -> None:
        """`name` said something or arrived."""
        if name_key(name) != self._me:
            self._names.active(name)

    def names_seen(self, names: Iterable[str]) -> None:
        """`names` are online (a ``WHO`` answer, a room's members)."""
        for name in names:
            if name_key(name) != self._me:
                self._names.seen(name)

    def room_active(self, room: str) -> None:
        if name_key(room.removeprefix("#")) != "lobby":
            self._rooms.active(room.removeprefix("#"))

    def rooms_seen(self, rooms: Iterable[str]) -> None:
        for room in rooms:
            if name_key(room.removeprefix("#")) != "lobby":
                self._rooms.seen(room.removeprefix("#"))

    @property
    def names(self) -> list[str]:
        return self._names.newest_first()

    @property
    def rooms(self) -> list[str]:
        return self._rooms.newest_first()


def complete(
    before: str, recent: Recent, joined: Sequence[str] = (), *, requested: bool = True
) -> list[Candidate]:
    """The candidates for the word that ends at the cursor (`before`: the text before it).

    `joined`: the rooms the user is in (offered first for ``/leave`` and ``#``).
    """
    word = "" if before.endswith(" ") else before.rsplit(" ", 1)[-1]
    head = before[: len(before) - len(word)]
    words = head.split()
    if not words and word.startswith("/"):
        return _commands(word)
    if word.startswith("#"):
        return _matching(word[1:], _rooms(recent, joined), len(word), prefix="#")
    if words and words[0].lower() in COMMANDS | {"/m": "", "/tell": "", "/part": ""}:
        found = _argument(words[0].lower(), len(words) - 1, word, recent, joined)
        if found is not None:
            return found
    if not requested:
        return []
    if word.startswith("@"):
        return _matching(word[1:], recent.names, len(word), prefix="@")
    suffix = ": " if not words else ""
    return _matching(word, recent.names, len(word), suffix=suffix)


def _commands(word: str) -> list[Candidate]:
    typed = word.lower()
    return [
        Candidate(f"{verb} ", len(word), verb, meta)
        for verb, meta in COMMANDS.items()
        if verb.startswith(typed) and verb != typed
    ]


def _argument(
    verb: str, index: int, word: str, recent: Recent, joined: Sequence[str]
) -> list[Candidate] | None:
    """Candidates for argument `index` of `verb`; None if it takes no completable one."""
    if index != 0:
        return [] if verb in ROOM_VERBS | NAME_VERBS | WORDS.keys() else None
    found: list[Candidate] | None = None
    if verb in ROOM_VERBS:
        rooms = list(reversed(joined)) if verb != "/join" else _rooms(recent, joined)
        found = _matching(word.removeprefix("#"), rooms, len(word))
    elif verb in NAME_VERBS:
        found = _matching(word, recent.names, len(word), suffix=" ")
    elif verb in WORDS:
        found = _matching(word, WORDS[verb], len(word), suffix=" ")
    elif verb == "/history" and word.startswith("@"):
        found = _matching(word[1:], recent.names, len(word), prefix="@")
    elif verb == "/history":
        found = _matching(word.removeprefix("#"), _rooms(recent, joined), len(word), prefix="#")
    return found


def _rooms(recent: Recent, joined: Sequence[str]) -> list[str]:
    """The rooms the user is in (the newest first), then the others seen."""
    ours = list(reversed(joined))
    keys = {name_key(room) for room in ours}
    return ours + [room for room in recent.rooms if name_key(room) not in keys]


def _matching(
    typed: str, words: Iterable[str], replaces: int, *, prefix: str = "", suffix: str = ""
) -> list[Candidate]:
    """`words` that start with `typed` (whatever its case), in their order."""
    folded = typed.casefold()
    return [
        Candidate(f"{prefix}{word}{suffix}", replaces, f"{prefix}{word}")
        for word in words
        if word.casefold().startswith(folded) and f"{word}{suffix}" != typed
    ]
