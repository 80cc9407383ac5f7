"""Whole chats: clearing one, the bot's removal and return, and a group's move to a supergroup."""

from __future__ import annotations

import logging
from typing import Final

from storage.database import (
    Database,
    count_rows,
    execute,
    timestamp,
)
from storage.queries import (
    prune_labels,
)
from storage.records import (
    ChatReset,
)

logger = logging.getLogger(__name__)

__all__ = ["Chats"]

MIGRATE_CHAT_STATEMENTS: Final = (
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


class Chats:
    """Every chat as a whole."""

    def __init__(self, db: Database) -> None:
        """Query ``db``."""
        self._db = db

    async def reset(self, chat_id: int, *, keep_params: bool = True) -> ChatReset:
        """Delete a chat's samples, labels and training runs in one transaction.

        With ``keep_params`` the chat's /set parameters stay (a /reset starts a new dataset,
        not a new configuration); without, nothing of the chat is left. A group's class
        loses the drawings its pupils made for it too (they stay in the pupils' own chats);
        without ``keep_params`` its class ends, and a pupil's chat leaves its class.
        """
        async with self._db.write() as conn:
            samples = await count_rows(conn, "samples", chat_id)
            labels = await count_rows(conn, "labels", chat_id)
            async with conn.execute(
                "SELECT model_prefix FROM training_runs"
                " WHERE chat_id = ? AND model_prefix IS NOT NULL",
                (chat_id,),
            ) as cursor:
                prefixes = tuple(str(row[0]) for row in await cursor.fetchall())
            runs = await count_rows(conn, "training_runs", chat_id)
            tables = ["samples", "labels", "album_labels", "training_runs", "corrections"]
            if not keep_params:
                tables += ["chat_params", "chat_data_versions", "chat_removals"]
            for table in tables:
                # The names come from the list above, never from users.
                await execute(conn, f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,))
            await execute(
                conn,
                "UPDATE samples SET class_id = NULL"
                " WHERE class_id IN (SELECT id FROM classes WHERE group_chat_id = ?)",
                (chat_id,),
            )
            if not keep_params:
                at = timestamp(None)
                await execute(
                    conn,
                    "UPDATE class_members SET left_at = ? WHERE left_at IS NULL AND (chat_id = ?"
                    " OR class_id IN (SELECT id FROM classes WHERE group_chat_id = ?))",
                    (at, chat_id, chat_id),
                )
                await execute(
                    conn,
                    "UPDATE classes SET ended_at = ? WHERE group_chat_id = ? AND ended_at IS NULL",
                    (at, chat_id),
                )
        logger.info("Chat %d: reset (%d samples, %d runs)", chat_id, samples, runs)
        return ChatReset(samples=samples, labels=labels, runs=runs, model_prefixes=prefixes)

    async def mark_removed(self, chat_id: int, *, now: float | None = None) -> None:
        """Remember that the bot left a chat; the first removal's time counts."""
        async with self._db.write() as conn:
            await execute(
                conn,
                "INSERT INTO chat_removals (chat_id, removed_at) VALUES (?, ?)"
                " ON CONFLICT (chat_id) DO NOTHING",
                (chat_id, timestamp(now)),
            )

    async def mark_present(self, chat_id: int) -> None:
        """Forget a removal: the bot is back in the chat, its data stays."""
        async with self._db.write() as conn:
            await execute(conn, "DELETE FROM chat_removals WHERE chat_id = ?", (chat_id,))

    async def removed_before(self, cutoff: float) -> list[int]:
        """Return the chats the bot was removed from before ``cutoff`` (a Unix time)."""
        async with (
            self._db.read() as conn,
            conn.execute(
                "SELECT chat_id FROM chat_removals WHERE removed_at < ? ORDER BY chat_id", (cutoff,)
            ) as cursor,
        ):
            return [int(row[0]) for row in await cursor.fetchall()]

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        """Move everything of a group to the supergroup it became.

        Labels are merged by name, samples whose file the new chat already has are dropped.
        Repeating the call is a no-op. The new chat may end up above the sample and label
        limits; nothing is thrown away for that.
        """
        if old_chat_id == new_chat_id:
            return
        params = {"old": old_chat_id, "new": new_chat_id}
        async with self._db.write() as conn:
            tables = ("samples", "album_labels", "chat_params", "training_runs")
            if not any([await count_rows(conn, table, old_chat_id) for table in tables]):
                return
            for statement in MIGRATE_CHAT_STATEMENTS:
                await execute(conn, statement, params)
            await prune_labels(conn, new_chat_id)
        logger.info("Migrated chat %d to %d", old_chat_id, new_chat_id)
