"""A chat's message budget as Telegram keeps it: a token bucket, with room kept for answers."""

from __future__ import annotations

import asyncio
import time

__all__ = ["TokenBucket"]


class TokenBucket:
    """``capacity`` messages at once, refilled at ``per_second``.

    Unlike aiolimiter's leaky bucket, a take can ask for tokens to be left over: a notice
    keeps one message of the burst for the answer a person may be waiting for, and as it
    needs more tokens than an answer, a waiting answer always goes first.
    """

    def __init__(self, capacity: int, per_second: float) -> None:
        self.capacity = capacity
        self._per_second = per_second
        self._tokens = float(capacity)
        self._refilled_at = time.monotonic()

    def full(self) -> bool:
        """Whether the bucket holds its whole burst (so it carries no state)."""
        self._refill()
        return self._tokens >= self.capacity

    async def take(self, cost: int, *, keep: int = 0) -> None:
        """Wait until ``cost`` tokens and ``keep`` more are there, then spend ``cost``.

        A cost above the capacity (an album) waits for a full bucket and takes it below
        zero, as Telegram does, plus one message for the time an album takes to arrive
        in full: the chat's next message waits for all of it.
        """
        needed = min(cost + keep, self.capacity)
        while True:
            self._refill()
            missing = needed - self._tokens
            if missing <= 0:
                break
            await asyncio.sleep(missing / self._per_second)
        self._tokens -= cost + (1 if cost > self.capacity else 0)

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(
            float(self.capacity), self._tokens + (now - self._refilled_at) * self._per_second
        )
        self._refilled_at = now
