"""Contact sheets of model inputs and enlarged source images, as PNG bytes, with Pillow alone.

The bot makes these itself (/samples, the misclassified images after a training), so they
need no plotting library.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image

__all__ = ["contact_sheet", "enlarged", "sheet_layout"]

# Each 28-pixel input drawn as a block of SHEET_SCALE pixels a pixel.
SHEET_SCALE = 3
SHEET_GAP = 2
SHEET_COLUMNS = 10
SHEET_GAP_GREY = 90  # thin grey lines between the black inputs
ALBUM_MIN_SIDE = 320  # a stored source smaller than this is upscaled to be visible


def sheet_layout(count: int, size: int, *, columns: int = SHEET_COLUMNS) -> tuple[int, int, int]:
    """Return (columns, rows, cell side in px) of a contact sheet of `count` inputs."""
    if count < 1:
        raise ValueError("a contact sheet needs at least one input")
    used = min(columns, count)
    return used, -(-count // used), size * SHEET_SCALE


def contact_sheet(
    inputs: Sequence[np.ndarray] | np.ndarray, *, columns: int = SHEET_COLUMNS
) -> bytes:
    """Lay out square uint8 inputs (as the model sees them) in a grid with thin grey gaps.

    Each input is scaled up by SHEET_SCALE with nearest-neighbour resampling, so its pixels
    stay visible as pixels. The sheet is (columns * (cell + gap) + gap) px wide.
    """
    pictures = [np.asarray(picture, dtype=np.uint8) for picture in inputs]
    if not pictures:
        raise ValueError("a contact sheet needs at least one input")
    size = pictures[0].shape[0]
    used, rows, cell = sheet_layout(len(pictures), size, columns=columns)
    sheet = Image.new(
        "L",
        (used * (cell + SHEET_GAP) + SHEET_GAP, rows * (cell + SHEET_GAP) + SHEET_GAP),
        SHEET_GAP_GREY,
    )
    for index, picture in enumerate(pictures):
        if picture.shape != (size, size):
            raise ValueError(f"input {index} is {picture.shape}, not {size}x{size}")
        tile = Image.fromarray(picture).resize((cell, cell), Image.Resampling.NEAREST)
        row, column = divmod(index, used)
        sheet.paste(
            tile, (SHEET_GAP + column * (cell + SHEET_GAP), SHEET_GAP + row * (cell + SHEET_GAP))
        )
    buffer = io.BytesIO()
    sheet.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def enlarged(png: bytes, *, min_side: int = ALBUM_MIN_SIDE) -> bytes:
    """Return an image as PNG, scaled up so that its shorter side is at least `min_side`."""
    with Image.open(io.BytesIO(png)) as opened:
        image = opened.convert("L")
    shorter = min(image.size)
    if shorter < min_side:
        factor = min_side / shorter
        image = image.resize(
            (round(image.width * factor), round(image.height * factor)), Image.Resampling.LANCZOS
        )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
