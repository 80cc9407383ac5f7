"""End to end: /reset deletes a chat's samples and models once its asker confirms."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.app import BotApplication
from bot.config import Config
from bot.playground.fakeserver import FakeTelegram
from tests.bot.conftest import (
    ALICE,
    BOB,
    GROUP,
    answer,
    install_trained_model,
    next_message,
    reaction,
)
from tests.bot.training.test_queue import command, final_report, label_samples

Smiley = Callable[..., bytes]


async def ask_reset(telegram: FakeTelegram, chat_id: int, user_id: int) -> dict[str, Any]:
    return await next_message(telegram, telegram.send_text(chat_id, user_id, "/reset"))


def buttons(question: dict[str, Any]) -> tuple[str, str]:
    [[yes, no]] = question["reply_markup"]["inline_keyboard"]
    return yes["callback_data"], no["callback_data"]


async def press(
    telegram: FakeTelegram, chat_id: int, user_id: int, question: dict[str, Any], data: str
) -> str:
    """Press a button of ``question``; return the bot's edited text or its alert."""
    query = telegram.press_button(chat_id, user_id, question["message_id"], data)
    await telegram.wait_for(
        lambda call: (
            call.method == "answerCallbackQuery" and call.params["callback_query_id"] == query
        )
    )
    answered = telegram.callback_answer(query) or {}
    if answered.get("text"):
        return str(answered["text"])
    edit = await telegram.wait_for(
        lambda call: (
            call.method == "editMessageText"
            and int(call.params["message_id"]) == question["message_id"]
        )
    )
    return str(edit.params["text"])


async def test_reset_deletes_the_samples_and_the_model_after_yes(
    telegram: FakeTelegram, bot: BotApplication, config: Config, smiley: Smiley, trained_job: Path
) -> None:
    await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
    await command(telegram, ALICE, "/set epochs 2")
    await install_trained_model(bot, ALICE, trained_job)
    chat_models = config.storage.models_dir / str(ALICE)
    assert any(chat_models.glob("*.tflite"))

    question = await ask_reset(telegram, ALICE, ALICE)
    assert "Delete all 10 samples, 2 labels and the trained models" in question["text"]
    yes, _ = buttons(question)
    done = await press(telegram, ALICE, ALICE, question, yes)
    assert done.startswith("Deleted 10 samples, 2 labels and 1 trainings")

    assert "No labelled samples yet" in await command(telegram, ALICE, "/labels")
    assert "built-in smiley model" in await answer(
        telegram, telegram.send_photo(ALICE, ALICE, smiley("sad"))
    )
    assert not chat_models.exists()
    assert "epochs = 2" in await command(telegram, ALICE, "/params")  # parameters stay


async def test_no_and_other_peoples_taps_keep_everything(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    await reaction(
        telegram, telegram.send_photo(GROUP, ALICE, smiley("smile"), caption="/label smile")
    )

    question = await ask_reset(telegram, GROUP, ALICE)
    yes, no = buttons(question)
    assert await press(telegram, GROUP, BOB, question, yes) == (
        "Only the person who asked can answer this."
    )
    assert await press(telegram, GROUP, ALICE, question, no) == "Nothing was deleted."
    labels = await answer(telegram, telegram.send_text(GROUP, ALICE, "/labels"))
    assert "• smile: 1" in labels


async def test_reset_waits_for_a_running_training_and_says_when_there_is_nothing(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    assert "nothing to delete" in await command(telegram, ALICE, "/reset")
    await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
    await command(telegram, ALICE, "/set epochs 200")
    question = await ask_reset(telegram, ALICE, ALICE)
    await command(telegram, ALICE, "/train")
    yes, _ = buttons(question)
    assert "Send /stop first" in await press(telegram, ALICE, ALICE, question, yes)
    await command(telegram, ALICE, "/stop")
    await final_report(telegram, ALICE, "Training stopped")
    assert "• smile: 5" in await command(telegram, ALICE, "/labels")
