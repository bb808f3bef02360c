"""The client's own check of a user name before it goes on the wire.

This is deliberately looser than the server's rules (`parley.protocol.names`): servers
written to the seed differ in what they accept, so the client only refuses what would break
the line protocol itself (whitespace, control characters, the ``:`` that ends ``@name:``).
The server has the last word and answers ``400`` for anything else it dislikes.
"""

from __future__ import annotations


def name_problem(name: str) -> str | None:
    """Why `name` cannot be sent in ``REGISTER <name> CHAT/1.0`` (\"it ...\"), or None."""
    if not name:
        return "it is empty"
    if any(ch.isspace() for ch in name):
        return "it must be a single word (no spaces)"
    if not name.isprintable():
        return "it contains control characters"
    if ":" in name:
        return "it must not contain ':'"
    return None
