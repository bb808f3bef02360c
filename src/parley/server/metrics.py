"""The server's metrics for ``GET /metrics``: one `prometheus_client` registry per server.

What is counted on the message path is counted in plain integers (an attribute increment,
no lock); `prometheus_client` sees them only when scraped, through a collector. What is rare
(a store commit, a loop-lag probe once a second) goes straight into its histograms.

Metrics are made for a server the first time something asks (`metrics_for`), so a server
that nobody scrapes pays a few increments per connection and per write, nothing more. This
module must never import the chat core's internals beyond what it reads at scrape time.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from parley.server.app import ChatServer

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LAG_INTERVAL = 1.0  # seconds between event-loop lag probes
# Why a connection was closed, as a label: close reasons can hold user text (a kick's
# reason), so only these known prefixes become labels; the rest is "other".
DROP_REASONS = (
    "send queue exceeded",
    "excess flood",
    "registration timeout",
    "internal error",
    "kicked",
    "server shutting down",
    "client disconnected",
    "request timeout",
    "idle",
    "bad request",
    "websocket closed",
    "signed out",
    "http done",
)


def drop_label(reason: str) -> str:
    """The label for close reason `reason` (one of `DROP_REASONS`, or "other")."""
    for known in DROP_REASONS:
        if reason.startswith(known):
            return known
    return "other"


class Metrics:
    """One server's counters, gauges and histograms, and its registry."""

    def __init__(self, server: ChatServer) -> None:
        self._server = weakref.ref(server)
        self.registry = CollectorRegistry(auto_describe=True)
        self.connections: dict[str, int] = {}  # door -> open connections
        self.drops: dict[str, int] = {}  # reason label -> connections closed by the server
        self.writes = 0  # socket writes (one per connection per loop iteration at most)
        self.queued = 0  # chunks queued to clients: deliveries, replies, notices
        self.messages_in = 0  # messages from clients that were kept
        self.commit = Histogram(
            "parley_store_commit_seconds",
            "Time from a batch of messages handed to the store to its commit",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.lag = Histogram(
            "parley_event_loop_lag_seconds",
            "How late a timer of the event loop ran (probed once a second)",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
            registry=self.registry,
        )
        self.registry.register(_Collector(self))
        self._lag_handle: asyncio.TimerHandle | None = None
        self._instrument_store(server)
        self._probe_lag(time.monotonic() + LAG_INTERVAL)

    # Counting ------------------------------------------------------------------------------

    def opened(self, door: str) -> None:
        self.connections[door] = self.connections.get(door, 0) + 1

    def closed(self, door: str) -> None:
        self.connections[door] = self.connections.get(door, 1) - 1

    def dropped(self, reason: str) -> None:
        label = drop_label(reason)
        self.drops[label] = self.drops.get(label, 0) + 1

    def render(self) -> bytes:
        """The Prometheus text format of everything."""
        return generate_latest(self.registry)

    # Hooks ---------------------------------------------------------------------------------

    def _instrument_store(self, server: ChatServer) -> None:
        """Time each batch commit by wrapping the store's `append_batch` on this instance."""
        store: Any = server.store
        append_batch = store.append_batch
        observe, metrics = self.commit.observe, self

        def timed(messages: Sequence[Any], *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            future = append_batch(messages, *args, **kwargs)
            count = len(messages)

            def done(finished: asyncio.Future[Any]) -> None:
                observe(time.perf_counter() - started)
                if not finished.cancelled() and finished.exception() is None:
                    metrics.messages_in += count

            future.add_done_callback(done)
            return future

        store.append_batch = timed

    def _probe_lag(self, due: float) -> None:
        """Measure how late this timer fires, then set the next; stops with the server."""
        server = self._server()
        if server is None:
            return
        now = time.monotonic()
        self.lag.observe(max(0.0, now - due))
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._lag_handle = loop.call_later(LAG_INTERVAL, self._probe_lag, now + LAG_INTERVAL)

    def stop(self) -> None:
        """No more lag probes."""
        if self._lag_handle is not None:
            self._lag_handle.cancel()
            self._lag_handle = None


class _Collector(Collector):
    """Reads the plain counters, and the server's users and accounts, at scrape time."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        m = self._metrics
        connections = GaugeMetricFamily(
            "parley_connections", "Open connections, by door", labels=["door"]
        )
        for door, count in sorted(m.connections.items()):
            connections.add_metric([door], count)
        yield connections
        drops = CounterMetricFamily(
            "parley_drops", "Connections closed by the server, by reason", labels=["reason"]
        )
        for reason, count in sorted(m.drops.items()):
            drops.add_metric([reason], count)
        yield drops
        yield CounterMetricFamily(
            "parley_messages_in", "Messages from clients, kept in the store", value=m.messages_in
        )
        yield CounterMetricFamily(
            "parley_messages_out", "Socket writes to clients (one per client per loop turn)",
            value=m.writes,
        )  # fmt: skip
        yield CounterMetricFamily(
            "parley_deliveries", "Chunks queued to clients: deliveries, replies, notices",
            value=m.queued,
        )  # fmt: skip
        server = m._server()
        if server is not None:
            yield GaugeMetricFamily(
                "parley_users_online", "Users signed in (each once)", value=len(server.core)
            )
            accounts = len(server.core.registration.accounts)
            yield GaugeMetricFamily(
                "parley_registered_users", "Names with an account", value=accounts
            )


_METRICS: weakref.WeakKeyDictionary[ChatServer, Metrics] = weakref.WeakKeyDictionary()


def metrics_for(server: ChatServer) -> Metrics:
    """The metrics of `server`, made on first use (on its event loop)."""
    metrics = _METRICS.get(server)
    if metrics is None:
        metrics = _METRICS[server] = Metrics(server)
    return metrics
