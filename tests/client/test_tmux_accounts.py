"""Passwords in a real terminal (tmux): asked for without echo, never on the screen, never
recalled with Up.

The server is the real one; each test types into ``python -m parley`` through tmux and
reads the screen with ``capture-pane``, which shows exactly what a person would see.
"""

from __future__ import annotations

from tests.client.processes import RunningServer, client_command, run_client
from tests.client.terminal import Tmux, ready, shows

FIRST = "tr0ub4dor&3 horse"
SECOND = "c0rrect-battery-staple"
WRONG = "n0t-the-password"


def no_password_on(tmux: Tmux, session: str) -> None:
    screen = "\n".join(tmux.screen(session))
    for secret in (FIRST, SECOND, WRONG):
        assert secret not in screen, screen


def test_signup_and_password_change_never_show_the_password(
    tmux: Tmux, server: RunningServer
) -> None:
    tmux.start("carol", client_command("--signup", "carol", server.address))
    tmux.wait_screen("carol", shows("New password for carol:"), "the first password prompt")
    tmux.enter("carol", FIRST)
    tmux.wait_screen("carol", shows("The same password again:"), "the second password prompt")
    tmux.enter("carol", FIRST)
    tmux.wait_screen("carol", ready, "carol's chat prompt")
    assert tmux.wait_screen("carol", shows("Account created"), "the account")
    no_password_on(tmux, "carol")

    tmux.enter("carol", "/password")
    tmux.wait_screen("carol", shows("Current password:"), "the current password prompt")
    tmux.type("carol", FIRST)
    tmux.wait_screen("carol", shows("Current password: " + "*" * len(FIRST)), "the stars")
    no_password_on(tmux, "carol")  # not even while it is being typed
    tmux.press("carol", "Enter")
    tmux.wait_screen("carol", shows("New password for carol:"), "the new password prompt")
    tmux.enter("carol", SECOND)
    tmux.wait_screen("carol", shows("The same password again:"), "the confirmation prompt")
    tmux.enter("carol", SECOND)
    tmux.wait_screen("carol", shows("Password changed."), "the change")
    tmux.press("carol", "Up")  # the line history has no /password to offer
    tmux.wait_screen("carol", lambda s: s[-1] == ">", "an empty prompt after Up")
    no_password_on(tmux, "carol")
    tmux.press("carol", "C-d")
    assert tmux.wait_exit("carol") == 0

    # Logging in: REGISTER is answered 401, so the client asks for auth and learns the name
    # has an account; a wrong password is asked again, the right one logs in.
    tmux.start("again", client_command("carol", server.address))
    tmux.wait_screen("again", shows("Password for carol"), "the login prompt")
    tmux.enter("again", WRONG)
    tmux.wait_screen("again", shows("Wrong name or password."), "the refusal")
    tmux.enter("again", SECOND)
    tmux.wait_screen("again", ready, "the chat prompt after logging in")
    no_password_on(tmux, "again")
    tmux.press("again", "C-c")
    assert tmux.wait_exit("again") == 0


def test_register_in_plain_mode_at_a_terminal_does_not_echo(
    tmux: Tmux, server: RunningServer
) -> None:
    tmux.start("dave", client_command("--plain", "dave", server.address))
    tmux.wait_screen("dave", shows("Ready for messaging!"), "dave registered")
    tmux.enter("dave", "/register")
    tmux.wait_screen("dave", shows("New password for dave:"), "the password prompt")
    tmux.enter("dave", FIRST)
    tmux.wait_screen("dave", shows("The same password again:"), "the second prompt")
    tmux.enter("dave", FIRST)
    tmux.wait_screen("dave", shows("Account created"), "the account")
    no_password_on(tmux, "dave")
    tmux.press("dave", "C-d")
    assert tmux.wait_exit("dave") == 0
    logged_in = run_client(
        "dave", server.address, stdin_text="/who\n", env={"PARLEY_PASSWORD": FIRST}
    )
    assert logged_in.status == 0, logged_in
