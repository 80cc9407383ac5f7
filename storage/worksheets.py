"""The worksheet each chat was last sent: the labels printed on its rows."""

from __future__ import annotations

import json
from collections.abc import Sequence

from storage.database import Database, execute, fetchone, timestamp

__all__ = ["Worksheets"]


class Worksheets:
    """Which row labels each chat's printed worksheet carries."""

    def __init__(self, db: Database) -> None:
        """Query ``db``."""
        self._db = db

    async def issue(self, chat_id: int, labels: Sequence[str], *, now: float | None = None) -> None:
        """Remember the row labels of the sheet just sent to the chat (replacing the last)."""
        async with self._db.write() as conn:
            await execute(
                conn,
                "INSERT INTO worksheets (chat_id, labels, issued_at) VALUES (?, ?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET labels = excluded.labels,"
                " issued_at = excluded.issued_at",
                (chat_id, json.dumps(list(labels), ensure_ascii=False), timestamp(now)),
            )

    async def labels(self, chat_id: int) -> list[str] | None:
        """Return the row labels of the chat's last sheet; None if it was never sent one."""
        async with self._db.read() as conn:
            row = await fetchone(
                conn, "SELECT labels FROM worksheets WHERE chat_id = ?", (chat_id,)
            )
        return None if row is None else [str(label) for label in json.loads(row[0])]
