"""Name rules: what is valid, and which names are the same user."""

from __future__ import annotations

from hypothesis import given, strategies as st

from parley.protocol.names import is_reserved, is_valid_name, name_key


def test_valid_and_invalid_names() -> None:
    for name in ("alice", "Bob_2", "a.b-c", "Çhat", "Zoë", "名前", "x" * 32):
        assert is_valid_name(name), name
    for name in ("", "x" * 33, "two words", "-dash", ".dot", "tab\t", "zero\u200bwidth", "e\u0301"):
        assert not is_valid_name(name), name


def test_case_width_and_look_alikes_are_one_user() -> None:
    key = name_key("alice")
    assert name_key("ALICE") == key
    assert name_key("\uff21lice") == key  # full-width A
    assert name_key("\u0430lice") == key  # Cyrillic a
    assert name_key("\u03b1lice") == key  # Greek alpha
    assert name_key("bob") != key


def test_reserved_names_even_disguised() -> None:
    assert is_reserved("server")
    assert is_reserved("SERVER")
    assert is_reserved("s\u0435rv\u0435r")  # Cyrillic e
    assert not is_reserved("servers")


@given(st.text(max_size=40))
def test_rules_are_total(name: str) -> None:
    assert isinstance(is_valid_name(name), bool)
    assert isinstance(name_key(name), str)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_the_ascii_fast_path_agrees_with_the_rule(name: str) -> None:
    """Letters and digits of any script, `_`, `-`, `.`; not first `-` or `.`; 1-32 long."""
    rule = (
        1 <= len(name) <= 32
        and name[0] not in "-."
        and all(ch.isalnum() or ch in "_-." for ch in name)
    )
    assert is_valid_name(name) is rule
    ascii_only = name.encode("ascii", "ignore").decode()
    assert is_valid_name(ascii_only) is (
        1 <= len(ascii_only) <= 32
        and ascii_only[0] not in "-."
        and all(ch.isalnum() or ch in "_-." for ch in ascii_only)
    )
