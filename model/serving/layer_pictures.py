"""The /filters picture: a CNN's first-layer filters, and one drawing through its layers.

Drawn with Pillow alone, like the other sheets. Each 3x3 filter is a tiny grid: red where
it looks for ink, blue where it looks for empty paper, white where it does not care (each
filter scaled to its own strongest weight, so every pattern shows). When a chat tuned the
built-in model's filters, both grids stand side by side in the same order, so filter 7 of
one can be compared with filter 7 of the other.

Below, the drawing goes through the layers: for each convolution the feature maps of the
filters it lit up most, darker where more (each map scaled to its own maximum), and for
a dense network's layers its numbers as a grid of cells.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from model.serving.sheets import dejavu_sans

__all__ = ["MAPS_SHOWN", "FilterTexts", "filters_picture"]

WIDTH = 1000
MARGIN = 28
TITLE_SIZE = 26
TEXT_SIZE = 19
FILTER_CELL = 12  # px per weight: a 3x3 filter is 36 px
FILTER_GAP = 8
FILTER_COLUMNS = 10
MAP_SIDE = 96  # every feature map is drawn this large, whatever its own size
MAP_GAP = 14
MAPS_SHOWN = 8  # the feature maps of the filters a drawing lit up most
NUMBER_CELL = 14  # a dense layer's numbers, NUMBER_COLUMNS a row
NUMBER_COLUMNS = 40
INK_WANTED = np.array((220, 50, 32), dtype=np.float64)
PAPER_WANTED = np.array((40, 96, 220), dtype=np.float64)
MAP_DARK = np.array((150, 20, 20), dtype=np.float64)
WHITE = np.array((255, 255, 255), dtype=np.float64)
FRAME = (180, 180, 180)


@dataclass(frozen=True)
class FilterTexts:
    """The words in the picture, in the chat's language (bot.texts)."""

    filters_title: str  # "Layer 1: 50 filters of 3 × 3 pixels"
    legend: str  # "red: looks for ink · blue: looks for empty paper"
    own: str  # above the chat's filters ("this chat's model")
    reference: str  # above the built-in model's ("built-in model"), when shown beside
    layers_title: str  # "Your drawing through the layers"
    drawing: str  # under the drawing
    layer: Sequence[str]  # one heading per hidden layer ("Layer 2 · 11 × 11 · 50 maps")


def filters_picture(
    texts: FilterTexts,
    filters: np.ndarray,
    *,
    reference: np.ndarray | None = None,
    image: np.ndarray | None = None,
    outputs: Sequence[np.ndarray] = (),
) -> bytes:
    """Draw the filters (beside ``reference`` if given) and ``image`` through ``outputs``.

    ``filters`` and ``reference`` are (n, rows, columns); with no filters (a dense network)
    the top part is left out. ``image`` is the model input (bright ink on black, [0, 1]),
    ``outputs`` the hidden layers' outputs for it: (h, w, channels) maps or flat vectors.
    """
    parts: list[Image.Image] = []
    if len(filters):
        parts.append(_filters_part(texts, filters, reference))
    if image is not None:
        parts.append(_layers_part(texts, image, outputs, filters))
    if not parts:
        raise ValueError("nothing to draw: no filters and no drawing")
    height = sum(part.height for part in parts) + MARGIN * (len(parts) + 1)
    picture = Image.new("RGB", (WIDTH, height), (255, 255, 255))
    top = MARGIN
    for part in parts:
        picture.paste(part, (MARGIN, top))
        top += part.height + MARGIN
    buffer = io.BytesIO()
    # zlib's default level, not optimize=True: 26 ms instead of 109 ms for 5% more bytes.
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def _filters_part(
    texts: FilterTexts, filters: np.ndarray, reference: np.ndarray | None
) -> Image.Image:
    grids = (
        [(texts.own, filters)]
        if reference is None
        else [(texts.reference, reference), (texts.own, filters)]
    )
    pictures = [(heading, _filter_grid(kernels)) for heading, kernels in grids]
    title, text = dejavu_sans(TITLE_SIZE), dejavu_sans(TEXT_SIZE)
    grid_height = max(grid.height for _, grid in pictures)
    height = TITLE_SIZE + 12 + TEXT_SIZE + 10 + grid_height + 14 + TEXT_SIZE + 8
    part = Image.new("RGB", (WIDTH - 2 * MARGIN, height), (255, 255, 255))
    draw = ImageDraw.Draw(part)
    draw.text((0, 0), texts.filters_title, fill=(0, 0, 0), font=title)
    column = (part.width - sum(grid.width for _, grid in pictures)) // (len(pictures) + 1)
    left = column
    top = TITLE_SIZE + 12
    for heading, grid in pictures:
        draw.text((left, top), heading, fill=(60, 60, 60), font=text)
        part.paste(grid, (left, top + TEXT_SIZE + 10))
        left += grid.width + column
    draw.text((0, height - TEXT_SIZE - 8), texts.legend, fill=(60, 60, 60), font=text)
    return part


def _filter_grid(kernels: np.ndarray) -> Image.Image:
    """Lay 3x3 (or any small) kernels out FILTER_COLUMNS a row, each scaled to its own peak."""
    count, rows, columns = kernels.shape
    used = min(FILTER_COLUMNS, count)
    lines = -(-count // used)
    cell_w, cell_h = columns * FILTER_CELL + FILTER_GAP, rows * FILTER_CELL + FILTER_GAP
    grid = Image.new(
        "RGB", (used * cell_w - FILTER_GAP, lines * cell_h - FILTER_GAP), (255, 255, 255)
    )
    draw = ImageDraw.Draw(grid)
    for index, kernel in enumerate(kernels):
        x, y = (index % used) * cell_w, (index // used) * cell_h
        grid.paste(_kernel_image(kernel), (x, y))
        draw.rectangle(
            (x, y, x + columns * FILTER_CELL - 1, y + rows * FILTER_CELL - 1), outline=FRAME
        )
    return grid


def _kernel_image(kernel: np.ndarray) -> Image.Image:
    peak = float(np.abs(kernel).max()) or 1.0
    weights = (kernel / peak)[..., np.newaxis]
    colour = np.where(weights > 0, INK_WANTED, PAPER_WANTED)
    pixels = WHITE + np.abs(weights) * (colour - WHITE)
    small = Image.fromarray(np.round(pixels).astype(np.uint8), "RGB")
    return small.resize(
        (kernel.shape[1] * FILTER_CELL, kernel.shape[0] * FILTER_CELL), Image.Resampling.NEAREST
    )


def _layers_part(
    texts: FilterTexts, image: np.ndarray, outputs: Sequence[np.ndarray], filters: np.ndarray
) -> Image.Image:
    title, text = dejavu_sans(TITLE_SIZE), dejavu_sans(TEXT_SIZE)
    # Under each first-layer map its filter: this pattern, found here.
    rows = [
        _layer_row(output, filters if number == 0 else None)
        for number, output in enumerate(outputs)
    ]
    drawing_side = MAP_SIDE + MAP_SIDE // 2
    heading = TEXT_SIZE + 8
    height = (
        TITLE_SIZE
        + 14
        + drawing_side
        + heading
        + MAP_GAP
        + sum(heading + row.height + MAP_GAP for row in rows)
    )
    part = Image.new("RGB", (WIDTH - 2 * MARGIN, height), (255, 255, 255))
    draw = ImageDraw.Draw(part)
    draw.text((0, 0), texts.layers_title, fill=(0, 0, 0), font=title)
    top = TITLE_SIZE + 14
    ink = np.clip(np.asarray(image, dtype=np.float64), 0.0, 1.0)
    paper = Image.fromarray(np.round(255.0 * (1.0 - ink)).astype(np.uint8), "L")
    part.paste(paper.resize((drawing_side, drawing_side), Image.Resampling.NEAREST), (0, top))
    draw.rectangle((0, top, drawing_side - 1, top + drawing_side - 1), outline=FRAME)
    draw.text((0, top + drawing_side + 4), texts.drawing, fill=(60, 60, 60), font=text)
    top += drawing_side + heading + MAP_GAP
    for label, row in zip(texts.layer, rows, strict=True):
        draw.text((0, top), label, fill=(60, 60, 60), font=text)
        part.paste(row, (0, top + heading))
        top += heading + row.height + MAP_GAP
    return part


def _layer_row(output: np.ndarray, filters: np.ndarray | None) -> Image.Image:
    """Draw one layer's output: its strongest feature maps, or a flat layer's numbers."""
    values = np.maximum(np.asarray(output, dtype=np.float64), 0.0)  # ReLU outputs; be safe
    if values.ndim == 3:
        fits = filters is not None and len(filters) == values.shape[2]
        return _strongest_maps(values, filters if fits else None)
    return _number_grid(values.reshape(-1))


def _strongest_maps(maps: np.ndarray, filters: np.ndarray | None) -> Image.Image:
    strength = maps.sum(axis=(0, 1))
    chosen = np.argsort(strength)[::-1][:MAPS_SHOWN]
    kernel_height = 0 if filters is None else filters.shape[1] * FILTER_CELL + FILTER_GAP
    width = len(chosen) * (MAP_SIDE + MAP_GAP) - MAP_GAP
    row = Image.new("RGB", (width, MAP_SIDE + kernel_height), (255, 255, 255))
    draw = ImageDraw.Draw(row)
    for position, channel in enumerate(chosen):
        x = position * (MAP_SIDE + MAP_GAP)
        heat = _heat(maps[:, :, channel]).resize((MAP_SIDE, MAP_SIDE), Image.Resampling.NEAREST)
        row.paste(heat, (x, 0))
        draw.rectangle((x, 0, x + MAP_SIDE - 1, MAP_SIDE - 1), outline=FRAME)
        if filters is not None:
            kernel = _kernel_image(filters[channel])
            left, top = x + (MAP_SIDE - kernel.width) // 2, MAP_SIDE + FILTER_GAP
            row.paste(kernel, (left, top))
            draw.rectangle(
                (left, top, left + kernel.width - 1, top + kernel.height - 1), outline=FRAME
            )
    return row


def _number_grid(numbers: np.ndarray) -> Image.Image:
    columns = min(NUMBER_COLUMNS, len(numbers))
    lines = -(-len(numbers) // columns)
    padded = np.zeros(lines * columns)
    padded[: len(numbers)] = numbers
    cells = _heat(padded.reshape(lines, columns))
    return cells.resize((columns * NUMBER_CELL, lines * NUMBER_CELL), Image.Resampling.NEAREST)


def _heat(values: np.ndarray) -> Image.Image:
    """White where a value is 0, dark red at the largest value."""
    peak = float(values.max()) or 1.0
    share = (values / peak)[..., np.newaxis]
    pixels = WHITE + share * (MAP_DARK - WHITE)
    return Image.fromarray(np.round(pixels).astype(np.uint8), "RGB")
