"""The server's I/O layer: listeners, connections, signals, the operator console.

This is the only part of the server that touches sockets or asyncio; the chat rules live in
`parley.chat` and the wire formats in `parley.protocol`.
"""

from __future__ import annotations

from parley.server.app import ChatServer
from parley.server.config import ServerConfig

__all__ = ["ChatServer", "ServerConfig"]
