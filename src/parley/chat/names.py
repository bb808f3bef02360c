"""What a user or room name may be, and the key under which names are unique.

The chat core's authority on names. It is pure: no I/O beyond reading, once at import, the
Unicode data that ships with `confusable_homoglyphs`; it must never import the server,
client or protocol layers.

A valid name is one word of 1 to 32 characters: letters and digits of any script, plus
``_``, ``-`` and ``.``, not starting with ``-`` or ``.``, with

- no default-ignorable code point (UAX #44 ``Default_Ignorable_Code_Point``): among them the
  Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, which Python counts as letters but which
  draw nothing, so ``server`` + U+1160 would look exactly like ``server``;
- one script, at UTS #39's "Highly Restrictive" level (section 5.2): the resolved script
  set (section 5.1, with Han, Hiragana, Katakana, Hangul and Bopomofo augmented to Jpan,
  Kore and Hanb) is not empty, or the scripts are within Latin + Han + Hiragana + Katakana,
  Latin + Han + Bopomofo or Latin + Han + Hangul. Common and Inherited characters (ASCII
  digits, ``_-.``) go with any script. So an all-Cyrillic or a Japanese name is fine, and
  ``alice`` with a Cyrillic U+0430 for its ``a`` is not.

Names are compared by `confusable_key`: NFKC, case folding (small capitals too), then the UTS #39
confusable skeleton (section 4: NFD, default-ignorables removed, each character replaced by
its prototype from Unicode's confusables.txt, NFD again), repeated until nothing changes (a
prototype may fold further, as Cherokee ones do). ``Alice``, ``ALICE``, ``Alice`` with a
full-width A (U+FF21), and ``alice`` spelt with a Latin alpha (U+0251), a dotless i (U+0131)
or a Cherokee GO (U+13AA) all have one key, so none can pass for another. The key is for
comparison only, never for display: the skeleton of ``admin`` is ``adrnin``. Folding case
first hides the look-alikes made with capitals (``AIice`` with a capital I);
`look_alike_key`, the skeleton taken before folding, catches those, so a new name is a
look-alike of a name in use when either key is equal.

Data: Scripts.txt and confusables.txt of Unicode 15.1 as packaged by confusable_homoglyphs.
The package keeps each confusables.txt line ``source ; prototype`` in both directions;
`_prototypes` recovers the direction. Its generator skipped about 1000 lines whose comments
hold bidi marks (mostly Arabic, Hebrew, N'Ko), so look-alikes inside those scripts are not
all caught; across scripts the single-script rule still holds. Case folding can also carry
a character out of its look-alike class (lunate sigma, drawn like ``c``, folds to a sigma,
drawn like ``o``); mixed with Latin such a name is refused anyway.
"""

from __future__ import annotations

import bisect
import functools
import importlib.resources
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

MAX_NAME_LENGTH = 32
RESERVED_NAMES = frozenset({"server", "operator", "admin", "root", "parley"})

_EXTRA_CHARACTERS = frozenset("_-.")
_DATA_PACKAGE = "confusable_homoglyphs"
_CACHED_KEYS = 2_048  # bounded: each registration is a new name, so misses are the rule
_CACHEABLE_LENGTH = 4 * MAX_NAME_LENGTH  # longer strings are keyed without the cache
_MAX_ROUNDS = 8  # every code point settles within 4 (the last one only confirms)

# Default_Ignorable_Code_Point = Other_Default_Ignorable_Code_Point + Cf + Variation_Selector
# - White_Space - FFF9..FFFB - 13430..1343F - Prepended_Concatenation_Mark (UAX #44,
# DerivedCoreProperties.txt). Cf comes from unicodedata; the two lists below are PropList.txt's.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x115F, 0x1160),  # HANGUL CHOSEONG FILLER, HANGUL JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ, AA
    (0x180B, 0x180D),  # MONGOLIAN FREE VARIATION SELECTORS
    (0x180F, 0x180F),
    (0x2065, 0x2065),
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFE00, 0xFE0F),  # VARIATION SELECTORS
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0xFFF0, 0xFFF8),
    (0xE0000, 0xE0FFF),  # tags, VARIATION SELECTORS-17..256 and reserved
)
_IGNORABLE_STARTS = [low for low, _ in _IGNORABLE_RANGES]
# Format characters that stay visible: Prepended_Concatenation_Mark, annotation and
# Egyptian hieroglyph format controls.
_VISIBLE_FORMAT = frozenset(
    (
        *range(0x0600, 0x0606),
        *(0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x110BD, 0x110CD),
        *range(0xFFF9, 0xFFFC),
        *range(0x13430, 0x13440),
    )
)
HANGUL_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")

# UTS #39 section 5.1: scripts that share a writing system, and section 5.2's permitted mixes.
_AUGMENTED = {
    "HAN": frozenset({"HAN", "JPAN", "KORE", "HANB"}),
    "HIRAGANA": frozenset({"HIRAGANA", "JPAN"}),
    "KATAKANA": frozenset({"KATAKANA", "JPAN"}),
    "HANGUL": frozenset({"HANGUL", "KORE"}),
    "BOPOMOFO": frozenset({"BOPOMOFO", "HANB"}),
}
_ANY_SCRIPT = frozenset({"COMMON", "INHERITED"})
_HIGHLY_RESTRICTIVE = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)


def _load(resource: str) -> Any:
    text = (importlib.resources.files(_DATA_PACKAGE) / resource).read_text(encoding="utf-8")
    return json.loads(text)


def _prototypes(homoglyphs: dict[str, list[dict[str, str]]]) -> dict[int, str]:
    """Each confusables.txt source character and its prototype, from the two-way map.

    Prototypes are never sources, so a source has exactly one partner (its prototype) and
    a prototype has one per source. A character with one partner is thus a source, unless
    that partner has only it too: then the file order tells, as the generator met the
    source (and made its entry) first. Bidi marks around right-to-left characters are a
    relic of the file's comments and are dropped.
    """
    order = {key: index for index, key in enumerate(homoglyphs)}
    marks = dict.fromkeys(map(ord, "\u200e\u200f"))
    table: dict[int, str] = {}
    for source, partners in homoglyphs.items():
        if len(source) != 1 or len(partners) != 1:
            continue
        target = partners[0]["c"]
        back = [partner["c"] for partner in homoglyphs.get(target, [])]
        if len(target) == 1 and back == [source] and order[target] < order[source]:
            continue  # `source` is the prototype of a one-source group
        table[ord(source)] = target.translate(marks)
    return table


def _script_table(categories: dict[str, Any]) -> tuple[list[int], list[int], list[str]]:
    """Scripts.txt as three parallel lists: range starts, range ends, script names."""
    names = [str(name) for name in categories["iso_15924_aliases"]]
    ranges = sorted(
        (int(r[0]), int(r[1]), names[int(r[2])]) for r in categories["code_points_ranges"]
    )
    return [r[0] for r in ranges], [r[1] for r in ranges], [r[2] for r in ranges]


_PROTOTYPES = _prototypes(_load("confusables.json"))
_SCRIPT_STARTS, _SCRIPT_ENDS, _SCRIPTS = _script_table(_load("categories.json"))


def _is_default_ignorable(ch: str) -> bool:
    code = ord(ch)
    if code < 0xAD:
        return False
    index = bisect.bisect_right(_IGNORABLE_STARTS, code) - 1
    if index >= 0 and code <= _IGNORABLE_RANGES[index][1]:
        return True
    return unicodedata.category(ch) == "Cf" and code not in _VISIBLE_FORMAT


def _script(ch: str) -> str:
    """The Unicode Script of `ch` as an upper-case long name (``LATIN``, ``COMMON``, ...)."""
    code = ord(ch)
    index = bisect.bisect_right(_SCRIPT_STARTS, code) - 1
    if index >= 0 and code <= _SCRIPT_ENDS[index]:
        return _SCRIPTS[index]
    return "UNKNOWN"


def _scripts(text: str) -> frozenset[str]:
    return frozenset(_script(ch) for ch in text) - _ANY_SCRIPT


def _is_highly_restrictive(scripts: frozenset[str]) -> bool:
    """UTS #39 section 5.2 for the scripts of a string (Common and Inherited left out)."""
    if len(scripts) <= 1:
        return True
    resolved = functools.reduce(
        frozenset.intersection, (_AUGMENTED.get(s, frozenset({s})) for s in scripts)
    )
    return bool(resolved) or any(scripts <= allowed for allowed in _HIGHLY_RESTRICTIVE)


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}".rstrip()


def _listing(scripts: Iterable[str]) -> str:
    words = sorted(s.replace("_", " ").title() for s in scripts)
    return ", ".join(words[:-1]) + " and " + words[-1]


def name_problem(name: str) -> str | None:
    """Why `name` may not be used, in a few words for people; None if it may.

    Reserved names are valid here (see `is_reserved`); whether a look-alike of the name is
    taken is for the caller to ask, by `confusable_key`.
    """
    if not name:
        return "a name has at least one character"
    if len(name) > MAX_NAME_LENGTH:
        return f"a name has at most {MAX_NAME_LENGTH} characters"
    if _ASCII_NAME.fullmatch(name):
        return None  # one script (Latin), nothing invisible, never empty once folded
    return _problem(name)


@functools.lru_cache(maxsize=_CACHED_KEYS)
def _problem(name: str) -> str | None:
    if name[0] in "-.":
        return "a name may not start with '-' or '.'"
    for ch in name:
        if _is_default_ignorable(ch) or ch in HANGUL_FILLERS:
            return f"a name may not hold invisible characters ({_describe(ch)})"
        if not (ch.isalnum() or ch in _EXTRA_CHARACTERS):
            return f"a name has only letters, digits, '_', '-' and '.' (not {_describe(ch)})"
    for form in (name, unicodedata.normalize("NFKC", name)):
        scripts = _scripts(form)
        if not _is_highly_restrictive(scripts):
            return f"a name may not mix scripts ({_listing(scripts)})"
    if not confusable_key(name):
        return "a name must show something"
    return None


def is_valid_name(name: str) -> bool:
    """Whether `name` may be registered (reserved names are valid but refused by the hub)."""
    return name_problem(name) is None


def skeleton(text: str) -> str:
    """The UTS #39 skeleton of `text`: equal skeletons mean the strings look alike."""
    decomposed = unicodedata.normalize("NFD", text)
    if not decomposed.isascii():
        decomposed = "".join(ch for ch in decomposed if not _is_default_ignorable(ch))
    return unicodedata.normalize("NFD", decomposed.translate(_PROTOTYPES))


@functools.lru_cache(maxsize=4096)
def _small_capital(ch: str) -> str:
    """``LATIN LETTER SMALL CAPITAL A`` is, ignoring case, ``LATIN SMALL LETTER A``.

    confusables.txt keeps small capitals apart from lower-case letters (``ᴀ`` is drawn as a
    small ``A``), but where case is ignored a small ``A`` is an ``a``: ``ᴀdmin`` reads as
    ``Admin``. Unicode's character names pair them; we follow the names.
    """
    head, capital, letter = unicodedata.name(ch, "").partition(" LETTER SMALL CAPITAL ")
    if not capital:
        return ch
    try:
        return unicodedata.lookup(f"{head} SMALL LETTER {letter}")
    except KeyError:
        return ch


def _fold(name: str) -> str:
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    if folded.isascii():
        return folded
    return "".join(map(_small_capital, folded))


def _key(name: str) -> str:
    for _ in range(_MAX_ROUNDS):
        key = skeleton(_fold(name))
        if key == name:
            break
        name = key
    return name


_cached_key = functools.lru_cache(maxsize=_CACHED_KEYS)(_key)


def confusable_key(name: str) -> str:
    """What a name looks like: equal keys mean one is a look-alike of the other.

    Two users may not hold names with equal confusable keys. This key is never stored: it
    follows the Unicode data, which changes with the data package (`name_key` is stored).
    """
    if name.isascii():
        return name.translate(_ASCII_KEYS)
    if len(name) > _CACHEABLE_LENGTH:
        return _key(name)
    return _cached_key(name)


@functools.lru_cache(maxsize=_CACHED_KEYS)
def _cached_look_alike_key(name: str) -> str:
    return confusable_key(skeleton(unicodedata.normalize("NFKC", name)))


def look_alike_key(name: str) -> str:
    """What `name` may be mistaken for: its skeleton taken before case folding.

    `confusable_key` folds case first, as identity must (``Alice`` is ``alice``), and so misses
    look-alikes that only an upper-case letter makes: ``AIice`` with a capital I for the l
    has the key ``aiice``, yet its skeleton is that of ``Alice``. A new name whose
    `confusable_key` or `look_alike_key` equals that of a name in use is a look-alike of it.
    """
    if name.isascii():
        return name.translate(_ASCII_LOOKS)
    if len(name) > _CACHEABLE_LENGTH:
        return confusable_key(skeleton(unicodedata.normalize("NFKC", name)))
    return _cached_look_alike_key(name)


def _ascii_table(key: Callable[[str], str]) -> dict[int, str]:
    """`key` of each ASCII character: for ASCII text the keys are made character by character
    (folding, skeleton and NFD act on each alone when every prototype is ASCII), so a
    registration pays one `str.translate` instead of NFKC, NFD and skeleton rounds."""
    table = {code: key(chr(code)) for code in range(128)}
    assert all(value.isascii() for value in table.values()), "an ASCII prototype is not ASCII"
    return table


_ASCII_KEYS = _ascii_table(_key)
_ASCII_LOOKS = _ascii_table(lambda ch: _key(skeleton(unicodedata.normalize("NFKC", ch))))
_ASCII_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")

_RESERVED_KEYS = frozenset(confusable_key(reserved) for reserved in RESERVED_NAMES)
_RESERVED_LOOKS = frozenset(look_alike_key(reserved) for reserved in RESERVED_NAMES)


def is_reserved(name: str) -> bool:
    """Whether `name`, or what it looks like, belongs to the server."""
    return confusable_key(name) in _RESERVED_KEYS or look_alike_key(name) in _RESERVED_LOOKS


# Identity: the key names are stored and compared under. It must never change for a name that
# is already stored (accounts, memberships, offline queues are keyed by it), so it stays the
# fold Parley has always used; look-alikes are refused by `confusable_key` instead.
_IDENTITY_FOLD = str.maketrans(
    {
        "\u0430": "a", "\u0435": "e", "\u043e": "o", "\u0440": "p", "\u0441": "c",
        "\u0443": "y", "\u0445": "x", "\u0456": "i", "\u0458": "j", "\u0455": "s",
        "\u04bb": "h", "\u0501": "d", "\u051b": "q", "\u051d": "w", "\u04cf": "l",
        "\u0432": "b", "\u043a": "k", "\u043c": "m", "\u043d": "h", "\u0442": "t",
        "\u03b1": "a", "\u03bf": "o", "\u03c1": "p", "\u03b9": "i", "\u03ba": "k",
        "\u03bd": "v", "\u03c4": "t", "\u03c5": "u", "\u03c7": "x", "\u03b5": "e",
        "\u03b7": "n", "\u03c9": "w", "\u03b2": "b", "\u03b6": "z", "\u03bc": "u",
    }
)  # fmt: skip


@functools.lru_cache(maxsize=_CACHED_KEYS)
def name_key(name: str) -> str:
    """The identity of a name (``Alice`` is ``alice``), as stored; see `confusable_key`."""
    return unicodedata.normalize("NFKC", name).casefold().translate(_IDENTITY_FOLD)
