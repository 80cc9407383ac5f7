"""End to end: /train in the background, progress, /stop, predictions, restarts."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from bot.app import BotApplication
from bot.config import Config
from bot.playground.fakeserver import ApiCall, FakeTelegram
from model.job import DEFAULT_MODEL_PREFIX, model_paths
from model.synthetic import LABELS
from tests.bot.conftest import ALICE, BOB, answer, reaction, running

Smiley = Callable[..., bytes]
ROOT = Path(__file__).resolve().parents[3]
TRAINING_TIMEOUT = 120.0


async def label_samples(
    telegram: FakeTelegram, chat_id: int, smiley: Smiley, counts: dict[str, int]
) -> None:
    for label, count in counts.items():
        for _ in range(count):
            sent = telegram.send_photo(chat_id, chat_id, smiley(label), caption=f"/label {label}")
            await reaction(telegram, sent)


async def command(
    telegram: FakeTelegram, chat_id: int, text: str, contains: str | None = None
) -> str:
    return await answer(telegram, telegram.send_text(chat_id, chat_id, text), contains=contains)


def edited_to(chat_id: int, text: str) -> Callable[[ApiCall], bool]:
    return lambda call: (
        call.method == "editMessageText"
        and int(call.params["chat_id"]) == chat_id
        and text in call.params["text"]
    )


def job_directories(jobs: Path) -> list[str]:
    return [path.name for path in jobs.iterdir() if path.is_dir()]


async def final_report(telegram: FakeTelegram, chat_id: int, start: str) -> str:
    call = await telegram.wait_for(edited_to(chat_id, start), timeout=TRAINING_TIMEOUT)
    return str(call.params["text"])


def filters(keras_file: Path) -> list[np.ndarray]:
    """Return a saved Keras model's convolution kernels, read without TensorFlow."""
    with zipfile.ZipFile(keras_file) as archive:
        weights = h5py.File(io.BytesIO(archive.read("model.weights.h5")))
        kernels: list[tuple[str, np.ndarray]] = []
        weights.visititems(
            lambda name, item: (
                kernels.append((name, np.array(item)))
                if isinstance(item, h5py.Dataset) and item.ndim == 4
                else None
            )
        )
    return [kernel for _, kernel in sorted(kernels)]


async def test_predictions_come_from_the_default_model_until_the_chat_trains(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    text = await answer(telegram, telegram.send_photo(ALICE, ALICE, smiley("smile")))
    first_line, *bars = text.splitlines()
    assert first_line == "I think this is smile." or first_line.startswith("Not sure")
    assert any(line.split()[0] in LABELS and "%" in line for line in bars[:3])
    assert "built-in smiley model" in text


async def test_train_refuses_until_every_label_has_enough_samples(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    assert "at least 2 labels" in await command(telegram, ALICE, "/train")
    await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 3})
    text = await command(telegram, ALICE, "/train", contains="Not enough")
    assert "• sad: 2 more" in text and "smile" not in text


async def test_train_reports_progress_and_the_result_then_predicts_with_the_new_model(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
    assert "epochs is now 3" in await command(telegram, ALICE, "/set epochs 3")
    started = await command(telegram, ALICE, "/train")
    assert started.startswith("Training starts")
    report = await final_report(telegram, ALICE, "Training finished")
    assert "Validation accuracy:" in report and "5-fold cross-validation, 10 samples" in report
    assert "• sad:" in report and "• smile:" in report and "of 5" in report
    # English numbers: a decimal point, the per cent sign right after the digits.
    assert re.search(r"^Training finished in \d+\.\d s\.$", report, re.MULTILINE), report
    assert re.search(r"^Validation accuracy: \d{1,3}% \(", report, re.MULTILINE), report
    assert re.search(r"^• sad: \d{1,3}% of 5$", report, re.MULTILINE), report
    assert "started from what my built-in model knows" in report
    assert "then tuned its own filters to your drawings: they changed by" in report
    serving = await bot.bot_data.repo.runs.serving(ALICE)
    assert serving is not None and serving.model_prefix
    tuned = filters(model_paths(Path(serving.model_prefix)).keras)
    bundled = filters(model_paths(DEFAULT_MODEL_PREFIX).keras)
    assert [kernel.shape for kernel in tuned] == [kernel.shape for kernel in bundled]
    assert len(tuned) == 3
    assert all(not np.allclose(mine, theirs) for mine, theirs in zip(tuned, bundled, strict=True))
    progress = [
        c for c in telegram.calls if c.method == "editMessageText" and "epoch" in c.params["text"]
    ]
    assert progress, "no progress edit"
    assert "validation run 1/5, epoch 1/3" in progress[0].params["text"]
    assert "Training on 10 samples: sad, smile" in progress[0].params["text"]
    # The final phase keeps nothing back: its last line is the training accuracy.
    assert re.search(
        r"^▓*░* \d{1,3}%\ntraining accuracy \d{1,3}% \(loss \d+\.\d{3}\)$",
        progress[-1].params["text"],
        re.MULTILINE,
    ), progress[-1].params["text"]
    assert "\ntraining accuracy " in progress[0].params["text"]
    assert "\nvalidation accuracy " in progress[0].params["text"]
    # Three epochs are too few to tell over- from underfitting: the report says neither.
    assert "fitting" not in report and "good fit" not in report

    prediction = await answer(telegram, telegram.send_photo(ALICE, ALICE, smiley("sad")))
    assert "built-in" not in prediction
    assert {line.split()[0] for line in prediction.splitlines()[1:3]} <= {"smile", "sad"}
    assert re.match(r"^(smile|sad) \d{1,3}% ▓*░*$", prediction.splitlines()[1]), prediction
    status = await command(telegram, ALICE, "/status", contains="dataset")
    assert re.search(r"Model: trained on 10 samples, validation accuracy \d{1,3}%\.", status)

    await label_samples(telegram, ALICE, smiley, {"smile": 1})
    outdated = await answer(telegram, telegram.send_photo(ALICE, ALICE, smiley("smile")))
    assert "older than this chat's samples" in outdated


async def test_a_training_that_memorises_its_few_drawings_is_called_overfitting(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    # A dense network from scratch sees pixels, not shapes: on 5 + 5 drawings it learns its
    # training drawings within a few epochs, then grows ever surer of its validation mistakes.
    await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
    for setting in ("architecture dense", "start scratch", "epochs 40"):
        await command(telegram, ALICE, f"/set {setting}")
    await command(telegram, ALICE, "/train")
    report = await final_report(telegram, ALICE, "Training finished")
    (sentence,) = [line for line in report.splitlines() if "overfitting" in line]
    assert sentence.startswith("From epoch ")
    assert sentence.endswith("fewer epochs or more drawings would help.")
    run = await bot.bot_data.repo.runs.serving(ALICE)
    assert run is not None and run.metrics is not None
    best = run.metrics["best_epoch"]
    assert f"From epoch {best} on" in sentence and 1 <= best < 40 - 8


async def test_stop_cancels_within_seconds_and_the_previous_model_keeps_serving(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
    await command(telegram, ALICE, "/set epochs 200")
    await command(telegram, ALICE, "/train")
    await telegram.wait_for(edited_to(ALICE, "epoch"), timeout=TRAINING_TIMEOUT)
    asked = asyncio.get_running_loop().time()
    assert "Stopping" in await command(telegram, ALICE, "/stop")
    report = await final_report(telegram, ALICE, "Training stopped")
    assert asyncio.get_running_loop().time() - asked < 5
    assert "you sent /stop" in report and "previous model keeps answering" in report
    assert "built-in smiley model" in await answer(
        telegram, telegram.send_photo(ALICE, ALICE, smiley("sad"))
    )


async def test_trainings_queue_across_chats_and_say_their_place(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    for chat_id in (ALICE, BOB):
        await label_samples(telegram, chat_id, smiley, {"smile": 5, "neutral": 5})
    await command(telegram, ALICE, "/set epochs 200")
    await command(telegram, BOB, "/set epochs 2")
    await command(telegram, BOB, "/set start scratch")
    await command(telegram, ALICE, "/train")
    assert "Training queued: 1 ahead of yours" in await command(telegram, BOB, "/train")
    assert "already running or queued" in await command(telegram, BOB, "/train", contains="already")
    await command(telegram, ALICE, "/stop")
    report = await final_report(telegram, BOB, "Training finished")
    assert "It started from scratch and learned all its filters by itself: /filters" in report


async def test_parameters_are_checked_and_shown(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    assert "use a whole number from 1 to 200" in await command(telegram, ALICE, "/set epochs 0")
    assert "use cnn or dense" in await command(telegram, ALICE, "/set architecture rnn")
    assert "no parameter “speed”" in await command(telegram, ALICE, "/set speed 3")
    assert "Usage: /set" in await command(telegram, ALICE, "/set epochs")
    assert "use pretrained or scratch" in await command(telegram, ALICE, "/set start imagenet")
    assert "learning_rate is now 0.01" in await command(telegram, ALICE, "/set learning_rate 0.01")
    assert "start is now scratch" in await command(telegram, ALICE, "/set start Scratch")
    shown = await command(telegram, ALICE, "/params")
    assert "• learning_rate = 0.01" in shown and "• architecture = cnn (cnn or dense)" in shown
    assert "• start = scratch (pretrained or scratch)" in shown and "• epochs = 40" in shown
    # Each parameter says in a line what it does, for someone new to it.
    assert "how many times the network looks at every drawing" in shown
    assert "scratch starts from nothing, as in the talk" in shown
    assert "• builtin = on (on or off)" in shown
    assert len(shown.splitlines()) == 1 + 2 * 7


async def test_debug_shows_what_the_model_sees(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    photo = telegram.send_photo(ALICE, ALICE, smiley("smile"), caption="/label smile")
    await reaction(telegram, photo)
    request = telegram.send_text(ALICE, ALICE, "/debug", reply_to=photo["message_id"])
    shown = await telegram.wait_for_message(ALICE, after_message_id=request["message_id"])
    assert "28×28" in shown["caption"]
    assert shown["photo"][-1]["width"] == 280
    assert "Reply /debug to an image" in await command(telegram, ALICE, "/debug")


def workers_running(marker: str) -> bool:
    """Tell whether a training worker whose command line contains ``marker`` runs."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            arguments = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"model.worker" in arguments and any(marker.encode() in a for a in arguments):
            return True
    return False


async def test_a_killed_bot_reports_the_interrupted_training_after_a_restart(
    telegram: FakeTelegram, config: Config, smiley: Smiley, tmp_path: Path
) -> None:
    async with running(config):
        await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
        await command(telegram, ALICE, "/set epochs 200")
    toml = tmp_path / "bot.toml"
    toml.write_text(
        f'[telegram]\nbase_url = "{telegram.base_url}"\n'
        f'base_file_url = "{telegram.base_file_url}"\n'
        f'[storage]\ndatabase = "{config.storage.database}"\n'
        f'models_dir = "{config.storage.models_dir}"\n',
        encoding="utf-8",
    )
    env: dict[str, Any] = {**os.environ, "SMILEY_BOT_TOKEN": telegram.token}
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "--config", str(toml)),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await telegram.wait_polling(timeout=60)
        await command(telegram, ALICE, "/train")
        await telegram.wait_for(edited_to(ALICE, "epoch"), timeout=TRAINING_TIMEOUT)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    # The worker notices its bot is gone and exits: no orphan keeps training.
    jobs = str(config.storage.models_dir / "jobs")
    for _ in range(150):
        if not workers_running(jobs):
            break
        await asyncio.sleep(0.1)
    assert not workers_running(jobs), "the training worker outlived its bot"
    # The killed run's job directory holds a copy of the chat's samples...
    assert job_directories(Path(jobs)) != []
    async with running(config):
        report = await final_report(telegram, ALICE, "Training interrupted")
        assert "the bot restarted" in report
        status = await command(telegram, ALICE, "/status", contains="dataset")
        assert "none trained yet" in status and "training is running" not in status
    # ...which recovery deletes: /reset and retention would not know of it.
    assert job_directories(Path(jobs)) == []
    leftovers = list(config.storage.models_dir.glob(f"{ALICE}/*"))
    assert leftovers == []  # no half-written model under a final name


async def test_a_chat_whose_model_files_are_gone_gets_the_default_models_answer(
    telegram: FakeTelegram, bot: BotApplication, config: Config, smiley: Smiley
) -> None:
    # As after restoring a database backup without the models directory.
    repo = bot.bot_data.repo
    run = await repo.runs.create(
        ALICE, requested_by=ALICE, params={}, labels=["a", "b"], sample_ids=[], data_version=0
    )
    await repo.runs.start(run.id)
    await repo.runs.finish(run.id, metrics={}, model_prefix=str(config.storage.models_dir / "gone"))
    for label in ("smile", "sad"):
        text = await answer(telegram, telegram.send_photo(ALICE, ALICE, smiley(label)))
        assert "built-in smiley model" in text


async def test_an_interrupted_training_is_reported_in_the_language_of_who_asked(
    telegram: FakeTelegram, config: Config
) -> None:
    async with running(config) as bot:
        await command(telegram, ALICE, "/start")
        # As a kill -9 leaves it: a run still queued, recorded with its requester's language.
        await bot.bot_data.repo.runs.create(
            ALICE,
            requested_by=ALICE,
            params={},
            labels=["a", "b"],
            sample_ids=[],
            data_version=0,
            language="de",
        )
    async with running(config):
        reply = await telegram.wait_for_message(ALICE, contains="Training unterbrochen")
    assert "der Bot wurde neu gestartet" in reply["text"]
