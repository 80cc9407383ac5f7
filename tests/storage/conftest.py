"""Fixtures for the storage tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Repository


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Return the path of a database file that does not exist yet."""
    return tmp_path / "smiley.sqlite3"


@pytest.fixture
async def repo(db_path: Path) -> AsyncIterator[Repository]:
    """Yield a fresh, migrated Repository and close it afterwards."""
    async with Repository(db_path) as repository:
        yield repository
