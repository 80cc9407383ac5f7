"""The one connection to the SQLite database: opened, configured and migrated, then shared.

Every query runs inside `Database.read()` or `Database.write()`; the SQL itself lives in one
module per table or concern (samples, labels, runs, chats, handled_updates, datasets), with
the queries several of them need in `queries`. The small helpers below run one statement on
a connection.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, Final

import aiosqlite

from storage.migrate import migrate
from storage.records import StorageFull

__all__ = ["Database", "count_rows", "execute", "fetchall", "fetchone", "scalar", "timestamp"]

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS: Final = 5_000
IN_MEMORY: Final = ":memory:"

# Durability: synchronous=FULL. In WAL mode, NORMAL already survives a killed *process* (a
# commit's WAL frames are written to the OS before COMMIT returns; only the fsync is skipped),
# but it can lose the last commits on power loss or a kernel/VM crash. We tell users a sample
# is saved once add_sample returns, and the bot writes a few rows per minute, so one fsync per
# commit is cheap insurance that the acknowledgement also holds when the host goes down.
_SYNC_AND_INTEGRITY_PRAGMAS: Final = ("PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON")


class Database:
    """One aiosqlite connection, shared by all callers, one operation at a time.

    An asyncio.Lock serialises operations because statements of concurrent coroutines would
    otherwise interleave inside each other's transactions on that connection.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Remember where the database lives; nothing is opened yet."""
        self._path = os.fspath(path)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        """Connect, set the pragmas and bring the schema up to date."""
        if self._conn is not None:
            raise RuntimeError("repository is already open")
        # isolation_level=None: the sqlite3 module must not open transactions behind our back;
        # every write below issues its own BEGIN IMMEDIATE ... COMMIT.
        conn = await aiosqlite.connect(self._path, isolation_level=None)
        try:
            await self._configure(conn)
            version = await migrate(conn)
        except BaseException:
            await conn.close()
            raise
        self._conn = conn
        logger.info("Opened storage %s at schema version %d", self._path, version)

    async def close(self) -> None:
        """Close the connection; safe to call twice."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        async with self._lock:
            await conn.close()
        logger.info("Closed storage %s", self._path)

    async def _configure(self, conn: aiosqlite.Connection) -> None:
        """Apply per-connection pragmas and check that they took effect."""
        # busy_timeout first: switching to WAL needs a lock that another process may hold.
        await execute(conn, f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        mode = await scalar(conn, "PRAGMA journal_mode = WAL")
        if mode != "wal" and not (self._path == IN_MEMORY and mode == "memory"):
            raise RuntimeError(f"cannot enable WAL for {self._path!r} (journal_mode={mode})")
        for pragma in _SYNC_AND_INTEGRITY_PRAGMAS:
            await execute(conn, pragma)
        if await scalar(conn, "PRAGMA foreign_keys") != 1:
            raise RuntimeError("this SQLite build cannot enforce foreign keys")
        # Hashing thousands of stored PNGs runs in the database thread, not on the event loop.
        await conn.create_function("sha256_hex", 1, sha256_hex, deterministic=True)

    def _connection(self) -> aiosqlite.Connection:
        """Return the open connection or fail loudly."""
        if self._conn is None:
            raise RuntimeError("repository is not open")
        return self._conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        """Give exclusive use of the connection for reads outside any transaction."""
        async with self._lock:
            yield self._connection()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run the body in one write transaction: all of it commits, or none of it."""
        async with self._lock:
            conn = self._connection()
            try:
                # BEGIN inside the try: if we are cancelled while it runs, it still executes
                # in aiosqlite's thread, and the rollback queued after it undoes it.
                await execute(conn, "BEGIN IMMEDIATE")
                yield conn
                await execute(conn, "COMMIT")
            except BaseException as exc:
                try:
                    # Shielded so a second cancellation cannot leave the transaction open.
                    await asyncio.shield(conn.rollback())
                except Exception:
                    logger.exception("Rollback failed")
                if disk_full(exc):
                    logger.warning("disk full: a write was rolled back (%s)", exc)
                    raise StorageFull(str(exc)) from exc
                raise


def disk_full(exc: BaseException) -> bool:
    """Whether SQLite failed for want of space (or of pages under max_page_count)."""
    if isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL":
        return True
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


def timestamp(now: float | None) -> float:
    """Return now, or the current unix time if the caller did not pin it."""
    return time.time() if now is None else now


def sha256_hex(data: bytes | None) -> str | None:
    """SQL function sha256_hex(blob): the hex SHA-256 of a blob."""
    return None if data is None else hashlib.sha256(data).hexdigest()


async def execute(
    conn: aiosqlite.Connection, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> int:
    """Execute one statement, release its cursor and return the number of changed rows."""
    async with conn.execute(sql, params) as cursor:
        return cursor.rowcount


async def fetchone(
    conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()
) -> Sequence[Any] | None:
    """Return the first row of a query, or None."""
    async with conn.execute(sql, params) as cursor:
        return await cursor.fetchone()


async def fetchall(
    conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()
) -> list[Sequence[Any]]:
    """Return all rows of a query."""
    async with conn.execute(sql, params) as cursor:
        return list(await cursor.fetchall())


async def scalar(conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()) -> Any:
    """Return the first column of the first row of a query."""
    row = await fetchone(conn, sql, params)
    if row is None:
        raise LookupError(f"query returned no row: {sql}")
    return row[0]


async def count_rows(conn: aiosqlite.Connection, table: str, chat_id: int) -> int:
    """Count a chat's rows in one of our tables (table is a constant, never user input)."""
    return int(await scalar(conn, f"SELECT count(*) FROM {table} WHERE chat_id = ?", (chat_id,)))
