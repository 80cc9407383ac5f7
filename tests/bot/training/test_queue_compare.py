"""End to end: /compare validates dense, cnn and a pretrained cnn on the same folds; no model."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from bot.app import BotApplication
from bot.config import Config
from bot.playground.fakeserver import FakeTelegram
from tests.bot.conftest import ALICE, install_trained_model, running
from tests.bot.training.test_queue import (
    TRAINING_TIMEOUT,
    command,
    edited_to,
    final_report,
    label_samples,
)

Smiley = Callable[..., bytes]
DIETER = 1004
RESULT = re.compile(
    r"^Validation accuracy on the same 5 folds: dense (\d+)%, cnn (\d+)%, "
    r"cnn from the built-in model (\d+)%\.\n"
    r"dense and cnn learn from nothing, as in the talk; the third starts from what my built-in "
    r"model learned from thousands of smileys\.$"
)
STARTS = "Comparing dense, cnn and cnn from the built-in model starts"


async def test_compare_shows_three_accuracies_and_keeps_the_serving_model(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley, trained_job: Path
) -> None:
    await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
    await command(telegram, ALICE, "/set epochs 2")
    await install_trained_model(bot, ALICE, trained_job)
    serving = await bot.bot_data.repo.runs.serving(ALICE)
    assert serving is not None

    request = telegram.send_text(ALICE, ALICE, "/compare")
    starting = await telegram.wait_for_message(
        ALICE, after_message_id=request["message_id"], contains="Comparing dense"
    )
    assert starting["text"] == STARTS + "…"
    progress = await telegram.wait_for(edited_to(ALICE, "Comparing"), timeout=TRAINING_TIMEOUT)
    assert (
        "Comparing dense / cnn / cnn from the built-in model on 10 samples: sad, smile"
        in progress.params["text"]
    )
    assert "dense, validation run 1/5, epoch 1/2" in progress.params["text"]
    await final_report(telegram, ALICE, "Comparison finished")
    chart = await telegram.wait_for_message(
        ALICE, after_message_id=request["message_id"], contains="Validation accuracy on the same"
    )
    match = RESULT.match(chart["caption"])
    assert match, chart["caption"]
    assert all(0 <= int(percent) <= 100 for percent in match.groups())
    assert int(chart["reply_to_message"]["message_id"]) == request["message_id"]
    assert Image.open(io.BytesIO(telegram.media_bytes(chart))).width >= 900

    # The serving model is the one /train made; the compare left no model behind.
    assert await bot.bot_data.repo.runs.serving(ALICE) == serving
    models = bot.bot_data.config.storage.models_dir
    assert sorted(p.name for p in (models / str(ALICE)).iterdir()) == sorted(
        f"run-{serving.id}{suffix}" for suffix in (".json", ".keras", ".layers.tflite", ".tflite")
    )
    assert list((models / "jobs").iterdir()) == []
    # And the chat can train or compare again.
    assert STARTS in await command(telegram, ALICE, "/compare")
    await command(telegram, ALICE, "/stop")


async def test_stop_stops_a_compare_and_compare_refuses_like_train(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    assert "at least 2 labels" in await command(telegram, ALICE, "/compare")
    await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
    await command(telegram, ALICE, "/set epochs 200")
    await command(telegram, ALICE, "/compare")
    assert "already running or queued" in await command(
        telegram, ALICE, "/train", contains="already"
    )
    await telegram.wait_for(edited_to(ALICE, "validation run"), timeout=TRAINING_TIMEOUT)
    asked = asyncio.get_running_loop().time()
    assert "Stopping" in await command(telegram, ALICE, "/stop")
    report = await final_report(telegram, ALICE, "Comparison stopped")
    assert asyncio.get_running_loop().time() - asked < 5
    assert "you sent /stop" in report and "The model that answers is unchanged." in report
    assert await bot.bot_data.repo.runs.serving(ALICE) is None


async def test_compare_speaks_german(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_user(DIETER, "Dieter", language_code="de")
    await label_samples(telegram, DIETER, smiley, {"smile": 5, "sad": 5})
    await command(telegram, DIETER, "/set epochs 1")
    request = telegram.send_text(DIETER, DIETER, "/compare")
    report = await final_report(telegram, DIETER, "Vergleich fertig")
    assert re.match(r"^Vergleich fertig nach \d+,\d s\. ", report), report
    chart = await telegram.wait_for_message(
        DIETER, after_message_id=request["message_id"], contains="Validierungsgenauigkeit"
    )
    # German percentages: a no-break space before the sign.
    assert re.match(
        r"^Validierungsgenauigkeit in denselben 5 Validierungsläufen: dense \d+\u00a0%, "
        r"cnn \d+\u00a0%, cnn vom eingebauten Modell \d+\u00a0%\.\n"
        r"dense und cnn fangen bei null an, wie im Vortrag;",
        chart["caption"],
    ), chart["caption"]


async def test_a_compare_cut_short_by_a_restart_is_reported_as_interrupted(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    async with running(config) as application:
        await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
        await command(telegram, ALICE, "/set epochs 200")
        await command(telegram, ALICE, "/compare")
        await telegram.wait_for(edited_to(ALICE, "validation run"), timeout=TRAINING_TIMEOUT)
        jobs = application.bot_data.config.storage.models_dir / "jobs"
    # Shut down mid-compare, as a kill would (the marker is all a kill leaves as well).
    markers = await asyncio.to_thread(lambda: list(jobs.glob("compare-*.json")))
    assert len(markers) == 1
    async with running(config):
        report = await final_report(telegram, ALICE, "Comparison interrupted")
        assert "the bot restarted. Send /compare to start again." in report
        assert STARTS in await command(telegram, ALICE, "/compare")
        await command(telegram, ALICE, "/stop")
    assert not markers[0].exists()
