"""End to end: /export model sends the chat's model; its files predict what the bot predicts."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.app import BotApplication
from bot.exchange.dataset_zip import TELEGRAM_UPLOAD_CAP
from bot.exchange.model_package import (
    DRAWING,
    ModelTooLarge,
    ModelUnavailable,
    model_file_names,
    read_model_files,
)
from bot.playground.fakeserver import FakeTelegram
from tests.bot.conftest import ALICE, answer, install_trained_model, reaction

Smiley = Callable[..., bytes]
TRAINING_TIMEOUT = 120.0
SETTLE_TIMEOUT = 30.0  # replies may wait for Telegram's flood limits
PERCENT_LINE = re.compile(r"^(\S+) (\d+)%", re.MULTILINE)
LABELS = {"smile": 5, "sad": 5}


async def label_samples(telegram: FakeTelegram, smiley: Smiley, counts: dict[str, int]) -> None:
    for label, count in counts.items():
        for _ in range(count):
            sent = telegram.send_photo(ALICE, ALICE, smiley(label), caption=f"/label {label}")
            await reaction(telegram, sent)


async def command(telegram: FakeTelegram, text: str, contains: str | None = None) -> str:
    return await answer(telegram, telegram.send_text(ALICE, ALICE, text), contains=contains)


async def export_model(telegram: FakeTelegram) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Send /export model; return the documents the bot sent and its snippet message."""
    sent = telegram.send_text(ALICE, ALICE, "/export model")
    howto = await telegram.wait_for_message(
        ALICE, after_message_id=sent["message_id"], contains="LABELS", timeout=SETTLE_TIMEOUT
    )
    documents = [
        message
        for message in telegram.bot_messages(ALICE)
        if sent["message_id"] < message["message_id"] < howto["message_id"]
        and "document" in message
    ]
    return documents, howto


def code_blocks(message: dict[str, Any]) -> list[str]:
    """Return the text of the message's code blocks (entity offsets count UTF-16 units)."""
    text = message["text"].encode("utf-16-le")
    return [
        text[2 * entity["offset"] : 2 * (entity["offset"] + entity["length"])].decode("utf-16-le")
        for entity in message.get("entities", [])
        if entity["type"] == "pre"
    ]


def run_snippet(blocks: list[str], folder: Path) -> tuple[dict[str, int], np.ndarray]:
    """Execute the snippet in ``folder``; return its printed percentages and probabilities."""
    namespace: dict[str, Any] = {}
    printed = io.StringIO()
    with contextlib.chdir(folder), contextlib.redirect_stdout(printed):
        # The bot's own snippet, exactly as a user would paste it.
        exec("\n\n".join(blocks), namespace)
    percentages = {label: int(p) for label, p in PERCENT_LINE.findall(printed.getvalue())}
    return percentages, np.asarray(namespace["probabilities"])


def bot_percentages(reply: str) -> dict[str, int]:
    return {label: int(p) for label, p in PERCENT_LINE.findall(reply)}


async def test_exported_keras_and_tflite_files_predict_what_the_bot_predicts(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley, tmp_path: Path, trained_job: Path
) -> None:
    none = await command(telegram, "/export model")
    assert "no trained model" in none and "/train" in none
    assert "/export model" in await command(telegram, "/export everything")

    await label_samples(telegram, smiley, LABELS)
    await install_trained_model(bot, ALICE, trained_job)
    documents, howto = await export_model(telegram)

    names = [document["document"]["file_name"] for document in documents]
    assert names == ["smileys-model.keras", "smileys-model.tflite"]
    assert "trained on 10 samples" in documents[0]["caption"]
    run = await bot.bot_data.repo.runs.serving(ALICE)
    assert run is not None
    assert f"output order: {', '.join(run.labels)}" in documents[0]["caption"]
    folder = tmp_path / "taken-away"
    folder.mkdir()
    for name, document in zip(names, documents, strict=True):
        data = telegram.media_bytes(document)
        assert 0 < len(data) <= TELEGRAM_UPLOAD_CAP
        (folder / name).write_bytes(data)

    prepare, with_keras, with_tflite, show = code_blocks(howto)
    assert "model/serving/preprocess.py" in howto["text"] and "repository" in howto["text"]
    assert f"LABELS = {run.labels!r}" in prepare

    images = [smiley("smile"), smiley("sad"), smiley("sad", style="paper", fmt="JPEG")]
    for image in images:
        sent = telegram.send_document(
            ALICE, ALICE, image, file_name="drawing.png", mime_type="image/png"
        )
        reply = await telegram.wait_for_message(
            ALICE, after_message_id=sent["message_id"], contains="%", timeout=SETTLE_TIMEOUT
        )
        replied = bot_percentages(reply["text"])
        assert set(replied) <= set(run.labels) and replied, replied
        (folder / DRAWING).write_bytes(image)
        keras_percentages, keras_probabilities = run_snippet([prepare, with_keras, show], folder)
        tflite_percentages, tflite_probabilities = run_snippet([prepare, with_tflite, show], folder)
        assert set(keras_percentages) == set(tflite_percentages) == set(run.labels)
        np.testing.assert_allclose(keras_probabilities, tflite_probabilities, atol=1e-4)
        for label, percent in replied.items():
            # Both files, run as the snippet says, agree with the bot within rounding.
            assert abs(keras_percentages[label] - percent) <= 1, (label, replied, keras_percentages)
            assert abs(tflite_percentages[label] - percent) <= 1, (label, replied)

    # The model's files vanished (e.g. a restore without the models folder): a clear reply.
    assert run.model_prefix is not None
    for path in Path(run.model_prefix).parent.glob(Path(run.model_prefix).name + ".*"):
        path.unlink()
    gone = await command(telegram, "/export model")
    assert "files of this chat's model are gone" in gone


def test_model_file_names_follow_the_chat_title() -> None:
    assert model_file_names("Smiley Workshop!") == (
        "Smiley-Workshop-model.keras",
        "Smiley-Workshop-model.tflite",
    )
    assert model_file_names(None) == ("smileys-model.keras", "smileys-model.tflite")
    assert model_file_names("!!!") == ("smileys-model.keras", "smileys-model.tflite")


def test_model_files_over_the_upload_limit_or_unmatched_are_refused(tmp_path: Path) -> None:
    prefix = tmp_path / "run-1"
    (tmp_path / "run-1.keras").write_bytes(b"k" * 100)
    (tmp_path / "run-1.tflite").write_bytes(b"t" * 10)
    with pytest.raises(ModelUnavailable):
        read_model_files(prefix)  # no sidecar
    (tmp_path / "run-1.json").write_text('{"labels": ["a", "b"], "tflite_sha256": "00"}')
    with pytest.raises(ModelUnavailable):
        read_model_files(prefix)  # the .tflite is not the one the sidecar describes
    (tmp_path / "run-1.json").write_text('{"labels": ["a", "b"]}')
    files = read_model_files(prefix)
    assert (files.labels, len(files.keras), len(files.tflite)) == (("a", "b"), 100, 10)
    with pytest.raises(ModelTooLarge) as too_large:
        read_model_files(prefix, cap=99)
    assert too_large.value.size == 100
