"""A CHAT/1.0 client written from seed 004's text alone (no Parley imports).

Usage: spec_client.py USERNAME chat://HOST:PORT. Lines on stdin are sent as "@name: line";
lines from the server are printed. Ctrl-C sends DISCONNECT; the server's DISCONNECT ends it.
"""

import selectors
import signal
import socket
import sys
from urllib.parse import urlparse

name, url = sys.argv[1], urlparse(sys.argv[2])
if url.scheme != "chat" or not url.hostname or not url.port:
    sys.exit("Error: invalid server address")
sock = socket.create_connection((url.hostname, url.port))
sock.sendall(f"REGISTER {name} CHAT/1.0\n".encode())
reader = sock.makefile("r", encoding="utf-8", newline="\n")
reply = reader.readline().rstrip("\n")
if not reply.startswith("200"):
    sys.exit(f"Registration failed: {reply}")
print("Registration successful.  Ready for messaging!", flush=True)


def on_interrupt(signum: int, frame: object) -> None:
    sock.sendall(f"DISCONNECT {name} CHAT/1.0\n".encode())
    sys.exit(0)


signal.signal(signal.SIGINT, on_interrupt)
selector = selectors.DefaultSelector()
selector.register(sock, selectors.EVENT_READ)
selector.register(sys.stdin, selectors.EVENT_READ)
while True:
    for key, _ in selector.select():
        if key.fileobj is sock:
            line = reader.readline().rstrip("\n")
            if line == "DISCONNECT CHAT/1.0" or not line:
                print("Disconnected from server ... exiting!", flush=True)
                sys.exit(0)
            print(line, flush=True)
        else:
            line = sys.stdin.readline()
            if line:
                sock.sendall(f"@{name}: {line.rstrip()}\n".encode())
