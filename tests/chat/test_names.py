"""Name rules: what is valid, which names are the same user, and which belong to the server.

Look-alike characters are written as escapes, so that this file shows what the tests are
about and not what they fight.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from parley.chat import names
from parley.chat.names import (
    MAX_NAME_LENGTH,
    RESERVED_NAMES,
    confusable_key,
    is_reserved,
    is_valid_name,
    look_alike_key,
    name_problem,
    skeleton,
)

# Names that were fine before the security review stay fine --------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "alice",
        "Bob_2",
        "user_1",
        "a.b-c",
        "\u00c7hat",  # Çhat
        "J\u00fcrgen",  # Jürgen
        "Zo\u00eb",  # Zoë
        "\u0410\u043b\u0438\u0441\u0430",  # Алиса, all Cyrillic
        "\u305f\u308d\u3046",  # たろう, Hiragana
        "\u674e\u96f7",  # 李雷, Han
        "\u540d\u524d",  # 名前
        "\u5c71\u7530\u305f\u308d\u3046\u30ab\u30bf",  # Han + Hiragana + Katakana (Japanese)
        "\uae40\ucca0\uc218",  # 김철수, Hangul
        "Tokyo\u6771\u4eac",  # Latin + Han: allowed at "Highly Restrictive"
        "\u039d\u03af\u03ba\u03bf\u03c2",  # Νίκος, all Greek
        "\uff21lice",  # full-width A: valid, and the same user as alice
        "x" * MAX_NAME_LENGTH,
    ],
)
def test_ordinary_names_of_any_script_are_valid(name: str) -> None:
    assert name_problem(name) is None
    assert is_valid_name(name)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "at least one"),
        ("x" * (MAX_NAME_LENGTH + 1), "at most 32"),
        ("two words", "U+0020 SPACE"),
        ("tab\t", "U+0009"),
        ("-dash", "start with"),
        (".dot", "start with"),
        ("e\u0301", "U+0301 COMBINING ACUTE ACCENT"),
        ("zero\u200bwidth", "invisible"),
        ("a\u00adb", "invisible"),  # soft hyphen
        ("bob\ufe0f", "invisible"),  # variation selector
        ("a\u2060b", "invisible"),  # word joiner
        ("bob\U000e0041", "invisible"),  # tag letter
    ],
)
def test_invalid_names_say_why(name: str, problem: str) -> None:
    found = name_problem(name)
    assert found is not None and problem in found, found
    assert not is_valid_name(name)


# The findings of the review ---------------------------------------------------------------


@pytest.mark.parametrize("filler", ["\u115f", "\u1160", "\u3164", "\uffa0"])
def test_hangul_fillers_are_refused_anywhere(filler: str) -> None:
    for name in (f"server{filler}", f"{filler}alice", filler, filler * 3):
        problem = name_problem(name)
        assert problem is not None and "invisible" in problem, name
        assert f"U+{ord(filler):04X}" in problem


def test_a_name_with_a_filler_is_the_name_without_it() -> None:
    """Were it let through somewhere, ``server`` + a filler would still be the server."""
    assert confusable_key("server\u1160") == confusable_key("server")
    assert is_reserved("server\u1160")
    assert confusable_key("\u3164") == ""


@pytest.mark.parametrize(
    ("look_alike", "original"),
    [
        ("\u0251lice", "alice"),  # Latin alpha
        ("al\u0131ce", "alice"),  # dotless i
        ("a\u01c0ice", "alice"),  # dental click
        ("\u13aalice", "alice"),  # Cherokee GO
        ("\u0430lice", "alice"),  # Cyrillic a
        ("\u03b1lice", "alice"),  # Greek alpha
        ("\u1d00dmin", "admin"),  # small capital A
        ("\ua731erver", "server"),  # small capital S
        ("r\u0585\u0585t", "root"),  # Armenian oh
        ("lobb\u04af", "lobby"),  # Cyrillic straight u
        ("\u1d00\u1d05\u1d0d\u026a\u0274", "ADMIN"),  # all small capitals
        ("adm\u0406n", "admin"),  # Cyrillic capital I
        ("rn", "m"),
        ("B0B", "bob"),  # zero for O
        ("\u0455\u0435rv\u0435r", "server"),  # all Cyrillic but r and v: mixed, and keyed alike
    ],
)
def test_look_alikes_share_a_key(look_alike: str, original: str) -> None:
    assert confusable_key(look_alike) == confusable_key(original)


@pytest.mark.parametrize(
    ("look_alike", "original"),
    [
        ("AIice", "alice"),  # capital i for l
        ("I1l", "lll"),
        ("\u0417\u043e\u044f", "3\u043e\u044f"),  # Cyrillic capital Ze and digit three
    ],
)
def test_look_alikes_made_with_capitals_share_a_look_alike_key(
    look_alike: str, original: str
) -> None:
    """Case folding first would hide these (I folds to i); the skeleton taken first does not."""
    assert confusable_key(look_alike) != confusable_key(original)
    assert look_alike_key(look_alike) == look_alike_key(original)


def test_a_look_alike_that_case_folding_separates_is_refused_as_mixed() -> None:
    """Lunate sigma (drawn as c) folds to a sigma (drawn as o): the script rule holds it."""
    problem = name_problem("\u03f2ivic")
    assert problem is not None and "Greek and Latin" in problem


@pytest.mark.parametrize(
    ("name", "scripts"),
    [
        ("\u0430lice", "Cyrillic and Latin"),
        ("r\u0585\u0585t", "Armenian and Latin"),
        ("lobb\u04af", "Cyrillic and Latin"),
        ("\u03f2ivic", "Greek and Latin"),
        ("\u13aalice", "Cherokee and Latin"),
        ("\u0391laskaJazz", "Greek and Latin"),
        ("\u00b5s", "Greek and Latin"),  # micro sign: Common, but NFKC makes it a Greek mu
        ("user\u0661", "Arabic and Latin"),  # Arabic-Indic digit one
        ("\u0430\u03b1", "Cyrillic and Greek"),
        ("\uae40\u305f", "Hangul and Hiragana"),  # Korean and Japanese do not mix
    ],
)
def test_mixed_script_names_are_refused(name: str, scripts: str) -> None:
    problem = name_problem(name)
    assert problem is not None and f"mix scripts ({scripts})" in problem


def test_script_neutral_characters_go_with_any_script() -> None:
    for name in ("\u0410\u043b\u0438\u0441\u0430_2", "\u674e.\u96f7-1", "\u305f\u308d\u3046\u30fc"):
        assert is_valid_name(name), name


@pytest.mark.parametrize(
    "name",
    [
        "server",
        "SERVER",
        "Operator",
        "admin",
        "root",
        "parley",
        "s\u0435rv\u0435r",  # Cyrillic e
        "\ua731erver",  # small capital S
        "\u1d00dmin",  # small capital A
        "r\u0585\u0585t",  # Armenian oh
        "\uff33\uff25\uff32\uff36\uff25\uff32",  # full-width SERVER
        "ADM\u0406N",  # Cyrillic capital I
        "server\u1160",
        "r00t",  # digit zero is confusable with o
        "parIey",  # capital i for l
    ],
)
def test_reserved_names_even_disguised(name: str) -> None:
    assert is_reserved(name)


@pytest.mark.parametrize("name", ["servers", "serve", "admins", "rooty", "alice"])
def test_names_near_the_reserved_ones_are_free(name: str) -> None:
    assert not is_reserved(name)
    assert is_valid_name(name)


def test_every_reserved_name_is_itself_reserved_and_valid() -> None:
    for name in RESERVED_NAMES:
        assert is_reserved(name) and is_valid_name(name)


# Keys -------------------------------------------------------------------------------------


def test_case_and_width_are_one_user() -> None:
    key = confusable_key("alice")
    assert confusable_key("Alice") == key
    assert confusable_key("ALICE") == key
    assert confusable_key("\uff21lice") == key  # full-width A
    assert confusable_key("bob") != key


def test_distinct_names_keep_distinct_keys() -> None:
    names = ["alice", "bob", "carol", "J\u00fcrgen", "Jurgen", "\u0410\u043b\u0438\u0441\u0430"]
    names += ["\u305f\u308d\u3046", "\u674e\u96f7", "user_1", "user_2", "a.b-c", "abc", "P4RLEY"]
    names += ["parley_"]
    assert len({confusable_key(name) for name in names}) == len(names)
    assert len({look_alike_key(name) for name in names}) == len(names)


def test_non_latin_names_fold_case_too() -> None:
    assert confusable_key("\u0410\u041b\u0418\u0421\u0410") == confusable_key(
        "\u0430\u043b\u0438\u0441\u0430"
    )
    assert confusable_key("\u039d\u0399\u039a\u039f\u03a3") == confusable_key(
        "\u03bd\u03b9\u03ba\u03bf\u03c3"
    )


def test_skeleton_follows_uts_39() -> None:
    assert skeleton("\u0440\u0430\u0443\u0440\u0430l") == "paypal"  # Cyrillic er, a and u
    assert skeleton("m") == "rn"
    assert skeleton("\u1e9b\u0323") == skeleton("\u017f\u0323\u0307")  # NFD first
    assert skeleton("a\u200bb") == "ab"  # default-ignorables go


@given(st.text(max_size=40))
def test_name_key_is_total_and_idempotent(name: str) -> None:
    key = confusable_key(name)
    assert isinstance(key, str)
    assert confusable_key(key) == key


@given(st.text(max_size=40))
def test_look_alike_key_is_total_and_agrees_on_one_spelling(name: str) -> None:
    assert look_alike_key(name) == look_alike_key(name)
    assert confusable_key(look_alike_key(name)) == look_alike_key(name)


@given(st.text(max_size=40))
def test_validity_is_total_and_agrees_with_its_reason(name: str) -> None:
    valid = is_valid_name(name)
    problem = name_problem(name)
    assert isinstance(valid, bool)
    assert valid == (problem is None)
    assert isinstance(is_reserved(name), bool)


@settings(deadline=None)  # first sight of a script loads its Unicode data
@given(st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=32))
def test_valid_names_have_a_visible_key(name: str) -> None:
    if is_valid_name(name):
        assert confusable_key(name)


@settings(deadline=None)  # a skeleton of 6,000 characters: seconds on a loaded machine
@given(st.text(max_size=2000))
def test_long_input_is_keyed_without_the_cache(text: str) -> None:
    assert confusable_key(text * 3) == confusable_key(confusable_key(text * 3))
    assert isinstance(look_alike_key(text * 3), str)


def test_a_name_seen_before_is_keyed_from_the_cache() -> None:
    """Keys are asked for on every registration and look-up: a known name is not recomputed.

    (How fast that is, is the benchmark's business, not a timed unit test's.)"""
    name = "w\u00e4rme"  # not ASCII: ASCII names take a translation table, no cache
    confusable_key(name)
    cache = names._cached_key  # through the module: another test reloads it
    before = cache.cache_info().hits
    for _ in range(3):
        assert confusable_key(name) == confusable_key("W\u00c4RME")
    assert cache.cache_info().hits >= before + 3


def test_the_stored_identity_never_changes_for_stored_names() -> None:
    """Accounts, memberships and queues are keyed by `name_key`: it is the fold of old."""
    from parley.chat.names import name_key

    assert name_key("Alice") == name_key("ALICE") == name_key("\uff21lice") == "alice"
    assert name_key("mary") == "mary"  # (its confusable key is 'rnary')
    assert name_key("\u0430lice") == "alice"
    assert name_key("J\u00fcrgen") == "j\u00fcrgen"


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_the_ascii_fast_path_agrees_with_the_full_rules(name: str) -> None:
    from parley.chat import names

    assert confusable_key(name) == names._key(name)
    assert look_alike_key(name) == names._key(names.skeleton(unicodedata.normalize("NFKC", name)))
    slow = "empty" if not name else names._problem(name) if len(name) <= 32 else "too long"
    assert (name_problem(name) is None) == (slow is None)
