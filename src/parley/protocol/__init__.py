"""Sans-I/O wire protocols: bytes in, typed events out, events to bytes.

Nothing in this package may import asyncio, socket or touch global state; it is driven by
whoever owns the connection.
"""
