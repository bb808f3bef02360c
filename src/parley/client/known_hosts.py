"""Certificates the user chose to trust, like ssh's known_hosts: ``HOST:PORT FINGERPRINT``.

The file (``$XDG_DATA_HOME/parley/known_hosts``, else ``~/.local/share/parley/known_hosts``)
holds one line per server::

    # comments and blank lines are kept
    localhost:64700 3F:A2:...:9C
    [::1]:64700 3F:A2:...:9C

A fingerprint is the SHA-256 of the server's certificate, written as the server prints it at
start. Reading never fails on a malformed line (it is ignored and kept); writing replaces
the file in one rename, so a crash never leaves half a file.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

HEADER = (
    "# Parley known hosts: one 'HOST:PORT SHA-256-FINGERPRINT' per line.\n"
    "# Delete a server's line to be asked again about its certificate.\n"
)
_HEX = re.compile(r"[0-9A-F]{64}")


def default_path() -> Path:
    """``$XDG_DATA_HOME/parley/known_hosts``, or ``~/.local/share/parley/known_hosts``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "parley" / "known_hosts"


def normalise_fingerprint(text: str) -> str | None:
    """``AA:BB:...`` (64 hex digits in pairs), from any case, with or without colons; or None.

    An ``SHA256:`` or ``sha256/`` prefix is accepted; so are spaces between pairs.
    """
    cleaned = text.strip().upper()
    for prefix in ("SHA256:", "SHA-256:", "SHA256/"):
        cleaned = cleaned.removeprefix(prefix)
    digits = re.sub(r"[\s:]", "", cleaned)
    if not _HEX.fullmatch(digits):
        return None
    return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def parse(text: str) -> dict[str, str]:
    """The entries of a known_hosts file: ``HOST:PORT`` to fingerprint (later lines win)."""
    entries: dict[str, str] = {}
    for line in text.splitlines():
        key, fingerprint = _entry(line)
        if key is not None and fingerprint is not None:
            entries[key] = fingerprint
    return entries


def _entry(line: str) -> tuple[str | None, str | None]:
    words = line.split()
    if len(words) != 2 or line.lstrip().startswith("#"):
        return None, None
    return words[0].lower(), normalise_fingerprint(words[1])


def with_entry(text: str, key: str, fingerprint: str) -> str:
    """`text` with `key`'s line replaced by (or, if it has none, followed by) the new one."""
    key = key.lower()
    kept = [line for line in text.splitlines() if _entry(line)[0] != key]
    if not kept:
        kept = HEADER.splitlines()
    return "\n".join([*kept, f"{key} {fingerprint}"]) + "\n"


class KnownHosts:
    """The known_hosts file at `path` (which need not exist yet)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lookup(self, key: str) -> str | None:
        """The fingerprint trusted for `key` (``HOST:PORT``), or None.

        Raises `OSError` if the file exists but cannot be read.
        """
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return None
        return parse(text).get(key.lower())

    def remember(self, key: str, fingerprint: str) -> None:
        """Trust `fingerprint` for `key` from now on, replacing any earlier entry.

        The directory is made (private to the user) if missing. Raises `OSError` on failure.
        """
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            text = ""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=".known_hosts.", dir=self.path.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                out.write(with_entry(text, key, fingerprint))
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
