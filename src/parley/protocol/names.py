"""What a user name may be, and the key under which names are unique.

A name is one word of 1 to 32 characters: letters and digits of any script, plus ``_``,
``-`` and ``.``, not starting with ``-`` or ``.``. Names are compared after NFKC
normalisation and case folding, so ``Alice`` and ``alice`` (or full-width ``\uff21lice``) are the
same user. A few names are reserved for the server itself.
"""

from __future__ import annotations

import unicodedata

MAX_NAME_LENGTH = 32
_EXTRA_CHARACTERS = frozenset("_-.")
RESERVED_NAMES = frozenset({"server", "operator", "admin", "root", "parley"})


def is_valid_name(name: str) -> bool:
    """Whether `name` may be registered (reserved names are valid but refused by the hub)."""
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        return False
    if name[0] in "-.":
        return False
    return all(ch.isalnum() or ch in _EXTRA_CHARACTERS for ch in name)


def name_key(name: str) -> str:
    """The identity of a name: equal keys mean the same user."""
    return unicodedata.normalize("NFKC", name).casefold()


def is_reserved(name: str) -> bool:
    """Whether `name` belongs to the server and may not be taken by a user."""
    return name_key(name) in RESERVED_NAMES
