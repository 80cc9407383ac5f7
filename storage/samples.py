"""A chat's samples: storing an upload, finding one by its message, their images and counts,
and making their model inputs again when the preprocessing changed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

import aiosqlite

from storage.database import (
    Database,
    count_rows,
    execute,
    fetchall,
    fetchone,
    scalar,
    timestamp,
)
from storage.queries import (
    IN_DATASET,
    LABELLED_INPUT_SELECT,
    SAMPLE_SELECT,
    WITH_IMAGES,
    album_label,
    album_sample_ids,
    apply_label,
    insert_images,
    label_allowed,
    prune_labels,
    remember_album,
    require_sample,
    to_labelled_input,
    to_sample,
)
from storage.records import (
    AddResult,
    AddStatus,
    ChatFull,
    LabelledInput,
    NewSample,
    RefusedSource,
    RepreparedInput,
    Sample,
    StaleInput,
)

__all__ = ["Samples"]

logger = logging.getLogger(__name__)

ImageColumn = Literal["source_png", "model_input"]


class Samples:
    """The samples of every chat; each method is scoped by chat_id.

    The exception is re-preparation after a preprocessing change, which walks every chat:
    ``stale_inputs`` finds the samples, ``replace_inputs`` and ``record_refusals`` store
    what today's preprocessing made of their sources.
    """

    def __init__(self, db: Database) -> None:
        """Query ``db``."""
        self._db = db

    async def add(
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
        at = timestamp(now)
        chat_id = new.chat_id
        async with self._db.write() as conn:
            label, labelled_by, explicit = new.label, new.user_id, new.label is not None
            if label is None and new.media_group_id is not None:
                remembered = await album_label(conn, chat_id, new.media_group_id, at)
                if remembered is not None:
                    label, labelled_by = remembered
            existing = await sample_by_file(conn, chat_id, new.file_unique_id)
            if existing is None:
                if await count_rows(conn, "samples", chat_id) >= max_samples:
                    raise ChatFull(max_samples)
                sample_id = await insert_sample(conn, new, at)
                status, current_label = AddStatus.CREATED, None
            else:
                sample_id, status, current_label = existing.id, AddStatus.DUPLICATE, existing.label
            await link_message(conn, chat_id, new.message_id, sample_id, new.media_group_id)

            targets: list[int] = []
            if label is not None and label != current_label:
                # An explicit label over the limit is the caller's error; a remembered album
                # label over the limit must not make storing the picture itself fail.
                if explicit or await label_allowed(conn, chat_id, label, max_labels):
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
                await remember_album(conn, chat_id, new.media_group_id, new.label, new.user_id, at)
                album = await album_sample_ids(conn, chat_id, new.media_group_id)
                targets.extend(other for other in album if other not in targets)
            if label is not None and targets:
                await apply_label(conn, chat_id, targets, label, labelled_by, at, max_labels)
            sample = await require_sample(conn, chat_id, sample_id)
        logger.debug("Chat %d: sample %d %s", chat_id, sample.id, status.value)
        return AddResult(sample, status)

    async def for_message(self, chat_id: int, message_id: int) -> Sample | None:
        """Return the sample a message of this chat delivered, if any."""
        async with self._db.read() as conn:
            row = await fetchone(
                conn,
                SAMPLE_SELECT
                + " JOIN sample_messages AS m ON m.chat_id = s.chat_id AND m.sample_id = s.id"
                " WHERE m.chat_id = ? AND m.message_id = ?",
                (chat_id, message_id),
            )
        return None if row is None else to_sample(row)

    async def newest(self, chat_id: int) -> Sample | None:
        """Return the chat's newest sample, labelled or not."""
        async with self._db.read() as conn:
            row = await fetchone(
                conn,
                SAMPLE_SELECT
                + " WHERE s.chat_id = ? ORDER BY s.created_at DESC, s.id DESC LIMIT 1",
                (chat_id,),
            )
        return None if row is None else to_sample(row)

    async def latest_unlabelled(self, chat_id: int, user_id: int, *, since: float) -> Sample | None:
        """Return the user's newest unlabelled sample in this chat created at or after since."""
        async with self._db.read() as conn:
            row = await fetchone(
                conn,
                SAMPLE_SELECT + " WHERE s.chat_id = ? AND s.user_id = ? AND s.label_id IS NULL"
                " AND s.created_at >= ? ORDER BY s.created_at DESC, s.id DESC LIMIT 1",
                (chat_id, user_id, since),
            )
        return None if row is None else to_sample(row)

    async def senders(self, chat_id: int) -> dict[int, int | None]:
        """Return who sent each labelled sample (else who labelled it; None: imported)."""
        async with self._db.read() as conn:
            rows = await fetchall(
                conn,
                "SELECT s.id, coalesce(s.user_id, s.labelled_by) FROM samples AS s"
                f" WHERE {IN_DATASET} AND s.label_id IS NOT NULL",
                (chat_id, chat_id),
            )
        return {int(sample_id): None if who is None else int(who) for sample_id, who in rows}

    async def unlabelled_count(self, chat_id: int) -> int:
        """Return how many samples of this chat have no label yet."""
        async with self._db.read() as conn:
            value = await scalar(
                conn,
                "SELECT count(*) FROM samples WHERE chat_id = ? AND label_id IS NULL",
                (chat_id,),
            )
        return int(value)

    async def count(self, chat_id: int) -> int:
        """Return how many samples this chat holds, labelled or not."""
        async with self._db.read() as conn:
            return await count_rows(conn, "samples", chat_id)

    async def undo_last_labelled(self, chat_id: int, user_id: int) -> Sample | None:
        """Delete the sample this user labelled most recently in this chat and return it."""
        async with self._db.write() as conn:
            row = await fetchone(
                conn,
                SAMPLE_SELECT + " WHERE s.chat_id = ? AND s.labelled_by = ?"
                " AND s.label_id IS NOT NULL ORDER BY s.labelled_at DESC, s.id DESC LIMIT 1",
                (chat_id, user_id),
            )
            if row is None:
                return None
            sample = to_sample(row)
            await execute(
                conn, "DELETE FROM samples WHERE chat_id = ? AND id = ?", (chat_id, sample.id)
            )
            await prune_labels(conn, chat_id)
        logger.debug("Chat %d: user %d undid sample %d", chat_id, user_id, sample.id)
        return sample

    async def source_png(self, chat_id: int, sample_id: int) -> bytes | None:
        """Return the stored grayscale PNG of a sample of this chat, if it exists."""
        return await self._image(chat_id, sample_id, "source_png")

    async def model_input(self, chat_id: int, sample_id: int) -> bytes | None:
        """Return one sample's stored model input, if the sample is this chat's."""
        return await self._image(chat_id, sample_id, "model_input")

    async def _image(self, chat_id: int, sample_id: int, column: ImageColumn) -> bytes | None:
        async with self._db.read() as conn:
            row = await fetchone(
                conn,
                # The column is one of two constants, never user input.
                f"SELECT i.{column} {WITH_IMAGES} WHERE {IN_DATASET} AND s.id = ?",
                (chat_id, chat_id, sample_id),
            )
        return None if row is None else bytes(row[0])

    async def labelled_inputs(self, chat_id: int) -> list[LabelledInput]:
        """Return every labelled sample's model input in this chat, oldest first."""
        async with self._db.read() as conn:
            rows = await fetchall(
                conn,
                LABELLED_INPUT_SELECT + f" WHERE {IN_DATASET} ORDER BY s.id",
                (chat_id, chat_id),
            )
        return [to_labelled_input(row) for row in rows]

    async def newest_inputs(self, chat_id: int, label: str, *, limit: int) -> list[LabelledInput]:
        """Return up to ``limit`` model inputs of one label of this chat, newest first."""
        async with self._db.read() as conn:
            rows = await fetchall(
                conn,
                LABELLED_INPUT_SELECT + f" WHERE {IN_DATASET} AND l.name = ? ORDER BY s.id DESC"
                " LIMIT ?",
                (chat_id, chat_id, label, limit),
            )
        return [to_labelled_input(row) for row in rows]

    async def stale_inputs(
        self,
        preprocess_version: int,
        *,
        limit: int,
        after_id: int = 0,
        chat_id: int | None = None,
        photographed_unknown: bool = False,
    ) -> list[StaleInput]:
        """Return up to ``limit`` samples whose input an older preprocessing made, by id.

        Args:
            preprocess_version: Today's; samples whose source it already refused are left
                out, those an older version refused are tried again.
            limit: The batch size.
            after_id: Only samples with a greater id: the last batch's last id pages on.
            chat_id: Only this chat's samples; None walks every chat.
            photographed_unknown: Also the samples of today's version whose ``photographed``
                is not known (stored before it was), so that preparing them again fills it.
        """
        stale = (
            "(s.preprocess_version < ? OR s.photographed IS NULL)"
            if photographed_unknown
            else "s.preprocess_version < ?"
        )
        sql = (
            f"SELECT s.chat_id, s.id, s.preprocess_version, i.source_png {WITH_IMAGES}"
            f" WHERE {stale} AND s.id > ? AND NOT EXISTS (SELECT 1"
            " FROM preprocess_refusals AS r WHERE r.sample_id = s.id AND r.preprocess_version >= ?)"
        )
        params: list[object] = [preprocess_version, after_id, preprocess_version]
        if chat_id is not None:
            sql += " AND s.chat_id = ?"
            params.append(chat_id)
        async with self._db.read() as conn:
            rows = await fetchall(conn, sql + " ORDER BY s.id LIMIT ?", (*params, limit))
        return [
            StaleInput(int(chat), int(sample_id), int(version), bytes(png))
            for chat, sample_id, version, png in rows
        ]

    async def replace_inputs(self, inputs: Sequence[RepreparedInput]) -> int:
        """Store model inputs made again, each with its version; return how many were stored.

        One transaction. An input replaces its sample's stored one only while that is older,
        so a sample deleted meanwhile, or re-prepared by someone else first, is skipped; its
        label is not touched, so a relabel meanwhile stands. The chat's data version stays:
        the same drawings carry the same labels. A sample whose input is today's already but
        whose ``photographed`` is unknown gets only that filled in (and counts as stored).
        """
        replaced = 0
        async with self._db.write() as conn:
            for made in inputs:
                row = await fetchone(
                    conn,
                    "SELECT preprocess_version, photographed FROM samples"
                    " WHERE chat_id = ? AND id = ?",
                    (made.chat_id, made.sample_id),
                )
                if row is None:
                    continue
                version, photographed = int(row[0]), row[1]
                if version == made.preprocess_version and photographed is None:
                    await execute(
                        conn,
                        "UPDATE samples SET photographed = ? WHERE id = ?",
                        (made.photographed, made.sample_id),
                    )
                    replaced += 1
                    continue
                if version >= made.preprocess_version:
                    continue
                await execute(
                    conn,
                    "UPDATE samples SET preprocess_version = ?, input_size = ?, photographed = ?"
                    " WHERE id = ?",
                    (made.preprocess_version, made.input_size, made.photographed, made.sample_id),
                )
                await execute(
                    conn,
                    "UPDATE sample_images SET model_input = ? WHERE sample_id = ?",
                    (made.model_input, made.sample_id),
                )
                # An older version's refusal no longer says anything about this sample.
                await execute(
                    conn, "DELETE FROM preprocess_refusals WHERE sample_id = ?", (made.sample_id,)
                )
                replaced += 1
        return replaced

    async def record_refusals(
        self, refused: Sequence[RefusedSource], *, now: float | None = None
    ) -> int:
        """Remember sources a preprocessing refused, so it skips them; return how many.

        The samples keep their older inputs and versions. A sample deleted meanwhile, or
        whose input is no longer older than the refusing version, is skipped.
        """
        at = timestamp(now)
        recorded = 0
        async with self._db.write() as conn:
            for refusal in refused:
                recorded += await execute(
                    conn,
                    "INSERT INTO preprocess_refusals"
                    " (sample_id, preprocess_version, reason, refused_at)"
                    " SELECT id, ?, ?, ? FROM samples"
                    " WHERE chat_id = ? AND id = ? AND preprocess_version < ?"
                    " ON CONFLICT (sample_id) DO UPDATE SET"
                    " preprocess_version = excluded.preprocess_version,"
                    " reason = excluded.reason, refused_at = excluded.refused_at",
                    (
                        refusal.preprocess_version,
                        refusal.reason,
                        at,
                        refusal.chat_id,
                        refusal.sample_id,
                        refusal.preprocess_version,
                    ),
                )
        return recorded

    async def data_version(self, chat_id: int) -> int:
        """Return a number that changes whenever the labelled data this chat learns from changes."""
        async with self._db.read() as conn:
            value = await scalar(
                conn,
                # The chat's own version plus its classes': both only grow.
                "SELECT (SELECT coalesce(max(version), 0) FROM chat_data_versions"
                " WHERE chat_id = ?) + (SELECT coalesce(sum(v.version), 0)"
                " FROM class_data_versions AS v JOIN classes AS c ON c.id = v.class_id"
                " WHERE c.group_chat_id = ?)",
                (chat_id, chat_id),
            )
        return int(value)


async def sample_by_file(
    conn: aiosqlite.Connection, chat_id: int, file_unique_id: str
) -> Sample | None:
    """Return the sample of this chat made from a Telegram file, if any."""
    row = await fetchone(
        conn,
        SAMPLE_SELECT + " WHERE s.chat_id = ? AND s.file_unique_id = ?",
        (chat_id, file_unique_id),
    )
    return None if row is None else to_sample(row)


async def insert_sample(conn: aiosqlite.Connection, new: NewSample, at: float) -> int:
    """Insert an unlabelled sample with its images and return its id."""
    async with conn.execute(
        "INSERT INTO samples (chat_id, message_id, user_id, file_unique_id, media_group_id,"
        " source_kind, input_size, preprocess_version, photographed, created_at, class_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ("
        # A pupil's drawing goes to the class the chat is in, if it still runs.
        "SELECT m.class_id FROM class_members AS m JOIN classes AS c ON c.id = m.class_id"
        " WHERE m.chat_id = ? AND m.left_at IS NULL AND c.ended_at IS NULL))",
        (
            new.chat_id,
            new.message_id,
            new.user_id,
            new.file_unique_id,
            new.media_group_id,
            new.source_kind,
            new.input_size,
            new.preprocess_version,
            new.photographed,
            at,
            new.chat_id,
        ),
    ) as cursor:
        sample_id = cursor.lastrowid
    if sample_id is None:
        raise RuntimeError("SQLite reported no rowid for the new sample")
    await insert_images(conn, sample_id, new.model_input, new.source_png)
    return sample_id


async def link_message(
    conn: aiosqlite.Connection,
    chat_id: int,
    message_id: int,
    sample_id: int,
    media_group_id: str | None,
) -> None:
    """Record that a message delivered a sample (first delivery wins for a message)."""
    await execute(
        conn,
        "INSERT INTO sample_messages (chat_id, message_id, sample_id, media_group_id)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO NOTHING",
        (chat_id, message_id, sample_id, media_group_id),
    )
