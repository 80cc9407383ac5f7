"""End to end: /undo and /delete with its confirmation buttons."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import BotApplication
from bot.playground.fakeserver import FakeTelegram
from tests.bot.conftest import ALICE, BOB, GROUP, answer, reaction

Smiley = Callable[..., bytes]


async def store(
    telegram: FakeTelegram, chat_id: int, user_id: int, smiley: Smiley, label: str
) -> None:
    await reaction(
        telegram, telegram.send_photo(chat_id, user_id, smiley(label), caption=f"/label {label}")
    )


async def test_undo_deletes_the_users_latest_labelled_samples_one_by_one(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    await store(telegram, GROUP, ALICE, smiley, "smile")
    await store(telegram, GROUP, ALICE, smiley, "sad")
    await store(telegram, GROUP, BOB, smiley, "smile")

    first = await answer(telegram, telegram.send_text(GROUP, ALICE, "/undo"))
    assert "Deleted your last labelled sample (sad)" in first
    second = await answer(telegram, telegram.send_text(GROUP, ALICE, "/undo"))
    assert "(smile). smile has 1 left" in second  # Bob's smile stays
    third = await answer(telegram, telegram.send_text(GROUP, ALICE, "/undo"))
    assert "no labelled samples" in third


async def test_delete_asks_first_and_yes_removes_the_label(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    for _ in range(2):
        await store(telegram, ALICE, ALICE, smiley, "sad")
    await store(telegram, ALICE, ALICE, smiley, "smile")
    command = telegram.send_text(ALICE, ALICE, "/delete SAD")
    question = await telegram.wait_for_message(ALICE, after_message_id=command["message_id"])
    again = telegram.send_text(ALICE, ALICE, "/delete sad")
    second_question = await telegram.wait_for_message(ALICE, after_message_id=again["message_id"])
    assert "Delete the label sad and its 2 samples?" in question["text"]
    [[yes, _no]] = question["reply_markup"]["inline_keyboard"]
    assert len(yes["callback_data"].encode()) <= 64

    query = telegram.press_button(ALICE, ALICE, question["message_id"], yes["callback_data"])
    await telegram.wait_for(
        lambda call: (
            call.method == "answerCallbackQuery" and call.params["callback_query_id"] == query
        )
    )
    await telegram.wait_for(lambda call: call.method == "editMessageText")
    edited = telegram.message(ALICE, question["message_id"])
    assert edited is not None and edited["text"] == "Deleted the label sad and its 2 samples."
    assert "reply_markup" not in edited
    labels = await answer(telegram, telegram.send_text(ALICE, ALICE, "/labels"))
    assert "sad" not in labels and "• smile: 1" in labels

    # The second question's button now refers to a label that is gone.
    [[second_yes, _]] = second_question["reply_markup"]["inline_keyboard"]
    telegram.press_button(ALICE, ALICE, second_question["message_id"], second_yes["callback_data"])
    await telegram.wait_for(
        lambda call: call.method == "editMessageText" and "no longer exists" in call.params["text"]
    )


async def test_no_keeps_the_label_and_only_the_asker_may_answer(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    await store(telegram, GROUP, ALICE, smiley, "smile")
    command = telegram.send_text(GROUP, ALICE, "/delete smile")
    question = await telegram.wait_for_message(GROUP, after_message_id=command["message_id"])
    [[yes, no]] = question["reply_markup"]["inline_keyboard"]

    bobs = telegram.press_button(GROUP, BOB, question["message_id"], yes["callback_data"])
    await telegram.wait_for(
        lambda call: (
            call.method == "answerCallbackQuery" and call.params["callback_query_id"] == bobs
        )
    )
    assert "Only the person who asked" in (telegram.callback_answer(bobs) or {}).get("text", "")

    telegram.press_button(GROUP, ALICE, question["message_id"], no["callback_data"])
    await telegram.wait_for(lambda call: call.method == "editMessageText")
    assert telegram.message(GROUP, question["message_id"])["text"] == "Kept smile."  # type: ignore[index]
    assert "• smile: 1" in await answer(
        telegram, telegram.send_text(GROUP, ALICE, "/labels"), contains="smile"
    )


async def test_delete_of_an_unknown_label_says_so(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    assert "There is no label “frown”" in await answer(
        telegram, telegram.send_text(ALICE, ALICE, "/delete frown")
    )
    assert "Which label?" in await answer(telegram, telegram.send_text(ALICE, ALICE, "/delete"))
