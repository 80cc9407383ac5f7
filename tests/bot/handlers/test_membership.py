"""End to end: chats are separate projects, data survives restarts and migrations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.app import BotApplication
from bot.config import AccessConfig, Config
from bot.playground.fakeserver import FakeTelegram
from tests.bot.conftest import ALICE, BOB, GROUP, answer, answered, reaction, running

Smiley = Callable[..., bytes]


async def labels_of(telegram: FakeTelegram, chat_id: int, user_id: int) -> str:
    return await answer(telegram, telegram.send_text(chat_id, user_id, "/labels"))


async def test_chats_cannot_see_or_change_each_other(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    image = smiley("smile")
    await reaction(telegram, telegram.send_photo(ALICE, ALICE, image, caption="/label smile"))
    # The same picture in another chat is that chat's own sample.
    await reaction(telegram, telegram.send_photo(GROUP, ALICE, image, caption="/label happy"))
    await reaction(telegram, telegram.send_photo(BOB, BOB, smiley("sad"), caption="/label sad"))

    assert "• smile: 1" in await labels_of(telegram, ALICE, ALICE)
    assert "happy" not in await labels_of(telegram, ALICE, ALICE)
    bob = await labels_of(telegram, BOB, BOB)
    assert "• sad: 1" in bob and "smile" not in bob
    await answer(telegram, telegram.send_text(BOB, BOB, "/delete smile"), contains="no label")
    await answer(telegram, telegram.send_text(GROUP, ALICE, "/undo"), contains="happy")
    assert "• smile: 1" in await labels_of(telegram, ALICE, ALICE)


async def test_a_restart_keeps_the_data(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    async with running(config):
        for label in ("smile", "smile", "sad"):
            await reaction(
                telegram,
                telegram.send_photo(ALICE, ALICE, smiley(label), caption=f"/label {label}"),
            )
        unlabelled = telegram.send_photo(ALICE, ALICE, smiley("neutral"))
        await answered(telegram, unlabelled)
    async with running(config):
        text = await labels_of(telegram, ALICE, ALICE)
        assert "• smile: 2" in text and "• sad: 1" in text and "Unlabelled images: 1" in text
        # A reply to an image from before the restart still finds it.
        command = telegram.send_text(
            ALICE, ALICE, "/label neutral", reply_to=unlabelled["message_id"]
        )
        assert "Labelled as neutral" in await answer(telegram, command)


async def test_a_group_that_becomes_a_supergroup_keeps_its_data(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    await reaction(
        telegram, telegram.send_photo(GROUP, ALICE, smiley("smile"), caption="/label smile")
    )
    supergroup = -1000000005001
    telegram.migrate_to_supergroup(GROUP, supergroup)
    await telegram.wait_idle()
    assert "• smile: 1" in await labels_of(telegram, supergroup, ALICE)


async def test_allow_lists_keep_strangers_out(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    async with running(replace(config, access=AccessConfig(user_ids=frozenset({ALICE})))):
        refused = telegram.send_photo(BOB, BOB, smiley("smile"), caption="/label smile")
        assert "this bot is private" in await answer(telegram, refused)
        assert "Hi Alice" in await answer(telegram, telegram.send_text(ALICE, ALICE, "/start"))
    assert not [call for call in telegram.calls if call.method == "getFile"]
