"""A chat's message budget: a burst, a refill, an album below zero, room kept."""

from __future__ import annotations

import time

from bot.telegram.token_bucket import TokenBucket


async def test_a_burst_goes_at_once_then_the_refill_paces() -> None:
    bucket = TokenBucket(3, per_second=10.0)
    started = time.monotonic()
    for _ in range(3):
        await bucket.take(1)
    assert time.monotonic() - started < 0.05
    await bucket.take(1)
    assert time.monotonic() - started >= 0.09
    assert not bucket.full()


async def test_keeping_tokens_waits_for_them_too() -> None:
    bucket = TokenBucket(3, per_second=10.0)
    await bucket.take(2)
    started = time.monotonic()
    await bucket.take(1, keep=1)  # 1 left, 2 needed
    assert time.monotonic() - started >= 0.09


async def test_an_album_waits_for_a_full_bucket_and_delays_what_follows() -> None:
    bucket = TokenBucket(2, per_second=10.0)
    started = time.monotonic()
    await bucket.take(5)  # at once: the bucket is full
    assert time.monotonic() - started < 0.05
    await bucket.take(1)  # 5 + 1 for the album's arrival, then its own: 0.5 s
    assert time.monotonic() - started >= 0.45
