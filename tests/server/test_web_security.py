"""The security review's rules through the web door too (docs/security.md): the same core
answers them for every door, and these pin that the web door asks it and says so."""

from __future__ import annotations

from tests.server.conftest import Connect, MakeServer, ServerThread, wait_for
from tests.server.web_client import WebClient


def test_invisible_look_alike_and_reserved_names_are_refused(server: ServerThread) -> None:
    holder = WebClient(server.port)
    holder.sign_in("alice")
    for name in ("server\u1160", "\u3164", "\u0251lice", "ADMIN", "r\u0585\u0585t"):
        web = WebClient(server.port)
        answer = web.request({"type": "signin", "name": name})
        assert answer["type"] == "error", name
        assert answer["code"] in ("bad_name", "name_taken"), (name, answer)


def test_padding_cannot_fake_a_second_line(server: ServerThread, connect: Connect) -> None:
    web = WebClient(server.port)
    web.sign_in("mallory")
    bob = connect("bob")
    web.request({"type": "say", "room": "lobby", "text": "ok" + " " * 88 + "@alice: psst"})
    line = bob.line()
    assert line.startswith(b"@mallory: ok") and b" " * 9 not in line


def test_the_next_holder_of_a_name_never_reads_its_conversations(
    server: ServerThread, connect: Connect
) -> None:
    dave = connect("dave")
    dave.send(b"EXTEND dm CHAT/1.0\n")
    dave.line()
    carol = WebClient(server.port)
    carol.sign_in("carol")
    carol.request({"type": "dm", "to": "dave", "text": "reset code 998877"})
    assert b"998877" in dave.line()
    carol.close()
    assert wait_for(lambda: "carol" not in server.who())
    squatter = WebClient(server.port)
    squatter.sign_in("Carol")
    page = squatter.request({"type": "history", "target": "@dave"})
    assert page["type"] == "history" and page["messages"] == []
    found = squatter.request({"type": "history", "target": "@dave", "after": 0})
    assert found["messages"] == []


def test_one_sender_cannot_fill_anothers_offline_queue(make_server: MakeServer) -> None:
    server = make_server(offline_per_sender=3)
    away = WebClient(server.port)
    away.request({"type": "signup", "name": "erin", "password": "correct horse 9"})
    away.close()
    assert wait_for(lambda: "erin" not in server.who())
    spammer = WebClient(server.port)
    spammer.sign_in("spam")
    for _ in range(3):
        assert spammer.request({"type": "dm", "to": "erin", "text": "junk"})["queued"] is True
    refused = spammer.request({"type": "dm", "to": "erin", "text": "one more"})
    assert refused["type"] == "error" and refused["code"] == "queue_full"
    friend = WebClient(server.port)
    friend.sign_in("frank")
    assert friend.request({"type": "dm", "to": "erin", "text": "real one"})["queued"] is True


def test_control_characters_from_a_page_reach_no_terminal_and_fake_no_line(
    server: ServerThread, connect: Connect
) -> None:
    """CHAT/1.0 and plain clients read lines (a bare CR may end one) and print to terminals:
    what a page sends is neutralised as every door's input is (U+FFFD for each control)."""
    web = WebClient(server.port)
    web.sign_in("mallory")
    bob = connect("bob")
    web.request({"type": "say", "room": "lobby", "text": "hi\r@server: fake\x1b[2J\u2028x"})
    assert bob.line() == "@mallory: hi\ufffd@server: fake\ufffd[2J\ufffdx".encode()
    web.request({"type": "dm", "to": "bob", "text": "psst\rDISCONNECT CHAT/1.0"})
    whisper = bob.line()  # bob asked for no extension: a direct message reads as seed 004's
    assert whisper.endswith("psst\ufffdDISCONNECT CHAT/1.0".encode()) and b"\r" not in whisper
