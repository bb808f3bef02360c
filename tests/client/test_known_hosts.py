"""Tests of parley.client.known_hosts: fingerprints and the file that remembers them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from parley.client.known_hosts import (
    KnownHosts,
    default_path,
    normalise_fingerprint,
    parse,
    with_entry,
)

FP = ":".join(["AB"] * 32)
OTHER = ":".join(["01"] * 32)


@pytest.mark.parametrize(
    "text",
    [FP, FP.lower(), FP.replace(":", ""), f"SHA256:{FP}", f"  {FP}  ", FP.replace(":", " ")],
)
def test_fingerprints_are_read_in_any_usual_spelling(text: str) -> None:
    assert normalise_fingerprint(text) == FP


@pytest.mark.parametrize("text", ["", "AB:CD", FP + ":00", FP.replace("A", "G"), "x" * 64])
def test_bad_fingerprints_are_refused(text: str) -> None:
    assert normalise_fingerprint(text) is None


@given(st.text())
def test_any_text_is_a_fingerprint_or_none(text: str) -> None:
    result = normalise_fingerprint(text)
    assert result is None or len(result) == 95


def test_parse_ignores_comments_and_junk_and_keys_are_case_blind() -> None:
    text = f"# comment\n\nLocalHost:5000 {FP}\ngarbage line here\n[::1]:5000 {OTHER}\nx notafp\n"
    assert parse(text) == {"localhost:5000": FP, "[::1]:5000": OTHER}


def test_with_entry_replaces_or_appends_and_keeps_the_rest() -> None:
    text = f"# mine\nlocalhost:5000 {FP}\nother:1 {FP}\n"
    replaced = with_entry(text, "localhost:5000", OTHER)
    assert replaced == f"# mine\nother:1 {FP}\nlocalhost:5000 {OTHER}\n"
    fresh = with_entry("", "h:1", FP)
    assert fresh.startswith("# Parley known hosts")
    assert fresh.endswith(f"h:1 {FP}\n")


def test_file_is_made_private_and_remembered(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "parley" / "known_hosts"
    known = KnownHosts(path)
    assert known.lookup("h:1") is None
    known.remember("h:1", FP)
    known.remember("h:2", OTHER)
    known.remember("H:1", OTHER)
    assert known.lookup("h:1") == OTHER
    assert known.lookup("h:2") == OTHER
    assert path.stat().st_mode & 0o077 == 0
    assert path.parent.stat().st_mode & 0o077 == 0
    assert [p.name for p in path.parent.iterdir()] == ["known_hosts"]  # no temporary left


def test_default_path_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_path() == tmp_path / "parley" / "known_hosts"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".local" / "share" / "parley" / "known_hosts"
