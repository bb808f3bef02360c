"""The wording of name refusals, which mutation testing found unchecked: a person is told
which scripts were mixed and which character was refused, in full."""

from __future__ import annotations

import pytest

from parley.chat.names import confusable_key, name_problem, skeleton


@pytest.mark.parametrize(
    ("name", "scripts"),
    [
        ("\u0430lice", "(Cyrillic and Latin)"),
        ("\u0430\u03b1b", "(Cyrillic, Greek and Latin)"),
        ("a\u1401", "(Canadian Aboriginal and Latin)"),  # a script name with two words
    ],
)
def test_mixed_scripts_are_listed_in_words(name: str, scripts: str) -> None:
    assert name_problem(name) == f"a name may not mix scripts {scripts}"


@pytest.mark.parametrize(
    ("name", "described"),
    [
        ("x\u2028", "U+2028 LINE SEPARATOR"),
        ("a\u0378b", "U+0378"),  # unassigned: no name, and no trailing space either
    ],
)
def test_a_refused_character_is_described_by_code_point_and_name(name: str, described: str) -> None:
    assert name_problem(name) == (
        f"a name has only letters, digits, '_', '-' and '.' (not {described})"
    )


def test_latin_may_go_with_all_the_japanese_scripts_at_once() -> None:
    """UTS #39 "Highly Restrictive" allows Latin + Han + Hiragana + Katakana, all four."""
    assert name_problem("Tokyo\u6771\u4eac\u305f\u30ab") is None


def test_the_first_range_of_default_ignorables_is_ignored_too() -> None:
    """U+034F COMBINING GRAPHEME JOINER, the lowest entry of the ignorable ranges, draws
    nothing: a name key cannot be told apart by it."""
    assert skeleton("a\u034fb") == skeleton("ab")
    assert confusable_key("ann\u034f") == confusable_key("ann")
