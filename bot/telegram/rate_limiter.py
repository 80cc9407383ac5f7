"""Pace outgoing Bot API calls per chat, so bursts never end in 429 errors; retry hiccups."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.telegram.chat_activity import ChatActivity
from bot.telegram.flood_limits import (
    CHAT_BURST,
    CHAT_PER_SECOND,
    GROUP_PER_MINUTE,
    MESSAGE_METHODS,
    OVERALL_PER_SECOND,
    message_cost,
)
from bot.telegram.retries import FIRST_BACKOFF_SECONDS, TRANSIENT_RETRIES, backoff
from bot.telegram.token_bucket import TokenBucket

__all__ = ["NOTICE", "ChatRateLimiter", "Pacing"]

logger = logging.getLogger(__name__)

_PRUNE_THRESHOLD = 512
# A notice keeps this many messages of a chat's burst for answers.
ANSWER_RESERVE: Final = 1
# A notice waits at most this long for a busy chat's answers: a person who sends
# drawing after drawing still gets the pictures of their training.
LONGEST_NOTICE_WAIT: Final = 5.0


@dataclass(frozen=True)
class Pacing:
    """How the rate limiter treats one call (PTB's ``rate_limit_args``).

    ``retries`` caps its retries (None: the limiter's default; 0: try once). A ``notice``
    is something no one is waiting for at this instant (the pictures after a training,
    merged refusals): it waits while the chat has an update in hand and leaves part of
    the chat's burst for answers.
    """

    retries: int | None = None
    notice: bool = False


NOTICE: Final = Pacing(notice=True)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]
Limiter = TypeVar("Limiter", TokenBucket, AsyncLimiter)


class ChatRateLimiter(BaseRateLimiter[Pacing]):
    """Telegram's documented limits, per chat rather than globally.

    PTB's ``AIORateLimiter`` has no per-chat pace for private chats and, after a 429,
    holds back every chat. This one keeps "about one message a second" per chat (with a
    short burst), 20 a minute per group, 30 calls a second overall, and after a 429 waits
    ``retry_after`` for that chat only, then retries. Server errors and timeouts are
    retried with backoff, except for getUpdates, whose polling loop has its own.
    Answers go before notices (see ``Pacing``).
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
        activity: ChatActivity | None = None,
    ) -> None:
        self._chat_burst = chat_burst
        self._chat_per_second = chat_per_second
        self._group_per_minute = group_per_minute
        self._overall = AsyncLimiter(overall_per_second, 1)
        self._max_retries = max_retries
        self._transient_retries = transient_retries
        self._first_backoff = first_backoff
        self._activity = activity or ChatActivity()
        self._chats: dict[int | str, TokenBucket] = {}
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
        rate_limit_args: Pacing | None,
    ) -> JSONResult:
        """Run ``callback`` once the chat's limits allow, retrying after a 429 or a hiccup."""
        chat_id = _chat_key(data.get("chat_id"))
        pacing = rate_limit_args or Pacing()
        max_retries = self._max_retries if pacing.retries is None else pacing.retries
        transient_retries = min(self._transient_retries, max_retries)
        throttled = failed = 0
        while True:
            await self._wait_out_pause(chat_id)
            try:
                await self._wait_turn(chat_id, endpoint, data, pacing)
                return await callback(*args, **kwargs)
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

    async def _wait_turn(
        self, chat_id: int | str | None, endpoint: str, data: dict[str, Any], pacing: Pacing
    ) -> None:
        # Telegram's limits count messages; downloads, reactions and the like are free of
        # them, and pacing those would only add latency to every photo.
        if chat_id is None or endpoint not in MESSAGE_METHODS:
            return
        keep = 0
        if pacing.notice:
            if isinstance(chat_id, int):
                await self._activity.quiet(chat_id, LONGEST_NOTICE_WAIT)
            keep = ANSWER_RESERVE
        cost = message_cost(endpoint, data)
        chat = _limiter_for(
            self._chats,
            chat_id,
            lambda: TokenBucket(self._chat_burst, self._chat_per_second),
            TokenBucket.full,
        )
        await chat.take(cost, keep=keep)
        if _is_group(chat_id):
            group = _limiter_for(
                self._groups,
                chat_id,
                lambda: AsyncLimiter(self._group_per_minute),
                lambda limiter: limiter.has_capacity(limiter.max_rate),
            )
            await _take(group, cost)
        await _take(self._overall, cost)

    async def _wait_out_pause(self, chat_id: int | str | None) -> None:
        if chat_id is None:
            return
        while (until := self._paused_until.get(chat_id)) is not None:
            remaining = until - time.monotonic()
            if remaining <= 0:
                self._paused_until.pop(chat_id, None)
                return
            await asyncio.sleep(remaining)


async def _take(limiter: AsyncLimiter, amount: float) -> None:
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
    limiters: dict[int | str, Limiter],
    chat_id: int | str,
    create: Callable[[], Limiter],
    idle: Callable[[Limiter], bool],
) -> Limiter:
    if chat_id not in limiters:
        if len(limiters) > _PRUNE_THRESHOLD:
            # Forget idle chats: a limiter with all its capacity back carries no state.
            for key, limiter in list(limiters.items()):
                if idle(limiter):
                    del limiters[key]
        limiters[chat_id] = create()
    return limiters[chat_id]
