"""End to end: a chat that removed the bot loses its data after the grace period, not before."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.app import BotApplication
from bot.config import Config
from bot.playground.fakeserver import FakeTelegram
from tests.bot.conftest import ALICE, GROUP, reaction, running

Smiley = Callable[..., bytes]
DAY = 24 * 60 * 60


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait (10 s at most) until ``check`` holds: the bot handles updates in the background."""
    async with asyncio.timeout(10):
        while not await check():  # noqa: ASYNC110 - the bot writes the database, no event
            await asyncio.sleep(0.05)


async def store(telegram: FakeTelegram, chat_id: int, smiley: Smiley) -> None:
    sent = telegram.send_photo(chat_id, ALICE, smiley("smile"), caption="/label smile")
    await reaction(telegram, sent)


async def removed(application: BotApplication, chat_id: int) -> bool:
    return chat_id in await application.bot_data.repo.chats.removed_before(time.time() + 1)


async def test_a_removed_groups_data_goes_after_the_grace_period(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    await store(telegram, GROUP, smiley)
    await store(telegram, ALICE, smiley)
    telegram.remove_bot(GROUP, ALICE, kicked=True)
    await eventually(lambda: removed(bot, GROUP))

    services = bot.bot_data
    assert await services.retention.purge(now=time.time() + 29 * DAY) == []
    assert await services.repo.samples.count(GROUP) == 1
    assert await services.retention.purge(now=time.time() + 31 * DAY) == [GROUP]
    assert await services.repo.samples.count(GROUP) == 0
    assert await services.repo.samples.count(ALICE) == 1  # other chats keep theirs


async def test_coming_back_within_the_grace_period_keeps_the_data(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    await store(telegram, GROUP, smiley)
    telegram.remove_bot(GROUP, ALICE)
    await eventually(lambda: removed(bot, GROUP))
    telegram.add_bot(GROUP, ALICE)

    async def back() -> bool:
        return not await removed(bot, GROUP)

    await eventually(back)
    assert await bot.bot_data.retention.purge(now=time.time() + 365 * DAY) == []
    assert await bot.bot_data.repo.samples.count(GROUP) == 1


async def test_a_blocked_bot_purges_at_start_up_once_the_grace_period_is_over(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    # A grace period of a tenth of a second: over by the time the bot starts again.
    config = replace(config, storage=replace(config.storage, delete_after_removal_days=1e-6))
    async with running(config) as application:
        await store(telegram, ALICE, smiley)
        telegram.remove_bot(ALICE, ALICE, kicked=True)  # blocked, in a private chat
        await eventually(lambda: removed(application, ALICE))
    await asyncio.sleep(0.2)
    async with running(config) as application:
        repo = application.bot_data.repo

        async def purged() -> bool:
            return await repo.samples.count(ALICE) == 0

        await eventually(purged)
        assert await repo.chats.removed_before(time.time() + 1) == []
