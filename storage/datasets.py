"""A chat's dataset as a whole: every image with its label for /export, and /import's samples."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Final

import aiosqlite

from storage.database import (
    Database,
    count_rows,
    fetchall,
    scalar,
    timestamp,
)
from storage.queries import (
    WITH_ANY_LABEL,
    WITH_IMAGES,
    check_label,
    insert_images,
    insert_label,
    source_hashes,
)
from storage.records import (
    ImportItem,
    ImportResult,
    LabelCount,
    StoredImage,
)

logger = logging.getLogger(__name__)

__all__ = ["IMPORTED_FILE_PREFIX", "Datasets"]

IMPORTED_FILE_PREFIX: Final = "sha256:"


class Datasets:
    """Every chat's samples in and out as a whole."""

    def __init__(self, db: Database) -> None:
        """Query ``db``."""
        self._db = db

    async def stored_images(self, chat_id: int) -> list[StoredImage]:
        """Return every sample of this chat with its source PNG, oldest first."""
        async with self._db.read() as conn:
            rows = await fetchall(
                conn,
                "SELECT s.id, l.name, s.created_at, s.preprocess_version, i.source_png"
                f" {WITH_IMAGES} {WITH_ANY_LABEL} WHERE s.chat_id = ? ORDER BY s.id",
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
        async with self._db.read() as conn:
            value = await scalar(
                conn,
                f"SELECT coalesce(sum(length(i.source_png)), 0) {WITH_IMAGES} WHERE s.chat_id = ?",
                (chat_id,),
            )
        return int(value)

    async def source_hashes(self, chat_id: int) -> frozenset[str]:
        """Return the SHA-256 hex digests of this chat's stored source PNGs."""
        async with self._db.read() as conn:
            return await source_hashes(conn, chat_id)

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
        at = timestamp(now)
        imported: dict[str, int] = {}
        unlabelled = already_here = over_samples = over_labels = 0
        async with self._db.write() as conn:
            seen = set(await source_hashes(conn, chat_id))
            samples = await count_rows(conn, "samples", chat_id)
            labels = {
                str(name): int(label_id)
                for label_id, name in await fetchall(
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
                    check_label(item.label)
                    label_id = labels.get(item.label)
                    if label_id is None:
                        if len(labels) >= max_labels:
                            over_labels += 1
                            continue
                        label_id = await insert_label(conn, chat_id, item.label)
                        labels[item.label] = label_id
                await insert_imported(conn, chat_id, message_id, item, label_id, at)
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


async def insert_imported(
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
        " source_kind, input_size, preprocess_version, photographed, label_id, labelled_by,"
        " created_at, labelled_at)"
        " VALUES (?, ?, NULL, ?, NULL, 'document', ?, ?, ?, ?, NULL, ?, ?)",
        (
            chat_id,
            message_id,
            IMPORTED_FILE_PREFIX + item.source_sha256,
            item.input_size,
            item.preprocess_version,
            item.photographed,
            label_id,
            at,
            None if label_id is None else at,
        ),
    ) as cursor:
        sample_id = cursor.lastrowid
    if sample_id is None:
        raise RuntimeError("SQLite reported no rowid for the imported sample")
    await insert_images(conn, sample_id, item.model_input, item.source_png)
