"""Parley: a chat server and client speaking the CHAT/1.0 line protocol."""

from __future__ import annotations

__version__ = "0.1.0"
