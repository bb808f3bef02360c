"""Admission's bookkeeping without sockets: connections counted at accept, the handshake caps,
and a count that is handed to its connection or given back exactly once."""

from __future__ import annotations

import pytest

from parley.server.admission import Admission, Ticket, TicketState

HOST, OTHER = "192.0.2.1", "192.0.2.2"


def admission(**overrides: int) -> Admission:
    limits = {"max_connections": 100, "max_per_address": 10, "registrations_per_minute": 0}
    handshakes = {"max_handshakes": 100, "max_handshakes_per_address": 10}
    for key, value in overrides.items():
        (limits if key in limits else handshakes)[key] = value
    return Admission(**limits, **handshakes)


def ticket(gate: Admission, host: str = HOST) -> Ticket:
    counted = gate.accept(host)
    assert isinstance(counted, Ticket), counted
    return counted


def test_defaults_cap_handshakes() -> None:
    gate = Admission(20000, 100, 60)
    assert (gate.max_handshakes, gate.max_handshakes_per_address) == (1000, 10)


def test_accept_counts_before_anything_is_said() -> None:
    gate = admission()
    first, second = ticket(gate), ticket(gate, OTHER)
    assert gate.total == 2
    assert first.state is second.state is TicketState.HELD


def test_accept_refuses_past_the_address_limit() -> None:
    gate = admission(max_per_address=2)
    ticket(gate)
    ticket(gate)
    assert gate.accept(HOST) == "too many connections from your address"
    assert isinstance(gate.accept(OTHER), Ticket)
    assert gate.total == 3


def test_accept_refuses_past_the_total_limit() -> None:
    gate = admission(max_connections=2)
    ticket(gate)
    ticket(gate, OTHER)
    assert gate.accept("192.0.2.3") == "server full"
    assert gate.total == 2


def test_connections_in_handshake_fill_the_address_limit_for_plain_ones() -> None:
    gate = admission(max_per_address=2)
    for _ in range(2):
        assert ticket(gate).begin_handshake() is None
    assert gate.admit(HOST) == "too many connections from your address"


def test_handshakes_capped_per_address() -> None:
    gate = admission(max_handshakes_per_address=2)
    shaking = [ticket(gate) for _ in range(3)]
    assert [t.begin_handshake() for t in shaking] == [
        None,
        None,
        "too many TLS handshakes from your address",
    ]
    assert gate.handshakes == 2
    assert ticket(gate, OTHER).begin_handshake() is None
    assert not shaking[2].handshaking


def test_handshakes_capped_in_total() -> None:
    gate = admission(max_handshakes=2)
    assert ticket(gate, HOST).begin_handshake() is None
    assert ticket(gate, OTHER).begin_handshake() is None
    assert ticket(gate, "192.0.2.3").begin_handshake() == "too many TLS handshakes in progress"
    assert gate.handshakes == 2


def test_zero_turns_the_handshake_caps_off() -> None:
    gate = admission(max_handshakes=0, max_handshakes_per_address=0)
    assert all(ticket(gate).begin_handshake() is None for _ in range(10))
    assert gate.handshakes == 10


def test_a_handshake_is_counted_once_per_ticket() -> None:
    gate = admission()
    shaking = ticket(gate)
    assert shaking.begin_handshake() is None
    assert shaking.begin_handshake() is None
    assert gate.handshakes == 1


def test_handed_over_connection_is_not_counted_twice() -> None:
    gate = admission(max_per_address=1)
    counted = ticket(gate)
    counted.begin_handshake()
    answers: list[str | None] = []
    counted.hand_over(lambda: answers.append(gate.admit(HOST)))
    assert answers == [None]  # at the address limit, yet not refused: it is the same one
    assert counted.state is TicketState.HANDED
    assert (gate.total, gate.handshakes) == (1, 0)
    counted.release()  # the listener's clean-up: the connection holds the count now
    assert gate.total == 1
    gate.release(HOST)  # the connection goes
    assert gate.total == 0


def test_admit_without_a_ticket_counts() -> None:
    gate = admission()
    assert gate.admit(HOST) is None
    assert gate.total == 1


def test_only_the_connection_being_handed_over_takes_the_count() -> None:
    gate = admission()
    counted = ticket(gate)
    assert gate.admit(HOST) is None  # another connection from HOST, outside the hand-over
    assert gate.total == 2
    assert counted.state is TicketState.HELD


def test_count_not_taken_during_hand_over_is_given_back() -> None:
    gate = admission()
    counted = ticket(gate)
    counted.hand_over(lambda: None)  # the connection never asked (it failed first)
    assert counted.state is TicketState.RELEASED
    assert gate.total == 0


def test_connection_seeing_another_host_counts_itself_and_the_ticket_is_returned() -> None:
    gate = admission()
    counted = ticket(gate)
    counted.hand_over(lambda: gate.admit("?"))
    assert counted.state is TicketState.RELEASED
    assert gate.total == 1  # the connection's own count
    gate.release("?")
    assert gate.total == 0


def test_count_given_back_when_the_connection_fails_during_hand_over() -> None:
    gate = admission()
    counted = ticket(gate)

    def broken() -> None:
        raise RuntimeError("connection_made failed")

    with pytest.raises(RuntimeError):
        counted.hand_over(broken)
    assert gate.total == 0
    assert gate.admit(OTHER) is None  # the hand-over is over: a new connection counts
    assert gate.total == 1


def test_release_gives_back_exactly_once() -> None:
    gate = admission()
    counted = ticket(gate)
    counted.begin_handshake()
    counted.release()
    counted.release()
    assert (gate.total, gate.handshakes) == (0, 0)
    assert counted.state is TicketState.RELEASED
    assert counted.begin_handshake() is None and gate.handshakes == 0


def test_released_ticket_hands_nothing_over() -> None:
    gate = admission()
    counted = ticket(gate)
    counted.release()  # abandoned (shutdown), yet the loop still makes the connection
    counted.hand_over(lambda: gate.admit(HOST))
    assert counted.state is TicketState.RELEASED
    assert gate.total == 1  # counted by the connection itself, which releases it
    gate.release(HOST)
    assert gate.total == 0


def test_released_address_is_forgotten() -> None:
    gate = admission(max_per_address=1, max_handshakes_per_address=1)
    for _ in range(3):
        counted = ticket(gate)
        assert counted.begin_handshake() is None
        counted.release()
    assert (gate.total, gate.handshakes) == (0, 0)
