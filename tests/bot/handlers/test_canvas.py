"""End to end: /draw offers the canvas, and drawings it sends are stored and answered."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from bot.app import BotApplication
from bot.config import Config, WebAppConfig
from bot.labels.names import SUGGESTED_LABELS
from bot.playground.fakeserver import FakeTelegram
from bot.texts import CATALOGUE, DEFAULT_LANGUAGE
from bot.webapp import WEB_APP_DATA_LIMIT, DrawingProblem, encode_drawing
from bot.webapp.links import MAX_URL_LENGTH, canvas_url
from tests.bot.conftest import ALICE, GROUP, answer, is_answer_to, running
from tests.bot.labels.test_corrections import buttons, data_for, tap
from tests.bot.webapp.test_encoding import drawn_smiley, payload

PAGE = "https://bot.example.org/webapp/draw.html"
BUTTON = "✏️ Draw a smiley"
GERMAN = 1004


@pytest.fixture
def webapp_config(config: Config) -> Config:
    return replace(config, webapp=WebAppConfig(url=PAGE))


@pytest.fixture
async def canvas_bot(webapp_config: Config) -> AsyncIterator[BotApplication]:
    """The bot with the canvas page configured."""
    async with running(webapp_config) as application:
        yield application


async def draw_keyboard(telegram: FakeTelegram, chat_id: int, user_id: int) -> dict[str, Any]:
    """Send /draw and return the one button of the reply keyboard the bot answered with."""
    before = len(telegram.calls)
    telegram.send_text(chat_id, user_id, "/draw")
    call = await telegram.wait_for(
        lambda call: (
            call.method == "sendMessage"
            and call.ok
            and int(call.params["chat_id"]) == chat_id
            and call in telegram.calls[before:]
        )
    )
    markup = call.params["reply_markup"]
    assert markup["resize_keyboard"] is True
    keyboard = markup["keyboard"]
    assert len(keyboard) == 1 and len(keyboard[0]) == 1
    button: dict[str, Any] = keyboard[0][0]
    return button


def query(url: str) -> dict[str, list[str]]:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == PAGE
    return parse_qs(parts.query)


async def reply_to(telegram: FakeTelegram, sent: dict[str, Any]) -> dict[str, Any]:
    """Wait for the bot's (successful) reply that quotes ``sent``."""
    replied = is_answer_to(sent)
    call = await telegram.wait_for(lambda call: replied(call) and call.ok)
    result: dict[str, Any] = call.result
    return result


async def test_draw_offers_the_canvas_with_the_default_labels_in_a_private_chat(
    telegram: FakeTelegram, canvas_bot: BotApplication
) -> None:
    button = await draw_keyboard(telegram, ALICE, ALICE)
    assert button["text"] == BUTTON
    assert query(button["web_app"]["url"]) == {
        "labels": [",".join(SUGGESTED_LABELS)],
        "lang": ["en"],
    }


async def test_draw_offers_the_chats_own_labels_in_the_users_language(
    telegram: FakeTelegram, canvas_bot: BotApplication
) -> None:
    telegram.add_user(GERMAN, "Greta", language_code="de")
    data = encode_drawing(drawn_smiley("sad"), label="Traurig")
    sent = telegram.send_web_app_data(GERMAN, GERMAN, data, "✏️ Smiley zeichnen")
    assert "als traurig gespeichert" in await answer(telegram, sent)
    button = await draw_keyboard(telegram, GERMAN, GERMAN)
    assert button["text"] == "✏️ Smiley zeichnen"
    assert query(button["web_app"]["url"]) == {"labels": ["traurig"], "lang": ["de"]}


async def test_draw_in_a_group_says_the_button_works_in_private_chats_only(
    telegram: FakeTelegram, canvas_bot: BotApplication
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE])
    sent = telegram.send_text(GROUP, ALICE, "/draw")
    text = await answer(telegram, sent)
    assert "only in private chats" in text and "@SmileyBot" in text
    assert all(
        "keyboard" not in (m.get("reply_markup") or {}) for m in telegram.bot_messages(GROUP)
    )


async def test_draw_without_a_configured_page_says_how_to_turn_it_on(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    sent = telegram.send_text(ALICE, ALICE, "/draw")
    text = await answer(telegram, sent)
    assert "[webapp] url" in text and "playground" in text


async def test_a_drawing_to_predict_is_answered_with_the_prediction_and_correction_buttons(
    telegram: FakeTelegram, canvas_bot: BotApplication
) -> None:
    sent = telegram.send_web_app_data(ALICE, ALICE, encode_drawing(drawn_smiley()), BUTTON)
    prediction = await reply_to(telegram, sent)
    assert "I think this is" in prediction["text"] or "Not sure" in prediction["text"]
    offered = {name.removeprefix("✅ ") for name in buttons(prediction)}
    assert offered == set(SUGGESTED_LABELS)
    repo = canvas_bot.bot_data.repo
    sample = await repo.samples.for_message(ALICE, sent["message_id"])
    assert sample is not None and sample.label is None
    assert sample.source_kind == "document" and sample.file_unique_id.startswith("draw:")
    toast = await tap(telegram, ALICE, ALICE, prediction, data_for(prediction, "smile"))
    assert "smile" in toast
    sample = await repo.samples.for_message(ALICE, sent["message_id"])
    assert sample is not None and sample.label == "smile"


async def test_a_labelled_drawing_is_stored_and_the_same_drawing_again_is_a_duplicate(
    telegram: FakeTelegram, canvas_bot: BotApplication
) -> None:
    data = encode_drawing(drawn_smiley("neutral"), label="neutral")
    first = telegram.send_web_app_data(ALICE, ALICE, data, BUTTON)
    assert await answer(telegram, first) == "Saved your drawing as neutral."
    again = telegram.send_web_app_data(ALICE, ALICE, data, BUTTON)
    assert "I already have this image (label: neutral)" in await answer(telegram, again)
    counts = await canvas_bot.bot_data.repo.labels.counts(ALICE)
    assert [(count.name, count.count) for count in counts] == [("neutral", 1)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("hello", "arrived garbled"),
        (payload(v=9), "another version of the canvas (9)"),
        (payload(s=64), "64 pixels wide"),
        (payload(b="%%%"), "picture in that drawing is damaged"),
        (payload(b="AAAA"), "wrong length (3 bytes"),
        (payload(b=base64.b64encode(bytes(2048)).decode()), "That drawing is empty"),
        (payload(a="l", l=""), "Which label?"),
        (payload(a="l", l="happy face"), "Try happy-face."),
        (payload(a="l", l="!!!"), "“!!!” is not a valid label"),
        (payload(a="x"), "Predict or a label"),
        (json.dumps({"v": 1}), "missing or unexpected parts (a, b, l, s)"),
    ],
)
async def test_a_malformed_drawing_gets_a_clear_reply_and_nothing_is_stored(
    telegram: FakeTelegram, canvas_bot: BotApplication, data: str, expected: str
) -> None:
    sent = telegram.send_web_app_data(ALICE, ALICE, data, BUTTON)
    text = await answer(telegram, sent)
    assert expected in text
    assert text.endswith("The drawing was not stored.")
    assert await canvas_bot.bot_data.repo.samples.count(ALICE) == 0


async def test_an_oversized_drawing_is_refused(
    telegram: FakeTelegram, canvas_bot: BotApplication
) -> None:
    # Telegram itself passes on no more; a client that bypasses it must not get further.
    data = payload(a="l", l="x" * (WEB_APP_DATA_LIMIT - 2700))
    assert len(data.encode()) > WEB_APP_DATA_LIMIT
    sent = telegram.send_message(ALICE, ALICE, web_app_data={"data": data, "button_text": BUTTON})
    assert "too large (" in await answer(telegram, sent)
    assert await canvas_bot.bot_data.repo.samples.count(ALICE) == 0


async def test_a_dot_too_small_to_be_a_drawing_is_refused_like_a_blank_image(
    telegram: FakeTelegram, canvas_bot: BotApplication
) -> None:
    pixels = np.zeros((128, 128), dtype=bool)
    pixels[60, 60] = True
    sent = telegram.send_web_app_data(ALICE, ALICE, encode_drawing(pixels), BUTTON)
    assert "Is it blank?" in await answer(telegram, sent)
    assert await canvas_bot.bot_data.repo.samples.count(ALICE) == 0


def test_every_drawing_problem_has_a_text_in_every_language() -> None:
    for language, texts in CATALOGUE.items():
        missing = [
            problem for problem in DrawingProblem if f"draw.error.{problem.value}" not in texts
        ]
        assert missing == [], language
    assert "draw.error.invalid_label_hint" in CATALOGUE[DEFAULT_LANGUAGE]


def test_the_canvas_link_leaves_out_labels_that_do_not_fit() -> None:
    labels = ["ä" * 32 + str(index) for index in range(12)]  # 6 bytes per letter once escaped
    url = canvas_url(PAGE, labels, "de-AT")
    assert len(url) <= MAX_URL_LENGTH
    shown = query(url)["labels"][0].split(",")
    assert 1 < len(shown) < len(labels)
    assert shown == labels[: len(shown)]
    assert query(canvas_url(PAGE, ["smile"], "fr"))["lang"] == ["en"]
