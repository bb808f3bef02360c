"""Account rules that mutation testing found unchecked by the core's tests: changing a
password, the subjects of refusals (what a door names in its reply) and the throttle's wait."""

from __future__ import annotations

from parley.chat.answers import Done, Outcome, Registered
from parley.chat.commands import ChangePassword, CreateAccount, Login, Register, Signup
from tests.chat.conftest import World, in_world

PASSWORD = "a long password"
NEW_PASSWORD = "another long one"


def test_a_password_is_changed_only_with_the_old_one_and_to_an_acceptable_one() -> None:
    async def body(world: World) -> None:
        ann, _ = world.connect()
        assert (await world.run(ann, Signup("Ann", PASSWORD))).ok
        wrong = await world.run(ann, ChangePassword("not the password", NEW_PASSWORD))
        assert wrong.outcome is Outcome.BAD_LOGIN
        short = await world.run(ann, ChangePassword(PASSWORD, "short"))
        assert (short.outcome, short.subject) == (Outcome.BAD_PASSWORD, "Ann")
        assert "at least" in short.detail
        assert await world.run(ann, ChangePassword(PASSWORD, NEW_PASSWORD)) == Done(
            Outcome.OK, "Ann"
        )
        world.core.close_session(ann)
        old, _ = world.connect()
        assert (await world.run(old, Login("ann", PASSWORD))).outcome is Outcome.BAD_LOGIN
        new, _ = world.connect()
        assert (await world.run(new, Login("ann", NEW_PASSWORD))).ok

    in_world(body)


def test_a_password_change_needs_an_account() -> None:
    async def body(world: World) -> None:
        bob, _ = await world.user("Bob")
        answer = await world.run(bob, ChangePassword(PASSWORD, NEW_PASSWORD))
        assert answer == Done(Outcome.NO_ACCOUNT, "Bob")
        assert (await world.run(bob, CreateAccount(PASSWORD))).ok
        assert (await world.run(bob, ChangePassword(PASSWORD, NEW_PASSWORD))).ok

    in_world(body)


def test_registering_twice_names_the_name_asked_for() -> None:
    async def body(world: World) -> None:
        ann, _ = await world.user("ann")
        assert await world.run(ann, Register("other")) == Registered(
            Outcome.ALREADY_REGISTERED, "other"
        )
        login = await world.run(ann, Login("other", PASSWORD))
        assert (login.outcome, login.name) == (Outcome.ALREADY_REGISTERED, "other")

    in_world(body)


def test_a_throttled_login_says_how_many_seconds_to_wait() -> None:
    async def body(world: World) -> None:
        maker, _ = world.connect()
        await world.run(maker, Signup("dee", PASSWORD))
        world.core.close_session(maker)
        answers = []
        for _ in range(8):
            session, _ = world.connect()
            answers.append(await world.run(session, Login("dee", "wrong password!")))
        throttled = [a for a in answers if a.outcome is Outcome.THROTTLED]
        assert throttled, [a.outcome for a in answers]
        assert all(a.detail.isdigit() for a in throttled)  # whole seconds, for people

    in_world(body)
