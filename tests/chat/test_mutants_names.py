"""Name rules that mutation testing found unchecked: a person is told which scripts were
mixed and which character was refused, in full; and the look-alike and script tables, built
from Unicode's data at import, are checked as built (see the `rebuilt` fixture)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest

from parley.chat import names
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


def test_an_empty_name_is_refused_in_words() -> None:
    assert name_problem("") == "a name has at least one character"


@pytest.fixture
def rebuilt() -> Iterator[None]:
    """The name tables built afresh from Unicode's data, as at start-up.

    `names` reads confusables.txt and Scripts.txt once, at import, before any test runs;
    rebuilding them here checks what that reading produces (mutation testing credits a
    function with the tests that call it, and import-time work is called by none). The
    module is re-executed in place, so every name imported elsewhere sees the new tables;
    afterwards its original objects are put back, since other tests hold some of them
    (`_cached_key`, whose statistics they read).
    """
    original = dict(vars(names))
    importlib.reload(names)
    yield
    vars(names).update(original)


@pytest.mark.usefixtures("rebuilt")
@pytest.mark.parametrize(
    ("disguised", "plain"),
    [
        ("\u0251lice", "alice"),  # LATIN SMALL LETTER ALPHA
        ("\u13aalice", "alice"),  # CHEROKEE LETTER GO, drawn as A
        ("r\u0585\u0585t", "root"),  # ARMENIAN SMALL LETTER OH
        ("\u0455erver", "server"),  # CYRILLIC SMALL LETTER DZE
    ],
)
def test_the_rebuilt_tables_still_see_through_disguises(disguised: str, plain: str) -> None:
    assert names.confusable_key(disguised) == names.confusable_key(plain)


@pytest.mark.usefixtures("rebuilt")
def test_the_rebuilt_tables_keep_capitals_and_multi_letter_prototypes() -> None:
    assert names.look_alike_key("\u0425ena") == names.look_alike_key("Xena")  # Cyrillic Ha
    assert names.skeleton("admin") == "adrnin"  # m looks like r n
    assert names.is_reserved("\u0455erver") and names.is_reserved("adrnin")


@pytest.mark.usefixtures("rebuilt")
@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("\u0430lice", "a name may not mix scripts (Cyrillic and Latin)"),
        ("\u0411\u043e\u0440\u0438\u0441", None),  # all Cyrillic
        ("\u6771\u4eac\u305f\u30ab", None),  # Han, Hiragana and Katakana: Japanese
        ("Jos\u00e9_2", None),  # Latin with the digits and marks any script may have
        ("a\u1401", "a name may not mix scripts (Canadian Aboriginal and Latin)"),
    ],
)
def test_the_rebuilt_script_table_tells_scripts_apart(name: str, problem: str | None) -> None:
    assert names.name_problem(name) == problem
