"""One job in a worker process on this machine: started, its events read, stopped on request.

The contract (model.job) says what goes in and comes out; this is the local way to run it.
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

from model.job import EpochProgress, Failed, Finished, parse_event, worker_command

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
    """Runs ``python -m model.worker JOB_DIR`` for one job."""

    def __init__(self, job_dir: Path) -> None:
        self._job_dir = job_dir
        self._process: asyncio.subprocess.Process | None = None

    async def run(self, on_progress: Callable[[EpochProgress], Awaitable[None]]) -> WorkerExit:
        """Start the worker, report each epoch to ``on_progress`` and wait until it exits.

        Cancelled, it stops the worker before it lets the cancellation through.
        """
        # stdin stays open as a lifeline: the worker exits when it reads EOF, so a killed
        # bot never leaves an orphan training behind.
        process = self._process = await asyncio.create_subprocess_exec(
            *worker_command(self._job_dir),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stdout is not None and process.stderr is not None
        stderr_tail: deque[str] = deque(maxlen=STDERR_LINES_KEPT)
        drain = asyncio.create_task(_collect(process.stderr, stderr_tail))
        result: dict[str, Any] | None = None
        failure: Failed | None = None
        try:
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
            await asyncio.gather(drain, return_exceptions=True)
        return WorkerExit(code, result, failure, "".join(stderr_tail))

    async def terminate(self) -> None:
        """Stop the worker: SIGTERM, then SIGKILL after TERMINATE_GRACE; nothing if not running."""
        process = self._process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), TERMINATE_GRACE)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()


async def _collect(stream: asyncio.StreamReader, tail: deque[str]) -> None:
    async for line in stream:
        tail.append(line.decode(errors="replace"))
