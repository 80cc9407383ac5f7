"""End to end: an update Telegram delivers again after a crash is handled only once."""

from __future__ import annotations

from collections.abc import Callable

from bot.config import Config
from bot.playground.fakeserver import FakeTelegram
from tests.bot.conftest import ALICE, answer, answered, running

Smiley = Callable[..., bytes]


async def test_updates_delivered_again_after_a_restart_are_not_handled_twice(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    async with running(config):
        photo = telegram.send_photo(ALICE, ALICE, smiley("smile"))
        await answered(telegram, photo)
        label = telegram.send_text(ALICE, ALICE, "/label smile")
        assert "Labelled as smile" in await answer(telegram, label)
        later = telegram.send_photo(ALICE, ALICE, smiley("sad"))
        await answered(telegram, later)
    replies = len(telegram.bot_messages(ALICE))

    # As if the bot had crashed before confirming them: Telegram sends both again.
    ids = [telegram.redeliver(photo), telegram.redeliver(label)]
    async with running(config):
        await telegram.wait_for(
            lambda call: (
                call.method == "getUpdates"
                and call.ok
                and any(update["update_id"] in ids for update in call.result)
            )
        )
        labels = await answer(telegram, telegram.send_text(ALICE, ALICE, "/labels"))
    # Handled again, "/label smile" would now label the later, sad photo as smile.
    assert "• smile: 1" in labels and "Unlabelled images: 1" in labels
    assert len(telegram.bot_messages(ALICE)) == replies + 1  # only the answer to /labels
