"""A chat's labels: their counts and ids, giving samples a label, deleting one, and who labelled."""

from __future__ import annotations

import json
import logging

from storage.database import (
    Database,
    execute,
    fetchall,
    fetchone,
    scalar,
    timestamp,
)
from storage.queries import (
    IN_DATASET,
    album_sample_ids,
    apply_label,
    check_label,
    label_id_of,
    remember_album,
    require_sample,
    sample_by_id,
)
from storage.records import (
    ContributorCount,
    Correction,
    LabelCount,
    LabelExists,
    LabelNotFound,
    LabelProfile,
    Sample,
    SampleNotFound,
)

logger = logging.getLogger(__name__)

__all__ = ["Labels"]


class Labels:
    """The labels of every chat; each method is scoped by chat_id."""

    def __init__(self, db: Database) -> None:
        """Query ``db``."""
        self._db = db

    async def counts(self, chat_id: int) -> list[LabelCount]:
        """Return every label of this chat with its number of samples, sorted by name."""
        async with self._db.read() as conn:
            rows = await fetchall(
                conn,
                "SELECT l.name, count(*) FROM labels AS l"
                " JOIN samples AS s ON s.chat_id = l.chat_id AND s.label_id = l.id"
                f" WHERE {IN_DATASET} GROUP BY l.name ORDER BY l.name",
                (chat_id, chat_id),
            )
        return [LabelCount(str(name), int(count)) for name, count in rows]

    async def profiles(self, chat_id: int) -> list[LabelProfile]:
        """Return every label of this chat with its samples, their senders and kinds, by name.

        The sender is who sent the image, else who labelled it; imported samples, which
        have neither, count as one more. The kinds: how many samples are known to be photos
        and how many drawn on a screen. A Telegram sticker is never a photo of paper, though
        the preprocessing's photo test, made for paper, takes an emoji's shading for one.
        """
        async with self._db.read() as conn:
            rows = await fetchall(
                conn,
                "SELECT l.name, count(*),"
                " count(DISTINCT coalesce(s.user_id, s.labelled_by, -1)),"
                " sum(s.photographed IS 1 AND s.source_kind != 'sticker'),"
                " sum(s.photographed IS 0 OR s.source_kind = 'sticker') FROM labels AS l"
                " JOIN samples AS s ON s.chat_id = l.chat_id AND s.label_id = l.id"
                f" WHERE {IN_DATASET} GROUP BY l.name ORDER BY l.name",
                (chat_id, chat_id),
            )
        return [
            LabelProfile(str(name), int(n), int(people), int(photos), int(screen))
            for name, n, people, photos, screen in rows
        ]

    async def id_of(self, chat_id: int, name: str) -> int | None:
        """Return the stable id of a label of this chat (for callback data), if it exists."""
        async with self._db.read() as conn:
            return await label_id_of(conn, chat_id, name)

    async def name_of(self, chat_id: int, label_id: int) -> str | None:
        """Return the name of a label id of this chat; None if unknown or another chat's."""
        async with self._db.read() as conn:
            row = await fetchone(
                conn, "SELECT name FROM labels WHERE chat_id = ? AND id = ?", (chat_id, label_id)
            )
        return None if row is None else str(row[0])

    async def ids(self, chat_id: int) -> dict[str, int]:
        """Return every label of this chat with its stable id (for callback data)."""
        async with self._db.read() as conn:
            rows = await fetchall(
                conn, "SELECT name, id FROM labels WHERE chat_id = ? ORDER BY name", (chat_id,)
            )
        return {str(name): int(label_id) for name, label_id in rows}

    async def assign(
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
        check_label(label)
        at = timestamp(now)
        async with self._db.write() as conn:
            sample = await sample_by_id(conn, chat_id, sample_id)
            if sample is None:
                raise SampleNotFound(chat_id, sample_id)
            if sample.label == label:
                return sample
            await apply_label(conn, chat_id, [sample_id], label, labelled_by, at, max_labels)
            return await require_sample(conn, chat_id, sample_id)

    async def assign_album(
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
        check_label(label)
        at = timestamp(now)
        async with self._db.write() as conn:
            await remember_album(conn, chat_id, media_group_id, label, labelled_by, at)
            sample_ids = await album_sample_ids(conn, chat_id, media_group_id)
            await apply_label(conn, chat_id, sample_ids, label, labelled_by, at, max_labels)
            return [await require_sample(conn, chat_id, sample_id) for sample_id in sample_ids]

    async def assign_by_tap(
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
        check_label(label)
        at = timestamp(now)
        async with self._db.write() as conn:
            sample = await sample_by_id(conn, chat_id, sample_id)
            if sample is None or sample.label is not None:
                return Correction(sample, stored=False, taps_since_training=0)
            await apply_label(conn, chat_id, [sample_id], label, user_id, at, max_labels)
            await execute(
                conn,
                "INSERT INTO corrections (chat_id, sample_id, user_id, created_at)"
                " VALUES (?, ?, ?, ?)",
                (chat_id, sample_id, user_id, at),
            )
            taps = await scalar(
                conn,
                "SELECT count(*) FROM corrections WHERE chat_id = ? AND created_at > coalesce("
                "(SELECT max(created_at) FROM training_runs WHERE chat_id = ?), 0)",
                (chat_id, chat_id),
            )
            stored = await require_sample(conn, chat_id, sample_id)
        return Correction(stored, stored=True, taps_since_training=int(taps))

    async def delete(self, chat_id: int, label: str) -> int:
        """Delete a label with all its samples; return how many samples went (0 if unknown)."""
        async with self._db.write() as conn:
            # A remembered album label would otherwise resurrect the label on the next arrival.
            await execute(
                conn, "DELETE FROM album_labels WHERE chat_id = ? AND label = ?", (chat_id, label)
            )
            label_id = await label_id_of(conn, chat_id, label)
            if label_id is None:
                return 0
            deleted = int(
                await scalar(
                    conn,
                    "SELECT count(*) FROM samples WHERE chat_id = ? AND label_id = ?",
                    (chat_id, label_id),
                )
            )
            await execute(
                conn, "DELETE FROM samples WHERE chat_id = ? AND label_id = ?", (chat_id, label_id)
            )
            await execute(
                conn, "DELETE FROM labels WHERE chat_id = ? AND id = ?", (chat_id, label_id)
            )
        logger.info("Chat %d: deleted label %r with %d samples", chat_id, label, deleted)
        return deleted

    async def rename(self, chat_id: int, old: str, new: str) -> int:
        """Give a label of this chat a new name; return how many samples carry it.

        The samples, the label's id (so buttons sent before still work) and the data version
        stay: a model trained before answers with the new name, as its runs are renamed too.

        Raises:
            LabelNotFound: The chat has no label ``old``.
            LabelExists: The chat has a label ``new`` already.
        """
        check_label(new)
        async with self._db.write() as conn:
            label_id = await label_id_of(conn, chat_id, old)
            if label_id is None:
                raise LabelNotFound(old)
            if await label_id_of(conn, chat_id, new) is not None:
                raise LabelExists(new)
            await execute(
                conn,
                "UPDATE labels SET name = ? WHERE chat_id = ? AND id = ?",
                (new, chat_id, label_id),
            )
            await execute(
                conn,
                "UPDATE album_labels SET label = ? WHERE chat_id = ? AND label = ?",
                (new, chat_id, old),
            )
            # A run's labels are its model's outputs, in order: the model now answers anew.
            for run_id, labels in await fetchall(
                conn, "SELECT id, labels FROM training_runs WHERE chat_id = ?", (chat_id,)
            ):
                names = json.loads(labels)
                if old in names:
                    renamed = [new if name == old else name for name in names]
                    await execute(
                        conn,
                        "UPDATE training_runs SET labels = ? WHERE id = ?",
                        (json.dumps(renamed), run_id),
                    )
            samples = int(
                await scalar(
                    conn,
                    "SELECT count(*) FROM samples WHERE chat_id = ? AND label_id = ?",
                    (chat_id, label_id),
                )
            )
        logger.info("Chat %d: renamed label %r to %r (%d samples)", chat_id, old, new, samples)
        return samples

    async def contributors(self, chat_id: int) -> list[ContributorCount]:
        """Return the labelled samples of this chat per sender, most first.

        The sender is who sent the image (else who labelled it); imported samples have
        neither and count under None.
        """
        async with self._db.read() as conn:
            rows = await fetchall(
                conn,
                "SELECT coalesce(s.user_id, s.labelled_by) AS who, count(*) AS n FROM samples AS s"
                f" WHERE {IN_DATASET} AND s.label_id IS NOT NULL"
                " GROUP BY who ORDER BY n DESC, who IS NULL, who",
                (chat_id, chat_id),
            )
        return [
            ContributorCount(None if who is None else int(who), int(count)) for who, count in rows
        ]
