"""Training: each chat's parameters (/set) and its training runs, from queued to finished."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any, Final

import aiosqlite

from storage.database import (
    Database,
    execute,
    fetchall,
    fetchone,
    timestamp,
)
from storage.records import (
    FINAL_STATUSES,
    TrainingRun,
)

logger = logging.getLogger(__name__)

__all__ = ["Runs"]

RUN_SELECT: Final = """
    SELECT id, chat_id, requested_by, status, params, labels, sample_ids, data_version, metrics,
           model_prefix, error, message_id, created_at, started_at, finished_at, language
    FROM training_runs
"""


class Runs:
    """The training parameters and runs of every chat."""

    def __init__(self, db: Database) -> None:
        """Query ``db``."""
        self._db = db

    async def params(self, chat_id: int) -> dict[str, Any]:
        """Return the parameters this chat changed with /set (the rest are defaults)."""
        async with self._db.read() as conn:
            rows = await fetchall(
                conn, "SELECT name, value FROM chat_params WHERE chat_id = ?", (chat_id,)
            )
        return {str(name): json.loads(value) for name, value in rows}

    async def set_param(self, chat_id: int, name: str, value: Any) -> None:
        """Store one parameter of this chat (a JSON-serialisable, already checked value)."""
        async with self._db.write() as conn:
            await execute(
                conn,
                "INSERT INTO chat_params (chat_id, name, value) VALUES (?, ?, ?)"
                " ON CONFLICT (chat_id, name) DO UPDATE SET value = excluded.value",
                (chat_id, name, json.dumps(value)),
            )

    async def create(
        self,
        chat_id: int,
        *,
        requested_by: int | None,
        params: dict[str, Any],
        labels: Sequence[str],
        sample_ids: Sequence[int],
        data_version: int,
        language: str | None = None,
        now: float | None = None,
    ) -> TrainingRun:
        """Record a queued training run; ``language`` is the requester's, for its messages."""
        async with self._db.write() as conn:
            cursor = await conn.execute(
                "INSERT INTO training_runs (chat_id, requested_by, status, params, labels,"
                " sample_ids, data_version, language, created_at)"
                " VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)",
                (
                    chat_id,
                    requested_by,
                    json.dumps(params),
                    json.dumps(list(labels)),
                    json.dumps(list(sample_ids)),
                    data_version,
                    language,
                    timestamp(now),
                ),
            )
            run_id = cursor.lastrowid
            await cursor.close()
            assert run_id is not None
            return await require_run(conn, run_id)

    async def start(self, run_id: int, *, now: float | None = None) -> TrainingRun:
        """Mark a queued run as running."""
        async with self._db.write() as conn:
            await execute(
                conn,
                "UPDATE training_runs SET status = 'running', started_at = ?"
                " WHERE id = ? AND status = 'queued'",
                (timestamp(now), run_id),
            )
            return await require_run(conn, run_id)

    async def set_message(self, run_id: int, message_id: int) -> None:
        """Remember the message that shows this run's progress."""
        async with self._db.write() as conn:
            await execute(
                conn, "UPDATE training_runs SET message_id = ? WHERE id = ?", (message_id, run_id)
            )

    async def finish(
        self,
        run_id: int,
        *,
        metrics: dict[str, Any],
        model_prefix: str,
        now: float | None = None,
    ) -> TrainingRun:
        """Record a successful run; its model serves from now on."""
        async with self._db.write() as conn:
            await execute(
                conn,
                "UPDATE training_runs SET status = 'finished', metrics = ?, model_prefix = ?,"
                " finished_at = ? WHERE id = ?",
                (json.dumps(metrics), model_prefix, timestamp(now), run_id),
            )
            return await require_run(conn, run_id)

    async def end(
        self, run_id: int, status: str, *, error: str | None = None, now: float | None = None
    ) -> TrainingRun:
        """Record a run that failed, was stopped or was interrupted."""
        if status not in FINAL_STATUSES:
            raise ValueError(f"not an unsuccessful end: {status!r}")
        async with self._db.write() as conn:
            await execute(
                conn,
                "UPDATE training_runs SET status = ?, error = ?, finished_at = ? WHERE id = ?",
                (status, error, timestamp(now), run_id),
            )
            return await require_run(conn, run_id)

    async def interrupt_unfinished(self, *, now: float | None = None) -> list[TrainingRun]:
        """Mark runs left queued or running by a previous process as interrupted."""
        async with self._db.write() as conn:
            rows = await fetchall(
                conn,
                "SELECT id FROM training_runs WHERE status IN ('queued', 'running') ORDER BY id",
            )
            await execute(
                conn,
                "UPDATE training_runs SET status = 'interrupted', finished_at = ?,"
                " error = 'the bot restarted' WHERE status IN ('queued', 'running')",
                (timestamp(now),),
            )
            return [await require_run(conn, int(row[0])) for row in rows]

    async def serving(self, chat_id: int) -> TrainingRun | None:
        """Return the chat's newest finished run: the model that answers."""
        async with self._db.read() as conn:
            row = await fetchone(
                conn,
                RUN_SELECT + " WHERE chat_id = ? AND status = 'finished' ORDER BY id DESC LIMIT 1",
                (chat_id,),
            )
        return None if row is None else to_run(row)

    async def get(self, run_id: int) -> TrainingRun | None:
        """Return one run."""
        async with self._db.read() as conn:
            row = await fetchone(conn, RUN_SELECT + " WHERE id = ?", (run_id,))
        return None if row is None else to_run(row)


def to_run(row: Sequence[Any]) -> TrainingRun:
    """Build a TrainingRun from a RUN_SELECT row."""
    return TrainingRun(
        id=int(row[0]),
        chat_id=int(row[1]),
        requested_by=None if row[2] is None else int(row[2]),
        status=str(row[3]),
        params=json.loads(row[4]),
        labels=json.loads(row[5]),
        sample_ids=json.loads(row[6]),
        data_version=int(row[7]),
        metrics=None if row[8] is None else json.loads(row[8]),
        model_prefix=row[9],
        error=row[10],
        message_id=row[11],
        created_at=float(row[12]),
        started_at=row[13],
        finished_at=row[14],
        language=row[15],
    )


async def require_run(conn: aiosqlite.Connection, run_id: int) -> TrainingRun:
    """Return a run that must exist."""
    row = await fetchone(conn, RUN_SELECT + " WHERE id = ?", (run_id,))
    if row is None:
        raise KeyError(run_id)
    return to_run(row)
