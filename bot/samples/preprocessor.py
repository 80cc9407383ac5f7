"""Preprocess uploads in a helper process, so the CPU work leaves the bot's event loop and GIL.

Decoding and preprocessing a photo costs about 10 ms of CPU, the largest share of a reply.
In a thread it still holds the GIL for much of that time, and the event loop, the storage
thread and the HTTP client wait for it; under load that shows as reply latency. A process
of its own runs on the other core instead.

Workers fork from a forkserver that has imported ``model.serving.preprocess`` once, so a new pool
starts in milliseconds and never inherits the bot's threads.

Work nobody waits for (re-preparing stored samples after the preprocessing changed) goes to a
helper of its own in Linux's idle scheduling class, like the training worker: it runs only on
CPU time the uploads' helper and the bot do not want, so it never delays an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from model.serving import ImageRejected, PreparedSample, RejectReason, prepare_sample

__all__ = ["Preprocessor"]

logger = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["model.serving.preprocess"])
# As low as an unprivileged process can go; SCHED_IDLE below makes it lower still on Linux.
_BACKGROUND_NICENESS = 19


class Preprocessor:
    """Runs ``prepare_sample`` in ``workers`` helper processes (0: in a thread).

    ``prepare(..., background=True)`` runs in one more helper, of the lowest priority, that
    starts with the first such call and stops with ``stop_background``.
    """

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
        self._background_pool: ProcessPoolExecutor | None = None

    async def prepare(self, data: bytes, *, background: bool = False) -> PreparedSample:
        """Decode, check and preprocess one upload, or a stored source with ``background``.

        Raises:
            model.ImageRejected: the file is not a usable image, including one that
                crashed the helper process twice.
        """
        if self._workers == 0:
            return await asyncio.to_thread(self._function, data, self._max_pixels)
        pool = self._running_pool(background)
        try:
            return await self._run(pool, data)
        except BrokenProcessPool:
            # A helper died of this upload or of another one in the pool at that moment.
            # Try again in a process of its own, so that only the culprit is refused.
            logger.error("the preprocessing process died; retrying an upload on its own")
            self._discard(pool)
        alone = _new_pool(1, background)
        try:
            return await self._run(alone, data)
        except BrokenProcessPool:
            logger.error("an upload crashed the preprocessing process twice: refused")
            raise ImageRejected(RejectReason.CORRUPT) from None
        finally:
            alone.shutdown(wait=False)

    async def stop_background(self) -> None:
        """Stop the low-priority helper; the next background call starts it again."""
        pool, self._background_pool = self._background_pool, None
        await _shut_down(pool)

    async def close(self) -> None:
        """Stop the helper processes."""
        pool, self._pool = self._pool, None
        await _shut_down(pool)
        await self.stop_background()

    async def _run(self, pool: ProcessPoolExecutor, data: bytes) -> PreparedSample:
        return await asyncio.wrap_future(pool.submit(self._function, data, self._max_pixels))

    def _running_pool(self, background: bool) -> ProcessPoolExecutor:
        if background:
            if self._background_pool is None:
                self._background_pool = _new_pool(1, background=True)
            return self._background_pool
        if self._pool is None:
            self._pool = _new_pool(self._workers, background=False)
        return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        if self._pool is pool:
            self._pool = None
        elif self._background_pool is pool:
            self._background_pool = None
        else:
            return
        pool.shutdown(wait=False, cancel_futures=True)


def _new_pool(workers: int, background: bool) -> ProcessPoolExecutor:
    initializer = _step_aside if background else None
    return ProcessPoolExecutor(workers, mp_context=_CONTEXT, initializer=initializer)


async def _shut_down(pool: ProcessPoolExecutor | None) -> None:
    if pool is not None:
        await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


def _step_aside() -> None:
    """Run in a background helper as it starts: take only CPU time nothing else wants."""
    os.nice(_BACKGROUND_NICENESS)
    if hasattr(os, "sched_setscheduler"):
        # A niced process still takes a share of a core from the uploads' helper when both
        # are busy; an idle-class one steps aside at once (model/worker.py does the same).
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _prepare(data: bytes, max_pixels: int) -> PreparedSample:
    """Run in the helper process; a module-level function so that it pickles by name."""
    return prepare_sample(data, max_pixels=max_pixels)
