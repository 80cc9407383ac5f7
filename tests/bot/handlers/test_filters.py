"""End to end: /filters shows the network's filters and a drawing through its layers."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bot.app import BotApplication
from bot.playground.fakeserver import FakeTelegram
from model.job import JobData, JobSpec, TrainParams, write_job
from model.serving.layer_pictures import MAP_DARK, WIDTH
from model.worker import Emitter, execute
from tests.bot.conftest import ALICE, TRAINED_LABELS, answer, install_trained_model
from tests.bot.handlers.test_why import photo_reply_to
from tests.bot.training.test_queue import command, final_report, label_samples

Smiley = Callable[..., bytes]


def colour_share(png: bytes, colour: tuple[int, int, int] | np.ndarray) -> float:
    """Return the share of the picture's pixels within a few steps of ``colour``."""
    picture = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return float((np.abs(picture - np.asarray(colour, dtype=int)).max(axis=2) < 12).mean())


async def filters_picture(
    telegram: FakeTelegram, chat_id: int, reply_to: int | None = None
) -> tuple[str, bytes]:
    request = telegram.send_text(chat_id, chat_id, "/filters", reply_to=reply_to)
    call = await telegram.wait_for(photo_reply_to(chat_id, request["message_id"]))
    return str(call.result["caption"]), telegram.media_bytes(call.result)


async def test_filters_before_and_after_a_training(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    # No drawing yet: the built-in model's filters alone, and a word on what is missing.
    caption, png = await filters_picture(telegram, ALICE)
    assert caption.startswith("You have no model of your own yet")
    assert "Send a drawing to see it go through the layers." in caption
    alone = Image.open(io.BytesIO(png))
    assert alone.width == WIDTH
    assert colour_share(png, MAP_DARK) == 0.0  # no feature maps without a drawing

    await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
    caption, png = await filters_picture(telegram, ALICE)
    assert "Each filter looks for one tiny pattern" in caption and "Send a drawing" not in caption
    with_drawing = Image.open(io.BytesIO(png))
    assert with_drawing.height > alone.height + 3 * 96  # the drawing and three layers of maps
    assert colour_share(png, MAP_DARK) > 0.0

    assert "epochs is now 2" in await command(telegram, ALICE, "/set epochs 2")
    await command(telegram, ALICE, "/train")
    await final_report(telegram, ALICE, "Training finished")

    caption, after = await filters_picture(telegram, ALICE)
    assert caption.startswith("Left: the built-in model's filters. Right: your model's.")
    change = re.search(r"changed them by (\d+)%", caption)
    assert change is not None and int(change.group(1)) >= 0, caption
    # The same drawing, but the filters and so their maps are this chat's now.
    assert after != png


async def test_filters_shows_the_drawing_replied_to(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    first = telegram.send_photo(ALICE, ALICE, smiley("smile"))
    await answer(telegram, first)
    await answer(telegram, telegram.send_photo(ALICE, ALICE, smiley("sad")))
    _, newest = await filters_picture(telegram, ALICE)
    _, replied = await filters_picture(telegram, ALICE, reply_to=first["message_id"])
    _, again = await filters_picture(telegram, ALICE, reply_to=first["message_id"])
    assert replied != newest and replied == again


async def test_filters_in_german(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    jonas = 2001
    telegram.add_user(jonas, "Jonas", language_code="de")
    caption, _ = await filters_picture(telegram, jonas)
    assert caption.startswith("Du hast noch kein eigenes Modell")
    assert "Schick mir eine Zeichnung" in caption


@pytest.fixture(scope="module")
def dense_job(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dense network a worker trained for sad and smile (one epoch: any weights will do)."""
    from tests.model.conftest import synthetic_inputs

    job_dir = tmp_path_factory.mktemp("dense-job")
    x, y = synthetic_inputs(3, seed=6, labels=TRAINED_LABELS)
    data = JobData(np.round(x * 255).astype(np.uint8), y, np.arange(len(y)))
    params = TrainParams(epochs=1, architecture="dense")
    write_job(job_dir, JobSpec(labels=TRAINED_LABELS, params=params), data)
    assert execute(job_dir, Emitter(io.StringIO()), own_process=False) == 0
    return job_dir


async def test_a_dense_network_has_no_filters_and_says_why(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley, dense_job: Path
) -> None:
    await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
    await install_trained_model(bot, ALICE, dense_job)
    caption, png = await filters_picture(telegram, ALICE)
    assert caption.startswith("Your model is a dense network: it has no filters.")
    assert "/compare" in caption
    # No filter grid (no red or blue weights), only the drawing and its rows of numbers.
    assert colour_share(png, MAP_DARK) > 0.0
    assert colour_share(png, (40, 96, 220)) == 0.0
