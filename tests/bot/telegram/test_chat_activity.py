"""Which chats have an update in hand: counted, awaited, forgotten when quiet."""

from __future__ import annotations

import asyncio
import time

from bot.telegram.chat_activity import ChatActivity


async def test_a_chat_is_busy_until_its_last_update_is_handled() -> None:
    activity = ChatActivity()
    with activity.handling(1):
        with activity.handling(1):
            assert activity.busy(1) and not activity.busy(2)
        assert activity.busy(1)
    assert not activity.busy(1)


async def test_quiet_returns_when_the_update_ends_or_after_the_longest_wait() -> None:
    activity = ChatActivity()
    started = time.monotonic()
    await activity.quiet(1, longest=5.0)  # nothing in hand: at once
    assert time.monotonic() - started < 0.05

    async def handle(seconds: float) -> None:
        with activity.handling(1):
            await asyncio.sleep(seconds)

    task = asyncio.create_task(handle(0.2))
    await asyncio.sleep(0)
    started = time.monotonic()
    await activity.quiet(1, longest=5.0)
    assert 0.15 <= time.monotonic() - started < 1.0
    await task

    stuck = asyncio.create_task(handle(5.0))
    await asyncio.sleep(0)
    started = time.monotonic()
    await activity.quiet(1, longest=0.2)
    assert 0.15 <= time.monotonic() - started < 1.0
    stuck.cancel()


async def test_updates_without_a_chat_are_counted_apart_from_every_chat() -> None:
    activity = ChatActivity()
    with activity.handling(None):
        assert activity.busy(None) and not activity.busy(1)
        started = time.monotonic()
        await activity.quiet(1, longest=5.0)
        assert time.monotonic() - started < 0.05
    assert not activity.busy(None)
