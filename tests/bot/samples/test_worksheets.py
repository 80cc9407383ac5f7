"""End to end: /worksheet sends a sheet; a photo of the filled sheet becomes its drawings."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
from PIL import Image

from bot.app import BotApplication
from bot.playground.fakeserver import ApiCall, FakeTelegram
from model.synthetic.worksheets import filled_worksheet, worksheet_photo
from model.worksheets import Corner, SheetLayout
from model.worksheets.markers import find_markers
from storage import LabelCount
from tests.bot.conftest import ALICE, answer

LABELS = ("smile", "sad", "neutral", "upside-down")  # the suggested labels, printed when none
LAYOUT = SheetLayout.for_labels(LABELS)
EMPTY = {(0, 1), (2, 2)}
DRAWN = {
    (row, column): LABELS[row]
    for row in range(LAYOUT.rows)
    for column in range(LAYOUT.columns)
    if (row, column) not in EMPTY
}


def photo_of_the_filled_sheet(seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.asarray(worksheet_photo(filled_worksheet(LAYOUT, DRAWN, rng), rng, shadow=True))


def jpeg(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=87)
    return buffer.getvalue()


def sent_to(chat_id: int, method: str) -> Callable[[ApiCall], bool]:
    return lambda call: call.method == method and call.ok and int(call.params["chat_id"]) == chat_id


async def worksheet(
    telegram: FakeTelegram, command: str = "/worksheet"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Send ``command``; return the bot's PDF and picture of the sheet, once both are sent."""
    request = telegram.send_text(ALICE, ALICE, command)
    document = await telegram.wait_for_message(ALICE, after_message_id=request["message_id"])
    picture = await telegram.wait_for_message(ALICE, after_message_id=document["message_id"])
    return document, picture


async def test_a_worksheet_is_sent_and_its_photo_stored_box_by_box(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    document, picture = await worksheet(telegram)
    assert document["document"]["file_name"] == "smiley-worksheet.pdf"
    assert telegram.media_bytes(document).startswith(b"%PDF")
    assert "rows: smile, sad, neutral, upside-down" in document["caption"]
    assert Image.open(io.BytesIO(telegram.media_bytes(picture))).height > 1000

    text = await answer(
        telegram, telegram.send_photo(ALICE, ALICE, jpeg(photo_of_the_filled_sheet()))
    )
    assert text.startswith("📄 From your worksheet I stored 10 drawings:"), text
    assert "• smile: 2" in text and "• sad: 3" in text and "Empty boxes: 2" in text
    counts = await bot.bot_data.repo.labels.counts(ALICE)
    assert counts == sorted(
        [LabelCount(label, sum(1 for v in DRAWN.values() if v == label)) for label in LABELS],
        key=lambda c: c.name,
    )
    # The same photo again stores nothing twice.
    again = await answer(
        telegram, telegram.send_photo(ALICE, ALICE, jpeg(photo_of_the_filled_sheet()))
    )
    assert "Already stored from this photo before" in again or "stored 10" in again
    assert sum(c.count for c in await bot.bot_data.repo.labels.counts(ALICE)) <= 20


async def test_a_covered_corner_is_named_and_nothing_is_stored(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    await worksheet(telegram)
    photo = photo_of_the_filled_sheet().copy()
    covered = find_markers(cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY))[Corner.BOTTOM_RIGHT]
    centre = covered.mean(axis=0)
    thumb = np.round(centre + 1.6 * (covered - centre)).astype(np.int32)  # a thumb over it
    cv2.fillPoly(photo, [thumb], (205, 170, 150))
    text = await answer(telegram, telegram.send_photo(ALICE, ALICE, jpeg(photo)))
    assert text == (
        "I can't see the black square in the bottom right corner of the sheet. "
        "Take the photo again with all four corners in it."
    )
    assert await bot.bot_data.repo.labels.counts(ALICE) == []


async def test_the_sheet_takes_its_labels_from_the_chat_or_the_command(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    document, _ = await worksheet(telegram, "/worksheet happy cool")
    assert "rows: happy, cool." in document["caption"]
    assert await bot.bot_data.repo.worksheets.labels(ALICE) == ["happy", "cool", "", ""]
    refused = await answer(telegram, telegram.send_text(ALICE, ALICE, "/worksheet no!"))
    assert "not a valid label" in refused
