"""Create, join, leave and end class projects: what /classroom, /start <code> and /leave do."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.classroom.codes import CODE_PATTERN, new_code
from storage import ClassMember, ClassProject, ClassRunning, Repository

__all__ = ["Classrooms", "JoinOutcome", "JoinStatus", "Removal"]


class JoinStatus(enum.Enum):
    """What a pupil's /start <code> did."""

    JOINED = "joined"
    ALREADY = "already"  # in this class already
    UNKNOWN = "unknown"  # no class has this code (mistyped, or made up)
    ENDED = "ended"  # the class has ended: the code is expired
    CLOSED = "closed"  # the teacher closed joining


@dataclass(frozen=True)
class JoinOutcome:
    """The result of a join, with the class when there is one."""

    status: JoinStatus
    project: ClassProject | None = None


@dataclass(frozen=True)
class Removal:
    """The pupils a teacher's /classroom remove <name> matched, and the drawings it took out."""

    matched: list[ClassMember]
    moved: int = 0


class Classrooms:
    """The class projects of every group, for the handlers."""

    def __init__(self, repo: Repository) -> None:
        self._repo = repo

    async def running(self, group_chat_id: int) -> ClassProject | None:
        """Return the group's running class, if any."""
        return await self._repo.classes.running(group_chat_id)

    async def start(
        self, group_chat_id: int, created_by: int | None, language: str | None
    ) -> tuple[ClassProject, bool]:
        """Return the group's class, started now if none ran: (class, whether it is new)."""
        try:
            project = await self._repo.classes.create(
                group_chat_id, new_code(), created_by=created_by, language=language
            )
        except ClassRunning as running:
            return running.running, False
        return project, True

    async def join(self, code: str, chat_id: int, user_id: int, first_name: str) -> JoinOutcome:
        """Join a pupil's private chat to the class of ``code``."""
        project = await self._repo.classes.by_code(code) if CODE_PATTERN.fullmatch(code) else None
        if project is None:
            return JoinOutcome(JoinStatus.UNKNOWN)
        if project.ended_at is not None:
            return JoinOutcome(JoinStatus.ENDED, project)
        current = await self._repo.classes.of_pupil(chat_id)
        if current is not None and current.id == project.id:
            return JoinOutcome(JoinStatus.ALREADY, project)
        if not project.joining_open:
            return JoinOutcome(JoinStatus.CLOSED, project)
        await self._repo.classes.join(project.id, chat_id, user_id, first_name)
        return JoinOutcome(JoinStatus.JOINED, project)

    async def of_pupil(self, chat_id: int) -> ClassProject | None:
        """Return the class a private chat is in, if any."""
        return await self._repo.classes.of_pupil(chat_id)

    async def leave(self, chat_id: int, *, take_drawings: bool) -> int:
        """Take a pupil out of their class; return how many drawings they took along."""
        return await self._repo.classes.leave(chat_id, take_drawings=take_drawings)

    async def set_joining(self, project: ClassProject, joining_open: bool) -> None:
        """Open or close joining."""
        await self._repo.classes.set_joining(project.id, joining_open)

    async def remove(self, project: ClassProject, name: str) -> Removal:
        """Take the drawings of the pupil called ``name`` out of the class, if one matches."""
        wanted = name.strip().casefold()
        matched = [
            member
            for member in await self._repo.classes.members(project.id)
            if member.first_name.casefold() == wanted
        ]
        if len(matched) != 1:
            return Removal(matched)
        moved = await self._repo.classes.remove_pupil_samples(project.id, matched[0].user_id)
        return Removal(matched, moved)

    async def end(self, project: ClassProject, *, delete: bool) -> int:
        """End the class, keeping or deleting what was drawn for it; return how many went."""
        return await self._repo.classes.end(project.id, delete=delete)

    async def names(self, group_chat_id: int) -> dict[int, str]:
        """Return the first names of the pupils of the group's running class, by user id."""
        project = await self._repo.classes.running(group_chat_id)
        if project is None:
            return {}
        return {m.user_id: m.first_name for m in await self._repo.classes.members(project.id)}
