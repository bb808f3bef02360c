"""Start ngircd (the C IRC server, Debian's package) as the bench's IRC baseline.

``python -m parley.bench.ngircd --data-dir DIR`` writes a configuration into DIR, prints
``port N`` as every bench server does, and then *becomes* ngircd (``exec``), so the pid the
bench measures is ngircd's own and nothing of Python is counted against it.

The configuration is ngircd's equivalent of Parley's limits-off run: no penalties for fast
clients (``MaxPenaltyTime = 0``), no per-address or total connection limits, no channel limit,
nicknames long enough for the bench's names, no DNS or ident look-ups, and pings far apart.

Error handling: ngircd missing is one line on stderr and exit status 2 (the bench reports it
as a server that did not start); everything else is ngircd's own business.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
from pathlib import Path

CANDIDATES = ("ngircd", "/usr/sbin/ngircd")
"""Where ngircd is looked for (Debian installs it in /usr/sbin, often not on a user's PATH)."""

CONFIG = """\
[Global]
Name = bench.parley.invalid
Info = parley-bench baseline
Listen = {host}
Ports = {port}
MotdPhrase = parley-bench
AdminInfo1 = parley-bench
AdminInfo2 = loopback
AdminEMail = bench@parley.invalid
PidFile = {data_dir}/ngircd.pid

[Limits]
MaxConnections = 0
MaxConnectionsIP = 0
MaxJoins = 0
MaxNickLength = 31
MaxPenaltyTime = 0
MaxListSize = 1000
PingTimeout = 600
PongTimeout = 120

[Options]
DNS = no
Ident = no
PAM = no
"""


def find_ngircd() -> str | None:
    """The path of the ngircd program, or None."""
    for candidate in CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def free_port(host: str) -> int:
    """A port nothing listens on now (ngircd cannot be given port 0)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def write_config(data_dir: Path, host: str, port: int) -> Path:
    """ngircd.conf for the bench in `data_dir`; readable by the user ngircd drops to."""
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir.chmod(0o755)  # run as root, ngircd switches to "nobody" and writes its pid here
    path = data_dir / "ngircd.conf"
    path.write_text(CONFIG.format(host=host, port=port, data_dir=data_dir))
    path.chmod(0o644)
    return path


def main(argv: list[str] | None = None) -> int:
    """Write the configuration, say the port, become ngircd."""
    parser = argparse.ArgumentParser(prog="python -m parley.bench.ngircd", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--data-dir", type=Path, required=True, help="where its files go")
    args = parser.parse_args(argv)
    program = find_ngircd()
    if program is None:
        print(
            "parley-bench: ngircd is not installed (Debian: apt-get install ngircd)",
            file=sys.stderr,
        )
        return 2
    port = free_port(args.host)
    config = write_config(args.data_dir, args.host, port)
    print(f"ngircd on {args.host} port {port}", flush=True)
    os.execv(program, [program, "--nodaemon", "--config", str(config)])
    return 0  # not reached: execv replaces this process


if __name__ == "__main__":
    sys.exit(main())
