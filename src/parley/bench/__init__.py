"""``parley-bench``: a load generator and benchmark for CHAT/1.0 servers.

It opens real client connections over loopback, registers them, makes some of them talk and
measures, from outside the server, what the server costs: deliveries per second, delivery
latency, server CPU per delivery (from ``/proc/<pid>``), registrations per second and memory
per idle connection. Every figure can be put beside a built-in "bare relay" baseline measured
in the same invocation (`parley.bench.relay`).

This package only drives servers through their sockets and reads ``/proc``; it never imports
the server, so it measures Parley exactly as a client sees it and can measure any other
server of the same protocol.
"""
