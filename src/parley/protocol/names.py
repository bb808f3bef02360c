"""What a user name may be, and the key under which names are unique.

A name is one word of 1 to 32 characters: letters and digits of any script, plus ``_``,
``-`` and ``.``, not starting with ``-`` or ``.`` (so no spaces, no invisible or combining
characters, no controls). Names are compared after NFKC normalisation, case folding and
folding of Cyrillic and Greek letters that look like Latin ones, so ``Alice``, ``alice``,
full-width ``\uff21lice`` and ``\u0430lice`` (with a Cyrillic a) are all the same user and
cannot impersonate each other. A few names are reserved for the server itself.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_LENGTH = 32
_EXTRA_CHARACTERS = frozenset("_-.")
RESERVED_NAMES = frozenset({"server", "operator", "admin", "root", "parley"})


_ASCII_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def is_valid_name(name: str) -> bool:
    """Whether `name` may be registered (reserved names are valid but refused by the hub).

    Every CHAT/1.0 message names its sender, so this runs once per line: ASCII names (the
    common case) take one compiled match instead of a test per character.
    """
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        return False
    if name.isascii():
        return _ASCII_NAME.fullmatch(name) is not None
    if name[0] in "-.":
        return False
    return all(ch.isalnum() or ch in _EXTRA_CHARACTERS for ch in name)


# Lower-case Cyrillic and Greek letters that render like Latin ones (after case folding).
_LOOK_ALIKES = str.maketrans(
    {
        "\u0430": "a",
        "\u0435": "e",
        "\u043e": "o",
        "\u0440": "p",
        "\u0441": "c",
        "\u0443": "y",
        "\u0445": "x",
        "\u0456": "i",
        "\u0458": "j",
        "\u0455": "s",
        "\u04bb": "h",
        "\u0501": "d",
        "\u051b": "q",
        "\u051d": "w",
        "\u04cf": "l",
        "\u0432": "b",
        "\u043a": "k",
        "\u043c": "m",
        "\u043d": "h",
        "\u0442": "t",
        "\u03b1": "a",
        "\u03bf": "o",
        "\u03c1": "p",
        "\u03b9": "i",
        "\u03ba": "k",
        "\u03bd": "v",
        "\u03c4": "t",
        "\u03c5": "u",
        "\u03c7": "x",
        "\u03b5": "e",
        "\u03b7": "n",
        "\u03c9": "w",
        "\u03b2": "b",
        "\u03b6": "z",
        "\u03bc": "u",
    }
)


def name_key(name: str) -> str:
    """The identity of a name: equal keys mean the same user (or a look-alike of one)."""
    return unicodedata.normalize("NFKC", name).casefold().translate(_LOOK_ALIKES)


def is_reserved(name: str) -> bool:
    """Whether `name` belongs to the server and may not be taken by a user."""
    return name_key(name) in RESERVED_NAMES
