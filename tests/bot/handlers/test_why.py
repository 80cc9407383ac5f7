"""End to end: "🔍 Why?" under a prediction, and /why, show the strokes that decided it."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image

from bot.app import BotApplication
from bot.playground.fakeserver import ApiCall, FakeTelegram
from model.serving.sheets import HEATMAP_SCALE
from tests.bot.conftest import ALICE, answer
from tests.bot.labels.test_corrections import answered_query, data_for, predicted, tap

Smiley = Callable[..., bytes]


def why_button(prediction: dict[str, Any]) -> dict[str, str]:
    *_, [button] = prediction["reply_markup"]["inline_keyboard"]
    return button


def photo_reply_to(chat_id: int, message_id: int) -> Callable[[ApiCall], bool]:
    return lambda call: (
        call.method == "sendPhoto"
        and call.ok
        and int(call.params["chat_id"]) == chat_id
        and call.result.get("reply_to_message", {}).get("message_id") == message_id
    )


def red_share(png: bytes) -> float:
    """Return the share of the drawing's pixels that are clearly red."""
    picture = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    red, green, blue = picture[..., 0], picture[..., 1], picture[..., 2]
    return float(((red > 120) & (red > green + 60) & (red > blue + 60)).mean())


async def test_why_under_a_prediction_sends_the_drawing_with_its_decisive_strokes(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    prediction = await predicted(telegram, ALICE, ALICE, smiley("smile"))
    button = why_button(prediction)
    assert button["text"] == "🔍 Why?"
    best = prediction["text"].splitlines()[1].split()[0]  # the top bar's label

    telegram.press_button(ALICE, ALICE, prediction["message_id"], button["callback_data"])
    call = await telegram.wait_for(photo_reply_to(ALICE, prediction["message_id"]))

    caption = call.result["caption"]
    assert caption.startswith(f"🔍 My answer: {best} (") and "red strokes" in caption
    png = telegram.media_bytes(call.result)
    assert Image.open(io.BytesIO(png)).width > 28 * HEATMAP_SCALE
    # Some strokes decided it, not all of the picture.
    assert 0.0 < red_share(png) < 0.3


async def test_slash_why_answers_as_a_reply_to_the_drawing_or_to_the_prediction(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    drawing = telegram.send_photo(ALICE, ALICE, smiley("sad"))
    prediction = await predicted(telegram, ALICE, ALICE, smiley("neutral"))
    for target in (drawing["message_id"], prediction["message_id"]):
        request = telegram.send_text(ALICE, ALICE, "/why", reply_to=target)
        call = await telegram.wait_for(photo_reply_to(ALICE, request["message_id"]))
        assert call.result["caption"].startswith("🔍 My answer: ")
        assert red_share(telegram.media_bytes(call.result)) > 0.0

    assert "Reply /why to a drawing" in await answer(
        telegram, telegram.send_text(ALICE, ALICE, "/why")
    )


async def test_why_in_german_and_for_a_deleted_drawing(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    jonas = 2001
    telegram.add_user(jonas, "Jonas", language_code="de")
    prediction = await predicted(telegram, jonas, jonas, smiley("smile"))
    button = why_button(prediction)
    assert button["text"] == "🔍 Warum?"
    telegram.press_button(jonas, jonas, prediction["message_id"], button["callback_data"])
    call = await telegram.wait_for(photo_reply_to(jonas, prediction["message_id"]))
    assert call.result["caption"].startswith("🔍 Meine Antwort: ")

    # Stored with a tap, then undone: the button now says the drawing is gone.
    await tap(telegram, jonas, jonas, prediction, data_for(prediction, "fröhlich"))
    await answer(telegram, telegram.send_text(jonas, jonas, "/undo"))
    query = telegram.press_button(jonas, jonas, prediction["message_id"], button["callback_data"])
    await telegram.wait_for(answered_query(query))
    assert (telegram.callback_answer(query) or {})["text"] == "Diese Zeichnung wurde gelöscht."
