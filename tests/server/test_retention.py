"""Storage that no longer grows without bound (security review, finding 7), over real sockets:
rooms nobody uses expire (`--room-days`), and a user's kept history has a daily quota
(`--history-user-mb`) past which messages are relayed but not kept, the sender told once in
its door's dialect.

Expiry is run as the retention task runs it, with the clock moved on (`expire_rooms(now)`),
never by waiting days. Negative checks end at a marker: a PING answered after the lines that
must not bring a second notice.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from parley.chat.store import StoredMessage
from parley.protocol.chat1 import encode_password
from parley.server.keeper import Keeper
from parley.server.quota import HistoryQuota
from parley.store import DATABASE_FILENAME, MemoryStore
from tests.server.conftest import LineClient, MakeServer, ServerThread, wait_for
from tests.server.test_irc import IrcClient

OK = b"200 Registration successful"
SECRET = "a long password"
DAY = 86400.0


def extended(server: ServerThread, name: str, extensions: str) -> LineClient:
    client = LineClient(server.port)
    client.send(f"EXTEND {extensions} CHAT/1.0\n".encode())
    assert client.line().startswith(b"210 ")
    assert client.register(name) == OK
    return client


def expire_rooms(server: ServerThread, days_on: float) -> int:
    """Run the server's room expiry as if `days_on` days had passed."""
    assert server.server is not None and server.loop is not None
    coroutine = server.server.expire_rooms(now=time.time() + days_on * DAY)
    return asyncio.run_coroutine_threadsafe(coroutine, server.loop).result(5)


def until_pong(client: LineClient, token: str) -> list[bytes]:
    """Ask for a pong and return every line before it."""
    client.send(f"PING {token} CHAT/1.0\n".encode())
    lines = []
    while (line := client.line()) != f"290 Pong {token}".encode():
        lines.append(line)
    return lines


# Rooms nobody uses ---------------------------------------------------------------------------


def test_a_room_nobody_uses_expires_with_its_topic(make_server: MakeServer, tmp_path: Path) -> None:
    server = make_server(ephemeral=False, data_dir=tmp_path)
    alice = extended(server, "alice", "rooms")
    carol = extended(server, "carol", "rooms")
    alice.send(b"JOIN Dev CHAT/1.0\nTOPIC Dev nobody will read this CHAT/1.0\nLEAVE Dev CHAT/1.0\n")
    assert alice.lines(3) == [
        b"220 Joined Dev",
        b"280 Dev nobody will read this",
        b"221 Left Dev",
    ]
    carol.send(b"JOIN ops CHAT/1.0\nTOPIC ops still here CHAT/1.0\n")
    assert carol.lines(2) == [b"220 Joined ops", b"280 ops still here"]
    carol.send(b"LEAVE ops CHAT/1.0\nJOIN ops CHAT/1.0\n")  # used again, and stays in it
    assert carol.lines(3)[1:] == [b"220 Joined ops", b"280 ops still here"]
    assert expire_rooms(server, 29) == 0  # not yet --room-days (30)
    assert expire_rooms(server, 31) == 1  # Dev; ops has carol in it; the lobby never goes
    bob = extended(server, "bob", "rooms")
    bob.send(b"JOIN dev CHAT/1.0\nJOIN ops CHAT/1.0\n")
    assert bob.lines(3) == [b"220 Joined dev", b"220 Joined ops", b"280 ops still here"]


def test_a_room_spoken_in_stays(make_server: MakeServer, tmp_path: Path) -> None:
    server = make_server(ephemeral=False, data_dir=tmp_path, room_days=1)
    alice = extended(server, "alice", "rooms ack")
    alice.send(b"JOIN team CHAT/1.0\nTOPIC team kept CHAT/1.0\n@alice #team: hello\n")
    assert alice.lines(3)[:2] == [b"220 Joined team", b"280 team kept"]
    alice.send(b"LEAVE team CHAT/1.0\n")
    assert alice.line() == b"221 Left team"
    assert expire_rooms(server, 0.5) == 0  # spoken in half a day ago (as of then)
    assert expire_rooms(server, 2) == 1


def test_room_days_0_never_expires_rooms(make_server: MakeServer, tmp_path: Path) -> None:
    server = make_server(ephemeral=False, data_dir=tmp_path, room_days=0)
    alice = extended(server, "alice", "rooms")
    alice.send(b"JOIN dev CHAT/1.0\nTOPIC dev forever CHAT/1.0\nLEAVE dev CHAT/1.0\n")
    assert alice.lines(3)[2] == b"221 Left dev"
    assert expire_rooms(server, 10_000) == 0
    alice.send(b"JOIN dev CHAT/1.0\n")
    assert alice.lines(2) == [b"220 Joined dev", b"280 dev forever"]


# Per-user history quota --------------------------------------------------------------------

QUOTA_MB = 0.0001  # 100 characters: two of the messages below (40 + 5 each), not three
TOLD = b"Your history is full for today (0.0001 MB a day): your messages are still delivered"


@pytest.fixture
def quota_server(make_server: MakeServer, tmp_path: Path) -> ServerThread:
    return make_server(ephemeral=False, data_dir=tmp_path, history_user_mb=QUOTA_MB)


def test_past_the_quota_messages_are_relayed_not_kept_and_the_sender_told_once(
    quota_server: ServerThread,
) -> None:
    alice = extended(quota_server, "alice", "ack history")
    bob = extended(quota_server, "bob", "history")
    texts = [f"{k} " + "x" * 38 for k in range(4)]
    alice.send(b"".join(f"@alice: {text}\n".encode() for text in texts))
    assert bob.lines(4) == [f"@alice: {text}".encode() for text in texts]  # all relayed
    lines = [alice.line() for _ in range(3)]  # acks come once committed, the notice at once
    assert sorted(line[:4] for line in lines) == [b"240 ", b"240 ", b"429 "]
    assert next(line for line in lines if line.startswith(b"429 ")).startswith(b"429 " + TOLD)
    assert until_pong(alice, "after") == []  # no third ack, no second notice
    bob.send(b"HISTORY #lobby CHAT/1.0\n")
    kept = []
    while (line := bob.line()) != b"261 End of history":
        kept.append(line.split(b" ", 3)[3])
    assert kept == [f"@alice: {text}".encode() for text in texts[:2]]
    bob.send(b"@bob: my own quota is untouched\n")
    assert alice.line() == b"@bob: my own quota is untouched"
    assert until_pong(bob, "b") == []  # bob hears no notice
    bob.send(b"HISTORY #lobby 1 CHAT/1.0\n")
    assert bob.line().endswith(b"@bob: my own quota is untouched")


def test_the_quota_is_told_in_the_irc_and_plain_dialects(quota_server: ServerThread) -> None:
    irc = IrcClient(quota_server.port)
    irc.register("ircuser")
    irc.send(*(f"PRIVMSG #lobby :{k} " + "x" * 38 for k in range(4)), "PING :after")
    lines = irc.until(":after")[:-1]
    assert [line for line in lines if "NOTICE" in line] == [
        line for line in lines if line.startswith(":parley NOTICE ircuser :" + TOLD.decode())
    ]
    assert len(lines) == 1
    person = LineClient(quota_server.port)
    person.lines(2)  # the greeting and the name prompt
    person.send(b"zoe\n")
    person.lines(2)
    person.send(b"".join(f"{k} {'y' * 40}\n".encode() for k in range(3)))
    assert person.line().startswith(b"! " + TOLD)


def test_the_retention_task_expires_old_rooms_at_start_up(
    make_server: MakeServer, tmp_path: Path
) -> None:
    """A room left unused while the server was down goes at the next start-up, with the
    memberships that would have brought an account back into it."""
    first = make_server(ephemeral=False, data_dir=tmp_path)
    owner = extended(first, "probe", "rooms auth")
    owner.send(f"ACCOUNT CREATE {encode_password(SECRET)} CHAT/1.0\n".encode())
    assert owner.line() == b"270 Account created"
    owner.send(b"JOIN ops CHAT/1.0\nTOPIC ops old news CHAT/1.0\n")
    assert owner.lines(2) == [b"220 Joined ops", b"280 ops old news"]
    owner.close()
    first.stop()
    with sqlite3.connect(tmp_path / DATABASE_FILENAME) as db:  # as if saved 31 days ago
        db.execute("UPDATE rooms SET active_at = ?", (time.time() - 31 * DAY,))
    second = make_server(ephemeral=False, data_dir=tmp_path)
    assert second.server is not None and second.loop is not None
    store, loop = second.server.store, second.loop

    def gone() -> bool:
        return asyncio.run_coroutine_threadsafe(store.get_room("ops"), loop).result(5) is None

    assert wait_for(gone)
    again = LineClient(second.port)
    again.send(b"EXTEND rooms auth CHAT/1.0\n")
    again.line()
    again.send(f"LOGIN probe {encode_password(SECRET)} CHAT/1.0\n".encode())
    assert again.line() == OK
    again.send(b"JOIN ops CHAT/1.0\n")
    assert again.line() == b"220 Joined ops"  # not rejoined on login, and no topic
    assert until_pong(again, "end") == []


class _Door:
    """What the quota speaks to: a door's `notify`, recorded."""

    def __init__(self) -> None:
        self.told: list[str] = []

    def notify(self, text: str) -> None:
        self.told.append(text)


class _Connection:
    """The parts of a server connection the keeper and the quota use."""

    def __init__(self) -> None:
        self.door = _Door()
        self.kept_ids: list[int] = []
        self.lost = 0

    def keeping(self, count: int) -> None:
        """Counted by the real connection for back-pressure; nothing to do here."""

    def kept(self, messages: Sequence[StoredMessage], lost: int = 0) -> None:
        self.kept_ids.extend(message.id for message in messages)
        self.lost += lost

    def close(self, reason: str, *, notify: bool) -> None:
        raise AssertionError("the quota never closes a connection")


def test_the_quota_renews_each_day_and_is_told_once_a_day() -> None:
    """A real keeper and store behind the quota; only the clock is the test's."""

    async def main() -> tuple[list[int], int, list[str], list[str]]:
        store = MemoryStore()
        await store.open()
        clock = [1_000_000.0]
        quota = HistoryQuota(Keeper(store), 0.0001, clock=lambda: clock[0])
        ann = _Connection()
        for day in range(2):
            clock[0] += day * DAY
            # 45 characters each: two fit in 100; one by one on the first day, as one read's
            # batch on the second (its first two kept, the rest not)
            said = [
                StoredMessage(10 * day + k, clock[0], "ann", f"{k}" * 42, "x") for k in range(4)
            ]
            if day == 0:
                for message in said:
                    quota.keep(ann, [message])
            else:
                quota.keep(ann, said)
            await quota.drain()
        history = await store.room_history("x")
        await store.close()
        return ann.kept_ids, ann.lost, ann.door.told, [m.text[:1] for m in history]

    kept, lost, told, history = asyncio.run(main())
    assert kept == [0, 1, 10, 11]
    assert lost == 4
    assert len(told) == 2 and all(text.startswith(TOLD.decode()) for text in told)
    assert history == ["0", "1", "0", "1"]
