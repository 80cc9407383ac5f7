"""Preprocess uploads in a helper process, so the CPU work leaves the bot's event loop and GIL.

Decoding and preprocessing a photo costs about 10 ms of CPU, the largest share of a reply.
In a thread it still holds the GIL for much of that time, and the event loop, the storage
thread and the HTTP client wait for it; under load that shows as reply latency. A process
of its own runs on the other core instead.

Workers fork from a forkserver that has imported ``model.serving.preprocess`` once, so a new pool
starts in milliseconds and never inherits the bot's threads.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from model.serving import ImageRejected, PreparedSample, RejectReason, prepare_sample

__all__ = ["Preprocessor"]

logger = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["model.serving.preprocess"])


class Preprocessor:
    """Runs ``prepare_sample`` in ``workers`` helper processes (0: in a thread)."""

    def __init__(
        self,
        *,
        max_pixels: int,
        workers: int = 1,
        function: Callable[[bytes, int], PreparedSample] | None = None,
    ) -> None:
        """``function`` replaces ``prepare_sample`` (a module-level function, for tests)."""
        self._max_pixels = max_pixels
        self._workers = workers
        self._function = function or _prepare
        self._pool: ProcessPoolExecutor | None = None

    async def prepare(self, data: bytes) -> PreparedSample:
        """Decode, check and preprocess one upload.

        Raises:
            model.ImageRejected: the file is not a usable image, including one that
                crashed the helper process twice.
        """
        if self._workers == 0:
            return await asyncio.to_thread(self._function, data, self._max_pixels)
        pool = self._running_pool()
        try:
            return await self._run(pool, data)
        except BrokenProcessPool:
            # A helper died of this upload or of another one in the pool at that moment.
            # Try again in a process of its own, so that only the culprit is refused.
            logger.error("the preprocessing process died; retrying an upload on its own")
            self._discard(pool)
        alone = ProcessPoolExecutor(1, mp_context=_CONTEXT)
        try:
            return await self._run(alone, data)
        except BrokenProcessPool:
            logger.error("an upload crashed the preprocessing process twice: refused")
            raise ImageRejected(RejectReason.CORRUPT) from None
        finally:
            alone.shutdown(wait=False)

    async def close(self) -> None:
        """Stop the helper processes."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    async def _run(self, pool: ProcessPoolExecutor, data: bytes) -> PreparedSample:
        return await asyncio.wrap_future(pool.submit(self._function, data, self._max_pixels))

    def _running_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self._workers, mp_context=_CONTEXT)
        return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        if self._pool is pool:
            self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)


def _prepare(data: bytes, max_pixels: int) -> PreparedSample:
    """Run in the helper process; a module-level function so that it pickles by name."""
    return prepare_sample(data, max_pixels=max_pixels)
