"""Class projects: a group's class, its join code, its pupils, and the samples they drew for it.

A pupil's sample stays in the pupil's private chat and carries the class it was drawn for
(samples.class_id, set when it is stored: storage.samples). The group learns from its own
samples and its classes' (storage.queries.IN_DATASET), so /status, /stats, /train and the
data-health lines of the group cover the class with no code of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiosqlite

from storage.database import Database, execute, fetchall, fetchone, timestamp
from storage.records import ClassMember, ClassProject, ClassRunning

__all__ = ["Classes"]

_CLASS_SELECT = (
    "SELECT id, group_chat_id, code, joining_open, created_by, created_at, ended_at,"
    " tally_message_id, language FROM classes"
)
_MEMBER_SELECT = (
    "SELECT class_id, chat_id, user_id, first_name, joined_at, left_at FROM class_members"
)


def _to_class(row: Sequence[Any]) -> ClassProject:
    class_id, group, code, joining_open, created_by, created_at, ended_at, tally, language = row
    return ClassProject(
        id=int(class_id),
        group_chat_id=int(group),
        code=str(code),
        joining_open=bool(joining_open),
        created_by=None if created_by is None else int(created_by),
        created_at=float(created_at),
        ended_at=None if ended_at is None else float(ended_at),
        tally_message_id=None if tally is None else int(tally),
        language=None if language is None else str(language),
    )


def _to_member(row: Sequence[Any]) -> ClassMember:
    class_id, chat_id, user_id, first_name, joined_at, left_at = row
    return ClassMember(
        class_id=int(class_id),
        chat_id=int(chat_id),
        user_id=int(user_id),
        first_name=str(first_name),
        joined_at=float(joined_at),
        left_at=None if left_at is None else float(left_at),
    )


class Classes:
    """Every group's class projects."""

    def __init__(self, db: Database) -> None:
        """Query ``db``."""
        self._db = db

    async def create(
        self,
        group_chat_id: int,
        code: str,
        *,
        created_by: int | None,
        language: str | None = None,
        now: float | None = None,
    ) -> ClassProject:
        """Start a class in a group with an unguessable ``code``.

        Raises:
            ClassRunning: The group runs a class already (it carries that class).
        """
        async with self._db.write() as conn:
            running = await _running(conn, group_chat_id)
            if running is not None:
                raise ClassRunning(running)
            await execute(
                conn,
                "INSERT INTO classes (group_chat_id, code, created_by, created_at, language)"
                " VALUES (?, ?, ?, ?, ?)",
                (group_chat_id, code, created_by, timestamp(now), language),
            )
            created = await _running(conn, group_chat_id)
        assert created is not None
        return created

    async def running(self, group_chat_id: int) -> ClassProject | None:
        """Return the class the group runs, if any."""
        async with self._db.read() as conn:
            return await _running(conn, group_chat_id)

    async def all_running(self) -> list[ClassProject]:
        """Return every running class, oldest first."""
        async with self._db.read() as conn:
            rows = await fetchall(conn, _CLASS_SELECT + " WHERE ended_at IS NULL ORDER BY id")
        return [_to_class(row) for row in rows]

    async def by_code(self, code: str) -> ClassProject | None:
        """Return the class of a join code, running or ended."""
        async with self._db.read() as conn:
            row = await fetchone(conn, _CLASS_SELECT + " WHERE code = ?", (code,))
        return None if row is None else _to_class(row)

    async def get(self, class_id: int) -> ClassProject | None:
        """Return a class by id."""
        async with self._db.read() as conn:
            row = await fetchone(conn, _CLASS_SELECT + " WHERE id = ?", (class_id,))
        return None if row is None else _to_class(row)

    async def of_pupil(self, chat_id: int) -> ClassProject | None:
        """Return the running class a private chat has joined, if any."""
        async with self._db.read() as conn:
            row = await fetchone(
                conn,
                _CLASS_SELECT + " WHERE ended_at IS NULL AND id = (SELECT class_id"
                " FROM class_members WHERE chat_id = ? AND left_at IS NULL)",
                (chat_id,),
            )
        return None if row is None else _to_class(row)

    async def learning_chat(self, chat_id: int) -> int:
        """Return the chat whose dataset and model ``chat_id`` learns with: a pupil's class's
        group, else the chat itself."""
        project = await self.of_pupil(chat_id)
        return chat_id if project is None else project.group_chat_id

    async def join(
        self,
        class_id: int,
        chat_id: int,
        user_id: int,
        first_name: str,
        *,
        now: float | None = None,
    ) -> ClassMember:
        """Make a private chat a pupil of the class, leaving any other class it was in."""
        at = timestamp(now)
        async with self._db.write() as conn:
            await execute(
                conn,
                "UPDATE class_members SET left_at = ?"
                " WHERE chat_id = ? AND left_at IS NULL AND class_id != ?",
                (at, chat_id, class_id),
            )
            await execute(
                conn,
                "INSERT INTO class_members (class_id, chat_id, user_id, first_name, joined_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (class_id, chat_id) DO UPDATE"
                " SET left_at = NULL, first_name = excluded.first_name",
                (class_id, chat_id, user_id, first_name, at),
            )
            row = await fetchone(
                conn, _MEMBER_SELECT + " WHERE class_id = ? AND chat_id = ?", (class_id, chat_id)
            )
        assert row is not None
        return _to_member(row)

    async def leave(self, chat_id: int, *, take_drawings: bool, now: float | None = None) -> int:
        """Take a private chat out of its class; with ``take_drawings`` its samples too.

        Taken samples leave the class's dataset and stay in the pupil's chat (returns how
        many); otherwise they stay in the class's dataset.
        """
        async with self._db.write() as conn:
            row = await fetchone(
                conn,
                "SELECT class_id FROM class_members WHERE chat_id = ? AND left_at IS NULL",
                (chat_id,),
            )
            if row is None:
                return 0
            await execute(
                conn,
                "UPDATE class_members SET left_at = ? WHERE chat_id = ? AND left_at IS NULL",
                (timestamp(now), chat_id),
            )
            if not take_drawings:
                return 0
            return await execute(
                conn,
                "UPDATE samples SET class_id = NULL WHERE chat_id = ? AND class_id = ?",
                (chat_id, int(row[0])),
            )

    async def members(self, class_id: int) -> list[ClassMember]:
        """Return the class's pupils who have not left, in the order they joined."""
        async with self._db.read() as conn:
            rows = await fetchall(
                conn,
                _MEMBER_SELECT + " WHERE class_id = ? AND left_at IS NULL ORDER BY joined_at",
                (class_id,),
            )
        return [_to_member(row) for row in rows]

    async def remove_pupil_samples(self, class_id: int, user_id: int) -> int:
        """Take what one pupil drew out of the class's dataset; return how many samples.

        They stay in the pupil's own chat: the teacher decides what the class learns from,
        not what a pupil keeps.
        """
        async with self._db.write() as conn:
            return await execute(
                conn,
                "UPDATE samples SET class_id = NULL WHERE class_id = ? AND user_id = ?",
                (class_id, user_id),
            )

    async def set_joining(self, class_id: int, joining_open: bool) -> None:
        """Open or close joining."""
        async with self._db.write() as conn:
            await execute(
                conn,
                "UPDATE classes SET joining_open = ? WHERE id = ?",
                (int(joining_open), class_id),
            )

    async def set_tally_message(self, class_id: int, message_id: int | None) -> None:
        """Remember the group's live message of the class."""
        async with self._db.write() as conn:
            await execute(
                conn,
                "UPDATE classes SET tally_message_id = ? WHERE id = ?",
                (message_id, class_id),
            )

    async def end(self, class_id: int, *, delete: bool, now: float | None = None) -> int:
        """End the class: its code stops working and its pupils leave it.

        With ``delete`` the samples drawn for it go too (returns how many); otherwise they
        stay in the group's dataset, and in each pupil's chat.
        """
        at = timestamp(now)
        async with self._db.write() as conn:
            await execute(
                conn,
                "UPDATE classes SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
                (at, class_id),
            )
            await execute(
                conn,
                "UPDATE class_members SET left_at = ? WHERE class_id = ? AND left_at IS NULL",
                (at, class_id),
            )
            if not delete:
                return 0
            return await execute(conn, "DELETE FROM samples WHERE class_id = ?", (class_id,))

    async def pupils(self, class_id: int) -> dict[int, int]:
        """Return how many labelled samples each pupil (user id) drew for the class."""
        async with self._db.read() as conn:
            rows = await fetchall(
                conn,
                "SELECT user_id, count(*) FROM samples WHERE class_id = ?"
                " AND label_id IS NOT NULL AND user_id IS NOT NULL GROUP BY user_id",
                (class_id,),
            )
        return {int(user): int(count) for user, count in rows}


async def _running(conn: aiosqlite.Connection, group_chat_id: int) -> ClassProject | None:
    row = await fetchone(
        conn, _CLASS_SELECT + " WHERE group_chat_id = ? AND ended_at IS NULL", (group_chat_id,)
    )
    return None if row is None else _to_class(row)
