"""All persistent state of the bot: samples and labels per chat, in one SQLite database."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Final

import aiosqlite

from storage.migrate import migrate
from storage.records import (
    FINAL_STATUSES,
    AddResult,
    AddStatus,
    ChatFull,
    ChatReset,
    ContributorCount,
    Correction,
    ImportItem,
    ImportResult,
    LabelCount,
    LabelledInput,
    NewSample,
    Sample,
    SampleNotFound,
    StorageFull,
    StoredImage,
    TooManyLabels,
    TrainingRun,
)

logger = logging.getLogger(__name__)

# How long a write waits for another connection's lock (e.g. a backup tool) before failing.
BUSY_TIMEOUT_MS: Final = 5_000
# Album members arrive within seconds of each other; a remembered album label older than this
# is dead weight and is dropped when the chat next labels an album.
ALBUM_LABEL_TTL_SECONDS: Final = 24 * 60 * 60
# Telegram numbers a bot's updates in sequence and delivers again only those the bot had
# fetched but not yet confirmed when it died: a few batches of at most 100. So the latest
# ten thousand ids are plenty, however long the bot was down, and the table stays small.
HANDLED_UPDATES_KEPT: Final = 10_000
IN_MEMORY: Final = ":memory:"
# Imported samples have no Telegram file: their file_unique_id is this prefix and the SHA-256 of
# their source PNG, so the per-chat UNIQUE constraint also guards against importing twice.
IMPORTED_FILE_PREFIX: Final = "sha256:"

# Durability: synchronous=FULL. In WAL mode, NORMAL already survives a killed *process* (a
# commit's WAL frames are written to the OS before COMMIT returns; only the fsync is skipped),
# but it can lose the last commits on power loss or a kernel/VM crash. We tell users a sample
# is saved once add_sample returns, and the bot writes a few rows per minute, so one fsync per
# commit is cheap insurance that the acknowledgement also holds when the host goes down.
_SYNC_AND_INTEGRITY_PRAGMAS: Final = ("PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON")

_SAMPLE_SELECT: Final = """
    SELECT s.id, s.chat_id, s.message_id, s.user_id, s.file_unique_id, s.media_group_id,
           s.source_kind, l.name, s.labelled_by, s.created_at, s.labelled_at
    FROM samples AS s
    LEFT JOIN labels AS l ON l.chat_id = s.chat_id AND l.id = s.label_id
"""

_MIGRATE_CHAT_STATEMENTS: Final = (
    # Messages that delivered an old-chat duplicate now point at the new chat's copy.
    """
    UPDATE OR IGNORE sample_messages
    SET chat_id = :new,
        sample_id = (
            SELECT n.id FROM samples AS n JOIN samples AS o ON o.file_unique_id = n.file_unique_id
            WHERE o.chat_id = :old AND o.id = sample_messages.sample_id AND n.chat_id = :new)
    WHERE chat_id = :old AND sample_id IN (
        SELECT o.id FROM samples AS o JOIN samples AS n ON n.file_unique_id = o.file_unique_id
        WHERE o.chat_id = :old AND n.chat_id = :new)
    """,
    # The duplicates themselves go; their images and leftover message rows cascade.
    """
    DELETE FROM samples
    WHERE chat_id = :old
      AND file_unique_id IN (SELECT file_unique_id FROM samples WHERE chat_id = :new)
    """,
    # Labels both chats have: the old chat's samples take the new chat's label id.
    """
    UPDATE samples
    SET label_id = (
        SELECT n.id FROM labels AS n JOIN labels AS o ON o.name = n.name
        WHERE o.id = samples.label_id AND o.chat_id = :old AND n.chat_id = :new)
    WHERE chat_id = :old AND label_id IN (
        SELECT o.id FROM labels AS o JOIN labels AS n ON n.name = o.name
        WHERE o.chat_id = :old AND n.chat_id = :new)
    """,
    "DELETE FROM labels WHERE chat_id = :old AND name IN "
    "(SELECT name FROM labels WHERE chat_id = :new)",
    # Other labels move with their ids, so buttons sent before the move keep working.
    "UPDATE labels SET chat_id = :new WHERE chat_id = :old",
    "UPDATE samples SET chat_id = :new WHERE chat_id = :old",
    "UPDATE OR IGNORE sample_messages SET chat_id = :new WHERE chat_id = :old",
    "DELETE FROM sample_messages WHERE chat_id = :old",
    "UPDATE OR IGNORE album_labels SET chat_id = :new WHERE chat_id = :old",
    "DELETE FROM album_labels WHERE chat_id = :old",
    # The new chat's own settings win; its data version was bumped as the samples moved.
    "UPDATE OR IGNORE chat_params SET chat_id = :new WHERE chat_id = :old",
    "DELETE FROM chat_params WHERE chat_id = :old",
    "UPDATE training_runs SET chat_id = :new WHERE chat_id = :old",
    "UPDATE corrections SET chat_id = :new WHERE chat_id = :old",
    "DELETE FROM chat_data_versions WHERE chat_id = :old",
)


class Repository:
    """Per-chat storage of samples and labels; every method is scoped by chat_id.

    One connection is shared by all callers. An asyncio.Lock serialises operations because
    statements of concurrent coroutines would otherwise interleave inside each other's
    transactions on that connection.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Remember where the database lives; nothing is opened yet."""
        self._path = os.fspath(path)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> Repository:
        """Open the database (see open)."""
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the database."""
        await self.close()

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
        await _execute(conn, f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        mode = await _scalar(conn, "PRAGMA journal_mode = WAL")
        if mode != "wal" and not (self._path == IN_MEMORY and mode == "memory"):
            raise RuntimeError(f"cannot enable WAL for {self._path!r} (journal_mode={mode})")
        for pragma in _SYNC_AND_INTEGRITY_PRAGMAS:
            await _execute(conn, pragma)
        if await _scalar(conn, "PRAGMA foreign_keys") != 1:
            raise RuntimeError("this SQLite build cannot enforce foreign keys")
        # Hashing thousands of stored PNGs runs in the database thread, not on the event loop.
        await conn.create_function("sha256_hex", 1, _sha256_hex, deterministic=True)

    def _connection(self) -> aiosqlite.Connection:
        """Return the open connection or fail loudly."""
        if self._conn is None:
            raise RuntimeError("repository is not open")
        return self._conn

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[aiosqlite.Connection]:
        """Give exclusive use of the connection for reads outside any transaction."""
        async with self._lock:
            yield self._connection()

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run the body in one write transaction: all of it commits, or none of it."""
        async with self._lock:
            conn = self._connection()
            try:
                # BEGIN inside the try: if we are cancelled while it runs, it still executes
                # in aiosqlite's thread, and the rollback queued after it undoes it.
                await _execute(conn, "BEGIN IMMEDIATE")
                yield conn
                await _execute(conn, "COMMIT")
            except BaseException as exc:
                try:
                    # Shielded so a second cancellation cannot leave the transaction open.
                    await asyncio.shield(conn.rollback())
                except Exception:
                    logger.exception("Rollback failed")
                if _disk_full(exc):
                    logger.warning("disk full: a write was rolled back (%s)", exc)
                    raise StorageFull(str(exc)) from exc
                raise

    async def add_sample(
        self,
        new: NewSample,
        *,
        max_samples: int,
        max_labels: int,
        now: float | None = None,
    ) -> AddResult:
        """Store a sample, or find it if this chat already has the same file.

        A known file whose label differs from new.label is relabelled. A sample of an album
        gets the album's label, whichever of the album's messages carried the caption and
        in whatever order they arrive.

        Raises:
            ChatFull: The file is new and the chat already holds max_samples samples.
            TooManyLabels: The label is new and the chat already has max_labels labels.
        """
        at = _timestamp(now)
        chat_id = new.chat_id
        async with self._write() as conn:
            label, labelled_by, explicit = new.label, new.user_id, new.label is not None
            if label is None and new.media_group_id is not None:
                remembered = await _album_label(conn, chat_id, new.media_group_id, at)
                if remembered is not None:
                    label, labelled_by = remembered
            existing = await _sample_by_file(conn, chat_id, new.file_unique_id)
            if existing is None:
                if await _count(conn, "samples", chat_id) >= max_samples:
                    raise ChatFull(max_samples)
                sample_id = await _insert_sample(conn, new, at)
                status, current_label = AddStatus.CREATED, None
            else:
                sample_id, status, current_label = existing.id, AddStatus.DUPLICATE, existing.label
            await _link_message(conn, chat_id, new.message_id, sample_id, new.media_group_id)

            targets: list[int] = []
            if label is not None and label != current_label:
                # An explicit label over the limit is the caller's error; a remembered album
                # label over the limit must not make storing the picture itself fail.
                if explicit or await _label_allowed(conn, chat_id, label, max_labels):
                    targets.append(sample_id)
                    if status is AddStatus.DUPLICATE:
                        status = AddStatus.RELABELLED
                else:
                    logger.warning(
                        "Chat %d: album label %r over the label limit; sample %d stays unlabelled",
                        chat_id,
                        label,
                        sample_id,
                    )
            if new.label is not None and new.media_group_id is not None:
                await _remember_album(conn, chat_id, new.media_group_id, new.label, new.user_id, at)
                album = await _album_sample_ids(conn, chat_id, new.media_group_id)
                targets.extend(other for other in album if other not in targets)
            if label is not None and targets:
                await _apply_label(conn, chat_id, targets, label, labelled_by, at, max_labels)
            sample = await _require_sample(conn, chat_id, sample_id)
        logger.debug("Chat %d: sample %d %s", chat_id, sample.id, status.value)
        return AddResult(sample, status)

    async def set_label(
        self,
        chat_id: int,
        sample_id: int,
        label: str,
        *,
        labelled_by: int | None,
        max_labels: int,
        now: float | None = None,
    ) -> Sample:
        """Give one sample of this chat a label (unchanged if it already has that label).

        Raises:
            SampleNotFound: This chat has no sample with that id.
            TooManyLabels: The label is new and the chat already has max_labels labels.
        """
        _check_label(label)
        at = _timestamp(now)
        async with self._write() as conn:
            sample = await _sample_by_id(conn, chat_id, sample_id)
            if sample is None:
                raise SampleNotFound(chat_id, sample_id)
            if sample.label == label:
                return sample
            await _apply_label(conn, chat_id, [sample_id], label, labelled_by, at, max_labels)
            return await _require_sample(conn, chat_id, sample_id)

    async def label_media_group(
        self,
        chat_id: int,
        media_group_id: str,
        label: str,
        *,
        labelled_by: int | None,
        max_labels: int,
        now: float | None = None,
    ) -> list[Sample]:
        """Label every stored sample of an album and remember the label for later arrivals.

        Raises:
            TooManyLabels: The label is new and the chat already has max_labels labels.
        """
        _check_label(label)
        at = _timestamp(now)
        async with self._write() as conn:
            await _remember_album(conn, chat_id, media_group_id, label, labelled_by, at)
            sample_ids = await _album_sample_ids(conn, chat_id, media_group_id)
            await _apply_label(conn, chat_id, sample_ids, label, labelled_by, at, max_labels)
            return [await _require_sample(conn, chat_id, sample_id) for sample_id in sample_ids]

    async def sample_for_message(self, chat_id: int, message_id: int) -> Sample | None:
        """Return the sample a message of this chat delivered, if any."""
        async with self._read() as conn:
            row = await _fetchone(
                conn,
                _SAMPLE_SELECT
                + " JOIN sample_messages AS m ON m.chat_id = s.chat_id AND m.sample_id = s.id"
                " WHERE m.chat_id = ? AND m.message_id = ?",
                (chat_id, message_id),
            )
        return None if row is None else _to_sample(row)

    async def latest_unlabelled(self, chat_id: int, user_id: int, *, since: float) -> Sample | None:
        """Return the user's newest unlabelled sample in this chat created at or after since."""
        async with self._read() as conn:
            row = await _fetchone(
                conn,
                _SAMPLE_SELECT + " WHERE s.chat_id = ? AND s.user_id = ? AND s.label_id IS NULL"
                " AND s.created_at >= ? ORDER BY s.created_at DESC, s.id DESC LIMIT 1",
                (chat_id, user_id, since),
            )
        return None if row is None else _to_sample(row)

    async def label_counts(self, chat_id: int) -> list[LabelCount]:
        """Return every label of this chat with its number of samples, sorted by name."""
        async with self._read() as conn:
            rows = await _fetchall(
                conn,
                "SELECT l.name, count(*) FROM labels AS l"
                " JOIN samples AS s ON s.chat_id = l.chat_id AND s.label_id = l.id"
                " WHERE l.chat_id = ? GROUP BY l.id ORDER BY l.name",
                (chat_id,),
            )
        return [LabelCount(str(name), int(count)) for name, count in rows]

    async def label_id(self, chat_id: int, name: str) -> int | None:
        """Return the stable id of a label of this chat (for callback data), if it exists."""
        async with self._read() as conn:
            return await _label_id(conn, chat_id, name)

    async def label_name(self, chat_id: int, label_id: int) -> str | None:
        """Return the name of a label id of this chat; None if unknown or another chat's."""
        async with self._read() as conn:
            row = await _fetchone(
                conn, "SELECT name FROM labels WHERE chat_id = ? AND id = ?", (chat_id, label_id)
            )
        return None if row is None else str(row[0])

    async def unlabelled_count(self, chat_id: int) -> int:
        """Return how many samples of this chat have no label yet."""
        async with self._read() as conn:
            value = await _scalar(
                conn,
                "SELECT count(*) FROM samples WHERE chat_id = ? AND label_id IS NULL",
                (chat_id,),
            )
        return int(value)

    async def sample_count(self, chat_id: int) -> int:
        """Return how many samples this chat holds, labelled or not."""
        async with self._read() as conn:
            return await _count(conn, "samples", chat_id)

    async def undo_last_labelled(self, chat_id: int, user_id: int) -> Sample | None:
        """Delete the sample this user labelled most recently in this chat and return it."""
        async with self._write() as conn:
            row = await _fetchone(
                conn,
                _SAMPLE_SELECT + " WHERE s.chat_id = ? AND s.labelled_by = ?"
                " AND s.label_id IS NOT NULL ORDER BY s.labelled_at DESC, s.id DESC LIMIT 1",
                (chat_id, user_id),
            )
            if row is None:
                return None
            sample = _to_sample(row)
            await _execute(
                conn, "DELETE FROM samples WHERE chat_id = ? AND id = ?", (chat_id, sample.id)
            )
            await _prune_labels(conn, chat_id)
        logger.debug("Chat %d: user %d undid sample %d", chat_id, user_id, sample.id)
        return sample

    async def delete_label(self, chat_id: int, label: str) -> int:
        """Delete a label with all its samples; return how many samples went (0 if unknown)."""
        async with self._write() as conn:
            # A remembered album label would otherwise resurrect the label on the next arrival.
            await _execute(
                conn, "DELETE FROM album_labels WHERE chat_id = ? AND label = ?", (chat_id, label)
            )
            label_id = await _label_id(conn, chat_id, label)
            if label_id is None:
                return 0
            deleted = int(
                await _scalar(
                    conn,
                    "SELECT count(*) FROM samples WHERE chat_id = ? AND label_id = ?",
                    (chat_id, label_id),
                )
            )
            await _execute(
                conn, "DELETE FROM samples WHERE chat_id = ? AND label_id = ?", (chat_id, label_id)
            )
            await _execute(
                conn, "DELETE FROM labels WHERE chat_id = ? AND id = ?", (chat_id, label_id)
            )
        logger.info("Chat %d: deleted label %r with %d samples", chat_id, label, deleted)
        return deleted

    async def reset_chat(self, chat_id: int, *, keep_params: bool = True) -> ChatReset:
        """Delete a chat's samples, labels and training runs in one transaction.

        With ``keep_params`` the chat's /set parameters stay (a /reset starts a new dataset,
        not a new configuration); without, nothing of the chat is left.
        """
        async with self._write() as conn:
            samples = await _count(conn, "samples", chat_id)
            labels = await _count(conn, "labels", chat_id)
            async with conn.execute(
                "SELECT model_prefix FROM training_runs"
                " WHERE chat_id = ? AND model_prefix IS NOT NULL",
                (chat_id,),
            ) as cursor:
                prefixes = tuple(str(row[0]) for row in await cursor.fetchall())
            runs = await _count(conn, "training_runs", chat_id)
            tables = ["samples", "labels", "album_labels", "training_runs", "corrections"]
            if not keep_params:
                tables += ["chat_params", "chat_data_versions", "chat_removals"]
            for table in tables:
                # The names come from the list above, never from users.
                await _execute(conn, f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,))
        logger.info("Chat %d: reset (%d samples, %d runs)", chat_id, samples, runs)
        return ChatReset(samples=samples, labels=labels, runs=runs, model_prefixes=prefixes)

    async def mark_removed(self, chat_id: int, *, now: float | None = None) -> None:
        """Remember that the bot left a chat; the first removal's time counts."""
        async with self._write() as conn:
            await _execute(
                conn,
                "INSERT INTO chat_removals (chat_id, removed_at) VALUES (?, ?)"
                " ON CONFLICT (chat_id) DO NOTHING",
                (chat_id, _timestamp(now)),
            )

    async def mark_present(self, chat_id: int) -> None:
        """Forget a removal: the bot is back in the chat, its data stays."""
        async with self._write() as conn:
            await _execute(conn, "DELETE FROM chat_removals WHERE chat_id = ?", (chat_id,))

    async def removed_before(self, cutoff: float) -> list[int]:
        """Return the chats the bot was removed from before ``cutoff`` (a Unix time)."""
        async with (
            self._read() as conn,
            conn.execute(
                "SELECT chat_id FROM chat_removals WHERE removed_at < ? ORDER BY chat_id", (cutoff,)
            ) as cursor,
        ):
            return [int(row[0]) for row in await cursor.fetchall()]

    async def update_handled(self, update_id: int) -> bool:
        """Whether the bot already handled this Telegram update."""
        async with self._read() as conn:
            found = await _scalar(
                conn, "SELECT count(*) FROM handled_updates WHERE update_id = ?", (update_id,)
            )
        return bool(found)

    async def mark_update_handled(self, update_id: int, *, now: float | None = None) -> None:
        """Remember a handled update, and forget all but the latest HANDLED_UPDATES_KEPT."""
        async with self._write() as conn:
            await _execute(
                conn,
                "INSERT INTO handled_updates (update_id, handled_at) VALUES (?, ?)"
                " ON CONFLICT (update_id) DO NOTHING",
                (update_id, _timestamp(now)),
            )
            await _execute(
                conn,
                "DELETE FROM handled_updates WHERE update_id < ?",
                (update_id - HANDLED_UPDATES_KEPT,),
            )

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Move everything of a group to the supergroup it became.

        Labels are merged by name, samples whose file the new chat already has are dropped.
        Repeating the call is a no-op. The new chat may end up above the sample and label
        limits; nothing is thrown away for that.
        """
        if old_chat_id == new_chat_id:
            return
        params = {"old": old_chat_id, "new": new_chat_id}
        async with self._write() as conn:
            tables = ("samples", "album_labels", "chat_params", "training_runs")
            if not any([await _count(conn, table, old_chat_id) for table in tables]):
                return
            for statement in _MIGRATE_CHAT_STATEMENTS:
                await _execute(conn, statement, params)
            await _prune_labels(conn, new_chat_id)
        logger.info("Migrated chat %d to %d", old_chat_id, new_chat_id)

    async def source_png(self, chat_id: int, sample_id: int) -> bytes | None:
        """Return the stored grayscale PNG of a sample of this chat, if it exists."""
        async with self._read() as conn:
            row = await _fetchone(
                conn,
                "SELECT i.source_png FROM sample_images AS i"
                " JOIN samples AS s ON s.id = i.sample_id WHERE s.chat_id = ? AND s.id = ?",
                (chat_id, sample_id),
            )
        return None if row is None else bytes(row[0])

    async def model_inputs(self, chat_id: int) -> list[tuple[str, bytes]]:
        """Return (label, model_input) of every labelled sample of this chat, oldest first."""
        async with self._read() as conn:
            rows = await _fetchall(
                conn,
                "SELECT l.name, i.model_input FROM samples AS s"
                " JOIN labels AS l ON l.chat_id = s.chat_id AND l.id = s.label_id"
                " JOIN sample_images AS i ON i.sample_id = s.id"
                " WHERE s.chat_id = ? ORDER BY s.id",
                (chat_id,),
            )
        return [(str(name), bytes(pixels)) for name, pixels in rows]

    async def labelled_inputs(self, chat_id: int) -> list[LabelledInput]:
        """Return every labelled sample's model input in this chat, oldest first."""
        async with self._read() as conn:
            rows = await _fetchall(
                conn,
                "SELECT s.id, l.name, i.model_input, s.input_size FROM samples AS s"
                " JOIN labels AS l ON l.chat_id = s.chat_id AND l.id = s.label_id"
                " JOIN sample_images AS i ON i.sample_id = s.id"
                " WHERE s.chat_id = ? ORDER BY s.id",
                (chat_id,),
            )
        return [LabelledInput(int(i), str(n), bytes(p), int(size)) for i, n, p, size in rows]

    async def model_input(self, chat_id: int, sample_id: int) -> bytes | None:
        """Return one sample's stored model input, if the sample is this chat's."""
        async with self._read() as conn:
            row = await _fetchone(
                conn,
                "SELECT i.model_input FROM sample_images AS i"
                " JOIN samples AS s ON s.id = i.sample_id WHERE s.chat_id = ? AND s.id = ?",
                (chat_id, sample_id),
            )
        return None if row is None else bytes(row[0])

    async def newest_label_inputs(
        self, chat_id: int, label: str, *, limit: int
    ) -> list[LabelledInput]:
        """Return up to ``limit`` model inputs of one label of this chat, newest first."""
        async with self._read() as conn:
            rows = await _fetchall(
                conn,
                "SELECT s.id, l.name, i.model_input, s.input_size FROM samples AS s"
                " JOIN labels AS l ON l.chat_id = s.chat_id AND l.id = s.label_id"
                " JOIN sample_images AS i ON i.sample_id = s.id"
                " WHERE s.chat_id = ? AND l.name = ? ORDER BY s.id DESC LIMIT ?",
                (chat_id, label, limit),
            )
        return [LabelledInput(int(i), str(n), bytes(p), int(size)) for i, n, p, size in rows]

    # --- export and import ----------------------------------------------------------------

    async def stored_images(self, chat_id: int) -> list[StoredImage]:
        """Return every sample of this chat with its source PNG, oldest first."""
        async with self._read() as conn:
            rows = await _fetchall(
                conn,
                "SELECT s.id, l.name, s.created_at, s.preprocess_version, i.source_png"
                " FROM samples AS s JOIN sample_images AS i ON i.sample_id = s.id"
                " LEFT JOIN labels AS l ON l.chat_id = s.chat_id AND l.id = s.label_id"
                " WHERE s.chat_id = ? ORDER BY s.id",
                (chat_id,),
            )
        return [
            StoredImage(
                sample_id=int(sample_id),
                label=None if label is None else str(label),
                created_at=float(created_at),
                preprocess_version=int(version),
                source_png=bytes(png),
            )
            for sample_id, label, created_at, version, png in rows
        ]

    async def source_png_bytes(self, chat_id: int) -> int:
        """Return the total size of this chat's stored source PNGs, without reading them."""
        async with self._read() as conn:
            value = await _scalar(
                conn,
                "SELECT coalesce(sum(length(i.source_png)), 0) FROM samples AS s"
                " JOIN sample_images AS i ON i.sample_id = s.id WHERE s.chat_id = ?",
                (chat_id,),
            )
        return int(value)

    async def source_hashes(self, chat_id: int) -> frozenset[str]:
        """Return the SHA-256 hex digests of this chat's stored source PNGs."""
        async with self._read() as conn:
            return await _source_hashes(conn, chat_id)

    async def import_samples(
        self,
        chat_id: int,
        message_id: int,
        items: Sequence[ImportItem],
        *,
        max_samples: int,
        max_labels: int,
        now: float | None = None,
    ) -> ImportResult:
        """Store the items this chat does not have yet, in one transaction: all or nothing.

        An item is already here when a stored source PNG has its hash (also one earlier in
        ``items``). Items past ``max_samples``, or with a new label past ``max_labels``, are
        left out and counted, not raised: the rest of the archive is still worth having.
        Imported samples have no sender, no labeller and no sample_messages row: no message
        delivered them one by one, so neither /undo nor a reply /label reaches them.
        """
        at = _timestamp(now)
        imported: dict[str, int] = {}
        unlabelled = already_here = over_samples = over_labels = 0
        async with self._write() as conn:
            seen = set(await _source_hashes(conn, chat_id))
            samples = await _count(conn, "samples", chat_id)
            labels = {
                str(name): int(label_id)
                for label_id, name in await _fetchall(
                    conn, "SELECT id, name FROM labels WHERE chat_id = ?", (chat_id,)
                )
            }
            for item in items:
                if item.source_sha256 in seen:
                    already_here += 1
                    continue
                if samples >= max_samples:
                    over_samples += 1
                    continue
                label_id = None
                if item.label is not None:
                    _check_label(item.label)
                    label_id = labels.get(item.label)
                    if label_id is None:
                        if len(labels) >= max_labels:
                            over_labels += 1
                            continue
                        label_id = await _insert_label(conn, chat_id, item.label)
                        labels[item.label] = label_id
                await _insert_imported(conn, chat_id, message_id, item, label_id, at)
                seen.add(item.source_sha256)
                samples += 1
                if item.label is None:
                    unlabelled += 1
                else:
                    imported[item.label] = imported.get(item.label, 0) + 1
        result = ImportResult(
            imported=tuple(LabelCount(name, imported[name]) for name in sorted(imported)),
            unlabelled=unlabelled,
            already_here=already_here,
            over_sample_limit=over_samples,
            over_label_limit=over_labels,
        )
        logger.info(
            "Chat %d: imported %d samples, %d already here", chat_id, result.stored, already_here
        )
        return result

    # --- training: parameters, data versions, runs -------------------------------------------

    async def params(self, chat_id: int) -> dict[str, Any]:
        """Return the parameters this chat changed with /set (the rest are defaults)."""
        async with self._read() as conn:
            rows = await _fetchall(
                conn, "SELECT name, value FROM chat_params WHERE chat_id = ?", (chat_id,)
            )
        return {str(name): json.loads(value) for name, value in rows}

    async def set_param(self, chat_id: int, name: str, value: Any) -> None:
        """Store one parameter of this chat (a JSON-serialisable, already checked value)."""
        async with self._write() as conn:
            await _execute(
                conn,
                "INSERT INTO chat_params (chat_id, name, value) VALUES (?, ?, ?)"
                " ON CONFLICT (chat_id, name) DO UPDATE SET value = excluded.value",
                (chat_id, name, json.dumps(value)),
            )

    async def data_version(self, chat_id: int) -> int:
        """Return a number that changes whenever this chat's labelled data changes."""
        async with self._read() as conn:
            value = await _scalar(
                conn,
                "SELECT coalesce(max(version), 0) FROM chat_data_versions WHERE chat_id = ?",
                (chat_id,),
            )
        return int(value)

    async def create_run(
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
        async with self._write() as conn:
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
                    _timestamp(now),
                ),
            )
            run_id = cursor.lastrowid
            await cursor.close()
            assert run_id is not None
            return await _require_run(conn, run_id)

    async def start_run(self, run_id: int, *, now: float | None = None) -> TrainingRun:
        """Mark a queued run as running."""
        async with self._write() as conn:
            await _execute(
                conn,
                "UPDATE training_runs SET status = 'running', started_at = ?"
                " WHERE id = ? AND status = 'queued'",
                (_timestamp(now), run_id),
            )
            return await _require_run(conn, run_id)

    async def set_run_message(self, run_id: int, message_id: int) -> None:
        """Remember the message that shows this run's progress."""
        async with self._write() as conn:
            await _execute(
                conn, "UPDATE training_runs SET message_id = ? WHERE id = ?", (message_id, run_id)
            )

    async def finish_run(
        self,
        run_id: int,
        *,
        metrics: dict[str, Any],
        model_prefix: str,
        now: float | None = None,
    ) -> TrainingRun:
        """Record a successful run; its model serves from now on."""
        async with self._write() as conn:
            await _execute(
                conn,
                "UPDATE training_runs SET status = 'finished', metrics = ?, model_prefix = ?,"
                " finished_at = ? WHERE id = ?",
                (json.dumps(metrics), model_prefix, _timestamp(now), run_id),
            )
            return await _require_run(conn, run_id)

    async def end_run(
        self, run_id: int, status: str, *, error: str | None = None, now: float | None = None
    ) -> TrainingRun:
        """Record a run that failed, was stopped or was interrupted."""
        if status not in FINAL_STATUSES:
            raise ValueError(f"not an unsuccessful end: {status!r}")
        async with self._write() as conn:
            await _execute(
                conn,
                "UPDATE training_runs SET status = ?, error = ?, finished_at = ? WHERE id = ?",
                (status, error, _timestamp(now), run_id),
            )
            return await _require_run(conn, run_id)

    async def interrupt_unfinished_runs(self, *, now: float | None = None) -> list[TrainingRun]:
        """Mark runs left queued or running by a previous process as interrupted."""
        async with self._write() as conn:
            rows = await _fetchall(
                conn,
                "SELECT id FROM training_runs WHERE status IN ('queued', 'running') ORDER BY id",
            )
            await _execute(
                conn,
                "UPDATE training_runs SET status = 'interrupted', finished_at = ?,"
                " error = 'the bot restarted' WHERE status IN ('queued', 'running')",
                (_timestamp(now),),
            )
            return [await _require_run(conn, int(row[0])) for row in rows]

    async def serving_run(self, chat_id: int) -> TrainingRun | None:
        """Return the chat's newest finished run: the model that answers."""
        async with self._read() as conn:
            row = await _fetchone(
                conn,
                _RUN_SELECT + " WHERE chat_id = ? AND status = 'finished' ORDER BY id DESC LIMIT 1",
                (chat_id,),
            )
        return None if row is None else _to_run(row)

    async def run(self, run_id: int) -> TrainingRun | None:
        """Return one run."""
        async with self._read() as conn:
            row = await _fetchone(conn, _RUN_SELECT + " WHERE id = ?", (run_id,))
        return None if row is None else _to_run(row)

    # --- corrections (taps on a prediction's buttons) and /stats -----------------------------

    async def label_by_tap(
        self,
        chat_id: int,
        sample_id: int,
        label: str,
        *,
        user_id: int | None,
        max_labels: int,
        now: float | None = None,
    ) -> Correction:
        """Label a sample only if it is still unlabelled, and count the tap if it did.

        The check and the change run in one write transaction, so of concurrent taps on one
        sample exactly the first stores its label and the others find it labelled. The label
        goes through the same path as /label (label limit, data version).

        Raises:
            TooManyLabels: The label is new and the chat already has max_labels labels.
        """
        _check_label(label)
        at = _timestamp(now)
        async with self._write() as conn:
            sample = await _sample_by_id(conn, chat_id, sample_id)
            if sample is None or sample.label is not None:
                return Correction(sample, stored=False, taps_since_training=0)
            await _apply_label(conn, chat_id, [sample_id], label, user_id, at, max_labels)
            await _execute(
                conn,
                "INSERT INTO corrections (chat_id, sample_id, user_id, created_at)"
                " VALUES (?, ?, ?, ?)",
                (chat_id, sample_id, user_id, at),
            )
            taps = await _scalar(
                conn,
                "SELECT count(*) FROM corrections WHERE chat_id = ? AND created_at > coalesce("
                "(SELECT max(created_at) FROM training_runs WHERE chat_id = ?), 0)",
                (chat_id, chat_id),
            )
            stored = await _require_sample(conn, chat_id, sample_id)
        return Correction(stored, stored=True, taps_since_training=int(taps))

    async def label_ids(self, chat_id: int) -> dict[str, int]:
        """Return every label of this chat with its stable id (for callback data)."""
        async with self._read() as conn:
            rows = await _fetchall(
                conn, "SELECT name, id FROM labels WHERE chat_id = ? ORDER BY name", (chat_id,)
            )
        return {str(name): int(label_id) for name, label_id in rows}

    async def contributor_counts(self, chat_id: int) -> list[ContributorCount]:
        """Return the labelled samples of this chat per sender, most first.

        The sender is who sent the image (else who labelled it); imported samples have
        neither and count under None.
        """
        async with self._read() as conn:
            rows = await _fetchall(
                conn,
                "SELECT coalesce(user_id, labelled_by) AS who, count(*) AS n FROM samples"
                " WHERE chat_id = ? AND label_id IS NOT NULL"
                " GROUP BY who ORDER BY n DESC, who IS NULL, who",
                (chat_id,),
            )
        return [
            ContributorCount(None if who is None else int(who), int(count)) for who, count in rows
        ]


def _disk_full(exc: BaseException) -> bool:
    """Whether SQLite failed for want of space (or of pages under max_page_count)."""
    if isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL":
        return True
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


def _timestamp(now: float | None) -> float:
    """Return now, or the current unix time if the caller did not pin it."""
    return time.time() if now is None else now


def _check_label(label: str) -> None:
    """Reject an empty label, which the caller should have caught."""
    if not label:
        raise ValueError("label must be a non-empty string")


def _sha256_hex(data: bytes | None) -> str | None:
    """SQL function sha256_hex(blob): the hex SHA-256 of a blob."""
    return None if data is None else hashlib.sha256(data).hexdigest()


async def _source_hashes(conn: aiosqlite.Connection, chat_id: int) -> frozenset[str]:
    """Return the hex SHA-256 of every source PNG this chat stores."""
    rows = await _fetchall(
        conn,
        "SELECT sha256_hex(i.source_png) FROM samples AS s"
        " JOIN sample_images AS i ON i.sample_id = s.id WHERE s.chat_id = ?",
        (chat_id,),
    )
    return frozenset(str(row[0]) for row in rows)


async def _insert_label(conn: aiosqlite.Connection, chat_id: int, name: str) -> int:
    """Create a label of this chat and return its id."""
    async with conn.execute(
        "INSERT INTO labels (chat_id, name) VALUES (?, ?)", (chat_id, name)
    ) as cursor:
        label_id = cursor.lastrowid
    if label_id is None:
        raise RuntimeError("SQLite reported no rowid for the new label")
    return label_id


async def _insert_imported(
    conn: aiosqlite.Connection,
    chat_id: int,
    message_id: int,
    item: ImportItem,
    label_id: int | None,
    at: float,
) -> None:
    """Insert one imported sample, labelled or not, with its images."""
    async with conn.execute(
        "INSERT INTO samples (chat_id, message_id, user_id, file_unique_id, media_group_id,"
        " source_kind, input_size, preprocess_version, label_id, labelled_by, created_at,"
        " labelled_at) VALUES (?, ?, NULL, ?, NULL, 'document', ?, ?, ?, NULL, ?, ?)",
        (
            chat_id,
            message_id,
            IMPORTED_FILE_PREFIX + item.source_sha256,
            item.input_size,
            item.preprocess_version,
            label_id,
            at,
            None if label_id is None else at,
        ),
    ) as cursor:
        sample_id = cursor.lastrowid
    if sample_id is None:
        raise RuntimeError("SQLite reported no rowid for the imported sample")
    await _execute(
        conn,
        "INSERT INTO sample_images (sample_id, model_input, source_png) VALUES (?, ?, ?)",
        (sample_id, item.model_input, item.source_png),
    )


async def _execute(
    conn: aiosqlite.Connection, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> int:
    """Execute one statement, release its cursor and return the number of changed rows."""
    async with conn.execute(sql, params) as cursor:
        return cursor.rowcount


async def _fetchone(
    conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()
) -> Sequence[Any] | None:
    """Return the first row of a query, or None."""
    async with conn.execute(sql, params) as cursor:
        return await cursor.fetchone()


async def _fetchall(
    conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()
) -> list[Sequence[Any]]:
    """Return all rows of a query."""
    async with conn.execute(sql, params) as cursor:
        return list(await cursor.fetchall())


async def _scalar(conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()) -> Any:
    """Return the first column of the first row of a query."""
    row = await _fetchone(conn, sql, params)
    if row is None:
        raise LookupError(f"query returned no row: {sql}")
    return row[0]


async def _count(conn: aiosqlite.Connection, table: str, chat_id: int) -> int:
    """Count a chat's rows in one of our tables (table is a constant, never user input)."""
    return int(await _scalar(conn, f"SELECT count(*) FROM {table} WHERE chat_id = ?", (chat_id,)))


def _to_sample(row: Sequence[Any]) -> Sample:
    """Build a Sample from a row of _SAMPLE_SELECT."""
    (
        sample_id,
        chat_id,
        message_id,
        user_id,
        file_unique_id,
        media_group_id,
        source_kind,
        label,
        labelled_by,
        created_at,
        labelled_at,
    ) = row
    return Sample(
        id=int(sample_id),
        chat_id=int(chat_id),
        message_id=int(message_id),
        user_id=None if user_id is None else int(user_id),
        file_unique_id=str(file_unique_id),
        media_group_id=None if media_group_id is None else str(media_group_id),
        source_kind=str(source_kind),
        label=None if label is None else str(label),
        labelled_by=None if labelled_by is None else int(labelled_by),
        created_at=float(created_at),
        labelled_at=None if labelled_at is None else float(labelled_at),
    )


async def _sample_by_id(conn: aiosqlite.Connection, chat_id: int, sample_id: int) -> Sample | None:
    """Return a sample of this chat by id."""
    row = await _fetchone(
        conn, _SAMPLE_SELECT + " WHERE s.chat_id = ? AND s.id = ?", (chat_id, sample_id)
    )
    return None if row is None else _to_sample(row)


async def _require_sample(conn: aiosqlite.Connection, chat_id: int, sample_id: int) -> Sample:
    """Return a sample this transaction knows exists."""
    sample = await _sample_by_id(conn, chat_id, sample_id)
    if sample is None:
        raise SampleNotFound(chat_id, sample_id)
    return sample


async def _sample_by_file(
    conn: aiosqlite.Connection, chat_id: int, file_unique_id: str
) -> Sample | None:
    """Return the sample of this chat made from a Telegram file, if any."""
    row = await _fetchone(
        conn,
        _SAMPLE_SELECT + " WHERE s.chat_id = ? AND s.file_unique_id = ?",
        (chat_id, file_unique_id),
    )
    return None if row is None else _to_sample(row)


async def _insert_sample(conn: aiosqlite.Connection, new: NewSample, at: float) -> int:
    """Insert an unlabelled sample with its images and return its id."""
    async with conn.execute(
        "INSERT INTO samples (chat_id, message_id, user_id, file_unique_id, media_group_id,"
        " source_kind, input_size, preprocess_version, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new.chat_id,
            new.message_id,
            new.user_id,
            new.file_unique_id,
            new.media_group_id,
            new.source_kind,
            new.input_size,
            new.preprocess_version,
            at,
        ),
    ) as cursor:
        sample_id = cursor.lastrowid
    if sample_id is None:
        raise RuntimeError("SQLite reported no rowid for the new sample")
    await _execute(
        conn,
        "INSERT INTO sample_images (sample_id, model_input, source_png) VALUES (?, ?, ?)",
        (sample_id, new.model_input, new.source_png),
    )
    return sample_id


async def _link_message(
    conn: aiosqlite.Connection,
    chat_id: int,
    message_id: int,
    sample_id: int,
    media_group_id: str | None,
) -> None:
    """Record that a message delivered a sample (first delivery wins for a message)."""
    await _execute(
        conn,
        "INSERT INTO sample_messages (chat_id, message_id, sample_id, media_group_id)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO NOTHING",
        (chat_id, message_id, sample_id, media_group_id),
    )


async def _label_id(conn: aiosqlite.Connection, chat_id: int, name: str) -> int | None:
    """Return the id of a label of this chat, if it exists."""
    row = await _fetchone(
        conn, "SELECT id FROM labels WHERE chat_id = ? AND name = ?", (chat_id, name)
    )
    return None if row is None else int(row[0])


async def _label_allowed(
    conn: aiosqlite.Connection, chat_id: int, name: str, max_labels: int
) -> bool:
    """Tell whether one more sample may carry this label without breaking the label limit."""
    if await _label_id(conn, chat_id, name) is not None:
        return True
    return await _count(conn, "labels", chat_id) < max_labels


async def _apply_label(
    conn: aiosqlite.Connection,
    chat_id: int,
    sample_ids: Iterable[int],
    name: str,
    labelled_by: int | None,
    at: float,
    max_labels: int,
) -> None:
    """Label samples of this chat, drop labels left empty, then enforce the label limit.

    The limit is checked after the change so that moving the only sample of a label to a
    new label is allowed: the chat does not end up with more labels than before. Raising
    here aborts the surrounding transaction.
    """
    label_id = await _label_id(conn, chat_id, name)
    is_new = label_id is None
    if label_id is None:
        async with conn.execute(
            "INSERT INTO labels (chat_id, name) VALUES (?, ?)", (chat_id, name)
        ) as cursor:
            label_id = cursor.lastrowid
    for sample_id in sample_ids:
        await _execute(
            conn,
            "UPDATE samples SET label_id = ?, labelled_by = ?, labelled_at = ?"
            " WHERE chat_id = ? AND id = ? AND label_id IS NOT ?",
            (label_id, labelled_by, at, chat_id, sample_id, label_id),
        )
    await _prune_labels(conn, chat_id)
    if is_new:
        others = await _scalar(
            conn, "SELECT count(*) FROM labels WHERE chat_id = ? AND id != ?", (chat_id, label_id)
        )
        if int(others) >= max_labels:
            raise TooManyLabels(max_labels)


async def _prune_labels(conn: aiosqlite.Connection, chat_id: int) -> None:
    """Delete this chat's labels that no sample carries, freeing their slots."""
    await _execute(
        conn,
        "DELETE FROM labels WHERE chat_id = ? AND NOT EXISTS (SELECT 1 FROM samples AS s"
        " WHERE s.chat_id = labels.chat_id AND s.label_id = labels.id)",
        (chat_id,),
    )


async def _album_sample_ids(
    conn: aiosqlite.Connection, chat_id: int, media_group_id: str
) -> list[int]:
    """Return the ids of this chat's samples delivered as part of an album."""
    rows = await _fetchall(
        conn,
        "SELECT DISTINCT sample_id FROM sample_messages"
        " WHERE chat_id = ? AND media_group_id = ? ORDER BY sample_id",
        (chat_id, media_group_id),
    )
    return [int(row[0]) for row in rows]


async def _album_label(
    conn: aiosqlite.Connection, chat_id: int, media_group_id: str, at: float
) -> tuple[str, int | None] | None:
    """Return the remembered (label, labelled_by) of an album of this chat, if still fresh."""
    row = await _fetchone(
        conn,
        "SELECT label, labelled_by FROM album_labels"
        " WHERE chat_id = ? AND media_group_id = ? AND labelled_at >= ?",
        (chat_id, media_group_id, at - ALBUM_LABEL_TTL_SECONDS),
    )
    if row is None:
        return None
    return str(row[0]), None if row[1] is None else int(row[1])


async def _remember_album(
    conn: aiosqlite.Connection,
    chat_id: int,
    media_group_id: str,
    name: str,
    labelled_by: int | None,
    at: float,
) -> None:
    """Remember an album's label for members that have not arrived yet."""
    await _execute(
        conn,
        "DELETE FROM album_labels WHERE chat_id = ? AND labelled_at < ?",
        (chat_id, at - ALBUM_LABEL_TTL_SECONDS),
    )
    await _execute(
        conn,
        "INSERT INTO album_labels (chat_id, media_group_id, label, labelled_by, labelled_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, media_group_id) DO UPDATE"
        " SET label = excluded.label, labelled_by = excluded.labelled_by,"
        " labelled_at = excluded.labelled_at",
        (chat_id, media_group_id, name, labelled_by, at),
    )


_RUN_SELECT: Final = """
    SELECT id, chat_id, requested_by, status, params, labels, sample_ids, data_version, metrics,
           model_prefix, error, message_id, created_at, started_at, finished_at, language
    FROM training_runs
"""


def _to_run(row: Sequence[Any]) -> TrainingRun:
    """Build a TrainingRun from a _RUN_SELECT row."""
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


async def _require_run(conn: aiosqlite.Connection, run_id: int) -> TrainingRun:
    """Return a run that must exist."""
    row = await _fetchone(conn, _RUN_SELECT + " WHERE id = ?", (run_id,))
    if row is None:
        raise KeyError(run_id)
    return _to_run(row)
