"""The queries more than one concern needs, written once: samples with their labels and images.

Each function runs on a connection inside the caller's read or write (`Database`), so the
concern modules can combine them in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import aiosqlite

from storage.database import count_rows, execute, fetchall, fetchone, scalar
from storage.records import LabelledInput, Sample, SampleNotFound, TooManyLabels

# Album members arrive within seconds of each other; a remembered album label older than this
# is dead weight and is dropped when the chat next labels an album.
ALBUM_LABEL_TTL_SECONDS: Final = 24 * 60 * 60

# A chat's samples (s) with their images (i) and, for labelled samples, the label (l).
WITH_IMAGES: Final = "FROM samples AS s JOIN sample_images AS i ON i.sample_id = s.id"
WITH_LABEL: Final = "JOIN labels AS l ON l.chat_id = s.chat_id AND l.id = s.label_id"
WITH_ANY_LABEL: Final = "LEFT " + WITH_LABEL

# The samples a chat learns from: its own, and in a group running a class project (or one
# that ended keeping its data) also those its pupils drew for the class in their private
# chats (storage/migrations/0009_classes.sql). Takes the chat id twice.
IN_DATASET: Final = (
    "(s.chat_id = ? OR s.class_id IN (SELECT c.id FROM classes AS c WHERE c.group_chat_id = ?))"
)

SAMPLE_SELECT: Final = f"""
    SELECT s.id, s.chat_id, s.message_id, s.user_id, s.file_unique_id, s.media_group_id,
           s.source_kind, l.name, s.labelled_by, s.created_at, s.labelled_at
    FROM samples AS s {WITH_ANY_LABEL}
"""
LABELLED_INPUT_SELECT: Final = (
    f"SELECT s.id, l.name, i.model_input, s.input_size, s.preprocess_version"
    f" {WITH_IMAGES} {WITH_LABEL}"
)


def to_sample(row: Sequence[Any]) -> Sample:
    """Build a Sample from a row of SAMPLE_SELECT."""
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


def to_labelled_input(row: Sequence[Any]) -> LabelledInput:
    """Build a LabelledInput from a row of LABELLED_INPUT_SELECT."""
    sample_id, name, pixels, size, version = row
    return LabelledInput(int(sample_id), str(name), bytes(pixels), int(size), int(version))


async def sample_by_id(conn: aiosqlite.Connection, chat_id: int, sample_id: int) -> Sample | None:
    """Return a sample of this chat by id."""
    row = await fetchone(
        conn, SAMPLE_SELECT + " WHERE s.chat_id = ? AND s.id = ?", (chat_id, sample_id)
    )
    return None if row is None else to_sample(row)


async def require_sample(conn: aiosqlite.Connection, chat_id: int, sample_id: int) -> Sample:
    """Return a sample this transaction knows exists."""
    sample = await sample_by_id(conn, chat_id, sample_id)
    if sample is None:
        raise SampleNotFound(chat_id, sample_id)
    return sample


def check_label(label: str) -> None:
    """Reject an empty label, which the caller should have caught."""
    if not label:
        raise ValueError("label must be a non-empty string")


async def label_id_of(conn: aiosqlite.Connection, chat_id: int, name: str) -> int | None:
    """Return the id of a label of this chat, if it exists."""
    row = await fetchone(
        conn, "SELECT id FROM labels WHERE chat_id = ? AND name = ?", (chat_id, name)
    )
    return None if row is None else int(row[0])


async def insert_label(conn: aiosqlite.Connection, chat_id: int, name: str) -> int:
    """Create a label of this chat and return its id."""
    async with conn.execute(
        "INSERT INTO labels (chat_id, name) VALUES (?, ?)", (chat_id, name)
    ) as cursor:
        label_id = cursor.lastrowid
    if label_id is None:
        raise RuntimeError("SQLite reported no rowid for the new label")
    return label_id


async def label_allowed(
    conn: aiosqlite.Connection, chat_id: int, name: str, max_labels: int
) -> bool:
    """Tell whether one more sample may carry this label without breaking the label limit."""
    if await label_id_of(conn, chat_id, name) is not None:
        return True
    return await count_rows(conn, "labels", chat_id) < max_labels


async def apply_label(
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
    label_id = await label_id_of(conn, chat_id, name)
    is_new = label_id is None
    if label_id is None:
        label_id = await insert_label(conn, chat_id, name)
    for sample_id in sample_ids:
        await execute(
            conn,
            "UPDATE samples SET label_id = ?, labelled_by = ?, labelled_at = ?"
            " WHERE chat_id = ? AND id = ? AND label_id IS NOT ?",
            (label_id, labelled_by, at, chat_id, sample_id, label_id),
        )
    await prune_labels(conn, chat_id)
    if is_new:
        others = await scalar(
            conn, "SELECT count(*) FROM labels WHERE chat_id = ? AND id != ?", (chat_id, label_id)
        )
        if int(others) >= max_labels:
            raise TooManyLabels(max_labels)


async def prune_labels(conn: aiosqlite.Connection, chat_id: int) -> None:
    """Delete this chat's labels that no sample carries, freeing their slots."""
    await execute(
        conn,
        "DELETE FROM labels WHERE chat_id = ? AND NOT EXISTS (SELECT 1 FROM samples AS s"
        " WHERE s.chat_id = labels.chat_id AND s.label_id = labels.id)",
        (chat_id,),
    )


async def album_sample_ids(
    conn: aiosqlite.Connection, chat_id: int, media_group_id: str
) -> list[int]:
    """Return the ids of this chat's samples delivered as part of an album."""
    rows = await fetchall(
        conn,
        "SELECT DISTINCT sample_id FROM sample_messages"
        " WHERE chat_id = ? AND media_group_id = ? ORDER BY sample_id",
        (chat_id, media_group_id),
    )
    return [int(row[0]) for row in rows]


async def album_label(
    conn: aiosqlite.Connection, chat_id: int, media_group_id: str, at: float
) -> tuple[str, int | None] | None:
    """Return the remembered (label, labelled_by) of an album of this chat, if still fresh."""
    row = await fetchone(
        conn,
        "SELECT label, labelled_by FROM album_labels"
        " WHERE chat_id = ? AND media_group_id = ? AND labelled_at >= ?",
        (chat_id, media_group_id, at - ALBUM_LABEL_TTL_SECONDS),
    )
    if row is None:
        return None
    return str(row[0]), None if row[1] is None else int(row[1])


async def remember_album(
    conn: aiosqlite.Connection,
    chat_id: int,
    media_group_id: str,
    name: str,
    labelled_by: int | None,
    at: float,
) -> None:
    """Remember an album's label for members that have not arrived yet."""
    await execute(
        conn,
        "DELETE FROM album_labels WHERE chat_id = ? AND labelled_at < ?",
        (chat_id, at - ALBUM_LABEL_TTL_SECONDS),
    )
    await execute(
        conn,
        "INSERT INTO album_labels (chat_id, media_group_id, label, labelled_by, labelled_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, media_group_id) DO UPDATE"
        " SET label = excluded.label, labelled_by = excluded.labelled_by,"
        " labelled_at = excluded.labelled_at",
        (chat_id, media_group_id, name, labelled_by, at),
    )


async def source_hashes(conn: aiosqlite.Connection, chat_id: int) -> frozenset[str]:
    """Return the hex SHA-256 of every source PNG this chat stores."""
    rows = await fetchall(
        conn,
        f"SELECT sha256_hex(i.source_png) {WITH_IMAGES} WHERE s.chat_id = ?",
        (chat_id,),
    )
    return frozenset(str(row[0]) for row in rows)


async def insert_images(
    conn: aiosqlite.Connection, sample_id: int, model_input: bytes, source_png: bytes
) -> None:
    """Store a new sample's images beside it."""
    await execute(
        conn,
        "INSERT INTO sample_images (sample_id, model_input, source_png) VALUES (?, ?, ?)",
        (sample_id, model_input, source_png),
    )
