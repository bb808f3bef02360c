"""Out of file descriptors: the server keeps serving its clients and recovers."""

from __future__ import annotations

import resource
import socket
import subprocess
import sys
import time

from tests.e2e.procs import Proc


def limit_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (48, 48))


def test_emfile_on_accept_is_survived() -> None:
    proc = Proc(
        [
            sys.executable,
            "-m",
            "parley.server",
            "--host",
            "127.0.0.1",
            "--max-per-address",
            "0",
            "--registrations-per-minute",
            "0",
        ],
        stdin=subprocess.DEVNULL,
        preexec_fn=limit_descriptors,
    )
    try:
        port = int(proc.expect(r"port (\d+)").group(1))
        alice = socket.create_connection(("127.0.0.1", port), timeout=5)
        alice.sendall(b"REGISTER alice CHAT/1.0\n")
        assert alice.recv(100) == b"200 Registration successful\n"
        bob = socket.create_connection(("127.0.0.1", port), timeout=5)
        bob.sendall(b"REGISTER bob CHAT/1.0\n")
        assert bob.recv(100) == b"200 Registration successful\n"
        hogs = [socket.create_connection(("127.0.0.1", port)) for _ in range(80)]
        time.sleep(0.5)  # the server is now out of descriptors and backing off accept()
        alice.sendall(b"@alice: still there?\n")
        assert bob.recv(100) == b"@alice: still there?\n"
        for hog in hogs:
            hog.close()
        deadline = time.monotonic() + 10
        while True:  # accepting resumes once descriptors are free again
            carol = socket.create_connection(("127.0.0.1", port), timeout=5)
            carol.sendall(b"REGISTER carol CHAT/1.0\n")
            try:
                if carol.recv(100) == b"200 Registration successful\n":
                    break
            except (TimeoutError, ConnectionResetError):
                pass
            carol.close()
            assert time.monotonic() < deadline, "server never accepted again"
            time.sleep(0.5)
        assert proc.popen.poll() is None
    finally:
        proc.kill()
