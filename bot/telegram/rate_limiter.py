"""Pace outgoing Bot API calls per chat, so bursts never end in 429 errors; retry hiccups."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.telegram.flood_limits import (
    CHAT_BURST,
    CHAT_PER_SECOND,
    GROUP_PER_MINUTE,
    MESSAGE_METHODS,
    OVERALL_PER_SECOND,
    message_cost,
)
from bot.telegram.retries import FIRST_BACKOFF_SECONDS, TRANSIENT_RETRIES, backoff

__all__ = ["ChatRateLimiter"]

logger = logging.getLogger(__name__)

_PRUNE_THRESHOLD = 512

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


class ChatRateLimiter(BaseRateLimiter[int]):
    """Telegram's documented limits, per chat rather than globally.

    PTB's ``AIORateLimiter`` has no per-chat pace for private chats and, after a 429,
    holds back every chat. This one keeps "about one message a second" per chat (with a
    short burst), 20 a minute per group, 30 calls a second overall, and after a 429 waits
    ``retry_after`` for that chat only, then retries. Server errors and timeouts are
    retried with backoff, except for getUpdates, whose polling loop has its own.
    """

    def __init__(
        self,
        *,
        chat_burst: int = CHAT_BURST,
        chat_per_second: float = CHAT_PER_SECOND,
        group_per_minute: int = GROUP_PER_MINUTE,
        overall_per_second: int = OVERALL_PER_SECOND,
        max_retries: int = 5,
        transient_retries: int = TRANSIENT_RETRIES,
        first_backoff: float = FIRST_BACKOFF_SECONDS,
    ) -> None:
        self._chat_burst = chat_burst
        self._chat_per_second = chat_per_second
        self._group_per_minute = group_per_minute
        self._overall = AsyncLimiter(overall_per_second, 1)
        self._max_retries = max_retries
        self._transient_retries = transient_retries
        self._first_backoff = first_backoff
        self._chats: dict[int | str, AsyncLimiter] = {}
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._paused_until: dict[int | str, float] = {}

    async def initialize(self) -> None:
        """Nothing to set up; the limiters are created lazily."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        """Run ``callback`` once the chat's limits allow, retrying after a 429 or a hiccup.

        ``rate_limit_args`` caps the retries of this call (0: try once).
        """
        chat_id = _chat_key(data.get("chat_id"))
        max_retries = self._max_retries if rate_limit_args is None else rate_limit_args
        transient_retries = min(self._transient_retries, max_retries)
        throttled = failed = 0
        while True:
            await self._wait_out_pause(chat_id)
            try:
                limiters = self._limiters(chat_id, endpoint)
                cost = message_cost(endpoint, data)
                # Telegram counts every picture of an album. Send once a burst's worth is
                # free, then pay off the rest before returning, so the chat's next message
                # waits for it (as Telegram's own bucket, which an album takes below zero).
                # Telegram counts an album when all of it has arrived, later than we began
                # sending: one message more pays for that gap.
                for limiter in limiters:
                    await limiter.acquire(min(cost, limiter.max_rate))
                result = await callback(*args, **kwargs)
                for limiter in limiters:
                    owed = cost - min(cost, limiter.max_rate)
                    await _pay(limiter, owed + 1 if owed else 0)
                return result
            except RetryAfter as exc:
                # The public ``retry_after`` warns until PTB 23 makes it a timedelta;
                # PTB's own AIORateLimiter reads the timedelta the same way.
                seconds = exc._retry_after.total_seconds()
                logger.info("429 for chat %s on %s: waiting %.1f s", chat_id, endpoint, seconds)
                if chat_id is not None:
                    # Held even when we give up on this call: the chat's next call waits too.
                    self._paused_until[chat_id] = time.monotonic() + seconds
                if throttled == max_retries:
                    raise
                throttled += 1
                if chat_id is None:
                    await asyncio.sleep(seconds)
            except BadRequest:
                raise  # our request is wrong: sending it again cannot help
            except NetworkError as exc:
                # 5xx and timeouts. After a timeout Telegram may have sent the message all
                # the same; a rare duplicate beats a reply that silently never comes.
                if endpoint == "getUpdates" or failed == transient_retries:
                    raise
                delay = backoff(failed, self._first_backoff)
                failed += 1
                logger.warning("%s failed (%s): retry %d in %.1f s", endpoint, exc, failed, delay)
                await asyncio.sleep(delay)

    def _limiters(self, chat_id: int | str | None, endpoint: str) -> list[AsyncLimiter]:
        # Telegram's limits count messages; downloads, reactions and the like are free of
        # them, and pacing those would only add latency to every photo.
        if chat_id is None or endpoint not in MESSAGE_METHODS:
            return []
        limiters = [self._overall]
        limiters.append(
            _limiter_for(
                self._chats,
                chat_id,
                lambda: AsyncLimiter(self._chat_burst, self._chat_burst / self._chat_per_second),
            )
        )
        if _is_group(chat_id):
            limiters.append(
                _limiter_for(self._groups, chat_id, lambda: AsyncLimiter(self._group_per_minute))
            )
        return limiters

    async def _wait_out_pause(self, chat_id: int | str | None) -> None:
        if chat_id is None:
            return
        while (until := self._paused_until.get(chat_id)) is not None:
            remaining = until - time.monotonic()
            if remaining <= 0:
                self._paused_until.pop(chat_id, None)
                return
            await asyncio.sleep(remaining)


async def _pay(limiter: AsyncLimiter, amount: float) -> None:
    """Take ``amount`` from ``limiter``, in parts no larger than its capacity."""
    while amount > 0:
        part = min(amount, limiter.max_rate)
        await limiter.acquire(part)
        amount -= part


def _chat_key(chat_id: object) -> int | str | None:
    if chat_id is None:
        return None
    try:
        return int(str(chat_id))
    except ValueError:
        return str(chat_id)  # an @channelusername


def _is_group(chat_id: int | str) -> bool:
    # Private chats have positive ids; groups, supergroups and channels negative ones.
    return isinstance(chat_id, str) or chat_id < 0


def _limiter_for(
    limiters: dict[int | str, AsyncLimiter],
    chat_id: int | str,
    create: Callable[[], AsyncLimiter],
) -> AsyncLimiter:
    if len(limiters) > _PRUNE_THRESHOLD:
        # Forget idle chats: a limiter with all its capacity back carries no state.
        for key, limiter in list(limiters.items()):
            if key != chat_id and limiter.has_capacity(limiter.max_rate):
                del limiters[key]
    if chat_id not in limiters:
        limiters[chat_id] = create()
    return limiters[chat_id]
