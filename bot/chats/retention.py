"""Delete the data of chats that removed or blocked the bot, once their grace period is over."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from bot.training.queue import TrainingQueue
from storage import Repository

__all__ = ["Retention"]

logger = logging.getLogger(__name__)

DAY_SECONDS = 24 * 60 * 60
# The grace period is counted in days: an hourly look is more than precise enough.
CHECK_EVERY_SECONDS = 60 * 60


class Retention:
    """Runs in the background: at start-up, then every hour, purges the expired chats."""

    def __init__(self, repo: Repository, training: TrainingQueue, grace_days: float) -> None:
        self._repo = repo
        self._training = training
        self._grace_seconds = grace_days * DAY_SECONDS
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the hourly purge."""
        self._task = asyncio.create_task(self._run(), name="retention")

    async def close(self) -> None:
        """Stop the hourly purge."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def purge(self, *, now: float | None = None) -> list[int]:
        """Delete every chat whose grace period is over; return their ids."""
        cutoff = (time.time() if now is None else now) - self._grace_seconds
        purged = []
        for chat_id in await self._repo.chats.removed_before(cutoff):
            if self._training.is_training(chat_id):
                continue  # next time: the training's own bookkeeping must finish first
            cleared = await self._repo.chats.reset(chat_id, keep_params=False)
            await self._training.forget_chat(chat_id, cleared.model_prefixes)
            logger.info("chat %s: data deleted after the grace period", chat_id)
            purged.append(chat_id)
        return purged

    async def _run(self) -> None:
        while True:
            try:
                await self.purge()
            except Exception:
                # A failed purge is retried in an hour; the bot goes on serving meanwhile.
                logger.exception("purging the data of removed chats failed")
            await asyncio.sleep(CHECK_EVERY_SECONDS)
