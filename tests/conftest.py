"""Suite-wide set-up: no test ever touches the real user's data directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check behaviour, not speed: no per-example deadline, which a loaded machine
# missed now and then (a 287 ms example against the default 200 ms) without anything wrong.
settings.register_profile("parley", deadline=None)
settings.load_profile("parley")


@pytest.fixture(autouse=True, scope="session")
def private_data_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point XDG_DATA_HOME (servers' databases, clients' known_hosts) at a temporary folder.

    Subprocesses inherit it, so servers started by tests write there, not under ~/.local.
    """
    home = tmp_path_factory.mktemp("xdg-data")
    before = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(home)
    yield home
    if before is None:
        del os.environ["XDG_DATA_HOME"]
    else:
        os.environ["XDG_DATA_HOME"] = before
