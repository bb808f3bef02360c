"""CHAT/1.0 codec: every client line form, every server line form, totality."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from parley.protocol import chat1
from parley.protocol.chat1 import (
    ChatMessage,
    Disconnect,
    IncomingMessage,
    Malformed,
    Notice,
    NumericReply,
    Register,
    Reply,
    ServerDisconnect,
)
from parley.protocol.framing import LineTooLong
from parley.protocol.names import is_valid_name


def test_register() -> None:
    assert chat1.parse_client_line(b"REGISTER alice CHAT/1.0") == Register("alice")


def test_register_malformed_forms() -> None:
    for line in (
        b"REGISTER alice",
        b"REGISTER alice CHAT/2.0",
        b"REGISTER CHAT/1.0",
        b"REGISTER al ice CHAT/1.0",
        b"REGISTER -alice CHAT/1.0",
        b"REGISTER " + b"a" * 33 + b" CHAT/1.0",
    ):
        assert chat1.parse_client_line(line) == Malformed(Reply.INVALID_REGISTRATION), line


def test_message_with_and_without_space() -> None:
    assert chat1.parse_client_line(b"@alice: hi: there") == ChatMessage("alice", "hi: there")
    assert chat1.parse_client_line(b"@alice:hi") == ChatMessage("alice", "hi")


def test_message_control_characters_neutralised() -> None:
    event = chat1.parse_client_line(b"@alice: a\rb\x1b[2Jc\td")
    assert event == ChatMessage("alice", "a\ufffdb\ufffd[2Jc\td")


def test_disconnect_forms() -> None:
    assert chat1.parse_client_line(b"DISCONNECT alice CHAT/1.0") == Disconnect("alice")
    assert chat1.parse_client_line(b"DISCONNECT CHAT/1.0") == Disconnect(None)


def test_errors() -> None:
    assert chat1.parse_client_line(b"hello") == Malformed(Reply.UNKNOWN_COMMAND)
    assert chat1.parse_client_line(b"@alice hi").reply is Reply.UNKNOWN_COMMAND  # type: ignore[union-attr]
    assert chat1.parse_client_line(b"\xff\xfe") == Malformed(Reply.INVALID_UTF8)
    assert chat1.parse_client_line(LineTooLong(8192)).reply is Reply.LINE_TOO_LONG  # type: ignore[union-attr]


def test_seed_reply_bytes_are_exact() -> None:
    assert chat1.encode_reply(Reply.REGISTERED) == b"200 Registration successful\n"
    assert chat1.encode_reply(Reply.INVALID_REGISTRATION) == b"400 Invalid registration\n"
    assert chat1.encode_reply(Reply.ALREADY_REGISTERED) == b"401 Client already registered\n"
    assert chat1.SERVER_DISCONNECT == b"DISCONNECT CHAT/1.0\n"
    assert chat1.encode_register("bob") == b"REGISTER bob CHAT/1.0\n"
    assert chat1.encode_client_disconnect("bob") == b"DISCONNECT bob CHAT/1.0\n"
    assert chat1.encode_message("bob", "hi") == b"@bob: hi\n"


def test_server_lines() -> None:
    assert chat1.parse_server_line(b"200 OK") == NumericReply(200, "OK")
    assert chat1.parse_server_line(b"401 Client already registered") == NumericReply(
        401, "Client already registered"
    )
    assert chat1.parse_server_line(b"DISCONNECT CHAT/1.0") == ServerDisconnect()
    assert chat1.parse_server_line(b"@bob: hi") == IncomingMessage("bob", "hi")
    assert chat1.parse_server_line(b"hello world") == Notice("hello world")
    assert chat1.parse_server_line(b"2000 people") == Notice("2000 people")


names = st.text(alphabet=st.characters(categories=("Lu", "Ll", "Nd")), min_size=1, max_size=32)


@given(names)
def test_register_round_trip(name: str) -> None:
    line = chat1.encode_register(name).rstrip(b"\n")
    assert chat1.parse_client_line(line) == Register(name)


@given(names, st.text().filter(lambda t: t.isprintable()))
def test_message_round_trip(name: str, text: str) -> None:
    line = chat1.encode_message(name, text).rstrip(b"\n")
    assert chat1.parse_client_line(line) == ChatMessage(name, text)
    assert chat1.parse_server_line(line) == IncomingMessage(name, text)


@given(st.binary(max_size=200))
def test_any_bytes_parse_without_exception(data: bytes) -> None:
    event = chat1.parse_client_line(data)
    assert isinstance(event, chat1.ClientEvent)
    if isinstance(event, ChatMessage):
        assert "\n" not in event.text and "\r" not in event.text
    assert chat1.parse_server_line(data) is not None


def test_typing_lines_recognised_cheaply() -> None:
    assert chat1.is_typing_line(b"@alice ~: hel")
    assert chat1.is_typing_line(b"@alice ~#room: hel")
    assert not chat1.is_typing_line(b"@alice: a ~ b")
    assert not chat1.is_typing_line(b"REGISTER a CHAT/1.0")
    assert not chat1.is_typing_line(LineTooLong(10))


def test_bidi_overrides_and_separators_neutralised() -> None:
    event = chat1.parse_client_line("@alice: a\u202eb\u2028c".encode())
    assert event == ChatMessage("alice", "a\ufffdb\ufffdc")


# Every client verb, pinned form by form: the verb table (`chat1._VERBS`) with its arities,
# builders and refusals. `usage(...)` is the detail a refusal of a moderation verb carries.

B64 = chat1.encode_password("correct horse")  # Y29ycmVjdCBob3JzZQ==
BAD_UTF8_B64 = "//4="  # base64 of b"\xff\xfe"
UNKNOWN = Malformed(Reply.UNKNOWN_COMMAND)
BAD_REGISTRATION = Malformed(Reply.INVALID_REGISTRATION)


def usage(text: str) -> Malformed:
    return Malformed(Reply.UNKNOWN_COMMAND, text)


MODE_USAGE = usage("MODE <room> <+|-letter> [<argument>]")
KICK_USAGE = usage("KICK <room> <name> [<reason>]")
INVITE_USAGE = usage("INVITE <room> <name>")
ACCOUNT_USAGE = usage("ACCOUNT CREATE|PASSWORD|DELETE ...")
SEARCH_USAGE = usage("SEARCH words [#room|@user]")
HISTORY_USAGE = usage("HISTORY #room|@user [count [before]]")
NOT_BASE64 = Malformed(Reply.BAD_LOGIN, "the password must be base64 of UTF-8")
NOT_BASE64S = Malformed(Reply.BAD_LOGIN, "passwords must be base64 of UTF-8")
HORSE = "correct horse"

VERB_CASES: list[tuple[str, chat1.ClientEvent]] = [
    ("REGISTER alice CHAT/1.0", Register("alice")),
    ("REGISTER \uff21lice CHAT/1.0", Register("\uff21lice")),
    ("REGISTER alice bob CHAT/1.0", BAD_REGISTRATION),
    ("REGISTER CHAT/1.0", BAD_REGISTRATION),
    ("DISCONNECT alice CHAT/1.0", Disconnect("alice")),
    ("DISCONNECT CHAT/1.0", Disconnect(None)),
    ("DISCONNECT alice bob CHAT/1.0", UNKNOWN),
    ("EXTEND CHAT/1.0", chat1.Extend(())),
    ("EXTEND rooms dm nonsense CHAT/1.0", chat1.Extend(("rooms", "dm", "nonsense"))),
    ("PING CHAT/1.0", chat1.Ping("")),
    ("PING t0k3n CHAT/1.0", chat1.Ping("t0k3n")),
    ("PING a b CHAT/1.0", UNKNOWN),
    ("JOIN dev CHAT/1.0", chat1.Join("dev")),
    ("JOIN #dev CHAT/1.0", chat1.Join("#dev")),
    ("JOIN dev s3cret CHAT/1.0", chat1.Join("dev", "s3cret")),
    ("JOIN dev s3cret more CHAT/1.0", UNKNOWN),
    ("JOIN CHAT/1.0", UNKNOWN),
    ("LEAVE dev CHAT/1.0", chat1.Leave("dev")),
    ("LEAVE CHAT/1.0", UNKNOWN),
    ("LEAVE dev ops CHAT/1.0", UNKNOWN),
    ("TOPIC dev CHAT/1.0", chat1.Topic("dev", None)),
    ("TOPIC dev Release  day,  all hands CHAT/1.0", chat1.Topic("dev", "Release  day,  all hands")),
    ("TOPIC dev a\x1bb CHAT/1.0", chat1.Topic("dev", "a\ufffdb")),
    ("TOPIC CHAT/1.0", UNKNOWN),
    ("MODE dev +m CHAT/1.0", chat1.Mode("dev", "+m")),
    ("MODE dev -i CHAT/1.0", chat1.Mode("dev", "-i")),
    ("MODE dev +k s3cret CHAT/1.0", chat1.Mode("dev", "+k", "s3cret")),
    ("MODE dev +o bob CHAT/1.0", chat1.Mode("dev", "+o", "bob")),
    ("MODE dev *m CHAT/1.0", MODE_USAGE),
    ("MODE dev moderated CHAT/1.0", MODE_USAGE),
    ("MODE dev + CHAT/1.0", MODE_USAGE),
    ("MODE dev CHAT/1.0", MODE_USAGE),
    ("MODE dev +k a b CHAT/1.0", MODE_USAGE),
    ("KICK dev bob CHAT/1.0", chat1.Kick("dev", "bob")),
    ("KICK dev bob go  away\tnow CHAT/1.0", chat1.Kick("dev", "bob", "go  away\tnow")),
    ("KICK dev bob a\rb CHAT/1.0", chat1.Kick("dev", "bob", "a\ufffdb")),
    ("KICK dev CHAT/1.0", KICK_USAGE),
    ("INVITE dev bob CHAT/1.0", chat1.Invite("dev", "bob")),
    ("INVITE dev CHAT/1.0", INVITE_USAGE),
    ("INVITE dev bob carol CHAT/1.0", INVITE_USAGE),
    ("WHO CHAT/1.0", chat1.Who()),
    ("WHO dev CHAT/1.0", UNKNOWN),
    ("ROOMS CHAT/1.0", chat1.Rooms()),
    ("ROOMS dev CHAT/1.0", UNKNOWN),
    (f"LOGIN alice {B64} CHAT/1.0", chat1.Login("alice", HORSE)),
    (f"LOGIN -alice {B64} CHAT/1.0", BAD_REGISTRATION),
    ("LOGIN alice CHAT/1.0", BAD_REGISTRATION),
    ("LOGIN alice not-base64! CHAT/1.0", NOT_BASE64),
    (f"LOGIN alice {BAD_UTF8_B64} CHAT/1.0", NOT_BASE64),
    (f"SIGNUP alice {B64} CHAT/1.0", chat1.Signup("alice", HORSE)),
    (f"SIGNUP alice {B64} {B64} CHAT/1.0", BAD_REGISTRATION),
    (f"ACCOUNT CREATE {B64} CHAT/1.0", chat1.AccountCommand("CREATE", (HORSE,))),
    (f"ACCOUNT PASSWORD {B64} {B64} CHAT/1.0", chat1.AccountCommand("PASSWORD", (HORSE, HORSE))),
    (f"ACCOUNT DELETE {B64} CHAT/1.0", chat1.AccountCommand("DELETE", (HORSE,))),
    (f"ACCOUNT PASSWORD {B64} CHAT/1.0", ACCOUNT_USAGE),
    (f"ACCOUNT create {B64} CHAT/1.0", ACCOUNT_USAGE),
    ("ACCOUNT CHAT/1.0", ACCOUNT_USAGE),
    ("ACCOUNT DELETE ??? CHAT/1.0", NOT_BASE64S),
    ("HISTORY #dev CHAT/1.0", chat1.HistoryRequest("#dev")),
    ("HISTORY @bob 20 CHAT/1.0", chat1.HistoryRequest("@bob", 20)),
    ("HISTORY #dev 20 1234 CHAT/1.0", chat1.HistoryRequest("#dev", 20, 1234)),
    ("HISTORY dev CHAT/1.0", HISTORY_USAGE),
    ("HISTORY # CHAT/1.0", HISTORY_USAGE),
    ("HISTORY #dev twenty CHAT/1.0", HISTORY_USAGE),
    ("HISTORY #dev \u00b2 CHAT/1.0", HISTORY_USAGE),
    ("HISTORY #dev 1234567890 CHAT/1.0", HISTORY_USAGE),
    ("HISTORY #dev 1 2 3 CHAT/1.0", HISTORY_USAGE),
    ("HISTORY CHAT/1.0", HISTORY_USAGE),
    ("SEARCH deploy CHAT/1.0", chat1.SearchRequest("deploy")),
    ("SEARCH deploy log #dev CHAT/1.0", chat1.SearchRequest("deploy log", "#dev")),
    ("SEARCH where  is it? @bob CHAT/1.0", chat1.SearchRequest("where is it?", "@bob")),
    ("SEARCH #dev CHAT/1.0", chat1.SearchRequest("#dev")),  # a word, with nothing after it
    ("SEARCH deploy # CHAT/1.0", SEARCH_USAGE),
    ("SEARCH CHAT/1.0", SEARCH_USAGE),
]


@pytest.mark.parametrize(("line", "event"), VERB_CASES)
def test_client_verbs(line: str, event: chat1.ClientEvent) -> None:
    assert chat1.parse_client_line(line.encode()) == event


def test_every_verb_of_the_table_is_pinned() -> None:
    pinned = {line.split()[0] for line, _ in VERB_CASES}
    assert pinned == set(chat1._VERBS)


@pytest.mark.parametrize(
    ("line", "event"),
    [
        ("  JOIN\tdev \u3000 s3cret  CHAT/1.0 \r", chat1.Join("dev", "s3cret")),
        ("JOIN dev CHAT/1.0\r", chat1.Join("dev")),
        ("TOPIC\tdev\t tab  kept \tCHAT/1.0", chat1.Topic("dev", "tab  kept")),
        ("  KICK dev  bob   for  ever  CHAT/1.0  ", chat1.Kick("dev", "bob", "for  ever")),
        ("JOIN dev", UNKNOWN),  # no version: never the verb's usage
        ("MODE dev +m", UNKNOWN),
        ("MODE dev +m CHAT/2.0", UNKNOWN),
        ("REGISTER alice", BAD_REGISTRATION),  # ...but REGISTER is always 400
        ("REGISTER", BAD_REGISTRATION),
        ("join dev CHAT/1.0", UNKNOWN),  # verbs are case-sensitive
        ("JOINED dev bob CHAT/1.0", UNKNOWN),  # a server's line is not a client's
        ("CHAT/1.0", UNKNOWN),
        ("", UNKNOWN),
        ("   ", UNKNOWN),
    ],
)
def test_client_spacing_and_versions(line: str, event: chat1.ClientEvent) -> None:
    assert chat1.parse_client_line(line.encode()) == event


NOT_A_MESSAGE = Malformed(Reply.UNKNOWN_COMMAND, "expected '@name: text'")


@pytest.mark.parametrize(
    ("line", "event"),
    [
        ("@alice #dev: hi", ChatMessage("alice", "hi", "dev")),
        ("@alice #dev:hi", ChatMessage("alice", "hi", "dev")),
        ("@alice #: hi", NOT_A_MESSAGE),
        ("@alice ~: hel", chat1.TypingUpdate("alice", "hel")),
        ("@alice ~:", chat1.TypingUpdate("alice", "")),
        ("@alice ~#dev: hel", chat1.TypingUpdate("alice", "hel", "dev")),
        ("@alice ~dev: hel", chat1.TypingUpdate("alice", "hel", "dev")),
        ("@alice ~#: hel", chat1.TypingUpdate("alice", "hel")),
        ("@alice > bob: psst", chat1.DirectMessage("alice", "bob", "psst")),
        ("@alice > bob: a\x1bb", chat1.DirectMessage("alice", "bob", "a\ufffdb")),
        ("@alice > : psst", NOT_A_MESSAGE),
        ("@alice >bob: psst", NOT_A_MESSAGE),
        ("@alice  #dev: hi", NOT_A_MESSAGE),  # the head splits on single spaces
        ("@alice #dev extra: hi", NOT_A_MESSAGE),
        ("@-alice: hi", NOT_A_MESSAGE),
        ("@: hi", NOT_A_MESSAGE),
        ("@alice", NOT_A_MESSAGE),
        ("@alice:  two", ChatMessage("alice", " two")),  # one space after the colon is taken
    ],
)
def test_chat_message_forms(line: str, event: chat1.ClientEvent) -> None:
    assert chat1.parse_client_line(line.encode()) == event


@pytest.mark.parametrize(
    ("line", "event"),
    [
        ("200", NumericReply(200, "")),
        ("290 Pong t0k3n", NumericReply(290, "Pong t0k3n")),
        ("\uff12\uff10\uff10 wide digits", Notice("\uff12\uff10\uff10 wide digits")),
        ("  DISCONNECT   CHAT/1.0 ", ServerDisconnect()),
        ("DISCONNECT CHAT/1.0 now", Notice("DISCONNECT CHAT/1.0 now")),
        ("@bob #dev: hi", IncomingMessage("bob", "hi", room="dev")),
        ("@bob #: hi", IncomingMessage("bob", "hi", room="")),  # lenient, unlike a client
        ("@bob > alice: psst", IncomingMessage("bob", "psst", recipient="alice")),
        ("@bob > : psst", IncomingMessage("bob", "psst", recipient="")),
        ("@bob ~: hel", IncomingMessage("bob", "hel", typing=True)),
        ("@bob ~#dev: hel", IncomingMessage("bob", "hel", room="dev", typing=True)),
        ("@bob: a\x1bb", IncomingMessage("bob", "a\x1bb")),  # shown by the client, not here
        ("@: hi", Notice("@: hi")),
        ("@bob #dev extra: hi", Notice("@bob #dev extra: hi")),
        ("JOINED dev bob CHAT/1.0", chat1.PresenceNotice("joined", "dev", "bob")),
        ("LEFT dev bob CHAT/1.0", chat1.PresenceNotice("left", "dev", "bob")),
        ("QUIT * bob CHAT/1.0", chat1.PresenceNotice("quit", "*", "bob")),
        ("JOINED dev bob", Notice("JOINED dev bob")),
        ("KICKED dev bob carol CHAT/1.0", Notice("KICKED dev bob carol CHAT/1.0")),
    ],
)
def test_server_line_forms(line: str, event: chat1.ServerEvent) -> None:
    assert chat1.parse_server_line(line.encode()) == event


def test_server_lines_too_long_or_not_utf8() -> None:
    assert chat1.parse_server_line(LineTooLong(10)) == Notice(
        "[a line longer than 10 bytes was dropped]"
    )
    assert chat1.parse_server_line(b"@bob: \xff") == IncomingMessage("bob", "\ufffd")


def test_moderation_broadcasts_are_notices_to_a_client() -> None:
    for line in (
        chat1.encode_mode("dev", "alice", "+o", "bob"),
        chat1.encode_kicked("dev", "bob", "alice", "spam"),
        chat1.encode_invited("dev", "alice"),
    ):
        assert chat1.parse_server_line(line.rstrip(b"\n")) == Notice(line.decode().rstrip("\n"))


words = st.text(
    alphabet=st.characters(categories=("L", "N", "P", "S"), exclude_characters="@"),
    min_size=1,
    max_size=20,
)
free_text = st.text(alphabet=st.characters(categories=("L", "N", "P", "S", "Zs")), max_size=60)


@given(words, st.one_of(st.just(""), words))
def test_join_with_or_without_key(room: str, key: str) -> None:
    line = " ".join(w for w in ("JOIN", room, key, "CHAT/1.0") if w)
    assert chat1.parse_client_line(line.encode()) == chat1.Join(room, key)


@given(words, st.sampled_from("+-"), st.sampled_from("ovbqmtisk"), st.one_of(st.just(""), words))
def test_mode_changes(room: str, sign: str, letter: str, argument: str) -> None:
    line = " ".join(w for w in ("MODE", room, sign + letter, argument, "CHAT/1.0") if w)
    assert chat1.parse_client_line(line.encode()) == chat1.Mode(room, sign + letter, argument)


@given(words, names, free_text)
def test_kick_reason_is_the_rest_of_the_line(room: str, name: str, reason: str) -> None:
    event = chat1.parse_client_line(f"KICK {room} {name} {reason} CHAT/1.0".encode())
    assert event == chat1.Kick(room, name, reason.strip())


@given(words, free_text)
def test_topic_is_the_rest_of_the_line(room: str, text: str) -> None:
    event = chat1.parse_client_line(f"TOPIC {room} {text} CHAT/1.0".encode())
    assert event == chat1.Topic(room, text.strip() or None)


@given(words, names)
def test_invite(room: str, name: str) -> None:
    assert chat1.parse_client_line(f"INVITE {room} {name} CHAT/1.0".encode()) == chat1.Invite(
        room, name
    )


def test_room_event_lines_read_back_as_they_were_written() -> None:
    from parley.protocol.chat1 import (
        InvitedNotice,
        KickedNotice,
        ModeNotice,
        encode_invited,
        encode_kicked,
        encode_mode,
        parse_moderation_notice,
    )

    def read(data: bytes) -> object:
        return parse_moderation_notice(data.decode().rstrip("\n"))

    assert read(encode_kicked("dev", "bob", "ann", "too many links")) == KickedNotice(
        "dev", "bob", "ann", "too many links"
    )
    assert read(encode_kicked("dev", "bob", "ann", "")) == KickedNotice("dev", "bob", "ann")
    assert read(encode_mode("dev", "ann", "+o", "bob")) == ModeNotice("dev", "ann", "+o", "bob")
    assert read(encode_mode("dev", "ann", "-m", "")) == ModeNotice("dev", "ann", "-m")
    assert read(encode_invited("dev", "ann")) == InvitedNotice("dev", "ann")
    assert parse_moderation_notice("KICKED dev CHAT/1.0") is None


@given(
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters=" :\n\r"), max_size=40),
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r"), max_size=80),
)
def test_a_lobby_line_is_read_by_the_same_rules_on_its_short_path(name: str, text: str) -> None:
    """``@name: text`` (no room, no recipient) skips the address parser: the same answer."""
    event = chat1.parse_client_line(f"@{name}: {text}".encode())
    if is_valid_name(name):
        assert event == chat1.ChatMessage(name, chat1.neutralise_controls(text), None)
    else:
        assert event == chat1.Malformed(chat1.Reply.UNKNOWN_COMMAND, "expected '@name: text'")
