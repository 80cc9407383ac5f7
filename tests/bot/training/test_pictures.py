"""End to end: the pictures after /train (charts, misclassified album), best effort."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image

from bot.app import BotApplication
from bot.playground.fakeserver import FakeTelegram
from bot.telegram.flood_limits import MESSAGE_METHODS
from bot.training.confusion_pairs import MAX_PAIRS
from bot.training.pictures import (
    SHEET_LIMIT,
    comparison_chart_texts,
    send_training_pictures,
    training_chart_texts,
)
from model.job import COMPARISON_CHART, TRAINING_CHART, Misclassified, TrainSummary
from tests.bot.conftest import ALICE, next_message
from tests.bot.training.test_queue import command, final_report, label_samples

Smiley = Callable[..., bytes]
PICTURES_TIMEOUT = 30.0


def photos_after(telegram: FakeTelegram, chat_id: int, message_id: int) -> list[dict[str, Any]]:
    """Return the bot's photo messages in a chat after ``message_id``."""
    return [
        m for m in telegram.bot_messages(chat_id) if m["message_id"] > message_id and "photo" in m
    ]


def decoded(telegram: FakeTelegram, message: dict[str, Any]) -> Image.Image:
    """Decode the largest size of a photo message the fake server stored."""
    image = Image.open(io.BytesIO(telegram.media_bytes(message)))
    image.load()
    return image


async def wait_for_text(
    telegram: FakeTelegram, chat_id: int, after: int, contains: str
) -> dict[str, Any]:
    return await telegram.wait_for_message(
        chat_id, after_message_id=after, contains=contains, timeout=PICTURES_TIMEOUT
    )


def replies_to(telegram: FakeTelegram, chat_id: int, message_id: int) -> list[dict[str, Any]]:
    """Return the bot's messages in a chat that reply to ``message_id``, in order."""
    return [
        m
        for m in telegram.bot_messages(chat_id)
        if m.get("reply_to_message", {}).get("message_id") == message_id
    ]


def photo_sends(telegram: FakeTelegram, chat_id: int) -> list[str]:
    """Return the methods of every message the bot put into the chat, in order."""
    return [
        call.method
        for call in telegram.calls
        if call.ok
        and call.method in MESSAGE_METHODS
        and int(call.params.get("chat_id", 0)) == chat_id
    ]


async def test_after_training_one_chart_and_one_sheet_of_the_misclassified_arrive(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    await label_samples(telegram, ALICE, smiley, {"smile": 8, "sad": 8, "neutral": 8})
    # A model that cannot learn in one tiny step: most validation images are misclassified.
    for setting in ("epochs 1", "architecture dense", "start scratch", "learning_rate 0.00001"):
        await command(telegram, ALICE, f"/set {setting}")
    sent_before = len(photo_sends(telegram, ALICE))
    request = telegram.send_text(ALICE, ALICE, "/train")
    await final_report(telegram, ALICE, "Training finished")
    run = await bot.bot_data.repo.runs.serving(ALICE)
    assert run is not None and run.metrics is not None
    confusion = np.array(run.metrics["confusion"])
    wrong = int(confusion.sum() - np.trace(confusion))
    assert wrong > SHEET_LIMIT  # so that the cap is tested

    sheet = await wait_for_text(telegram, ALICE, request["message_id"], "misclassified")
    chart, *others = replies_to(telegram, ALICE, request["message_id"])[1:]
    # Two messages after the report, no album: the /train's reply, then the chart, the sheet.
    assert others == [sheet]
    # (The second message, at the start, says what in the data could mislead the model.)
    assert photo_sends(telegram, ALICE)[sent_before:] == [
        "sendMessage",
        "sendMessage",
        "sendPhoto",
        "sendPhoto",
    ]

    # The chart: one picture ~1000 px wide, its caption saying how to read both halves.
    assert chart["caption"].startswith("Above: loss and accuracy per epoch")
    assert (
        "mean of 5 runs" in chart["caption"] and "Below: the confusion matrix" in chart["caption"]
    )
    assert decoded(telegram, chart).width >= 900
    assert int(chart["reply_to_message"]["message_id"]) == request["message_id"]

    # The sheet: at most SHEET_LIMIT drawings with their labels drawn in, the count in its caption.
    assert sheet["caption"] == (
        f"{wrong} validation images were misclassified; here are {SHEET_LIMIT} of them "
        f"({wrong - SHEET_LIMIT} not shown)."
    )
    picture = decoded(telegram, sheet)
    assert picture.width >= 900 and 600 <= picture.height <= 1280  # three rows of four, as drawn
    assert sheet["message_id"] > chart["message_id"]

    # The confusion matrix is clickable: a button per confused pair, the most confused first.
    assert "Tap a pair below" in chart["caption"]
    pairs = [button for row in chart["reply_markup"]["inline_keyboard"] for button in row]
    misclassified = run.metrics["misclassified"]
    counts = Counter((item["true"], item["predicted"]) for item in misclassified)
    assert len(pairs) == min(MAX_PAIRS, len(counts))
    first = pairs[0]
    _, run_id, true, predicted = first["callback_data"].split(":")
    assert int(run_id) == run.id  # ids only, well within Telegram's 64 bytes
    count = counts[(int(true), int(predicted))]
    assert count == max(counts.values())
    names = next(
        (item["true_label"], item["predicted_label"])
        for item in misclassified
        if (item["true"], item["predicted"]) == (int(true), int(predicted))
    )
    assert first["text"] == f"{names[0]} → {names[1]} ({count})"
    telegram.press_button(ALICE, ALICE, chart["message_id"], first["callback_data"])
    drawings = await telegram.wait_for(
        lambda call: (
            call.method == "sendPhoto"
            and call.ok
            and call.result.get("reply_to_message", {}).get("message_id") == chart["message_id"]
        )
    )
    shown = min(count, SHEET_LIMIT)
    expected = (
        f"1 drawing of {names[0]} that the validation took for {names[1]}."
        if shown == 1
        else f"{shown} drawings of {names[0]} that the validation took for {names[1]}."
    )
    assert drawings.result["caption"] == expected
    assert decoded(telegram, drawings.result).width >= 200


async def test_a_chart_that_cannot_be_sent_does_not_fail_the_training(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
    await command(telegram, ALICE, "/set epochs 1")
    telegram.fail_next("sendPhoto", status=400, description="Bad Request: PHOTO_INVALID")
    request = telegram.send_text(ALICE, ALICE, "/train")
    report = await final_report(telegram, ALICE, "Training finished")
    assert "The new model answers from now on." in report
    # The rest goes on: the misclassified part (or the line that there is none) still comes.
    await wait_for_text(telegram, ALICE, request["message_id"], "misclassified")
    run = await bot.bot_data.repo.runs.serving(ALICE)
    assert run is not None and run.status == "finished"
    assert "charts" not in (run.metrics or {})


def summary(folds: int, misclassified: list[Misclassified], best_epoch: int = 0) -> TrainSummary:
    """Return a training's summary that says only what the pictures need."""
    return TrainSummary(
        labels=["sad", "smile"],
        samples=10,
        validation_accuracy=1.0,
        per_label_accuracy={},
        confusion=[],
        misclassified=misclassified,
        histories=[],
        final_history={},
        mode="kfold" if folds > 1 else "holdout",
        folds=folds,
        seconds=1.0,
        pretrained_layers=4,
        export_seconds=1.0,
        best_epoch=best_epoch,
    )


async def test_no_misclassified_image_is_said_in_the_charts_caption_in_the_users_language(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    request = telegram.send_text(ALICE, ALICE, "hello")
    result = summary(folds=3, misclassified=[])
    chart = io.BytesIO()
    Image.new("L", (1000, 1500), 255).save(chart, "PNG")
    await send_training_pictures(
        bot.bot,
        bot.bot_data.repo,
        ALICE,
        request["message_id"],
        result,
        {TRAINING_CHART: chart.getvalue()},
        "de",
    )
    photo = await wait_for_text(telegram, ALICE, request["message_id"], "Validierungsbild")
    assert photo["caption"].startswith("Oben: Loss und Genauigkeit pro Epoche")
    assert photo["caption"].endswith("\nKein Validierungsbild wurde falsch erkannt.")
    assert "gestrichelte" not in photo["caption"]  # no best epoch, so no line to explain
    assert replies_to(telegram, ALICE, request["message_id"]) == [photo]  # one message in all


async def test_the_caption_says_how_to_read_the_line_at_the_best_epoch(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    request = telegram.send_text(ALICE, ALICE, "hello")
    result = summary(folds=1, misclassified=[], best_epoch=12)
    chart = io.BytesIO()
    Image.new("L", (1000, 1250), 255).save(chart, "PNG")
    await send_training_pictures(
        bot.bot,
        bot.bot_data.repo,
        ALICE,
        request["message_id"],
        result,
        {TRAINING_CHART: chart.getvalue()},
        None,
    )
    photo = await wait_for_text(telegram, ALICE, request["message_id"], "validation image")
    described, line, none = photo["caption"].split("\n")
    assert described.startswith("Above: loss and accuracy per epoch")
    assert line.startswith("The dashed green line marks the epoch where validation was best.")
    assert "that is called overfitting" in line
    assert none == "No validation image was misclassified."
    assert len(photo["caption"]) <= 1024  # Telegram's limit for a caption


async def test_with_no_chart_the_line_that_none_was_misclassified_still_comes(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    request = telegram.send_text(ALICE, ALICE, "hello")
    result = summary(folds=1, misclassified=[])
    await send_training_pictures(
        bot.bot, bot.bot_data.repo, ALICE, request["message_id"], result, {}, "de"
    )
    line = await wait_for_text(telegram, ALICE, request["message_id"], "Validierungsbild")
    assert line["text"].endswith("Kein Validierungsbild wurde falsch erkannt.")
    assert photos_after(telegram, ALICE, request["message_id"]) == []


async def test_one_misclassified_image_goes_as_a_sheet_with_a_german_caption(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    await label_samples(telegram, ALICE, smiley, {"sad": 1})
    (stored,) = await bot.bot_data.repo.samples.labelled_inputs(ALICE)
    request = telegram.send_text(ALICE, ALICE, "hello")
    item = Misclassified(stored.sample_id, 0, 1, true_label="sad", predicted_label="smile")
    await send_training_pictures(
        bot.bot,
        bot.bot_data.repo,
        ALICE,
        request["message_id"],
        summary(folds=1, misclassified=[item]),
        {},
        "de",
    )
    photo = await wait_for_text(telegram, ALICE, request["message_id"], "Validierungsbild")
    assert replies_to(telegram, ALICE, request["message_id"]) == [photo]
    assert photo["caption"] == "1 Validierungsbild wurde falsch erkannt:"
    assert "media_group_id" not in photo
    assert decoded(telegram, photo).width >= 300  # the drawing, with its labels drawn in


async def test_a_drawing_sent_on_reading_the_report_is_answered_before_the_pictures(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
    await command(telegram, ALICE, "/set epochs 1")
    request = telegram.send_text(ALICE, ALICE, "/train")
    await final_report(telegram, ALICE, "Training finished")
    drawing = telegram.send_photo(ALICE, ALICE, smiley("sad"))
    prediction = await next_message(telegram, drawing)
    chart = await wait_for_text(telegram, ALICE, request["message_id"], "Above: loss")
    assert "built-in" not in prediction["text"]  # the new model answered it...
    assert prediction["message_id"] < chart["message_id"]  # ...before the pictures came
    assert telegram.errors(429) == []


def test_the_charts_are_told_how_the_chats_language_writes_numbers() -> None:
    assert training_chart_texts("de")[TRAINING_CHART]["decimal_mark"] == ","
    assert training_chart_texts("en")[TRAINING_CHART]["decimal_mark"] == "."
    # The confusion matrix names the built-in labels as the reader does.
    names = training_chart_texts("de", ["smile", "cool"])[TRAINING_CHART]["label_names"]
    assert names.split("\n") == ["fröhlich", "cool"]
    assert comparison_chart_texts("de")[COMPARISON_CHART]["percent_suffix"] == "\u00a0%"
    assert comparison_chart_texts("en")[COMPARISON_CHART]["percent_suffix"] == "%"
