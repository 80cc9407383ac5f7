"""The /filters picture: filters in red and blue, feature maps in dark red, sizes that fit."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from model.serving.layer_pictures import (
    INK_WANTED,
    MAP_DARK,
    PAPER_WANTED,
    WIDTH,
    FilterTexts,
    filters_picture,
)

TEXTS = FilterTexts("Layer 1", "legend", "own", "built-in", "layers", "drawing", ["1", "2"])


def share(png: bytes, colour: np.ndarray) -> float:
    picture = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return float((np.abs(picture - colour.astype(int)).max(axis=2) < 4).mean())


def test_a_filter_shows_wanted_ink_in_red_and_wanted_paper_in_blue() -> None:
    inked = np.full((1, 3, 3), 0.5, np.float32)
    papered = -inked
    assert share(filters_picture(TEXTS, inked), INK_WANTED) > 0.0
    assert share(filters_picture(TEXTS, inked), PAPER_WANTED) == 0.0
    assert share(filters_picture(TEXTS, papered), PAPER_WANTED) > 0.0


def test_the_reference_filters_stand_beside_the_own() -> None:
    rng = np.random.default_rng(0)
    own = rng.normal(size=(50, 3, 3)).astype(np.float32)
    alone = filters_picture(TEXTS, own)
    beside = filters_picture(TEXTS, own, reference=-own)
    assert Image.open(io.BytesIO(beside)).size == Image.open(io.BytesIO(alone)).size
    # Twice the filters drawn: about twice the coloured pixels.
    coloured = share(beside, INK_WANTED) + share(beside, PAPER_WANTED)
    assert coloured > 1.8 * (share(alone, INK_WANTED) + share(alone, PAPER_WANTED))


def test_a_drawing_goes_through_maps_and_flat_layers() -> None:
    image = np.zeros((28, 28), np.float32)
    image[8:20, 8:20] = 1.0
    maps = np.zeros((26, 26, 4), np.float32)
    maps[5:10, 5:10, 2] = 3.0
    flat = np.arange(200, dtype=np.float32)
    png = filters_picture(TEXTS, np.ones((4, 3, 3)), image=image, outputs=[maps, flat])
    picture = Image.open(io.BytesIO(png))
    assert picture.width == WIDTH
    assert share(png, MAP_DARK) > 0.0
    # A dense network: no filters, only the drawing and its numbers.
    dense = filters_picture(TEXTS, np.zeros((0,)), image=image, outputs=[flat, flat])
    assert share(dense, INK_WANTED) == 0.0 and share(dense, MAP_DARK) > 0.0


def test_nothing_to_draw_is_refused() -> None:
    with pytest.raises(ValueError, match="nothing to draw"):
        filters_picture(TEXTS, np.zeros((0,)))
