"""``python -m parley.bench``: the same as the ``parley-bench`` command."""

from __future__ import annotations

from parley.bench.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
