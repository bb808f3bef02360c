"""The web door's WebSocket at the socket: the page's protocol against a real server, with
CHAT/1.0 clients in the same rooms."""

from __future__ import annotations

import json
import socket
import time

from parley.protocol.chat1 import encode_password
from tests.server.conftest import Connect, MakeServer, ServerThread, wait_for
from tests.server.web_client import WebClient


def test_hello_then_signin_and_welcome(server: ServerThread) -> None:
    web = WebClient(server.port)
    assert web.hello == {
        "type": "hello",
        "version": 1,
        "server": "parley",
        "max_text": 4000,
        "max_name": 32,
    }
    welcome = web.sign_in("alice")
    assert welcome["type"] == "welcome" and welcome["name"] == "alice"
    assert welcome["account"] is False and len(welcome["token"]) >= 43
    assert welcome["rooms"][0]["name"] == "lobby"
    assert welcome["unread"][0]["target"] == "lobby"


def test_web_and_chat1_users_talk_both_ways(server: ServerThread, connect: Connect) -> None:
    web = WebClient(server.port)
    web.sign_in("alice")
    bob = connect("bob")
    bob.send(b"@bob: hello <b>alice</b>\n")
    message = web.wait(type="message")
    assert message["from"] == "bob" and message["room"] == "lobby"
    assert message["text"] == "hello <b>alice</b>" and message["mention"] is True
    assert isinstance(message["id"], int) and message["id"] > 0
    unread = web.wait(type="unread")
    assert unread["target"] == "lobby" and unread["unread"] == 1 and unread["mentions"] == 1
    ok = web.request({"type": "say", "room": "lobby", "text": "hi bob\nsecond line"})
    assert ok["type"] == "ok" and len(ok["ids"]) == 2 and ok["ids"][1] == ok["ids"][0] + 1
    assert bob.lines(2) == [b"@alice: hi bob", b"@alice: second line"]


def test_text_is_json_escaped_and_never_in_headers(server: ServerThread, connect: Connect) -> None:
    web = WebClient(server.port)
    web.sign_in("alice")
    bob = connect("bob")
    bob.send('@bob: </script><script>alert(1)</script> "q" \\ é\n'.encode())
    raw = web.ws.recv(5)
    assert isinstance(raw, str)
    assert "<" not in raw and ">" not in raw  # escaped as \u003c, \u003e
    assert json.loads(raw)["text"] == '</script><script>alert(1)</script> "q" \\ é'


def test_direct_messages_cross_doors(server: ServerThread, connect: Connect) -> None:
    web = WebClient(server.port)
    web.sign_in("alice")
    bob = connect("bob")
    bob.send(b"EXTEND dm CHAT/1.0\n")
    bob.line()
    ok = web.request({"type": "dm", "to": "bob", "text": "psst"})
    assert ok["type"] == "ok" and len(ok["ids"]) == 1
    assert b"psst" in bob.line()
    bob.send(b"@bob > alice: back at you\n")
    message = web.wait(type="message")
    assert message["from"] == "bob" and message["to"] == "alice" and message["text"]


def test_offline_message_reaches_a_web_user_at_signin(
    server: ServerThread, connect: Connect
) -> None:
    first = WebClient(server.port)
    first.request({"type": "signup", "name": "carol", "password": "correct horse 9"})
    first.close()
    assert wait_for(lambda: "carol" not in server.who())
    sender = WebClient(server.port)
    sender.sign_in("dave")
    queued = sender.request({"type": "dm", "to": "carol", "text": "while you were out"})
    assert queued == {"type": "ok", "req": queued["req"], "queued": True}
    back = WebClient(server.port)
    welcome = back.sign_in("carol", "correct horse 9")
    assert welcome["type"] == "welcome" and welcome["account"] is True
    message = back.wait(type="message")
    assert message["text"] == "while you were out" and message["offline"] is True
    assert back.wait(type="unread")["target"] == "@dave"


def test_errors_are_values_and_the_socket_stays_open(server: ServerThread) -> None:
    web = WebClient(server.port)
    web.send_raw("not json")
    assert web.next()["code"] == "bad_message"
    web.send_raw("[1, 2]")
    assert web.next()["code"] == "bad_message"
    assert web.request({"type": "nope"})["code"] == "unknown_type"
    assert web.request({"type": "say", "room": "lobby", "text": "x"})["code"] == "not_signed_in"
    web.sign_in("erin")
    assert web.request({"type": "say", "room": "lobby"})["code"] == "bad_message"
    assert web.request({"type": "say", "room": "nowhere", "text": "x"})["code"] == "no_such_room"
    assert web.request({"type": "ping"})["type"] == "pong"


def test_oversize_frame_closes_with_1009(server: ServerThread) -> None:
    web = WebClient(server.port)
    web.send_raw(json.dumps({"type": "ping", "pad": "x" * 20000}))
    assert web.closed_with() == 1009


def test_binary_frame_closes_with_1003(server: ServerThread) -> None:
    web = WebClient(server.port)
    web.send_raw(b"\x00\x01")
    assert web.closed_with() == 1003


def test_rooms_history_and_moderation(server: ServerThread, connect: Connect) -> None:
    web = WebClient(server.port)
    web.sign_in("olga")
    joined = web.request({"type": "join", "room": "dev"})
    assert joined["type"] == "joined" and joined["room"] == "dev" and joined["members"] == ["olga"]
    assert joined["operators"] == ["olga"] and joined["voiced"] == []  # its creator
    ids = [web.request({"type": "say", "room": "dev", "text": f"line {i}"})["ids"][0]
           for i in range(3)]  # fmt: skip
    page = web.request({"type": "history", "target": "dev", "count": 2})
    assert [m["text"] for m in page["messages"]] == ["line 1", "line 2"] and page["more"] is True
    after = web.request({"type": "history", "target": "dev", "after": ids[0]})
    assert [m["id"] for m in after["messages"]] == ids[1:]
    pat = connect("pat")
    pat.send(b"EXTEND rooms CHAT/1.0\n")
    pat.line()
    pat.send(b"JOIN dev CHAT/1.0\n")
    assert web.wait(type="presence", name="pat")["kind"] == "join"
    assert web.request({"type": "mode", "room": "dev", "change": "+m"})["type"] == "ok"
    assert web.wait(type="mode")["change"] == "+m"
    kick = web.request({"type": "kick", "room": "dev", "name": "pat", "reason": "bye"})
    assert kick["type"] == "ok"
    assert web.wait(type="kicked", name="pat")["by"] == "olga"
    assert web.request({"type": "who"})["names"] == ["olga", "pat"]
    rooms = web.request({"type": "rooms"})["rooms"]
    assert {"name": "dev", "members": 1, "topic": ""} in rooms


def test_one_account_from_the_web_and_chat1_at_once(server: ServerThread) -> None:
    web = WebClient(server.port)
    web.request({"type": "signup", "name": "mia", "password": "correct-horse-9"})
    line = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    password = encode_password("correct-horse-9")
    line.sendall(f"EXTEND auth CHAT/1.0\nLOGIN mia {password} CHAT/1.0\n".encode())
    time.sleep(0.5)
    line.sendall(b"@mia: from the terminal\n")
    message = web.wait(type="message")
    assert message["from"] == "mia" and message["text"] == "from the terminal"
    line.close()


def test_resume_with_the_token_and_signout_ends_it(server: ServerThread) -> None:
    web = WebClient(server.port)
    token = web.request({"type": "signup", "name": "nora", "password": "correct horse 9"})["token"]
    second = WebClient(server.port)
    welcome = second.request({"type": "resume", "token": token})
    assert welcome["type"] == "welcome" and welcome["name"] == "nora" and welcome["token"] == token
    bye = second.request({"type": "signout"})
    assert bye["type"] == "bye"
    third = WebClient(server.port)
    assert third.request({"type": "resume", "token": token})["code"] == "bad_token"


def test_read_markers_reach_every_web_session(server: ServerThread, connect: Connect) -> None:
    one = WebClient(server.port)
    one.request({"type": "signup", "name": "rita", "password": "correct horse 9"})
    two = WebClient(server.port)
    two.sign_in("rita", "correct horse 9")
    sam = connect("sam")
    sam.send(b"@sam: one\n@sam: two rita\n")
    assert one.wait(type="unread", unread=2)["mentions"] == 1
    last = two.wait(type="unread", unread=2)["last_read"]
    message_id = one.seen[-2]["id"] if one.seen[-2]["type"] == "message" else last
    one.send({"type": "read", "target": "lobby", "id": message_id + 5})
    assert two.wait(type="unread", unread=0)["mentions"] == 0
    assert one.wait(type="unread", unread=0)["target"] == "lobby"


def test_flooding_web_client_is_slowed_like_any(make_server: MakeServer) -> None:
    server = make_server(flood_rate=5, flood_burst=5, flood_kick_after=0.5)
    web = WebClient(server.port)
    web.sign_in("flo")
    for _ in range(40):
        web.send({"type": "ping"})
    assert web.wait(code="too_fast")["type"] == "error"


def test_a_web_reader_that_never_reads_is_dropped(
    make_server: MakeServer, connect: Connect
) -> None:
    server = make_server(write_soft_limit=16 * 1024, write_hard_limit=64 * 1024, flood_rate=0)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: the window
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(
        f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: parley.v1\r\n"
        f"Origin: http://127.0.0.1:{server.port}\r\n\r\n".encode()
    )
    signin = json.dumps({"type": "signin", "name": "slow"}).encode()
    sock.sendall(bytes([0x81, 0x80 | len(signin)]) + b"\0\0\0\0" + signin)  # masked, key 0
    assert wait_for(lambda: "slow" in server.who())
    talker = WebClient(server.port)
    talker.sign_in("talker")
    text = "x" * 3900
    for _ in range(1500):
        talker.send({"type": "say", "room": "lobby", "text": text})
    assert wait_for(lambda: "slow" not in server.who(), timeout=10)
    sock.close()


def test_shutdown_sends_bye_and_a_close_frame(make_server: MakeServer) -> None:
    server = make_server()
    web = WebClient(server.port)
    web.sign_in("last")
    assert server.server is not None
    server.call(server.server.request_shutdown)
    assert web.wait(type="bye")["reason"] == "server shutting down"
    assert web.closed_with() == 1001


def test_a_name_only_token_ends_when_another_takes_the_name(
    server: ServerThread, connect: Connect
) -> None:
    web = WebClient(server.port)
    token = web.sign_in("quinn")["token"]
    web.close()
    assert wait_for(lambda: "quinn" not in server.who())
    other = connect("quinn")  # someone else, at another door
    other.close()
    assert wait_for(lambda: "quinn" not in server.who())
    again = WebClient(server.port)
    assert again.request({"type": "resume", "token": token})["code"] == "bad_token"


def test_typing_is_relayed_and_not_answered(server: ServerThread) -> None:
    one, two = WebClient(server.port), WebClient(server.port)
    one.sign_in("tia")
    two.sign_in("ugo")
    one.send({"type": "typing", "room": "lobby", "text": "hel"})
    typing = two.wait(type="typing")
    assert typing == {"type": "typing", "room": "lobby", "from": "tia", "text": "hel"}
    assert one.silent()


def test_past_the_history_quota_the_ok_still_comes_with_only_the_kept_ids(
    make_server: MakeServer,
) -> None:
    """A line not kept (the sender's daily quota is used up) still gets its `ok`, in order:
    its ids are those of the lines that were kept, so the page knows the rest have none."""
    server = make_server(history_user_mb=0.0001)  # 100 characters: two of these lines
    web = WebClient(server.port)
    web.sign_in("quinn")
    line = "x" * 40
    first = web.request({"type": "say", "room": "lobby", "text": f"{line}\n{line}"})
    assert first["type"] == "ok" and len(first["ids"]) == 2
    second = web.request({"type": "say", "room": "lobby", "text": f"{line}\n{line}"})
    assert second["type"] == "ok" and second["ids"] == []
    web.wait(code="too_fast")  # told once that the quota is used up
    third = web.request({"type": "say", "room": "lobby", "text": "y" * 20})
    assert third["type"] == "ok" and third["ids"] == []  # acks stay in step
