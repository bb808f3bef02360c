"""TokenBucket: burst, then the steady rate."""

from __future__ import annotations

from parley.ratelimit import TokenBucket


def test_burst_then_rate() -> None:
    bucket = TokenBucket(rate=2, burst=5)
    assert [bucket.allow(0.0) for _ in range(6)] == [True] * 5 + [False]
    assert bucket.allow(0.5)
    assert not bucket.allow(0.5)
    assert bucket.allow(10.0)


def test_tokens_never_exceed_burst() -> None:
    bucket = TokenBucket(rate=100, burst=3)
    assert sum(bucket.allow(1000.0) for _ in range(10)) == 3
