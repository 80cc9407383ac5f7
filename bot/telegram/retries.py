"""Retrying what fails for a moment: a 5xx or a timeout is usually over within seconds.

The rate limiter retries every Bot API call this way; a file download, which PTB makes
outside the rate limiter, goes through `retried`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from telegram.error import BadRequest, NetworkError

__all__ = ["FIRST_BACKOFF_SECONDS", "TRANSIENT_RETRIES", "backoff", "is_transient", "retried"]

logger = logging.getLogger(__name__)

# Retry after 0.5, 1 and 2 s.
TRANSIENT_RETRIES: Final = 3
FIRST_BACKOFF_SECONDS: Final = 0.5

T = TypeVar("T")


def is_transient(exc: BaseException) -> bool:
    """Whether a failure may go away on its own: a 5xx or a timeout, not a wrong request."""
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


def backoff(failed: int, first: float = FIRST_BACKOFF_SECONDS) -> float:
    """Return how long to wait before retry number ``failed + 1``."""
    return first * 2**failed


async def retried(
    call: Callable[[], Awaitable[T]],
    what: str,
    *,
    retries: int = TRANSIENT_RETRIES,
    first_backoff: float = FIRST_BACKOFF_SECONDS,
) -> T:
    """Await ``call()``, again after each transient failure, up to ``retries`` more times."""
    failed = 0
    while True:
        try:
            return await call()
        except NetworkError as exc:
            if not is_transient(exc) or failed == retries:
                raise
            delay = backoff(failed, first_backoff)
            failed += 1
            logger.warning("%s failed (%s): retry %d in %.1f s", what, exc, failed, delay)
            await asyncio.sleep(delay)
