"""Room moderation in the client: the commands, and what the server says about them in words.

A Parley server with ``rooms`` lets a room's operators change its modes (IRC's letters: ``o``
operator, ``v`` voice, ``b`` ban, ``q`` mute, each with a name; ``m`` moderated, ``t`` topic
lock, ``i`` invite-only, ``s`` secret, ``k`` key), kick members out and invite people in.
This module has the typed commands (``/op``, ``/kick``, ``/mode +m``, ...), their parsers,
the server's moderation events (``KICKED``, ``MODE``, ``INVITED``: the protocol module
leaves them as `Notice` lines, so they are read here) and the words for each event and
reply. `Moderation` keeps the little state that turns the answers into good lines.

Pure, like `parley.client.commands` and `parley.client.chat`: nothing here sends, prints or
touches a socket, and no line from the server can make it raise.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from parley.client.render import Line
from parley.client.requests import Invite, Kick, Mode, Request
from parley.protocol.chat1 import (
    InvitedNotice,
    KickedNotice,
    ModeNotice,
    neutralise_controls,
    parse_moderation_notice,
)
from parley.protocol.commands import Invalid
from parley.protocol.names import is_valid_name, name_key
from parley.records import record

LOBBY_KEY = "lobby"

# Commands ------------------------------------------------------------------------------------


@record
class SetMode:
    """Change a mode of the current room: ``+o`` with a name, ``-m``, ``+k`` with the key."""

    change: str
    argument: str = ""


@record
class KickMember:
    """Put `name` out of the current room, saying why if `reason` is given."""

    name: str
    reason: str = ""


@record
class InviteUser:
    """Let `name` into the current room past invite-only and its key."""

    name: str


ModerationCommand = SetMode | KickMember | InviteUser

ROLE_VERBS: dict[str, str] = {
    "/op": "+o",
    "/deop": "-o",
    "/voice": "+v",
    "/devoice": "-v",
    "/ban": "+b",
    "/unban": "-b",
    "/mute": "+q",
    "/unmute": "-q",
}
"""The commands that give or take a person's mode in the current room."""
FLAG_CHANGES = ("+m", "-m", "+t", "-t", "+i", "-i", "+s", "-s", "+k", "-k")
"""What ``/mode`` accepts (``+k`` with the key)."""
LOBBY_CHANGES = frozenset({"+q", "-q", "+m", "-m"})
"""The only changes a server accepts in the lobby (from its operators); others are refused
here, without asking."""
MODE_USAGE = "usage: /mode +m|-m|+t|-t|+i|-i|+s|-s|+k KEY|-k, for example /mode +i"
KEY_USAGE = "usage: /mode +k KEY (then people join with /join ROOM KEY)"
_VERB_OF = {change: verb for verb, change in ROLE_VERBS.items()}


def parse_role(verb: str, rest: str) -> SetMode | Invalid:
    """``/op NAME`` and the like (`verb` is one of `ROLE_VERBS`)."""
    name = _one_name(verb, rest)
    return name if isinstance(name, Invalid) else SetMode(ROLE_VERBS[verb], name)


def parse_invite(verb: str, rest: str) -> InviteUser | Invalid:
    """``/invite NAME``."""
    name = _one_name(verb, rest)
    return name if isinstance(name, Invalid) else InviteUser(name)


def parse_kick(verb: str, rest: str) -> KickMember | Invalid:
    """``/kick NAME [REASON]``: the reason is the rest of the line, as typed."""
    usage = "usage: /kick NAME [REASON], for example /kick bob flooding"
    words = rest.split(None, 1)
    if not words:
        return Invalid(usage)
    if not is_valid_name(words[0]):
        return Invalid(f"{words[0]!r} is not a user name: {usage}")
    return KickMember(words[0], words[1].strip() if len(words) == 2 else "")


def parse_mode(verb: str, rest: str) -> SetMode | Invalid:
    """``/mode +m``, ``/mode -k``, ``/mode +k KEY``: a flag of the current room."""
    change, *arguments = rest.split() or [""]
    if change not in FLAG_CHANGES:
        unknown = f"unknown mode {change!r}: " if change else ""
        personal = len(change) == 2 and change[0] in "+-" and change[1] in "ovbq"
        people = " (/op, /voice, /ban and /mute change people's modes)" if personal else ""
        return Invalid(f"{unknown}{MODE_USAGE}{people}")
    if change == "+k":
        valid = len(arguments) == 1 and arguments[0].isprintable()
        return SetMode(change, arguments[0]) if valid else Invalid(KEY_USAGE)
    return Invalid(f"/mode {change} takes no argument") if arguments else SetMode(change)


def _one_name(verb: str, rest: str) -> str | Invalid:
    usage = f"usage: {verb} NAME, for example {verb} bob"
    words = rest.split()
    if len(words) != 1:
        return Invalid(usage)
    if not is_valid_name(words[0]):
        return Invalid(f"{words[0]!r} is not a user name: {usage}")
    return words[0]


MODERATION_VERBS: dict[str, Callable[[str, str], ModerationCommand | Invalid]] = {
    **dict.fromkeys(ROLE_VERBS, parse_role),
    "/kick": parse_kick,
    "/invite": parse_invite,
    "/mode": parse_mode,
}
"""The moderation commands of the slash style and the parser of each."""


# What the server sends -----------------------------------------------------------------------


# The server's KICKED, MODE and INVITED lines are read by the protocol module, beside their
# encoders; the client names them as before.
Kicked = KickedNotice
ModeChanged = ModeNotice
Invited = InvitedNotice
ModerationEvent = KickedNotice | ModeNotice | InvitedNotice
parse_event = parse_moderation_notice


# Words -----------------------------------------------------------------------------------

_MODE_WORDS = {
    "+o": "{by} made {target} an operator of {room}",
    "-o": "{by} removed {target} as an operator of {room}",
    "+v": "{by} gave {target} a voice in {room}",
    "-v": "{by} took the voice in {room} from {target}",
    "+b": "{by} banned {target} from {room}",
    "-b": "{by} lifted the ban on {target} in {room}",
    "+q": "{by} muted {target} in {room}",
    "-q": "{by} unmuted {target} in {room}",
    "+m": "{by} made {room} moderated: only its operators and voiced members may speak",
    "-m": "{by} made {room} unmoderated: everyone in it may speak",
    "+t": "{by} locked the topic of {room}: only its operators may change it",
    "-t": "{by} unlocked the topic of {room}: anyone in it may change it",
    "+i": "{by} made {room} invite-only",
    "-i": "{by} opened {room} to everyone (no invitation needed)",
    "+s": "{by} made {room} secret: only its members see it in the room list",
    "-s": "{by} made {room} visible in the room list again",
    "+k": "{by} set a key on {room}: joining it takes /join {room} KEY",
    "-k": "{by} removed the key of {room}",
}


def describe_mode(room: str, by: str, change: str, target: str, *, me: str) -> str:
    """``* ann made bob an operator of dev`` (``you`` for `me`, ``the lobby`` for it)."""
    template = _MODE_WORDS.get(change, "{by} set mode {change} {target} on {room}")
    place = "the lobby" if name_key(room) == LOBBY_KEY else room
    text = template.format(by=_you(by, me), target=_you(target, me), room=place, change=change)
    return "* " + " ".join(text.split())


def _you(name: str, me: str) -> str:
    return "you" if name and name_key(name) == name_key(me) else name


def _reason(reason: str) -> str:
    return f" ({reason})" if reason else ""


def _argument(text: str, prefix: str) -> str:
    """What follows `prefix` in a reply's text (the whole text if it does not start so)."""
    rest = text.removeprefix(prefix).strip()
    return rest or text.strip()


def _before(text: str, suffix: str) -> str:
    """What comes before `suffix` in a reply's text (the whole text if it does not end so)."""
    rest = text.strip().removesuffix(suffix).strip()
    return rest or text.strip()


_REFUSALS: dict[int, Callable[[str], str]] = {
    419: lambda t: f"You are not an operator of {_argument(t, 'Not an operator of')}.",
    420: lambda t: f"You are banned from {_argument(t, 'Banned from')}.",
    421: lambda t: (
        f"You may not speak in {_argument(t, 'You may not speak in')} (it is moderated, or "
        "you are muted); the message was not sent."
    ),
    422: lambda t: (
        f"{_before(t, 'is invite-only')} is invite-only: "
        "one of its operators must /invite you first."
    ),
    423: lambda t: (
        f"Wrong key for {_argument(t, 'Wrong key for')}: "
        f"type /join {_argument(t, 'Wrong key for')} KEY with the room's key."
    ),
    424: lambda t: f"{_before(t, 'is not in that room')} is not in that room.",
    425: lambda t: f"The server does not know the mode {_argument(t, 'Unknown mode')}.",
    426: lambda t: f"{_before(t, 'is already in that room')} is already in that room.",
}
"""Refusals of moderation (and of joining a guarded room), for a person."""
REFUSALS = frozenset(_REFUSALS)
JOIN_REFUSALS = frozenset({420, 422, 423})
"""The refusals that answer a ``JOIN``."""
ANSWERS = frozenset({282, 283, 284})


@record
class Performed:
    """The requests for a moderation command, or the lines saying why there are none."""

    requests: tuple[Request, ...] = ()
    lines: tuple[Line, ...] = ()


class Moderation:
    """The moderation commands in flight and the events they caused, to show each once.

    The server tells the room (us included) about a change before it answers us, so an
    answer whose event was just shown adds nothing and is not shown; one without its event
    (we are not in the room) is shown as the event would have been. ``283 Kicked bob`` and
    ``284 Invited bob`` do not name the room: it is remembered when the request is sent.
    """

    def __init__(self, me: str, *, join_word: str = "/join") -> None:
        self.me = me
        self._join_word = join_word
        self._echoes: deque[tuple[str, ...]] = deque(maxlen=64)
        """Events of our own changes already shown, waiting for the server's answer."""
        self._rooms: dict[tuple[str, str], str] = {}
        """The room of each kick and invitation sent, by ("kick" or "invite", name key)."""

    # Commands ----------------------------------------------------------------------------

    def set_mode(self, command: SetMode, room: str) -> Performed:
        """``MODE`` for `command` in `room` (the current room), unless the lobby cannot have it."""
        if name_key(room) == LOBBY_KEY and command.change not in LOBBY_CHANGES:
            return _lobby_refusal(_VERB_OF.get(command.change, f"/mode {command.change}"))
        return Performed((Mode(room, command.change, command.argument),))

    def kick(self, command: KickMember, room: str) -> Performed:
        """``KICK`` of `command`'s name out of `room` (never the lobby)."""
        if name_key(room) == LOBBY_KEY:
            return _lobby_refusal("/kick")
        self._rooms["kick", name_key(command.name)] = room
        return Performed((Kick(room, command.name, neutralise_controls(command.reason)),))

    def invite(self, command: InviteUser, room: str) -> Performed:
        """``INVITE`` of `command`'s name into `room` (never the lobby)."""
        if name_key(room) == LOBBY_KEY:
            return _lobby_refusal("/invite")
        self._rooms["invite", name_key(command.name)] = room
        return Performed((Invite(room, command.name),))

    # Events ------------------------------------------------------------------------------

    def kicked(self, event: Kicked) -> Line:
        """``* bob was kicked from dev by ann (spam)`` (the caller handles our own kick)."""
        reason = _reason(event.reason)
        if name_key(event.by) == name_key(self.me):
            self._echoes.append(("kick", name_key(event.name)))
            return Line(f"* you kicked {event.name} from {event.room}{reason}")
        return Line(f"* {event.name} was kicked from {event.room} by {event.by}{reason}")

    def me_kicked(self, event: Kicked, now_in: str) -> Line:
        """We were put out of the room; `now_in` is where we are now."""
        where = "the lobby" if name_key(now_in) == LOBBY_KEY else now_in
        return Line(
            f"You were kicked from {event.room} by {event.by}{_reason(event.reason)}; "
            f"now in {where}."
        )

    def mode_changed(self, event: ModeChanged) -> Line:
        """``* ann made bob an operator of dev``, ``* ann made dev invite-only``."""
        if name_key(event.by) == name_key(self.me):
            self._echoes.append(_mode_key(event.room, event.change, event.target))
        return Line(describe_mode(event.room, event.by, event.change, event.target, me=self.me))

    def invited(self, event: Invited) -> Line:
        """``* ann invited you to dev; /join dev to go in``."""
        join = f"{self._join_word} {event.room}"
        return Line(f"* {event.by} invited you to {event.room}; {join} to go in")

    # Answers -----------------------------------------------------------------------------

    def answer(self, code: int, text: str) -> list[Line]:
        """``282``, ``283`` or ``284``: nothing if its event was shown, else its line."""
        if code == 282:
            return self._mode_set(text.removeprefix("Mode").split())
        if code == 283:
            return self._kick_done(_argument(text, "Kicked"))
        return self._invite_done(_argument(text, "Invited"))

    def _mode_set(self, words: list[str]) -> list[Line]:
        """``282 Mode <room> <change> [<argument>]`` (a key is not repeated)."""
        if len(words) < 2:
            return [Line.notice(f"server: 282 Mode {' '.join(words)}".rstrip())]
        room, change, target = words[0], words[1], " ".join(words[2:])
        if self._seen(_mode_key(room, change, target)):
            return []
        return [Line(describe_mode(room, self.me, change, target, me=self.me))]

    def _kick_done(self, name: str) -> list[Line]:
        room = self._rooms.pop(("kick", name_key(name)), None)
        if self._seen(("kick", name_key(name))):
            return []
        return [Line(f"* you kicked {name}{_from(room)}")]

    def _invite_done(self, name: str) -> list[Line]:
        room = self._rooms.pop(("invite", name_key(name)), None)
        return [Line(f"You invited {name}{_into(room)}; they have been told.")]

    def already_there(self, text: str) -> list[Line]:
        """``426 bob is already in that room``: the answer to inviting a member."""
        name = _before(text, "is already in that room")
        room = self._rooms.pop(("invite", name_key(name)), None)
        return [Line.notice(f"{name} is already in {room or 'that room'}.")]

    def already_member(self, text: str) -> list[Line] | None:
        """``417 Already in bob`` answering ``INVITE``: bob is in the room already.

        (The server reuses ``417 Already in <room>`` with the user's name.) None if no
        invitation of that name is waiting: then it answers a ``JOIN``.
        """
        name = _argument(text, "Already in")
        room = self._rooms.pop(("invite", name_key(name)), None)
        if room is None:
            return None
        return [Line.notice(f"{name} is already in {room}.")]

    def _seen(self, key: tuple[str, ...]) -> bool:
        if key in self._echoes:
            self._echoes.remove(key)
            return True
        return False


def refusal(code: int, text: str) -> Line | None:
    """A moderation refusal (``419`` to ``426``) in words; None for any other code."""
    words = _REFUSALS.get(code)
    return None if words is None else Line.notice(words(text))


def _lobby_refusal(verb: str) -> Performed:
    message = f"{verb} works in a room, and you are in the lobby: /join the room first."
    return Performed(lines=(Line.notice(message),))


def _mode_key(room: str, change: str, target: str) -> tuple[str, ...]:
    return ("mode", name_key(room.removeprefix("#")), change, name_key(target) if target else "")


def _into(room: str | None) -> str:
    return f" to {room}" if room else ""


def _from(room: str | None) -> str:
    return f" from {room}" if room else ""
