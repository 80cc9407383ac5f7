"""End to end: in groups, only admins run the commands that delete data or train."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from telegram import Message

from bot.app import BotApplication
from bot.chats.admins import command_name
from bot.config import Config
from bot.playground.fakeserver import FakeTelegram
from tests.bot.conftest import ALICE, BOB, GROUP, answer, running

REFUSED = "Only this group's admins can use /{command} here."


def workshop(telegram: FakeTelegram) -> None:
    """A group where Alice (and the bot) are admins and Bob is a member."""
    telegram.add_chat(GROUP, type="supergroup", title="Workshop", admins=[ALICE, telegram.bot_id])


def member_checks(telegram: FakeTelegram) -> list[Any]:
    return [call for call in telegram.calls if call.method == "getChatMember"]


async def test_members_are_refused_the_admin_commands_and_keep_the_others(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    workshop(telegram)
    for text, command in (
        ("/train", "train"),
        ("/set epochs 3", "set"),
        ("/delete smile", "delete"),
        ("/stop", "stop"),
        ("/Reset@SmileyBot", "reset"),
    ):
        sent = telegram.send_text(GROUP, BOB, text)
        assert await answer(telegram, sent) == REFUSED.format(command=command)
    assert "No labelled samples yet" in await answer(
        telegram, telegram.send_text(GROUP, BOB, "/labels")
    )
    assert "epochs is now 3" in await answer(
        telegram, telegram.send_text(GROUP, ALICE, "/set epochs 3")
    )
    # Telegram is asked once a minute per member, not for every command.
    assert sorted(int(call.params["user_id"]) for call in member_checks(telegram)) == [ALICE, BOB]


async def test_an_anonymous_admin_may_run_them(telegram: FakeTelegram, bot: BotApplication) -> None:
    workshop(telegram)
    sent = telegram.send_message(
        GROUP,
        None,
        text="/set epochs 4",
        entities=[{"type": "bot_command", "offset": 0, "length": 4}],
        sender_chat={"id": GROUP, "type": "supergroup", "title": "Workshop"},
    )
    assert "epochs is now 4" in await answer(telegram, sent)
    assert member_checks(telegram) == []


async def test_private_chats_and_other_bots_commands_need_no_check(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    workshop(telegram)
    assert "epochs is now 5" in await answer(
        telegram, telegram.send_text(BOB, BOB, "/set epochs 5")
    )
    telegram.send_text(GROUP, BOB, "/train@SomeOtherBot")
    # Another chat's answer shows the bot has handled what came before it.
    await answer(telegram, telegram.send_text(ALICE, ALICE, "/labels"))
    assert member_checks(telegram) == []
    assert telegram.bot_messages(GROUP) == []


async def test_when_telegram_cannot_say_the_member_is_asked_to_retry(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    workshop(telegram)
    # The first try and its three retries all fail.
    telegram.fail_next("getChatMember", status=500, description="Internal Server Error", times=4)
    refused = await answer(telegram, telegram.send_text(GROUP, ALICE, "/set epochs 3"))
    assert "could not check whether you are an admin" in refused
    assert "epochs is now 3" in await answer(
        telegram, telegram.send_text(GROUP, ALICE, "/set epochs 3")
    )


async def test_the_config_can_open_every_command_to_members(
    telegram: FakeTelegram, config: Config
) -> None:
    workshop(telegram)
    config = replace(config, access=replace(config.access, admin_commands=frozenset()))
    async with running(config):
        assert "epochs is now 6" in await answer(
            telegram, telegram.send_text(GROUP, BOB, "/set epochs 6")
        )
    assert member_checks(telegram) == []


def _message(text: str, length: int) -> Message:
    return Message.de_json(
        {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 1, "type": "private"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": length}],
        },
        None,
    )


def test_command_names_are_read_like_telegram_clients_address_them() -> None:
    assert command_name(_message("/Train now", 6), "SmileyBot") == "train"
    assert command_name(_message("/train@smileybot", 16), "SmileyBot") == "train"
    assert command_name(_message("/train@OtherBot", 15), "SmileyBot") is None
