"""The Telegram updates the bot has handled, so that one delivered again is not handled twice."""

from __future__ import annotations

import logging
from typing import Final

from storage.database import (
    Database,
    execute,
    scalar,
    timestamp,
)

logger = logging.getLogger(__name__)

__all__ = ["HANDLED_UPDATES_KEPT", "HandledUpdates"]

HANDLED_UPDATES_KEPT: Final = 10_000


class HandledUpdates:
    """The ids of the latest updates the bot has handled."""

    def __init__(self, db: Database) -> None:
        """Query ``db``."""
        self._db = db

    async def contains(self, update_id: int) -> bool:
        """Whether the bot already handled this Telegram update."""
        async with self._db.read() as conn:
            found = await scalar(
                conn, "SELECT count(*) FROM handled_updates WHERE update_id = ?", (update_id,)
            )
        return bool(found)

    async def add(self, update_id: int, *, now: float | None = None) -> None:
        """Remember a handled update, and forget all but the latest HANDLED_UPDATES_KEPT."""
        async with self._db.write() as conn:
            await execute(
                conn,
                "INSERT INTO handled_updates (update_id, handled_at) VALUES (?, ?)"
                " ON CONFLICT (update_id) DO NOTHING",
                (update_id, timestamp(now)),
            )
            await execute(
                conn,
                "DELETE FROM handled_updates WHERE update_id < ?",
                (update_id - HANDLED_UPDATES_KEPT,),
            )
