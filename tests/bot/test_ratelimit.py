"""The per-chat rate limiter: pacing, group limits and waiting out a 429."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from telegram.error import RetryAfter

from bot.ratelimit import ChatRateLimiter


class Recorder:
    """A Bot API call stand-in that records when it ran and can fail once with a 429."""

    def __init__(self, retry_after: int | None = None) -> None:
        self.times: list[float] = []
        self._retry_after = retry_after

    async def __call__(self) -> dict[str, Any]:
        self.times.append(time.monotonic())
        if self._retry_after is not None:
            retry_after, self._retry_after = self._retry_after, None
            raise RetryAfter(retry_after)
        return {"ok": True}


async def call(limiter: ChatRateLimiter, recorder: Recorder, chat_id: int, method: str) -> None:
    await limiter.process_request(recorder, (), {}, method, {"chat_id": chat_id}, None)


async def test_messages_to_one_chat_are_paced_after_a_burst() -> None:
    limiter = ChatRateLimiter(chat_burst=2, chat_per_second=10.0)
    recorder = Recorder()
    start = time.monotonic()
    for _ in range(6):
        await call(limiter, recorder, 42, "sendMessage")
    # 2 at once, then 4 more at 10 a second: at least ~0.3 s in all.
    assert recorder.times[-1] - start >= 0.3


async def test_reactions_and_other_chats_are_not_held_back_by_a_busy_chat() -> None:
    limiter = ChatRateLimiter(chat_burst=1, chat_per_second=0.5)
    busy = Recorder()
    await call(limiter, busy, 42, "sendMessage")  # uses chat 42's whole burst
    other = Recorder()
    start = time.monotonic()
    await call(limiter, other, 43, "sendMessage")
    await call(limiter, other, 42, "setMessageReaction")
    assert other.times[-1] - start < 0.5


async def test_a_429_pauses_that_chat_only_and_is_retried() -> None:
    limiter = ChatRateLimiter()
    failing = Recorder(retry_after=1)
    other = Recorder()
    task = asyncio.create_task(call(limiter, failing, 42, "sendMessage"))
    await asyncio.sleep(0.1)
    await call(limiter, other, 43, "sendMessage")
    assert not task.done()  # chat 42 still waits out its retry_after...
    assert len(other.times) == 1  # ...while chat 43 went ahead
    await task
    assert len(failing.times) == 2
    assert failing.times[1] - failing.times[0] >= 1.0
