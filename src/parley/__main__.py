"""``python -m parley``: the terminal client, the same as the ``parley`` command."""

from __future__ import annotations

from parley.client.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
