"""End to end: the pictures after /train (charts, misclassified album), best effort."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image

from bot.app import BotApplication
from bot.playground.fakeserver import FakeTelegram
from bot.training.pictures import ALBUM_LIMIT, send_training_pictures
from model.job import Misclassified, TrainSummary
from tests.bot.conftest import ALICE
from tests.bot.training.test_queue import command, final_report, label_samples

Smiley = Callable[..., bytes]
ARROW_CAPTION = "true: {true} → predicted: {predicted}"
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


async def test_after_training_the_charts_and_the_misclassified_album_arrive(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    await label_samples(telegram, ALICE, smiley, {"smile": 8, "sad": 8, "neutral": 8})
    # A model that cannot learn in one tiny step: most validation images are misclassified.
    for setting in ("epochs 1", "architecture dense", "start scratch", "learning_rate 0.00001"):
        await command(telegram, ALICE, f"/set {setting}")
    request = telegram.send_text(ALICE, ALICE, "/train")
    await final_report(telegram, ALICE, "Training finished")
    run = await bot.bot_data.repo.runs.serving(ALICE)
    assert run is not None and run.metrics is not None
    confusion = np.array(run.metrics["confusion"])
    wrong = int(confusion.sum() - np.trace(confusion))
    assert wrong > ALBUM_LIMIT  # so that the cap is tested

    header = await wait_for_text(telegram, ALICE, request["message_id"], "misclassified")
    assert header["text"] == (
        f"{wrong} validation images were misclassified; here are {ALBUM_LIMIT} of them "
        f"({wrong - ALBUM_LIMIT} not shown)."
    )
    await telegram.wait_for(
        lambda call: call.method == "sendMediaGroup" and call.ok and "true:" in str(call.params),
        timeout=PICTURES_TIMEOUT,
    )
    photos = photos_after(telegram, ALICE, request["message_id"])
    charts, album = photos[:2], photos[2:]

    # The charts: one album of two photos, captioned, each a real picture ~1000 px wide.
    assert charts[0]["media_group_id"] == charts[1]["media_group_id"]
    assert "Loss and accuracy per epoch" in charts[0]["caption"]
    assert "mean of 5 runs" in charts[0]["caption"]
    assert charts[1]["caption"].startswith("Confusion matrix")
    for chart in charts:
        assert decoded(telegram, chart).width >= 900
        assert int(chart["reply_to_message"]["message_id"]) == request["message_id"]

    # The misclassified album: at most 10, each naming a true and a different predicted label.
    assert len(album) == ALBUM_LIMIT
    assert len({m["media_group_id"] for m in album}) == 1
    labels = {"smile", "sad", "neutral"}
    misclassified = {
        (m["sample_id"], m["true_label"], m["predicted_label"])
        for m in run.metrics["misclassified"]
    }
    for message in album:
        true, predicted = message["caption"].removeprefix("true: ").split(" → predicted: ")
        assert {true, predicted} <= labels and true != predicted
        assert any(t == true and p == predicted for _, t, p in misclassified)
        assert min(decoded(telegram, message).size) >= 320  # upscaled from the stored copy
    # The album comes after the header, the header after the final report.
    assert album[0]["message_id"] > header["message_id"]


async def test_a_chart_that_cannot_be_sent_does_not_fail_the_training(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
    await command(telegram, ALICE, "/set epochs 1")
    telegram.fail_next("sendMediaGroup", status=400, description="Bad Request: PHOTO_INVALID")
    request = telegram.send_text(ALICE, ALICE, "/train")
    report = await final_report(telegram, ALICE, "Training finished")
    assert "The new model answers from now on." in report
    # The rest goes on: the misclassified part still comes.
    await wait_for_text(telegram, ALICE, request["message_id"], "misclassified")
    run = await bot.bot_data.repo.runs.serving(ALICE)
    assert run is not None and run.status == "finished"
    assert "charts" not in (run.metrics or {})


def summary(folds: int, misclassified: list[Misclassified]) -> TrainSummary:
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
    )


async def test_no_misclassified_image_is_said_in_one_line_in_the_users_language(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    request = telegram.send_text(ALICE, ALICE, "hello")
    result = summary(folds=3, misclassified=[])
    await send_training_pictures(
        bot.bot, bot.bot_data.repo, ALICE, request["message_id"], result, {}, "de"
    )
    line = await wait_for_text(telegram, ALICE, request["message_id"], "Validierungsbild")
    assert line["text"] == "Kein Validierungsbild wurde falsch erkannt."
    assert photos_after(telegram, ALICE, request["message_id"]) == []


async def test_one_misclassified_image_goes_as_a_photo_with_a_german_caption(
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
    await wait_for_text(telegram, ALICE, request["message_id"], "richtig: sad → erkannt: smile")
    header, photo = [
        m
        for m in telegram.bot_messages(ALICE)
        if m.get("reply_to_message", {}).get("message_id") == request["message_id"]
    ]
    assert header["text"] == "1 Validierungsbild wurde falsch erkannt:"
    assert photo["caption"] == "richtig: sad → erkannt: smile" and "media_group_id" not in photo
