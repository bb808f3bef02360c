"""The web door's fan-out at the socket: a room message is framed once for all its receivers
and counted once in the room's tally, so these check that every receiver still reads its own
message (its mention flag, its counts) and nothing more."""

from __future__ import annotations

from tests.server.conftest import Connect, ServerThread
from tests.server.web_client import Message, WebClient

PASSWORD = "correct horse 9"


def _messages(client: WebClient, count: int) -> list[Message]:
    return [client.wait(type="message") for _ in range(count)]


def _signed_in(server: ServerThread, name: str, *, signup: bool = False) -> WebClient:
    """A page signed in as `name` (alice has an account, so that she can have two tabs)."""
    client = WebClient(server.port)
    if signup:
        welcome = client.request({"type": "signup", "name": name, "password": PASSWORD})
    else:
        welcome = client.sign_in(name, PASSWORD if name == "alice" else None)
    assert welcome["type"] == "welcome"
    return client


def test_a_shared_frame_reads_right_for_every_receiver(
    server: ServerThread, connect: Connect
) -> None:
    tab1 = _signed_in(server, "alice", signup=True)
    tab2 = _signed_in(server, "alice")
    carol, dave = _signed_in(server, "carol"), _signed_in(server, "dave")
    bob = connect("bob")
    bob.send(b"@bob: hi Carol!\n@bob: plain <&>\n")
    seen = {name: _messages(c, 2) for name, c in [("1", tab1), ("2", tab2), ("c", carol)]}
    seen["d"] = _messages(dave, 2)
    first = seen["1"][0]["id"]
    for name, (one, two) in seen.items():
        assert (one["id"], two["id"]) == (first, first + 1)
        assert (one["from"], one["room"], one["text"]) == ("bob", "lobby", "hi Carol!")
        assert two["text"] == "plain <&>" and two["mention"] is False
        assert one["mention"] is (name == "c")  # only carol's copy is her own
    for client in (tab1, tab2, dave):
        unread = client.wait(type="unread")
        assert (unread["target"], unread["unread"], unread["mentions"]) == ("lobby", 2, 0)
    assert (carol.wait(type="unread")["unread"], carol.seen[-1]["mentions"]) == (2, 1)
    # Her own message, from her other tab: shown there, and no unread count moves.
    assert tab1.request({"type": "say", "room": "lobby", "text": "from alice"})["type"] == "ok"
    assert tab2.wait(type="message")["text"] == "from alice"
    assert carol.wait(type="unread")["unread"] == 3
    assert tab2.silent()


def test_no_extension_is_negotiated_so_frames_can_be_shared(server: ServerThread) -> None:
    """The client library offers permessage-deflate; the server declines it (a compressed
    frame would be one connection's own, not bytes shared by a room's receivers)."""
    page = WebClient(server.port)
    request, response = page.ws.request, page.ws.response
    assert request is not None and response is not None
    assert "permessage-deflate" in (request.headers.get("Sec-WebSocket-Extensions") or "")
    assert response.headers.get("Sec-WebSocket-Extensions") is None


def test_counts_come_once_per_write_and_not_again_unchanged(server: ServerThread) -> None:
    alice, bob = _signed_in(server, "alice", signup=True), _signed_in(server, "bob")
    ok = bob.request({"type": "say", "room": "lobby", "text": "x\n" * 1000})
    assert ok["type"] == "ok" and len(ok["ids"]) == 1000
    messages = _messages(alice, 1000)
    unread = alice.wait(type="unread")
    assert unread["unread"] == 999 and alice.seen[-1] is unread  # one, after the write
    assert all(m["type"] == "message" for m in alice.seen[-1001:-1])
    bob.send({"type": "say", "room": "lobby", "text": "one more"})
    assert alice.wait(type="message")["text"] == "one more"
    assert alice.silent()  # still 999: nothing new to say
    alice.send({"type": "read", "target": "lobby", "id": messages[-1]["id"] + 1})
    read = alice.wait(type="unread")
    assert (read["unread"], read["last_read"]) == (0, messages[-1]["id"] + 1)
    bob.send({"type": "say", "room": "lobby", "text": "after reading"})
    assert alice.wait(type="message")["text"] == "after reading"
    assert alice.wait(type="unread")["unread"] == 1


def test_counts_of_a_busy_room_are_gathered_and_the_last_is_right(server: ServerThread) -> None:
    """Forty messages, each its own write to alice: she hears the first count at once and the
    rest gathered (`UNREAD_INTERVAL`), not forty counts; the last one she hears is 40."""
    alice, bob = _signed_in(server, "alice", signup=True), _signed_in(server, "bob")
    for number in range(40):
        assert bob.request({"type": "say", "room": "lobby", "text": f"m{number}"})["type"] == "ok"
        assert alice.wait(type="message")["text"] == f"m{number}"  # a write of its own
    assert alice.wait(type="unread", unread=40)["target"] == "lobby"
    counts = [m["unread"] for m in alice.seen if m["type"] == "unread" and m["target"] == "lobby"]
    assert counts[0] == 1 and counts == sorted(counts)
    assert len(counts) < 20  # one per write would be 40
    assert alice.silent()
