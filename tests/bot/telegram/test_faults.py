"""End to end: Telegram's hiccups (5xx, failed polls) are retried; nobody is left unanswered."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import BotApplication
from bot.playground.fakeserver import FakeTelegram
from tests.bot.conftest import ALICE, answer, reaction

Smiley = Callable[..., bytes]


def failures(telegram: FakeTelegram, method: str) -> int:
    return sum(1 for call in telegram.calls if call.method == method and not call.ok)


async def test_a_reply_that_meets_server_errors_is_sent_again(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.fail_next("sendMessage", status=502, description="Bad Gateway", times=2)
    text = await answer(telegram, telegram.send_photo(ALICE, ALICE, smiley("smile")))
    assert "%" in text
    assert failures(telegram, "sendMessage") == 2


async def test_a_download_that_meets_server_errors_is_tried_again(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.fail_next("getFile", status=500, description="Internal Server Error", times=2)
    sent = telegram.send_photo(ALICE, ALICE, smiley("sad"), caption="/label sad")
    assert await reaction(telegram, sent) == ["👍"]
    assert failures(telegram, "getFile") == 2


async def test_a_download_that_keeps_failing_asks_for_the_image_again(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    # The first try and its three retries all fail.
    telegram.fail_next("getFile", status=500, description="Internal Server Error", times=4)
    text = await answer(telegram, telegram.send_photo(ALICE, ALICE, smiley("sad")))
    assert "send it again" in text
    # ...and the next image goes through as usual.
    assert "%" in await answer(telegram, telegram.send_photo(ALICE, ALICE, smiley("smile")))


async def test_a_file_download_that_fails_once_is_tried_again_and_stored(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.fail_next_download(status=502, description="Bad Gateway")
    sent = telegram.send_photo(ALICE, ALICE, smiley("sad"), caption="/label sad")
    assert await reaction(telegram, sent) == ["👍"]
    assert telegram.downloads == [502, 200]
    assert "• sad: 1" in await answer(telegram, telegram.send_text(ALICE, ALICE, "/labels"))
    # Nobody was asked to send the image again.
    assert not [m for m in telegram.bot_messages(ALICE) if "send it again" in m.get("text", "")]


async def test_a_file_download_that_keeps_failing_asks_for_the_image_again(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    # The first try and its three retries all meet a server error or a timeout.
    telegram.fail_next_download(status=500, description="Internal Server Error", times=4)
    text = await answer(telegram, telegram.send_photo(ALICE, ALICE, smiley("sad")))
    assert "send it again" in text
    assert telegram.downloads == [500] * 4


async def test_an_edit_that_meets_a_server_error_is_made_again(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    await reaction(telegram, telegram.send_photo(ALICE, ALICE, smiley("sad"), caption="/label sad"))
    sent = telegram.send_text(ALICE, ALICE, "/delete sad")
    question = await telegram.wait_for_message(ALICE, after_message_id=sent["message_id"])
    [[yes, _]] = question["reply_markup"]["inline_keyboard"]
    telegram.fail_next("editMessageText", status=502, description="Bad Gateway")
    telegram.press_button(ALICE, ALICE, question["message_id"], yes["callback_data"])
    await telegram.wait_for(lambda call: call.method == "editMessageText" and call.ok)
    edited = telegram.message(ALICE, question["message_id"])
    assert edited is not None and edited["text"].startswith("Deleted the label sad")
    assert failures(telegram, "editMessageText") == 1


async def test_polling_resumes_after_failed_polls(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    telegram.fail_next("getUpdates", status=502, description="Bad Gateway", times=3)
    text = await answer(telegram, telegram.send_text(ALICE, ALICE, "/labels"))
    assert "No labelled samples yet" in text
    assert failures(telegram, "getUpdates") == 3
