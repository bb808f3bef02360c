"""The directory contract: any implementation (memory today, Redis later) passes it unchanged."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from parley.chat.directory import Directory, MemoryDirectory

IMPLEMENTATIONS: list[Callable[[], Directory]] = [MemoryDirectory]


@pytest.fixture(params=IMPLEMENTATIONS, ids=lambda make: make.__name__)
def directory(request: pytest.FixtureRequest) -> Directory:
    make: Callable[[], Directory] = request.param
    return make()


def test_a_name_is_held_by_one_node(directory: Directory) -> None:
    assert directory.claim("alice", "node-a")
    assert directory.claim("alice", "node-a")  # claiming again is fine
    assert not directory.claim("alice", "node-b")
    assert directory.holder("alice") == "node-a"
    assert directory.holder("bob") is None


def test_only_the_holder_releases(directory: Directory) -> None:
    directory.claim("alice", "node-a")
    directory.release("alice", "node-b")
    assert directory.holder("alice") == "node-a"
    directory.release("alice", "node-a")
    assert directory.holder("alice") is None
    assert directory.claim("alice", "node-b")


def test_a_lost_node_frees_its_names(directory: Directory) -> None:
    for name in ("a", "b", "c"):
        directory.claim(name, "node-a")
    directory.claim("d", "node-b")
    assert directory.release_node("node-a") == 3
    assert directory.holder("a") is None and directory.holder("d") == "node-b"
    assert directory.release_node("node-a") == 0
