"""The group's live message of a class: drawings per label, pupils, and what /train still needs.

One message per class, edited in place as the class draws, at most once every
EDIT_EVERY_SECONDS: a group gets about 20 bot messages a minute, and thirty pupils drawing
must not use them up. A loop looks at every running class and edits only what changed, so
no code path that stores or labels a drawing has to remember the tally.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Final

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.labels.built_in import shown_name
from bot.texts import t
from storage import ClassProject, LabelCount, Repository

__all__ = ["EDIT_EVERY_SECONDS", "Tally", "tally_text"]

logger = logging.getLogger(__name__)

EDIT_EVERY_SECONDS: Final = 3.0  # Telegram's pace for one group: 20 messages a minute


def tally_text(
    counts: Sequence[LabelCount], pupils: int, contributed: int, minimum: int, lang: str | None
) -> str:
    """Describe what the class has drawn and what it still needs before /train."""
    lines = [t("class.tally_header", lang, pupils=pupils, contributed=contributed)]
    lines += [
        t("class.tally_line", lang, label=shown_name(c.name, lang), count=c.count) for c in counts
    ]
    ready = [c for c in counts if c.count >= minimum]
    missing = [c for c in counts if c.count < minimum]
    if not counts:
        lines.append(t("class.tally_empty", lang, minimum=minimum))
    for c in missing:
        lines.append(
            t("class.tally_needs", lang, label=shown_name(c.name, lang), missing=minimum - c.count)
        )
    if len(ready) < 2:
        lines.append(t("class.tally_two_labels", lang, minimum=minimum))
    else:
        lines.append(t("class.tally_ready", lang))
    return "\n".join(lines)


class Tally:
    """Keeps every running class's live message current, in the background."""

    def __init__(self, bot: Bot, repo: Repository, minimum: int) -> None:
        self._bot = bot
        self._repo = repo
        self._minimum = minimum
        self._shown: dict[int, str] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start editing."""
        self._task = asyncio.create_task(self._run(), name="class-tally")

    async def close(self) -> None:
        """Stop editing."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def text(self, project: ClassProject) -> str:
        """Return the class's tally as it stands, in the teacher's language."""
        lang = project.language
        counts = await self._repo.labels.counts(project.group_chat_id)
        pupils = len(await self._repo.classes.members(project.id))
        contributed = len(await self._repo.classes.pupils(project.id))
        return tally_text(counts, pupils, contributed, self._minimum, lang)

    def shown(self, project: ClassProject, text: str) -> None:
        """Note that the class's message shows ``text`` now (it was just sent)."""
        self._shown[project.id] = text

    async def refresh(self) -> None:
        """Edit every running class's message whose text changed."""
        for project in await self._repo.classes.all_running():
            if project.tally_message_id is None:
                continue
            text = await self.text(project)
            if self._shown.get(project.id) == text:
                continue
            try:
                await self._bot.edit_message_text(
                    text, chat_id=project.group_chat_id, message_id=project.tally_message_id
                )
            except BadRequest as error:
                if "not modified" not in str(error).lower():
                    logger.warning("class %d: tally not edited (%s)", project.id, error)
            except TelegramError as error:
                logger.warning("class %d: tally not edited (%s)", project.id, error)
                continue
            self._shown[project.id] = text

    async def _run(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception:
                logger.exception("the class tally failed; it tries again")
            await asyncio.sleep(EDIT_EVERY_SECONDS)
