"""End to end: /start, /help, /labels, /status, the command menu and stray messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.app import COMMANDS, BotApplication
from bot.config import Config
from bot.playground.fakeserver import FakeTelegram
from tests.bot.conftest import ALICE, GROUP, answer, answered, reaction, running

Smiley = Callable[..., bytes]


async def test_command_menu_is_registered_at_start(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    registered = [command["command"] for command in telegram.commands()]
    assert registered == [command.name for command in COMMANDS]
    assert all(command["description"] for command in telegram.commands())


async def test_start_in_private_greets_by_name(telegram: FakeTelegram, bot: BotApplication) -> None:
    sent = telegram.send_text(ALICE, ALICE, "/start")
    text = await answer(telegram, sent)
    assert text.startswith("Hi Alice!")
    assert "/label smile" in text
    # What a training needs, before anyone tries one.
    assert "at least 2 kinds with 5 drawings each" in text


async def test_help_gives_the_first_steps_and_help_more_everything(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    first_steps = await answer(telegram, telegram.send_text(ALICE, ALICE, "/help"))
    assert first_steps.startswith("How I learn, in four steps:")
    assert "at least 2 kinds with 5 drawings each" in first_steps
    assert "/help more" in first_steps and "/export" not in first_steps
    assert len(first_steps.splitlines()) <= 10
    everything = await answer(telegram, telegram.send_text(ALICE, ALICE, "/help more"))
    # It lists four ways to label, and says so without counting them.
    assert "Ways to label an image:" in everything and "Three ways" not in everything
    assert "/why – reply to a drawing" in everything and "/export model" in everything


async def test_start_in_a_group_explains_privacy_mode_when_it_hides_images(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop")
    sent = telegram.send_text(GROUP, ALICE, "/start@SmileyBot")
    text = await answer(telegram, sent)
    assert "privacy mode is on" in text
    assert "Group Privacy → Turn off" in text


async def test_help_suggests_the_talks_labels_and_says_what_is_stored(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    text = await answer(telegram, telegram.send_text(ALICE, ALICE, "/help more"))
    assert "smile, sad, neutral, upside-down" in text
    assert "Stored:" in text
    assert "within 10 minutes" in text
    assert (
        "Only for admins in groups: /classroom, /compare, /delete, /import, /rename, /reset, "
        "/set, /stop, /train."
        in text
    )


async def test_help_names_the_admin_only_commands_as_configured(
    telegram: FakeTelegram, config: Config
) -> None:
    config = replace(config, access=replace(config.access, admin_commands=frozenset({"reset"})))
    async with running(config):
        text = await answer(telegram, telegram.send_text(ALICE, ALICE, "/help more"))
    assert "Only for admins in groups: /reset." in text


async def test_status_says_which_labels_need_how_many_more(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    empty = await answer(telegram, telegram.send_text(ALICE, ALICE, "/status"))
    assert "0 images" in empty and "No labels yet" in empty
    for label, count in (("smile", 5), ("sad", 2)):
        for _ in range(count):
            sent = telegram.send_photo(ALICE, ALICE, smiley(label), caption=f"/label {label}")
            await reaction(telegram, sent)
    await answered(telegram, telegram.send_photo(ALICE, ALICE, smiley("neutral")))
    text = await answer(telegram, telegram.send_text(ALICE, ALICE, "/status"), contains="dataset")
    assert "8 images, 7 labelled, 1 unlabelled" in text
    assert "• sad: 2 (needs 3 more)" in text
    assert "• smile: 5 ✓" in text
    assert "Model: none trained yet; the built-in smiley model answers." in text


async def test_unknown_commands_point_to_help_but_other_bots_commands_are_ignored(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    text = await answer(telegram, telegram.send_text(ALICE, ALICE, "/frobnicate now"))
    assert "I don't know /frobnicate" in text
    telegram.add_chat(GROUP, type="group", title="Workshop")
    telegram.send_text(GROUP, ALICE, "/weather@OtherBot")
    addressed = telegram.send_text(GROUP, ALICE, "/juggle@SmileyBot")
    assert "I don't know /juggle" in await answer(telegram, addressed)
    texts = [m.get("text", "") for m in telegram.bot_messages(GROUP)]
    assert not any("/weather" in text for text in texts)


async def test_long_text_gets_a_hint_and_edits_are_ignored(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    sent = telegram.send_text(ALICE, ALICE, "x" * 4096)
    assert "Send me a drawing" in await answer(telegram, sent)
    before = len(telegram.bot_messages(ALICE))
    telegram.edit_user_message(ALICE, sent["message_id"], "/help")
    telegram.add_chat(-1009, type="channel", title="News", admins=[ALICE, telegram.bot_id])
    telegram.post_in_channel(-1009, "/labels")
    last = telegram.send_text(ALICE, ALICE, "/labels")
    await answer(telegram, last)
    assert len(telegram.bot_messages(ALICE)) == before + 1
