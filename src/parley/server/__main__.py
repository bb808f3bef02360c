"""``python -m parley.server``: the same as the ``parley-server`` command."""

from __future__ import annotations

from parley.server.cli import main

raise SystemExit(main())
