"""Doors: one module per wire dialect, chosen by the first line a connection sends.

Adding a dialect is one module here (decode with its `parley.protocol` codec into chat-core
commands, encode answers and deliveries), one codec, and one entry in `registry.DOORS`.
"""
