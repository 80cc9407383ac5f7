"""End to end: /samples <label> shows the label's inputs as one contact sheet."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

import numpy as np
from PIL import Image

from bot.app import BotApplication
from bot.playground.fakeserver import FakeTelegram
from model.serving import PREPROCESS_VERSION
from model.serving.sheets import SHEET_GAP, sheet_layout
from storage import ImportItem
from tests.bot.conftest import ALICE, BOB
from tests.bot.training.test_queue import command, label_samples

Smiley = Callable[..., bytes]
CARL = 1003


def occupied_cells(sheet: Image.Image, count_hint: int) -> int:
    """Count the cells of a contact sheet that hold a drawing (any bright pixel)."""
    columns, rows, cell = sheet_layout(count_hint, 28)
    pixels = np.asarray(sheet.convert("L"))
    occupied = 0
    for row in range(rows):
        for column in range(columns):
            top = SHEET_GAP + row * (cell + SHEET_GAP)
            left = SHEET_GAP + column * (cell + SHEET_GAP)
            # JPEG blurs the edges: look inside the cell only.
            inside = pixels[top + 4 : top + cell - 4, left + 4 : left + cell - 4]
            occupied += int(inside.max() > 200)
    return occupied


async def test_samples_shows_a_contact_sheet_of_the_labels_inputs(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    await label_samples(telegram, ALICE, smiley, {"smile": 12, "sad": 2})
    request = telegram.send_text(ALICE, ALICE, "/samples Smile")
    shown = await telegram.wait_for_message(ALICE, after_message_id=request["message_id"])
    assert shown["caption"] == "smile: 12 samples, as the model sees them (28×28)."
    sheet = Image.open(io.BytesIO(telegram.media_bytes(shown)))
    columns, rows, cell = sheet_layout(12, 28)
    assert (columns, rows) == (10, 2)
    assert sheet.size == (
        columns * (cell + SHEET_GAP) + SHEET_GAP,
        rows * (cell + SHEET_GAP) + SHEET_GAP,
    )
    assert occupied_cells(sheet, 12) == 12


async def test_samples_shows_only_the_newest_hundred(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    # Stored directly, as /import does: sending 101 photos would take long and test no more.
    items = []
    for index in range(101):
        pixels = np.zeros((28, 28), np.uint8)
        pixels[10:18, 10:18] = 255
        if index == 0:
            pixels[:] = 255  # the oldest: all bright, and it must not be shown
        pixels[0, 0] = index  # each one different
        png = io.BytesIO()
        Image.fromarray(pixels).save(png, "PNG")
        items.append(
            ImportItem(
                label="smile",
                source_sha256=hashlib.sha256(png.getvalue()).hexdigest(),
                model_input=pixels.tobytes(),
                input_size=28,
                preprocess_version=PREPROCESS_VERSION,
                source_png=png.getvalue(),
            )
        )
    await bot.bot_data.repo.datasets.import_samples(
        ALICE, 0, items, max_samples=1000, max_labels=10
    )
    request = telegram.send_text(ALICE, ALICE, "/samples smile")
    shown = await telegram.wait_for_message(ALICE, after_message_id=request["message_id"])
    assert shown["caption"].startswith("smile: 101 samples (showing the 100 newest)")
    sheet = Image.open(io.BytesIO(telegram.media_bytes(shown)))
    columns, _rows, cell = sheet_layout(100, 28)
    assert sheet.size == (columns * (cell + SHEET_GAP) + SHEET_GAP,) * 2
    assert occupied_cells(sheet, 100) == 100
    assert np.asarray(sheet.convert("L")).mean() < 128  # the all-bright oldest is not there


async def test_samples_refuses_clearly(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    assert "Which label? /samples <label>" in await command(telegram, ALICE, "/samples")
    await label_samples(telegram, ALICE, smiley, {"sad": 1})
    assert "Deleted your last labelled sample (sad)" in await command(telegram, ALICE, "/undo")
    # A label whose samples are all gone has nothing to show.
    assert "no label “sad” here" in await command(telegram, ALICE, "/samples sad")
    assert "no label “wink” here" in await command(telegram, ALICE, "/samples wink")
    assert "no label “happy face” here" in await command(telegram, ALICE, "/samples happy face")
    await label_samples(telegram, BOB, smiley, {"sad": 1})
    # Another chat's label is not this chat's.
    assert "no label “sad” here" in await command(telegram, ALICE, "/samples sad")


async def test_samples_speaks_german(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_user(CARL, "Carl", language_code="de")
    assert "Welches Label? /samples <Label>" in await command(telegram, CARL, "/samples")
    assert "kein Label „wink“" in await command(telegram, CARL, "/samples wink")
    await label_samples(telegram, CARL, smiley, {"sad": 3})
    request = telegram.send_text(CARL, CARL, "/samples sad")
    shown = await telegram.wait_for_message(CARL, after_message_id=request["message_id"])
    assert shown["caption"] == "traurig: 3 Beispiele, so wie das Modell sie sieht (28×28)."
