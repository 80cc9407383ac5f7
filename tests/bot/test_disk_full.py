"""End to end: a full disk gets a clear reply, damages nothing, and passes when space is back."""

from __future__ import annotations

import errno
from collections.abc import Callable

import pytest

from bot.app import BotApplication
from bot.playground.fakeserver import FakeTelegram
from bot.training.queue import TrainingQueue
from tests.bot.conftest import ALICE, answer, reaction

Smiley = Callable[..., bytes]
NO_CAP = 1_073_741_823  # SQLite's default max_page_count


async def cap_database(bot: BotApplication, pages: int | None) -> None:
    """Let the database grow to ``pages`` at most (None: its current size), as a full disk.

    SQLite then fails writes with the very error a full disk gives (SQLITE_FULL); this test
    reaches into the repository's connection for that one pragma.
    """
    conn = bot.bot_data.repo._database._connection()
    if pages is None:
        async with conn.execute("PRAGMA page_count") as cursor:
            row = await cursor.fetchone()
        assert row is not None
        pages = int(row[0])
    await conn.execute(f"PRAGMA max_page_count = {pages}")


async def test_a_full_disk_is_told_and_nothing_stored_is_damaged(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    sent = telegram.send_photo(ALICE, ALICE, smiley("smile"), caption="/label smile")
    assert await reaction(telegram, sent) == ["👍"]

    await cap_database(bot, None)
    for label, caption in (("sad", "/label sad"), ("neutral", None)):
        refused = telegram.send_photo(ALICE, ALICE, smiley(label), caption=caption)
        assert "My disk is full" in await answer(telegram, refused)

    await cap_database(bot, NO_CAP)  # space is free again
    sent = telegram.send_photo(ALICE, ALICE, smiley("sad"), caption="/label sad")
    assert await reaction(telegram, sent) == ["👍"]
    labels = await answer(telegram, telegram.send_text(ALICE, ALICE, "/labels"))
    assert "• smile: 1" in labels and "• sad: 1" in labels and "Unlabelled" not in labels
    conn = bot.bot_data.repo._database._connection()
    async with conn.execute("PRAGMA integrity_check") as cursor:
        assert await cursor.fetchall() == [("ok",)]


async def test_a_training_that_cannot_write_its_files_says_the_disk_is_full(
    telegram: FakeTelegram,
    bot: BotApplication,
    smiley: Smiley,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for label in ("smile", "sad"):
        for _ in range(5):
            sent = telegram.send_photo(ALICE, ALICE, smiley(label), caption=f"/label {label}")
            await reaction(telegram, sent)

    def no_space(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    # The seam where a training's files (its data, then the model) are first written.
    monkeypatch.setattr(TrainingQueue, "_write_job", no_space)
    await answer(telegram, telegram.send_text(ALICE, ALICE, "/train"))
    failed = await telegram.wait_for(
        lambda call: call.method == "editMessageText" and "Training failed" in call.params["text"]
    )
    assert "my disk is full" in failed.params["text"]
    assert "previous model keeps answering" in failed.params["text"]
    monkeypatch.undo()  # space is free again
    await answer(telegram, telegram.send_text(ALICE, ALICE, "/set epochs 1"))
    await answer(telegram, telegram.send_text(ALICE, ALICE, "/train"))
    await telegram.wait_for(
        lambda call: (
            call.method == "editMessageText" and "Training finished" in call.params["text"]
        ),
        timeout=120,
    )
