"""A worker process on this machine: started ahead, given one job, its events read, stopped.

The contract (model.job) says what goes in and comes out; this is the local way to run it.
Every worker is a standby one (`model.job.standby_command`): it loads TensorFlow, then reads
its job's directory from stdin. Started before a job exists (bot.training.standby), it spares
the chat the seconds TensorFlow takes to start; started for a job, it gets it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.job import EpochProgress, Failed, Finished, parse_event, standby_command

__all__ = ["TERMINATE_GRACE", "WorkerExit", "WorkerProcess"]

logger = logging.getLogger(__name__)

# After SIGTERM, a worker gets this long to exit before SIGKILL.
TERMINATE_GRACE = 1.5
STDERR_LINES_KEPT = 40


@dataclass(frozen=True)
class WorkerExit:
    """How a worker process ended: its exit code, its result or failure, its last words."""

    code: int
    result: dict[str, Any] | None  # what Finished carried
    failure: Failed | None
    stderr_tail: str


class WorkerProcess:
    """One ``python -m model.worker --standby JOBS_DIR`` process, for one job."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        """Own ``process``; use `start`."""
        self._process = process
        assert process.stdin is not None and process.stdout is not None
        assert process.stderr is not None
        self._stderr_tail: deque[str] = deque(maxlen=STDERR_LINES_KEPT)
        # Read stderr from the start: a worker waiting for its job must never block on a
        # full pipe.
        self._drain = asyncio.create_task(_collect(process.stderr, self._stderr_tail))

    @classmethod
    async def start(cls, jobs_dir: Path, threads: int) -> WorkerProcess:
        """Start a worker that takes its job from ``jobs_dir`` with ``threads`` threads."""
        # stdin stays open as a lifeline: the worker exits when it reads EOF, so a killed
        # bot never leaves an orphan training (or a waiting worker) behind.
        process = await asyncio.create_subprocess_exec(
            *standby_command(jobs_dir, threads),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(process)

    @property
    def alive(self) -> bool:
        """Whether the process still runs."""
        return self._process.returncode is None

    @property
    def stderr_tail(self) -> str:
        """The last lines the worker wrote on stderr."""
        return "".join(self._stderr_tail)

    async def run(
        self, job_dir: Path, on_progress: Callable[[EpochProgress], Awaitable[None]]
    ) -> WorkerExit:
        """Give the worker its job, report each epoch to ``on_progress``, wait until it exits.

        Cancelled, it stops the worker before it lets the cancellation through.
        """
        process = self._process
        assert process.stdin is not None and process.stdout is not None
        result: dict[str, Any] | None = None
        failure: Failed | None = None
        try:
            with contextlib.suppress(ConnectionError):  # it died waiting: its exit code tells
                process.stdin.write(f"{job_dir}\n".encode())
                await process.stdin.drain()
            async for raw in process.stdout:
                event = parse_event(raw)
                if isinstance(event, EpochProgress):
                    await on_progress(event)
                elif isinstance(event, Finished):
                    result = event.result
                elif isinstance(event, Failed):
                    failure = event
            code = await process.wait()
        except asyncio.CancelledError:
            await self.terminate()
            raise
        finally:
            if process.returncode is not None:
                await asyncio.gather(self._drain, return_exceptions=True)
        return WorkerExit(code, result, failure, self.stderr_tail)

    async def terminate(self) -> None:
        """Stop the worker: SIGTERM, then SIGKILL after TERMINATE_GRACE; nothing if not running."""
        process = self._process
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), TERMINATE_GRACE)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        await asyncio.gather(self._drain, return_exceptions=True)


async def _collect(stream: asyncio.StreamReader, tail: deque[str]) -> None:
    async for line in stream:
        tail.append(line.decode(errors="replace"))
