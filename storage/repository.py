"""All persistent state of the bot in one SQLite database, reached through one Repository."""

from __future__ import annotations

import os
from types import TracebackType

from storage.chats import Chats
from storage.classes import Classes
from storage.database import Database
from storage.datasets import Datasets
from storage.handled_updates import HandledUpdates
from storage.labels import Labels
from storage.runs import Runs
from storage.samples import Samples
from storage.worksheets import Worksheets

__all__ = ["Repository"]


class Repository:
    """The bot's database: one connection, and the queries grouped by what they are about.

    ``async with Repository(path) as repo:`` opens (and migrates) the database and closes it
    after. Each group is scoped by chat id: ``repo.samples.add(...)``,
    ``repo.labels.counts(chat_id)``, ``repo.runs.serving(chat_id)``. Their SQL lives in the
    module of the same name.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Remember where the database lives; nothing is opened yet."""
        self._database = Database(path)
        self.samples = Samples(self._database)
        self.labels = Labels(self._database)
        self.runs = Runs(self._database)
        self.chats = Chats(self._database)
        self.handled_updates = HandledUpdates(self._database)
        self.datasets = Datasets(self._database)
        self.classes = Classes(self._database)
        self.worksheets = Worksheets(self._database)

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
        await self._database.open()

    async def close(self) -> None:
        """Close the connection; safe to call twice."""
        await self._database.close()
