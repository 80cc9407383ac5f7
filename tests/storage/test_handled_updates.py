"""Handled updates: the latest ids are remembered, older ones forgotten."""

from __future__ import annotations

from storage import (
    Repository,
)
from storage.handled_updates import HANDLED_UPDATES_KEPT

# --- add_sample statuses -------------------------------------------------------------------


async def test_the_latest_handled_updates_are_remembered(repo: Repository) -> None:
    assert not await repo.handled_updates.contains(7)
    await repo.handled_updates.add(7)
    await repo.handled_updates.add(7)  # twice is fine
    assert await repo.handled_updates.contains(7)
    await repo.handled_updates.add(7 + HANDLED_UPDATES_KEPT)  # 7 is still among the latest
    assert await repo.handled_updates.contains(7)
    await repo.handled_updates.add(8 + HANDLED_UPDATES_KEPT)  # now it is not
    assert not await repo.handled_updates.contains(7)
    assert await repo.handled_updates.contains(8 + HANDLED_UPDATES_KEPT)
