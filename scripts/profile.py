"""Profile the server on one benchmark row: where its CPU goes, function by function.

``make profile`` (``ARGS="-n 10 -s 10 -m 20000"`` by default: the 10-member room): starts
``parley-server`` under py-spy (sampling, so the server runs at full speed), runs
``parley-bench run --connect`` against it, stops it, and prints the functions with the
most samples (while holding the GIL: running Python, not waiting), by own time and by
time including callees. The raw stacks are kept in
``build/profile/`` (``profile.txt``, collapsed; open it in speedscope or flamegraph.pl).

py-spy needs to read the server's memory (ptrace): root, or the same user with
``kernel.yama.ptrace_scope`` at 0. A failure is one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path("build/profile")
DEFAULT_RUN = "-n 10 -s 10 -m 20000"
RATE = os.environ.get("PROFILE_RATE", "250")  # samples a second; 1000 for short runs
SERVER = [
    "-m", "parley.server", "--host", "127.0.0.1", "--port", "0", "--console", "off",
    "--log-level", "WARNING", "--flood-rate", "0", "--max-connections", "0",
    "--max-per-address", "0", "--registrations-per-minute", "0",
]  # fmt: skip


def _py_spy() -> str:
    """py-spy beside this Python (the venv's), else on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise SystemExit("profile: py-spy is not installed (pip install -e '.[profile]')")
    return found


def _wait_for_port(log: Path, process: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = re.search(rb"port (\d+)", log.read_bytes())
        if found:
            return int(found.group(1))
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise SystemExit(f"profile: the server did not start: {log.read_text(errors='replace')[-500:]}")


def _top(collapsed: Path, count: int) -> str:
    """The functions with the most samples: own (leaf) and total (anywhere on the stack)."""
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in collapsed.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        if not stack or not number.isdigit():
            continue
        frames = [re.sub(r" \(.*?/(parley|site-packages|lib/python[^/]*)/", r" (\1/", f)
                  for f in stack.split(";")]  # fmt: skip
        weight = int(number)
        samples += weight
        own[frames[-1]] += weight
        for frame in set(frames):
            total[frame] += weight
    rows = [f"{samples} samples"]
    for title, counter in (("own time", own), ("with callees", total)):
        rows.append(f"\n{title}:")
        rows += [f"{100 * n / samples:6.1f} %  {frame}" for frame, n in counter.most_common(count)]
    return "\n".join(rows)


def main() -> int:
    """Profile one `parley-bench run` against a server under py-spy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", default=DEFAULT_RUN, help="parley-bench run options")
    parser.add_argument("--server-arg", action="append", default=[], help="more server options")
    parser.add_argument("--top", type=int, default=25, help="functions to list")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    collapsed = OUT / "profile.txt"
    data_dir = tempfile.mkdtemp(prefix="parley-profile-")
    log = OUT / "server.log"
    with log.open("wb") as output:
        spy = subprocess.Popen(
            [_py_spy(), "record", "--format", "raw", "--rate", RATE, "--gil",
             "-o", str(collapsed), "--", sys.executable, *SERVER, "--data-dir", data_dir,
             *args.server_arg],
            stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        port = _wait_for_port(log, spy)
        bench = [sys.executable, "-m", "parley.bench", "run", "--connect", f"127.0.0.1:{port}"]
        run = [*bench, *shlex.split(args.run)]
        done = subprocess.run(run, check=False, capture_output=True, text=True)
        print("\n".join(done.stdout.splitlines()[:-1]))  # the table, not the JSON line
    finally:
        # py-spy passes SIGINT on to the server, which shuts down; then py-spy writes.
        spy.send_signal(signal.SIGINT)
        try:
            spy.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(spy.pid, signal.SIGKILL)
    if not collapsed.exists():
        print(f"profile: py-spy wrote nothing; see {log}", file=sys.stderr)
        return 1
    print(_top(collapsed, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
