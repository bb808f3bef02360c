"""Three people on the real server, each in a real terminal (tmux): rooms, direct messages,
who, seed 002's forms, live typing seen growing on another screen, and trusting a
self-signed TLS certificate at the prompt."""

from __future__ import annotations

from pathlib import Path

from parley.client.known_hosts import parse
from tests.client.processes import RunningServer, chat_server, client_command
from tests.client.terminal import Tmux, ready, shows, unstamped


def start(tmux: Tmux, server: RunningServer, name: str, *args: str) -> None:
    tmux.start(name, client_command(name, server.address, *args))


def prompt_is(text: str) -> object:
    return lambda screen: screen[-1] == text.rstrip()


def test_rooms_direct_messages_and_who_between_three_people(
    tmux: Tmux, server: RunningServer
) -> None:
    for name in ("alice", "bob", "carol"):
        start(tmux, server, name)
    for name in ("alice", "bob", "carol"):
        tmux.wait_screen(name, ready, f"{name}'s prompt")

    tmux.enter("alice", "/join teamchat")
    tmux.wait_screen("alice", lambda s: s[-1] == "[teamchat] >", "alice's room prompt")
    tmux.enter("bob", "/join teamchat")
    tmux.wait_screen("bob", lambda s: s[-1] == "[teamchat] >", "bob's room prompt")
    tmux.wait_screen("alice", shows("* bob joined teamchat"), "bob's arrival on alice's screen")

    tmux.enter("alice", "Hello team!")
    tmux.wait_screen(
        "bob", shows("alice (in teamchat): Hello team!"), "the room message on bob's screen"
    )

    tmux.enter("carol", "/msg alice are you in a meeting?")
    tmux.wait_screen("alice", shows("carol (private): are you in a meeting?"), "the direct message")
    tmux.enter("carol", "?")
    tmux.wait_screen("carol", shows("Online (3): alice, bob, carol"), "the answer to ?")
    tmux.enter("carol", "see you at 5 > bob")
    tmux.wait_screen("bob", shows("carol (private): see you at 5"), "seed 002's direct message")

    tmux.enter("bob", "/leave")
    tmux.wait_screen("alice", shows("* bob left teamchat"), "bob leaving on alice's screen")
    tmux.wait_screen(
        "bob",
        lambda s: shows("You left teamchat; now in the lobby.")(s) and s[-1] == ">",
        "bob back in the lobby",
    )
    assert not any("Hello team!" in line for line in tmux.screen("carol"))

    tmux.press("bob", "C-c")
    assert tmux.wait_exit("bob") == 0
    tmux.wait_screen("carol", shows("* bob disconnected"), "bob's exit on carol's screen")


def test_live_typing_grows_on_another_screen_before_enter(
    tmux: Tmux, server: RunningServer
) -> None:
    start(tmux, server, "alice", "--live")
    start(tmux, server, "bob", "--live")
    start(tmux, server, "carol")  # not in live mode: sees finished lines only
    for name in ("alice", "bob", "carol"):
        tmux.wait_screen(name, shows("Server extensions:"), f"{name}'s extensions")

    for typed in ("h", "he", "hel"):
        tmux.type("alice", typed[-1])
        tmux.wait_screen(
            "bob", shows(f"alice is typing: {typed}"), f"{typed!r} growing on bob's screen"
        )
    screen = tmux.screen("bob")
    assert screen[-2:] == ["alice is typing: hel", ">"], screen  # just above bob's prompt

    tmux.press("alice", "Enter")
    screen = tmux.wait_screen(
        "bob",
        lambda s: any(unstamped(line) == "@alice: hel" for line in s) and s[-1] == ">",
        "the finished line",
    )
    assert not any("is typing" in line for line in screen), screen
    tmux.wait_screen("carol", shows("@alice: hel"), "the finished line for carol")
    assert not any("is typing" in line for line in tmux.screen("carol"))

    tmux.type("bob", "draft")
    tmux.wait_screen("alice", shows("bob is typing: draft"), "bob's draft on alice's screen")
    tmux.press("bob", "C-u")  # cleared: the preview goes away without a message
    tmux.wait_screen(
        "alice", lambda s: not shows("is typing")(s), "bob's cleared draft gone from alice's"
    )
    tmux.type("bob", "/msg alice secret")  # a command is never previewed
    tmux.wait_screen("bob", lambda s: s[-1] == "> /msg alice secret", "bob's command line")
    tmux.press("bob", "Enter")
    tmux.wait_screen("alice", shows("bob (private): secret"), "the private message")
    assert not any("is typing" in line for line in tmux.screen("alice"))


def test_self_signed_certificate_is_trusted_at_the_prompt_and_remembered(
    tmux: Tmux, tmp_path: Path
) -> None:
    args = ["--tls", "self-signed", "--data-dir", str(tmp_path / "data")]
    with chat_server("real", args) as tls_server:
        known_hosts = tmp_path / "known_hosts"
        argv = client_command("dana", tls_server.tls_address, "--known-hosts", str(known_hosts))
        tmux.start("dana", argv)
        fingerprint = tls_server.fingerprint
        tmux.wait_screen(
            "dana",
            lambda s: shows("[y/N]")(s) and any(fingerprint in line for line in s),
            "the question, with the fingerprint above it",
        )
        tmux.enter("dana", "y")
        tmux.wait_screen("dana", ready, "dana's prompt after trusting")
        assert parse(known_hosts.read_text()) == {
            f"127.0.0.1:{tls_server.port}": tls_server.fingerprint
        }
        tmux.press("dana", "C-d")
        assert tmux.wait_exit("dana") == 0

        tmux.start(
            "eve",
            client_command("eve", tls_server.tls_address, "--known-hosts", str(tmp_path / "other")),
        )
        tmux.wait_screen("eve", shows("[y/N]"), "the question for eve")
        tmux.enter("eve", "n")
        assert tmux.wait_exit("eve") == 2
        assert any("not trusted" in line for line in tmux.screen("eve"))
