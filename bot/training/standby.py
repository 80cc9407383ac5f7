"""Worker processes started before anyone asks for a training, so that none waits for one.

A training of 50 drawings takes about 5 s; starting TensorFlow in a fresh process takes as
long again. So the bot keeps ``[training] standby_workers`` workers that have loaded it and
wait for a job (bot.training.worker_process), at the lowest CPU priority, and starts the
next when a job is done. Each holds about 600 MB of memory while it waits.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from pathlib import Path

from bot.training.worker_process import WorkerProcess

__all__ = ["StandbyWorkers"]

logger = logging.getLogger(__name__)


class StandbyWorkers:
    """Hands out worker processes, keeping ``count`` of them started ahead."""

    def __init__(self, jobs_dir: Path, threads: int, count: int) -> None:
        """Start workers for jobs in ``jobs_dir`` with ``threads`` threads; keep ``count``."""
        self._jobs_dir = jobs_dir
        self._threads = threads
        self._count = count
        self._waiting: deque[WorkerProcess] = deque()
        self._closed = False
        # One fill at a time: two at once (the start's and a job's end) would each see the
        # same shortfall and start a worker too many.
        self._filling = asyncio.Lock()

    async def fill(self) -> None:
        """Start workers until ``count`` of them wait (the bot's start, and after each job)."""
        async with self._filling:
            self._waiting = deque(worker for worker in self._waiting if worker.alive)
            while not self._closed and len(self._waiting) < self._count:
                try:
                    worker = await self._start()
                except OSError:
                    # A job then starts its worker itself, and says so if that fails too.
                    logger.exception("could not start a standby training worker")
                    return
                if self._closed:  # closed while it started: it would wait for nothing
                    await worker.terminate()
                    return
                self._waiting.append(worker)

    async def take(self) -> WorkerProcess:
        """Return a waiting worker, or one started now.

        Its successor is the caller's to start (`fill`) once the job is done: loading
        TensorFlow beside a training slows the answers a class waits for meanwhile.

        Raises:
            OSError: No worker process could be started.
        """
        while self._waiting:
            worker = self._waiting.popleft()
            if worker.alive:
                return worker
            await worker.terminate()
            # It died waiting (killed, out of memory): say how.
            logger.warning("a standby training worker had exited:\n%s", worker.stderr_tail)
        return await self._start()

    async def close(self) -> None:
        """Stop the waiting workers; start no more."""
        self._closed = True
        waiting, self._waiting = self._waiting, deque()
        await asyncio.gather(*(worker.terminate() for worker in waiting))

    async def _start(self) -> WorkerProcess:
        self._jobs_dir.mkdir(parents=True, exist_ok=True)
        return await WorkerProcess.start(self._jobs_dir, self._threads)
