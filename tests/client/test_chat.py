"""Pure tests of parley.client.chat.ChatState: negotiation, rooms, replies, live typing."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hypothesis import given, strategies as st

from parley.client.chat import (
    LIVE_NEEDS_TERMINAL,
    ChatState,
    Step,
    first_extensions,
    wanted_extensions,
)
from parley.client.commands import (
    COMMAND_STYLES,
    CommandStyle,
    JoinRoom,
    ListRooms,
    ListUsers,
    ManageAccount,
    SendDirect,
    SetLive,
)
from parley.client.live import EXPIRY as TYPING_EXPIRY, Preview
from parley.client.passwords import Secret
from parley.client.render import Channel, Line
from parley.client.requests import (
    AccountCommand,
    ChatMessage,
    DirectMessage,
    Extend,
    HistoryRequest,
    Join,
    Leave,
    Rooms,
    Topic,
    Who,
)
from parley.client.session import ConnectionClosed
from parley.protocol.chat1 import (
    IncomingMessage,
    Notice,
    NumericReply,
    PresenceNotice,
    ServerDisconnect,
    ServerEvent,
    parse_server_line,
)

ALL = "Extensions enabled: rooms dm who presence live history auth"
WANTED = ("rooms", "dm", "who", "presence", "history", "auth")
LATER = "the message will be delivered when they return."
NEVER = "has been online since the server started. The message was not sent."
FULL = "try again later. The message was not sent."


def texts(lines: list[Line] | tuple[Line, ...]) -> list[str]:
    return [line.text for line in lines]


def extended(style: CommandStyle = "slash", *, live: bool = False) -> ChatState:
    """A state whose server granted every extension."""
    state = ChatState("alice", style, live=live)
    state.start()
    state.receive(NumericReply(210, ALL), 0.0)
    return state


def typed(state: ChatState, line: str) -> Step:
    return state.perform(state.parse(line))


def in_teamchat(style: CommandStyle = "slash", *, live: bool = False) -> ChatState:
    state = extended(style, live=live)
    assert typed(state, "/join teamchat" if style == "slash" else "join teamchat").requests == (
        Join("teamchat"),
    )
    state.receive(PresenceNotice("joined", "teamchat", "alice"), 0.0)
    state.receive(NumericReply(220, "Joined teamchat"), 0.0)
    return state


# Negotiation ---------------------------------------------------------------------------------


def test_extensions_are_asked_for_right_away() -> None:
    state = ChatState("alice")
    assert state.start() == Step(requests=(Extend(WANTED),))
    assert not state.settled
    assert ChatState("alice", live=True).start().requests == (Extend((*WANTED, "live")),)


def test_seed004_style_asks_for_nothing_and_is_settled_at_once() -> None:
    state = ChatState("alice", "seed004")
    assert state.start() == Step()
    assert state.settled
    assert state.extensions == frozenset()
    assert ChatState("alice", "seed004", live=True).start().requests == (Extend(("live",)),)


def test_live_without_a_terminal_is_refused_and_not_asked_for() -> None:
    state = ChatState("alice", live=True, live_capable=False)
    step = state.start()
    assert step.requests == (Extend(WANTED),)
    assert texts(step.lines) == [LIVE_NEEDS_TERMINAL]


def test_210_grants_what_it_lists() -> None:
    state = ChatState("alice", live=True)
    state.start()
    lines = state.receive(NumericReply(210, ALL), 0.0)
    assert state.extensions == frozenset({*WANTED, "live"})
    assert state.live
    assert lines[0].channel is Channel.PROGRESS
    assert "Live typing is on" in lines[1].text


def test_210_without_live_says_so() -> None:
    state = ChatState("alice", live=True)
    state.start()
    lines = state.receive(NumericReply(210, "Extensions enabled: rooms dm"), 0.0)
    assert not state.live
    assert "does not support live typing" in lines[-1].text


@pytest.mark.parametrize(
    "reply", [NumericReply(404, "Unknown command"), NumericReply(400, "Invalid registration")]
)
def test_any_other_answer_means_a_plain_server(reply: NumericReply) -> None:
    state = ChatState("alice")
    state.start()
    lines = state.receive(reply, 0.0)
    assert state.extensions == frozenset()
    assert len(lines) == 1
    assert lines[0].channel is Channel.PROGRESS
    assert "plain CHAT/1.0" in lines[0].text
    assert f"{reply.code} {reply.text}" in lines[0].text


def test_a_reply_about_a_message_first_is_shown_and_means_a_plain_server() -> None:
    state = ChatState("alice")
    state.start()
    lines = state.receive(NumericReply(403, "Sender does not match registration"), 0.0)
    assert state.extensions == frozenset()
    assert texts(lines)[-1] == "server: 403 Sender does not match registration"


def test_silence_means_a_plain_server_after_give_up() -> None:
    state = ChatState("alice")
    state.start()
    assert typed(state, "/who") == Step(wait=True)
    assert "did not answer EXTEND" in state.give_up()[0].text
    assert state.give_up() == []
    assert texts(typed(state, "/who").lines) == [
        "This server does not support listing who is online."
    ]


def test_a_late_210_still_turns_the_extensions_on() -> None:
    state = ChatState("alice")
    state.start()
    state.give_up()
    state.receive(NumericReply(210, ALL), 0.0)
    assert typed(state, "/who").requests == (Who(),)


@pytest.mark.parametrize(
    ("line", "missing"),
    [
        ("/join teamchat", "rooms"),
        ("/leave teamchat", "rooms"),
        ("/msg bob hi", "direct messages"),
        ("hi > bob", "direct messages"),
        ("/who", "listing who is online"),
        ("?", "listing who is online"),
        ("/rooms", "listing who is online"),
    ],
)
def test_commands_without_their_extension_say_so_clearly(line: str, missing: str) -> None:
    state = ChatState("alice")
    state.start()
    state.receive(NumericReply(404, "Unknown command"), 0.0)
    step = typed(state, line)
    assert step.requests == ()
    assert step.lines[0].channel is Channel.NOTICE
    assert f"This server does not support {missing}" in step.lines[0].text


def test_plain_server_still_chats_in_the_lobby() -> None:
    state = ChatState("alice")
    state.start()
    assert typed(state, "hello").requests == (ChatMessage("alice", "hello"),)  # even pending
    state.give_up()
    assert typed(state, "hello").requests == (ChatMessage("alice", "hello"),)
    assert texts(typed(state, "/join lobby").lines) == [
        "You are now in the lobby (you never leave it)."
    ]


# Rooms -------------------------------------------------------------------------------------


def test_join_makes_the_room_current_and_typing_goes_there() -> None:
    state = extended()
    assert state.prompt() == "> "
    assert typed(state, "/join #TeamChat").requests == (Join("TeamChat"),)
    assert state.receive(PresenceNotice("joined", "teamchat", "alice"), 0.0) == []
    lines = state.receive(NumericReply(220, "Joined teamchat"), 0.0)
    assert "You are now in teamchat" in lines[0].text
    assert state.current == "teamchat"
    assert state.prompt() == "[teamchat] > "
    assert typed(state, "Hello team!").requests == (
        ChatMessage("alice", "Hello team!", "teamchat"),
    )


def test_several_rooms_switching_and_leaving() -> None:
    state = in_teamchat()
    typed(state, "/join dev")
    state.receive(NumericReply(220, "Joined dev"), 0.0)
    assert state.rooms == ["teamchat", "dev"]
    step = typed(state, "/join TEAMCHAT")  # already in it: switch without asking the server
    assert step.requests == ()
    assert state.current == "teamchat"
    typed(state, "/join lobby")
    assert state.current == "lobby"
    assert typed(state, "hi all").requests == (ChatMessage("alice", "hi all"),)
    assert typed(state, "/leave dev").requests == (Leave("dev"),)
    lines = state.receive(NumericReply(221, "Left dev"), 0.0)
    assert texts(lines) == ["You left dev; now in the lobby."]
    typed(state, "/join teamchat")
    assert typed(state, "/leave").requests == (Leave("teamchat"),)
    state.receive(PresenceNotice("left", "teamchat", "alice"), 0.0)
    state.receive(NumericReply(221, "Left teamchat"), 0.0)
    assert state.current == "lobby"
    assert state.rooms == []


def test_leaving_the_current_room_falls_back_to_the_last_joined() -> None:
    state = in_teamchat()
    typed(state, "/join dev")
    state.receive(NumericReply(220, "Joined dev"), 0.0)
    typed(state, "/join teamchat")
    state.receive(NumericReply(221, "Left teamchat"), 0.0)
    assert state.current == "dev"


def test_the_lobby_cannot_be_left() -> None:
    state = extended()
    for line in ("/leave", "/leave lobby"):
        step = typed(state, line)
        assert step.requests == ()
        assert "everyone stays in" in step.lines[0].text


def test_server_says_not_in_room_and_the_state_follows() -> None:
    state = in_teamchat()
    lines = state.receive(NumericReply(411, "Not in room teamchat"), 0.0)
    assert texts(lines) == ["You are not in room teamchat."]
    assert state.current == "lobby"


def test_already_in_switches_to_the_room() -> None:
    state = extended()
    state.receive(NumericReply(417, "Already in dev"), 0.0)
    assert state.current == "dev"


def test_invalid_room_name_names_the_room() -> None:
    state = extended()
    state.perform(JoinRoom("odd"))
    lines = state.receive(NumericReply(412, "Invalid room name"), 0.0)
    assert "'odd'" in lines[0].text
    assert lines[0].channel is Channel.NOTICE


def test_seed003_join_leave_and_in_room_chat() -> None:
    state = in_teamchat("seed003")
    assert typed(state, "who").requests == (ChatMessage("alice", "who", "teamchat"),)
    assert typed(state, "leave").requests == (Leave("teamchat"),)


# Messages as they are shown ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (b"@bob: hi", "@bob: hi"),
        (b"@bob #teamchat: Hello team!", "bob (in teamchat): Hello team!"),
        (b"@Alice #teamchat: Hello team!", "Alice (in teamchat): Hello team!"),
        (b"@bob > alice: psst", "bob (private): psst"),
        (b"JOINED teamchat bob CHAT/1.0", "* bob joined teamchat"),
        (b"LEFT teamchat bob CHAT/1.0", "* bob left teamchat"),
        (b"QUIT * bob CHAT/1.0", "* bob disconnected"),
        (b"@bob: [private] not really", "@bob: [private] not really"),
        (b"Welcome!", "Welcome!"),
        (b"230 Queued for bob (offline)", f"bob is offline; {LATER}"),
        (b"250 alice bob carol", "Online (3): alice, bob, carol"),
        (b"251 teamchat alice bob", "teamchat (2): alice, bob"),
        (b"251 lobby", "lobby (0): "),
        (b"410 No such user zed", f"No such user zed: nobody by that name {NEVER}"),
        (b"414 Offline queue full for bob", f"bob has too many messages waiting; {FULL}"),
        (b"416 Too many rooms", "You are in too many rooms; leave one first."),
        (b"418 Everyone stays in the lobby", "Everyone stays in the lobby."),
        (b"404 Unknown command", "server: 404 Unknown command"),
        (b"429 Slow down", "server: 429 Slow down"),
    ],
)  # fmt: skip
def test_what_each_line_looks_like(raw: bytes, shown: str) -> None:
    state = extended()
    assert texts(state.receive(parse_server_line(raw), 0.0)) == [shown]


def test_end_of_rooms_shows_nothing() -> None:
    assert extended().receive(NumericReply(252, "End of rooms"), 0.0) == []


def test_errors_go_to_stderr_and_answers_to_stdout() -> None:
    state = extended()
    assert state.receive(NumericReply(410, "No such user zed"), 0.0)[0].channel is Channel.NOTICE
    assert state.receive(NumericReply(250, "alice"), 0.0)[0].channel is Channel.CHAT
    assert state.receive(NumericReply(230, "Queued for bob (offline)"), 0.0)[0].channel is (
        Channel.CHAT
    )


def test_seed003_shows_direct_messages_as_seed_003_does() -> None:
    state = extended("seed003")
    assert texts(state.receive(IncomingMessage("Alice", "Hello Bob!", recipient="bob"), 0.0)) == [
        "Alice: Hello Bob!"
    ]


def test_a_message_kept_offline_arrives_before_the_extensions_and_is_shown_private() -> None:
    state = ChatState("bob")
    state.start()
    lines = state.receive(IncomingMessage("alice", "[private] see you later"), 0.0)
    assert texts(lines) == ["alice (private): see you later"]


def test_own_join_and_leave_are_not_announced_twice() -> None:
    state = extended()
    typed(state, "/join dev")
    assert state.receive(PresenceNotice("joined", "dev", "ALICE"), 0.0) == []
    assert state.receive(PresenceNotice("left", "dev", "alice"), 0.0) == []


def test_rooms_an_account_is_put_back_in_are_told_and_known() -> None:
    state = extended()
    lines = state.receive(PresenceNotice("joined", "dev", "alice"), 0.0)
    assert texts(lines) == [
        "You are in dev again (your rooms are remembered): /join dev talks there."
    ]
    assert state.rooms == ["dev"]
    assert state.current == "lobby"
    assert state.receive(PresenceNotice("joined", "dev", "alice"), 0.0) == []
    assert typed(state, "/join dev") == Step(lines=(Line("You are now in dev."),))


@pytest.mark.parametrize(
    "event",
    [
        IncomingMessage("bob", "\x1b[2Jx", room="te\x1bam"),
        NumericReply(220, "Joined \x1b[2Jroom"),
        NumericReply(221, "Left \x1b[2Jroom"),
        NumericReply(230, "Queued for \x1b]0;x\x07 (offline)"),
        NumericReply(250, "a \x1b[31mb"),
        NumericReply(251, "r\x1b x\x9by"),
        NumericReply(410, "No such user \x1b"),
        PresenceNotice("joined", "r\x1b", "b\r"),
    ],
)
def test_control_characters_never_reach_the_screen(event: ServerEvent) -> None:
    state = extended()
    for line in state.receive(event, 0.0):
        assert line.text.isprintable(), line
    assert state.prompt().isprintable()


def test_direct_message_requests() -> None:
    state = extended()
    assert typed(state, "/msg bob hi there").requests == (
        DirectMessage("alice", "bob", "hi there"),
    )
    assert typed(state, "hi there > bob").requests == (DirectMessage("alice", "bob", "hi there"),)
    assert typed(state, "/who").requests == (Who(),)
    assert state.perform(ListUsers()).requests == (Who(),)
    assert state.perform(ListRooms()).requests == (Rooms(),)
    assert typed(state, "message").requests == (ChatMessage("alice", "message"),)
    assert typed(extended("seed003"), "message") == Step(compose=True)


def test_quit_help_and_invalid() -> None:
    state = extended()
    assert typed(state, "/quit") == Step(quit=True)
    assert "/msg NAME TEXT" in "\n".join(texts(typed(state, "/help").lines))
    assert typed(state, "/bogus").lines[0].channel is Channel.NOTICE
    assert typed(state, "   ") == Step()


def test_seed_003_word_sent_as_chat_gets_a_hint() -> None:
    step = typed(extended(), "who")
    assert step.requests == (ChatMessage("alice", "who"),)
    assert "--commands seed003" in step.lines[0].text


# Live typing -------------------------------------------------------------------------------


def test_live_toggle() -> None:
    state = extended()
    assert not state.live
    assert "Live typing is on" in texts(typed(state, "/live").lines)[0]
    assert state.live
    assert texts(typed(state, "/live on").lines) == ["Live typing is already on."]
    assert texts(typed(state, "/live").lines) == ["Live typing is off."]
    assert not state.live


def test_live_asks_for_the_extension_when_it_was_not_granted() -> None:
    state = ChatState("alice")
    state.start()
    state.receive(NumericReply(210, "Extensions enabled: rooms dm who presence"), 0.0)
    assert state.perform(SetLive(True)).requests == (Extend(("live",)),)
    lines = state.receive(NumericReply(210, ALL), 0.0)
    assert state.live
    assert "Live typing is on" in lines[0].text


def test_live_on_a_plain_server_or_without_terminal() -> None:
    state = ChatState("alice")
    state.start()
    assert state.perform(SetLive(True)) == Step(wait=True)
    state.give_up()
    assert "does not support live typing" in texts(state.perform(SetLive(True)).lines)[0]
    blind = ChatState("alice", live_capable=False)
    blind.start()
    blind.receive(NumericReply(210, ALL), 0.0)
    assert texts(blind.perform(SetLive(True)).lines) == [LIVE_NEEDS_TERMINAL]


def test_preview_is_chat_only() -> None:
    state = extended(live=True)
    assert state.preview("hel") == Preview("hel")
    assert state.preview("") == Preview("")
    assert state.preview("/msg bob secret") == Preview("")
    assert state.preview("secret > bob") == Preview("")
    assert state.preview("?") == Preview("")
    assert state.preview("//slash") == Preview("/slash")
    assert state.preview("x" * 5000) == Preview("x" * 1000)
    assert extended().preview("hel") is None  # live off: nothing at all
    room = in_teamchat(live=True)
    assert room.preview("hi team") == Preview("hi team", "teamchat")


def test_seed003_outside_a_room_previews_nothing() -> None:
    state = extended("seed003", live=True)
    assert state.preview("Bob:secret") == Preview("")
    assert state.preview("hello") == Preview("")


def test_typing_status_grows_and_goes_away() -> None:
    state = extended(live=True)
    for text in ("h", "he", "hel"):
        assert state.receive(IncomingMessage("bob", text, typing=True), 1.0) == []
    assert state.typing_lines(1.0) == ["bob is typing: hel"]
    state.receive(IncomingMessage("bob", "hello"), 2.0)  # the finished message
    assert state.typing_lines(2.0) == []
    state.receive(IncomingMessage("bob", "again", typing=True), 3.0)
    state.receive(IncomingMessage("bob", "", typing=True), 3.0)  # cleared
    assert state.typing_lines(3.0) == []


def test_typing_status_per_room_and_person() -> None:
    state = in_teamchat(live=True)
    state.receive(IncomingMessage("bob", "in team", room="teamchat", typing=True), 1.0)
    state.receive(IncomingMessage("carol", "in lobby", typing=True), 1.0)
    assert state.typing_lines(1.0) == [
        "bob is typing: in team",
        "carol is typing in lobby: in lobby",
    ]
    state.receive(PresenceNotice("quit", "*", "carol"), 1.0)
    state.receive(PresenceNotice("left", "teamchat", "bob"), 1.0)
    assert state.typing_lines(1.0) == []


def test_typing_status_expires_and_is_bounded() -> None:
    state = extended(live=True)
    for name in ("b1", "b2", "b3", "b4", "b5"):
        state.receive(IncomingMessage(name, "x", typing=True), 0.0)
    lines = state.typing_lines(1.0)
    assert len(lines) == 4
    assert lines[-1] == "\u2026 and 2 more typing"
    assert state.typing_expires() == TYPING_EXPIRY
    assert state.typing_lines(TYPING_EXPIRY) == []
    assert state.typing_expires() is None


def test_long_preview_shows_its_end() -> None:
    state = extended(live=True)
    state.receive(IncomingMessage("bob", "a" * 100 + "END", typing=True), 0.0)
    (line,) = state.typing_lines(0.0, width=40)
    assert line.startswith("bob is typing: \u2026")
    assert line.endswith("END")
    assert len(line) < 40


def test_typing_is_ignored_when_live_is_off() -> None:
    state = extended()
    state.receive(IncomingMessage("bob", "hel", typing=True), 0.0)
    assert state.typing_lines(0.0) == []
    live = extended(live=True)
    live.receive(IncomingMessage("bob", "hel", typing=True), 0.0)
    typed(live, "/live off")
    assert live.typing_lines(0.0) == []


# Anything the server may say -------------------------------------------------------------------


def server_events() -> st.SearchStrategy[ServerEvent | ConnectionClosed]:
    words = st.text(min_size=0, max_size=12)
    return st.one_of(
        st.builds(NumericReply, st.integers(100, 599), st.text(max_size=40)),
        st.builds(
            IncomingMessage,
            words,
            st.text(max_size=30),
            st.none() | words,
            st.none() | words,
            st.booleans(),
        ),
        st.builds(PresenceNotice, st.sampled_from(["joined", "left", "quit"]), words, words),
        st.builds(Notice, st.text(max_size=30)),
        st.builds(
            NumericReply,
            st.sampled_from([220, 260, 261, 270, 271, 280, 401, 407, 408, 411, 429]),
            st.text(max_size=40),
        ),
        st.builds(
            lambda number, at, line: NumericReply(260, f"{number} {at} {line}"),
            st.integers(-5, 10**12),
            st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8),
            st.text(max_size=30),
        ),
        st.just(ServerDisconnect()),
        st.just(ConnectionClosed()),
        st.binary(max_size=60).map(parse_server_line),
    )


@given(
    style=st.sampled_from(COMMAND_STYLES),
    events=st.lists(server_events(), max_size=20),
    lines=st.lists(st.text(max_size=30), max_size=10),
)
def test_any_sequence_of_events_and_lines_never_raises(
    style: CommandStyle, events: list[ServerEvent | ConnectionClosed], lines: list[str]
) -> None:
    state = ChatState("alice", style, live=True)
    state.start()
    for now, event in enumerate(events):
        for shown in state.receive(event, float(now)):
            assert "\x1b" not in shown.text
        state.typing_lines(float(now))
    for line in lines:
        state.perform(state.parse(line))
        state.preview(line)
    assert state.prompt().endswith("> ")


def test_send_direct_command_builds_the_request() -> None:
    assert extended().perform(SendDirect("bob", "x\x1by")).requests == (
        DirectMessage("alice", "bob", "x\ufffdy"),
    )


def test_a_change_of_room_is_awaited_until_the_server_answers() -> None:
    state = extended()
    typed(state, "/join dev")
    assert state.awaiting_reply
    state.receive(PresenceNotice("joined", "dev", "alice"), 0.0)
    assert state.awaiting_reply
    state.receive(NumericReply(220, "Joined dev"), 0.0)
    assert state.awaiting_reply  # the room's history follows
    state.receive(NumericReply(261, "End of history"), 0.0)
    assert not state.awaiting_reply
    typed(state, "/who")
    typed(state, "/leave")
    assert state.awaiting_reply
    state.receive(NumericReply(250, "alice bob"), 0.0)  # the answer to /who, not /leave
    assert state.awaiting_reply
    assert state.awaiting_reply
    state.receive(NumericReply(411, "Not in room dev"), 0.0)  # any answer ends the wait
    assert not state.awaiting_reply
    typed(state, "/join x")
    state.stop_waiting()
    assert not state.awaiting_reply
    assert not typed(state, "/join lobby").requests
    assert not state.awaiting_reply


def test_barrier_before_leaving_is_answered_silently() -> None:
    state = extended()
    request = state.barrier()
    assert request == Extend(("auth",))
    assert state.awaiting_barrier
    assert state.receive(NumericReply(210, ALL), 0.0) == []
    assert not state.awaiting_barrier
    plain = ChatState("alice")
    plain.start()
    plain.give_up()
    assert plain.barrier() is None
    assert ChatState("alice").barrier() is None  # not negotiated yet: nothing to wait for


# History, topics, accounts -------------------------------------------------------------------

NOON = 1763726400.0
"""2025-11-21 12:00:00 UTC: the tests run with TZ=UTC."""


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def with_history(style: CommandStyle = "slash") -> ChatState:
    """Every extension granted, at noon UTC."""
    state = ChatState("alice", style, clock=lambda: NOON)
    state.start()
    state.receive(NumericReply(210, ALL), 0.0)
    return state


def history(state: ChatState, *lines: str) -> list[Line]:
    shown: list[Line] = []
    for line in lines:
        shown += state.receive(parse_server_line(line.encode()), 0.0)
    return shown


@pytest.mark.usefixtures("utc")
def test_history_after_join_is_dimmed_above_a_separator() -> None:
    state = with_history()
    typed(state, "/join teamchat")
    lines = history(
        state,
        "220 Joined teamchat",
        "280 teamchat Release planning",
        "260 17 1763712000.104 @bob #teamchat: morning",
        "260 18 1763712031.770 @alice #teamchat: my own line",
        "261 End of history",
    )
    assert texts(lines) == [
        "You are now in teamchat: what you type goes there (/leave leaves it).",
        "Topic of teamchat: Release planning",
        "[08:00] bob (in teamchat): morning",
        "[08:00] alice (in teamchat): my own line",
        "--- end of history of teamchat (/more for older ones) ---",
    ]
    assert [line.dim for line in lines] == [False, False, True, True, True]
    assert all(line.channel is Channel.CHAT for line in lines)
    assert state.topics == {"teamchat": "Release planning"}
    assert typed(state, "/more").requests == (HistoryRequest("#teamchat", None, 17),)


@pytest.mark.usefixtures("utc")
def test_an_empty_room_history_after_join_shows_nothing() -> None:
    state = with_history()
    typed(state, "/join quiet")
    assert texts(history(state, "220 Joined quiet", "261 End of history")) == [
        "You are now in quiet: what you type goes there (/leave leaves it)."
    ]
    assert not state.awaiting_reply


@pytest.mark.usefixtures("utc")
def test_history_command_lobby_rooms_direct_and_paging() -> None:
    state = with_history()
    step = typed(state, "/history 2")
    assert step.requests == (HistoryRequest("#lobby", 2),)
    assert state.awaiting_reply  # a script's /more waits until this page has arrived
    lines = history(
        state,
        "260 40 1763640000 @bob: yesterday in the lobby",
        "260 41 1763726000 @bob > alice: psst",
        "260 42 1763726100 @alice > bob: hi bob",
        "261 End of history",
    )
    assert texts(lines) == [
        "[2025-11-20 12:00] @bob: yesterday in the lobby",
        "[11:53] bob (private): psst",
        "[11:55] alice (private to bob): hi bob",
        "--- end of history of the lobby (/more for older ones) ---",
    ]
    assert not state.awaiting_reply
    assert typed(state, "/more").requests == (HistoryRequest("#lobby", 2, 40),)
    assert texts(history(state, "261 End of history")) == ["No earlier messages in the lobby."]
    assert texts(typed(state, "/more").lines) == ["No earlier messages in the lobby."]
    assert typed(state, "/history @bob").requests == (HistoryRequest("@bob", None),)
    assert texts(history(state, "261 End of history")) == ["No messages with bob yet."]


def test_more_before_any_history_and_history_of_a_room_we_are_not_in() -> None:
    state = with_history()
    step = typed(state, "/more")
    assert step.requests == ()
    assert "/more shows the messages before" in step.lines[0].text
    assert typed(state, "/history #elsewhere").requests == (HistoryRequest("#elsewhere", None),)
    assert state.awaiting_reply
    assert texts(history(state, "411 Not in room elsewhere")) == ["You are not in room elsewhere."]
    assert not state.awaiting_reply


def test_history_that_never_ends_is_not_waited_for_forever() -> None:
    state = with_history()
    typed(state, "/history")
    state.stop_waiting()
    assert not state.awaiting_reply


@pytest.mark.usefixtures("utc")
def test_history_lines_that_are_not_are_shown_as_they_came() -> None:
    state = with_history()
    typed(state, "/history")
    assert texts(history(state, "260 x y @bob: z", "260 1 nan @bob: z", "260 1 1e20 z")) == [
        "server: 260 x y @bob: z",
        "server: 260 1 nan @bob: z",
        "server: 260 1 1e20 z",
    ]
    assert texts(history(state, "260 5 0 \x1b[2Jgarbage")) == [
        "[1970-01-01 00:00] \ufffd[2Jgarbage"
    ]


def test_history_needs_the_extension() -> None:
    state = ChatState("alice")
    state.start()
    state.receive(NumericReply(210, "Extensions enabled: rooms dm who presence"), 0.0)
    assert texts(typed(state, "/history").lines) == ["This server does not keep history."]
    assert texts(typed(state, "/register").lines) == [
        "This server does not support accounts (names protected by a password)."
    ]
    typed(state, "/join dev")
    # Without history on, no history follows 220: nothing is waited for.
    state.receive(NumericReply(220, "Joined dev"), 0.0)
    assert not state.awaiting_reply


def test_topics_shown_asked_and_set() -> None:
    state = with_history()
    assert "The lobby has no topic" in typed(state, "/topic hello").lines[0].text
    typed(state, "/join dev")
    history(state, "220 Joined dev", "261 End of history")
    assert typed(state, "/topic").requests == (Topic("dev", None),)
    assert typed(state, "/topic Ship it\x1b!").requests == (Topic("dev", "Ship it\ufffd!"),)
    assert texts(history(state, "280 dev")) == ["dev has no topic."]
    assert texts(history(state, "280 dev Ship it!")) == ["Topic of dev: Ship it!"]


def test_account_commands_ask_for_passwords_then_send_them() -> None:
    state = with_history()
    assert typed(state, "/register") == Step(account="create")
    assert typed(state, "/password") == Step(account="change")
    assert typed(state, "/unregister") == Step(account="delete")
    step = state.account("change", (Secret("old one!"), Secret("new one!")))
    assert step.requests == (AccountCommand("PASSWORD", ("old one!", "new one!")),)
    assert state.awaiting_reply  # a script's next line may need the new password
    assert texts(history(state, "271 Password changed")) == ["Password changed."]
    assert not state.awaiting_reply
    state.account("create", (Secret("x" * 8),))
    assert texts(history(state, "401 Client already registered")) == [
        "The name alice already has an account (/password changes its password)."
    ]


@pytest.mark.parametrize(
    ("reply", "shown"),
    [
        (
            "270 Account created",
            "Account created: the name alice now needs its password to log in.",
        ),
        ("272 Account deleted", "Account deleted: the name alice no longer needs a password."),
        ("407 Invalid name or password", "Wrong password (or the name has no account); nothing"),
        (
            "408 Unacceptable password (a password has at least 8 characters)",
            "Unacceptable password: a password has at least 8 characters; nothing was changed.",
        ),
        ("429 Too many failed attempts; wait 4 s", "Too many failed attempts; wait 4 s; nothing"),
    ],
)
def test_answers_to_account_commands(reply: str, shown: str) -> None:
    state = with_history()
    state.account("delete", (Secret("password"),))
    lines = history(state, reply)
    assert len(lines) == 1
    assert lines[0].text.startswith(shown)
    assert lines[0].channel is (Channel.CHAT if reply[0] == "2" else Channel.NOTICE)


def test_a_flood_notice_is_not_taken_for_the_answer_to_an_account_command() -> None:
    state = with_history()
    state.account("delete", (Secret("password"),))
    assert texts(history(state, "429 Too many messages; slow down")) == [
        "server: 429 Too many messages; slow down"
    ]
    assert "Wrong password" in history(state, "407 Invalid name or password")[0].text
    # Without an account command pending, a 407 is just shown.
    assert texts(history(state, "407 Invalid name or password")) == [
        "server: 407 Invalid name or password"
    ]


def test_account_command_in_line_mode_is_refused_without_the_extension_settled() -> None:
    state = ChatState("alice")
    state.start()
    assert state.perform(ManageAccount("create")) == Step(wait=True)


# Extensions asked for before registering -----------------------------------------------------


def test_what_is_asked_for_before_and_after_registering() -> None:
    assert wanted_extensions("slash", live=False) == WANTED
    assert first_extensions("slash", live=False) == ("rooms", "who", "presence", "history", "auth")
    assert first_extensions("slash", live=True)[-1] == "live"
    assert first_extensions("seed004", live=False) == ("auth",)
    assert first_extensions("seed004", live=True) == ("auth", "live")


def test_granted_before_registering_leaves_only_dm_to_ask_for() -> None:
    asked = first_extensions("slash", live=False)
    state = ChatState("alice", first=(asked, frozenset(asked)))
    assert state.start() == Step(requests=(Extend(("dm",)),))
    assert not state.settled
    lines = state.receive(NumericReply(210, "Extensions enabled: " + " ".join(WANTED)), 0.0)
    assert state.extensions == frozenset(WANTED)
    assert lines[0].text.startswith("Server extensions: auth dm history")


def test_seed004_style_that_logged_in_is_settled_at_once() -> None:
    state = ChatState("alice", "seed004", first=(("auth",), frozenset({"auth"})))
    step = state.start()
    assert step.requests == ()
    assert state.extensions == frozenset({"auth"})


@pytest.mark.usefixtures("utc")
def test_a_message_kept_offline_says_when_it_was_sent_in_local_time() -> None:
    state = ChatState("bob", clock=lambda: NOON)
    state.start()
    lines = state.receive(
        IncomingMessage("alice", "[private, sent 2025-11-21 08:00 UTC] see you"), 0.0
    )
    assert texts(lines) == ["alice (private): see you (sent 08:00)"]
    older = state.receive(
        IncomingMessage("alice", "[private, sent 2025-11-19 23:59 UTC] older"), 0.0
    )
    assert texts(older) == ["alice (private): older (sent 2025-11-19 23:59)"]
    odd = state.receive(IncomingMessage("alice", "[private, sent last week] hm"), 0.0)
    assert texts(odd) == ["alice (private): hm (sent last week)"]
    state.receive(NumericReply(210, ALL), 0.0)
    # Once the extensions are on, a line like that is someone's lobby chat.
    fake = state.receive(IncomingMessage("carol", "[private, sent 2025-11-21 08:00 UTC] x"), 0.0)
    assert texts(fake) == ["@carol: [private, sent 2025-11-21 08:00 UTC] x"]
