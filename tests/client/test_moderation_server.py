"""Room moderation with the real ``parley`` command against the real server.

Three people run the client as a script would (piped input, plain line mode) and moderate
a room: ann creates dev (so she is its operator), makes bob an operator, kicks him, puts a
key on the room and makes it invite-only, invites cat in, moderates the room; each sees
what happened in words, and the one kicked is back in the lobby.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.client.processes import Process, RunningServer, client_command, poll_until

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def people(server: RunningServer) -> Iterator[dict[str, Process]]:
    if server.kind != "real":
        pytest.skip("moderation needs the real server")
    started = {name: Process(client_command(name, server.address)) for name in ("ann", "bob")}
    try:
        yield started
    finally:
        for process in started.values():
            process.kill()


def say(process: Process, line: str) -> None:
    process.write(line + "\n")


def wait_for_second(process: Process, fragment: str) -> None:
    """Wait until `fragment` is in two lines of standard output."""
    poll_until(
        lambda: sum(fragment in line for line in process.stdout) >= 2,
        f"a second stdout line with {fragment!r}",
    )


def finished_cleanly(process: Process) -> list[str]:
    process.close_stdin()
    result = process.finish()
    assert result.status == 0, result
    assert not any("Traceback" in line for line in result.stderr), result
    return result.stdout


def test_operators_kick_key_invite_and_moderate(
    server: RunningServer, people: dict[str, Process]
) -> None:
    ann, bob = people["ann"], people["bob"]
    say(ann, "/join dev")
    ann.wait_stdout(r"^You are now in dev: ")
    say(bob, "/join dev")
    bob.wait_stdout(r"^You are now in dev: ")
    ann.wait_stdout(r"^\* bob joined dev$")

    say(ann, "/op bob")
    bob.wait_stdout(r"^\* ann made you an operator of dev$")
    ann.wait_stdout(r"^\* you made bob an operator of dev$")

    say(ann, "/kick bob spam, again")
    bob.wait_stdout(r"^You were kicked from dev by ann \(spam, again\); now in the lobby\.$")
    ann.wait_stdout(r"^\* you kicked bob from dev \(spam, again\)$")
    say(bob, "back in the lobby")  # the kicked client talks in the lobby now, not in dev
    ann.wait_stdout(r"^@bob: back in the lobby$")

    say(ann, "/mode +k sekrit")
    ann.wait_stdout(r"^\* you set a key on dev: joining it takes /join dev KEY$")
    say(bob, "/join dev")
    bob.wait_stderr(r"^Wrong key for dev: type /join dev KEY with the room's key\.$")
    say(bob, "/join dev sekrit")
    wait_for_second(bob, "You are now in dev: ")

    say(ann, "/mode +i")
    ann.wait_stdout(r"^\* you made dev invite-only$")
    bob.wait_stdout(r"^\* ann made dev invite-only$")
    cat = Process(client_command("cat", server.address))
    people["cat"] = cat
    say(cat, "/join dev sekrit")
    cat.wait_stderr(r"^dev is invite-only: one of its operators must /invite you first\.$")
    say(ann, "/invite cat")
    cat.wait_stdout(r"^\* ann invited you to dev; /join dev to go in$")
    ann.wait_stdout(r"^You invited cat to dev; they have been told\.$")
    say(cat, "/join dev")
    cat.wait_stdout(r"^You are now in dev: ")

    say(ann, "/mode +m")
    cat.wait_stdout(r"^\* ann made dev moderated: ")
    say(cat, "can I speak?")
    cat.wait_stderr(r"^You may not speak in dev \(it is moderated, or you are muted\)")
    say(cat, "/kick ann")
    cat.wait_stderr(r"^You are not an operator of dev\.$")
    say(ann, "/invite cat")
    ann.wait_stderr(r"^cat is already in dev\.$")
    say(ann, "still in dev")
    cat.wait_stdout(r"^ann \(in dev\): still in dev$")

    shown = {name: finished_cleanly(process) for name, process in people.items()}
    assert sum("kicked bob" in line for line in shown["ann"]) == 1  # the event, not the answer too
    assert not any("server: 2" in line for lines in shown.values() for line in lines)
