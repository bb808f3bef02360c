"""A CHAT/1.0 server written from seed 004's text alone (no Parley imports, no threads).

Usage: spec_server.py. It picks a free port, reports it, registers clients, relays every
"@name: text" line to all other registered clients and, on Ctrl-C, says DISCONNECT CHAT/1.0
to everyone. Its 200 reply is worded "200 OK", as another student's server might.
"""

import selectors
import socket

server = socket.create_server(("127.0.0.1", 0))
print(f"Will wait for client messages at port {server.getsockname()[1]}", flush=True)
selector = selectors.DefaultSelector()
selector.register(server, selectors.EVENT_READ)
names: dict[socket.socket, str] = {}
buffers: dict[socket.socket, bytes] = {}


def handle(sock: socket.socket, line: str) -> None:
    words = line.split()
    if words[:1] == ["REGISTER"]:
        if len(words) != 3 or words[2] != "CHAT/1.0":
            sock.sendall(b"400 Invalid registration\n")
        elif words[1] in names.values():
            sock.sendall(b"401 Client already registered\n")
        else:
            names[sock] = words[1]
            sock.sendall(b"200 OK\n")
    elif words[:1] == ["DISCONNECT"]:
        names.pop(sock, None)
    elif line.startswith("@") and sock in names:
        for other in names:
            if other is not sock:
                other.sendall(f"{line}\n".encode())


try:
    while True:
        for key, _ in selector.select():
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if sock is server:
                selector.register(server.accept()[0], selectors.EVENT_READ)
                continue
            data = sock.recv(4096)
            if not data:
                selector.unregister(sock)
                names.pop(sock, None)
                sock.close()
                continue
            *lines, buffers[sock] = (buffers.get(sock, b"") + data).split(b"\n")
            for raw in lines:
                handle(sock, raw.decode(errors="replace").rstrip("\r"))
except KeyboardInterrupt:
    for sock in names:
        sock.sendall(b"DISCONNECT CHAT/1.0\n")
