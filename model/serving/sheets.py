"""Contact sheets of model inputs and of drawings, and enlarged images: PNG bytes, Pillow alone.

The bot makes these itself (/samples, the misclassified drawings after a training), so they
need no plotting library. Captions are drawn in DejaVu Sans, the font matplotlib ships (it
covers Latin, Greek and Cyrillic labels), found without importing matplotlib.
"""

from __future__ import annotations

import functools
import importlib.util
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = [
    "captioned_sheet",
    "contact_sheet",
    "dejavu_sans",
    "enlarged",
    "heatmap_picture",
    "sheet_layout",
    "wrap_text",
]

# Each 28-pixel input drawn as a block of SHEET_SCALE pixels a pixel.
SHEET_SCALE = 3
SHEET_GAP = 2
SHEET_COLUMNS = 10
SHEET_GAP_GREY = 90  # thin grey lines between the black inputs
ALBUM_MIN_SIDE = 320  # a stored source smaller than this is upscaled to be visible
# Captioned sheets: 1000 px wide, four drawings a row, a caption under each; twelve of them
# stay under the 1280 px that Telegram scales a photo down to.
CAPTIONED_COLUMNS = 4
CAPTIONED_WIDTH = 1000
CAPTIONED_CELL_MAX = 480  # a sheet of one or two drawings shows them this large
CAPTIONED_GAP = 24
CAPTION_FONT_SIZE = 21
TITLE_FONT_SIZE = 30
_FONT_FILE = ("mpl-data", "fonts", "ttf", "DejaVuSans.ttf")
# "Why?": the input drawn HEATMAP_SCALE times as large, dark ink on white like the drawing,
# with the decisive strokes in red.
HEATMAP_SCALE = 12
HEATMAP_RED = (230, 30, 30)
HEATMAP_OPACITY = 0.75  # at the most decisive pixel; the drawing shows through


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


def captioned_sheet(
    images: Sequence[bytes],
    captions: Sequence[str],
    *,
    title: str = "",
    columns: int = CAPTIONED_COLUMNS,
) -> bytes:
    """Lay out images (any format Pillow reads) in a grid, each with its caption under it."""
    if not images or len(images) != len(captions):
        raise ValueError("need one caption per image, and at least one image")
    caption_font, title_font = dejavu_sans(CAPTION_FONT_SIZE), dejavu_sans(TITLE_FONT_SIZE)
    used = min(columns, len(images))
    rows = -(-len(images) // used)
    cell = min(CAPTIONED_CELL_MAX, (CAPTIONED_WIDTH - (used + 1) * CAPTIONED_GAP) // used)
    line = CAPTION_FONT_SIZE + 8
    wrapped = [wrap_text(caption, caption_font, cell) for caption in captions]
    caption_lines = max(len(lines) for lines in wrapped)
    cell_height = cell + 8 + caption_lines * line
    top = CAPTIONED_GAP + (TITLE_FONT_SIZE + CAPTIONED_GAP if title else 0)
    width = used * (cell + CAPTIONED_GAP) + CAPTIONED_GAP
    height = top + rows * (cell_height + CAPTIONED_GAP)
    sheet = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(sheet)
    if title:
        draw.text((width / 2, CAPTIONED_GAP), title, fill=0, font=title_font, anchor="ma")
    for index, (data, lines) in enumerate(zip(images, wrapped, strict=True)):
        row, column = divmod(index, used)
        x = CAPTIONED_GAP + column * (cell + CAPTIONED_GAP)
        y = top + row * (cell_height + CAPTIONED_GAP)
        with Image.open(io.BytesIO(data)) as opened:
            picture = opened.convert("L")
        # Fit the cell either way: small stored copies are drawn large.
        scale = cell / max(picture.size)
        picture = picture.resize(
            (max(1, round(picture.width * scale)), max(1, round(picture.height * scale))),
            Image.Resampling.LANCZOS,
        )
        sheet.paste(
            picture,
            (x + (cell - picture.width) // 2, y + (cell - picture.height) // 2),
        )
        draw.rectangle((x - 1, y - 1, x + cell, y + cell), outline=180)
        for number, text in enumerate(lines):
            position = (x + cell / 2, y + cell + 8 + number * line)
            draw.text(position, text, fill=0, font=caption_font, anchor="ma")
    buffer = io.BytesIO()
    sheet.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def heatmap_picture(image: np.ndarray, heat: np.ndarray, lines: Sequence[str]) -> bytes:
    """Draw a model input with ``heat`` (same shape, 0 to 1) in red over it, ``lines`` under it.

    The input is bright ink on black; it is shown as dark ink on white, as it was drawn.
    """
    side = image.shape[0] * HEATMAP_SCALE
    ink = np.clip(image, 0.0, 1.0)
    paper = np.repeat((255.0 * (1.0 - ink))[..., np.newaxis], 3, axis=2)
    alpha = (HEATMAP_OPACITY * np.clip(heat, 0.0, 1.0))[..., np.newaxis]
    blended = (1.0 - alpha) * paper + alpha * np.array(HEATMAP_RED, dtype=np.float64)
    drawing = Image.fromarray(np.round(blended).astype(np.uint8), "RGB").resize(
        (side, side), Image.Resampling.NEAREST
    )
    font = dejavu_sans(CAPTION_FONT_SIZE)
    line = CAPTION_FONT_SIZE + 10
    width = side + 2 * CAPTIONED_GAP
    wrapped = [part for text in lines for part in wrap_text(text, font, side)]
    height = side + 2 * CAPTIONED_GAP + len(wrapped) * line
    picture = Image.new("RGB", (width, height), (255, 255, 255))
    picture.paste(drawing, (CAPTIONED_GAP, CAPTIONED_GAP))
    draw = ImageDraw.Draw(picture)
    draw.rectangle(
        (CAPTIONED_GAP - 1, CAPTIONED_GAP - 1, CAPTIONED_GAP + side, CAPTIONED_GAP + side),
        outline=(180, 180, 180),
    )
    for number, text in enumerate(wrapped):
        position = (CAPTIONED_GAP, side + CAPTIONED_GAP + 8 + number * line)
        draw.text(position, text, fill=(0, 0, 0), font=font)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def wrap_text(
    text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int
) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` px, at spaces where it can."""
    lines: list[str] = []
    for word in text.split(" "):
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


@functools.cache
def dejavu_sans(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Return DejaVu Sans at ``size`` px, or Pillow's own font where matplotlib is missing."""
    spec = importlib.util.find_spec("matplotlib")
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location).joinpath(*_FONT_FILE)
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)
