"""Fixtures for end-to-end tests: the fake Bot API server and the real PTB Application."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.app import BotApplication, build_application
from bot.config import Config, LimitsConfig, StorageConfig, TelegramConfig, TrainingConfig
from bot.playground.fakeserver import SPEC_PATH, ApiCall, FakeTelegram, FloodPolicy
from bot.telegram.polling import polling
from model.job import (
    MODEL_STEM,
    RESULT_FILE,
    JobData,
    JobSpec,
    TrainParams,
    model_paths,
    write_job,
)
from model.synthetic import smiley_bytes
from model.worker import Emitter, execute
from storage import TrainingRun

# No worker waits ahead with TensorFlow loaded: every test's bot would load it once more, for
# seconds of a core. tests/bot/training/test_standby.py runs the bot with one.
TEST_TRAINING = TrainingConfig(standby_workers=0)

ALICE = 1001
BOB = 1002
GROUP = -5001


@pytest.fixture
def flood() -> FloodPolicy:
    """Telegram's flood limits, as the fake server enforces them by default."""
    return FloodPolicy()


@pytest.fixture
async def telegram(flood: FloodPolicy) -> AsyncIterator[FakeTelegram]:
    """A fresh fake Bot API server that checks every request against the spec."""
    async with FakeTelegram(spec_path=SPEC_PATH, flood=flood) as server:
        server.add_user(ALICE, "Alice")
        server.add_user(BOB, "Bob")
        yield server
        assert server.violations == []


@pytest.fixture
def config(telegram: FakeTelegram, tmp_path: Path) -> Config:
    """A config pointing at the fake server, with data in tmp_path."""
    return Config(
        telegram=TelegramConfig(
            token=telegram.token,
            base_url=telegram.base_url,
            base_file_url=telegram.base_file_url,
        ),
        storage=StorageConfig(database=tmp_path / "smiley.sqlite3", models_dir=tmp_path / "models"),
        limits=LimitsConfig(),
        training=TEST_TRAINING,
        source=tmp_path / "config.toml",
    )


def with_limits(config: Config, **limits: Any) -> Config:
    """Return ``config`` with some limits changed."""
    return replace(config, limits=replace(config.limits, **limits))


@asynccontextmanager
async def running(config: Config) -> AsyncIterator[BotApplication]:
    """Run the real Application against the fake server until the block ends."""
    application = build_application(config)
    async with polling(application, poll_timeout=1):
        yield application


@pytest.fixture
async def bot(config: Config) -> AsyncIterator[BotApplication]:
    """The bot, running with the default test config."""
    async with running(config) as application:
        yield application


@pytest.fixture
def smiley() -> Callable[..., bytes]:
    """Make synthetic smiley images: ``smiley("sad", style="paper", fmt="JPEG")``."""
    rng = np.random.default_rng(1234)

    def make(
        label: str = "smile", *, style: str = "digital", fmt: str = "PNG", size: int = 200
    ) -> bytes:
        return smiley_bytes(label, rng, style, fmt=fmt, size=size)

    return make


def is_reaction_on(message: dict[str, Any]) -> Callable[[ApiCall], bool]:
    """Match the bot's setMessageReaction call on ``message``."""
    chat_id, message_id = message["chat"]["id"], message["message_id"]
    return lambda call: (
        call.method == "setMessageReaction"
        and int(call.params["chat_id"]) == chat_id
        and int(call.params["message_id"]) == message_id
    )


def is_answer_to(message: dict[str, Any]) -> Callable[[ApiCall], bool]:
    """Match the bot's reaction on ``message`` or its reply to it."""
    chat_id, message_id = message["chat"]["id"], message["message_id"]
    reacted = is_reaction_on(message)

    def match(call: ApiCall) -> bool:
        if reacted(call):
            return True
        reply = call.params.get("reply_parameters") or {}
        return (
            call.method == "sendMessage"
            and int(call.params["chat_id"]) == chat_id
            and int(reply.get("message_id", -1)) == message_id
        )

    return match


async def answered(telegram: FakeTelegram, message: dict[str, Any]) -> None:
    """Wait until the bot acknowledged ``message``: a reaction, or a reply such as a prediction."""
    await telegram.wait_for(is_answer_to(message))


async def reaction(telegram: FakeTelegram, message: dict[str, Any]) -> list[str]:
    """Wait for the bot to react to ``message`` and return the reaction."""
    await telegram.wait_for(is_reaction_on(message))
    return telegram.reactions(message["chat"]["id"], message["message_id"])


async def next_message(
    telegram: FakeTelegram, message: dict[str, Any], contains: str | None = None
) -> dict[str, Any]:
    """Wait for the bot's next message after ``message`` and return it.

    Messages that reply to another message are skipped: the pictures after a training,
    for one, reply to the /train that asked for them and may still be arriving.
    """
    chat_id, after = message["chat"]["id"], message["message_id"]
    while True:
        reply = await telegram.wait_for_message(chat_id, after_message_id=after, contains=contains)
        replied_to = (reply.get("reply_to_message") or {}).get("message_id")
        if replied_to in (None, message["message_id"]):
            return reply
        after = reply["message_id"]


async def answer(
    telegram: FakeTelegram, message: dict[str, Any], contains: str | None = None
) -> str:
    """Wait for the bot's next message after ``message`` (see next_message); return its text."""
    return str((await next_message(telegram, message, contains)).get("text", ""))


# --- a trained model, made once per session --------------------------------------------------

TRAINED_LABELS = ("sad", "smile")


@pytest.fixture(scope="session")
def trained_job(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A job directory whose model a worker trained for sad and smile, once per session.

    For the tests that need a chat with *a* trained model, not the training itself (that is
    tests/bot/training/): the worker runs in this process, with no process of its own.
    """
    # Here, not at the top: that module loads TensorFlow, which the other bot tests never need.
    from tests.model.conftest import synthetic_inputs

    job_dir = tmp_path_factory.mktemp("trained-job")
    x, y = synthetic_inputs(4, seed=5, labels=TRAINED_LABELS)
    data = JobData(np.round(x * 255).astype(np.uint8), y, np.arange(len(y)))
    write_job(job_dir, JobSpec(labels=TRAINED_LABELS, params=TrainParams(epochs=2)), data)
    assert execute(job_dir, Emitter(io.StringIO()), own_process=False) == 0
    return job_dir


async def install_trained_model(
    application: BotApplication, chat_id: int, job_dir: Path
) -> TrainingRun:
    """Make ``job_dir``'s model the chat's serving one, recorded as a finished /train is.

    The chat's labels must be TRAINED_LABELS; the run says it learned from all their samples.
    """
    repo = application.bot_data.repo
    samples = await repo.samples.labelled_inputs(chat_id)
    assert sorted({sample.label for sample in samples}) == list(TRAINED_LABELS)
    run = await repo.runs.create(
        chat_id,
        requested_by=None,
        params=TrainParams(epochs=2).to_json(),
        labels=list(TRAINED_LABELS),
        sample_ids=[sample.sample_id for sample in samples],
        data_version=await repo.samples.data_version(chat_id),
    )
    await repo.runs.start(run.id)
    prefix = application.bot_data.config.storage.models_dir / str(chat_id) / f"run-{run.id}"
    prefix.parent.mkdir(parents=True, exist_ok=True)
    exported = model_paths(job_dir / MODEL_STEM).in_writing_order()
    for source, target in zip(exported, model_paths(prefix).in_writing_order(), strict=True):
        shutil.copyfile(source, target)
    summary = json.loads((job_dir / RESULT_FILE).read_text(encoding="utf-8"))
    return await repo.runs.finish(run.id, metrics=summary, model_prefix=str(prefix))
