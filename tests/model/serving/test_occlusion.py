"""Occlusion sensitivity: hiding each patch in turn shows which strokes decided an answer."""

import io

import numpy as np
from PIL import Image

from model.serving.occlusion import PATCH, STRIDE, occluded, sensitivity
from model.serving.sheets import HEATMAP_SCALE, heatmap_picture

SIZE = 28


def two_strokes() -> np.ndarray:
    """A drawing of two blobs: one the 'model' below looks at, one it ignores."""
    image = np.zeros((SIZE, SIZE), dtype=np.float32)
    image[4:9, 4:9] = 1.0  # top left: what decides
    image[20:25, 18:23] = 1.0  # bottom right: what does not
    return image


def looks_at_top_left(batch: np.ndarray) -> np.ndarray:
    """A fake model: label 0's probability is the ink left in the top-left corner."""
    ink = batch[:, :12, :12].mean(axis=(1, 2)) / (25 / 144)
    return np.stack([ink, 1.0 - ink], axis=1)


def test_each_copy_hides_one_patch() -> None:
    image = np.ones((SIZE, SIZE), dtype=np.float32)
    batch = occluded(image)
    per_side = len(range(0, SIZE - PATCH + 1, STRIDE)) + 1  # and one flush with the border
    assert batch.shape == (per_side**2, SIZE, SIZE)
    assert np.all((batch == 0.0).sum(axis=(1, 2)) == PATCH * PATCH)
    assert np.all(batch[0, :PATCH, :PATCH] == 0.0) and batch[0, PATCH, PATCH] == 1.0
    assert np.all(batch[-1, -PATCH:, -PATCH:] == 0.0)
    assert np.all(image == 1.0)  # the original is untouched


def test_the_strokes_the_answer_depends_on_are_the_hot_ones() -> None:
    heat = sensitivity(looks_at_top_left, two_strokes(), label=0)
    assert heat.shape == (SIZE, SIZE) and heat.max() == 1.0
    assert heat[6, 6] > 0.5  # the decisive blob
    assert heat[22, 20] == 0.0  # the ignored one: hiding it changed nothing
    # A patch hides at most PATCH - 1 rows beyond the blob's last (row 8).
    assert heat[8 + PATCH :, :].max() == 0.0


def test_nothing_is_hot_when_nothing_matters() -> None:
    def indifferent(batch: np.ndarray) -> np.ndarray:
        return np.tile([0.7, 0.3], (len(batch), 1))

    assert not sensitivity(indifferent, two_strokes(), label=0).any()
    # For the other label hiding the blob helps, which is no evidence for it either.
    assert sensitivity(looks_at_top_left, two_strokes(), label=1).max() == 0.0


def test_the_picture_shows_the_drawing_dark_on_white_with_the_hot_strokes_red() -> None:
    image = two_strokes()
    heat = sensitivity(looks_at_top_left, image, label=0)
    png = heatmap_picture(image, heat, ["smile 92%", "sad 8%"])
    picture = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    assert picture.shape[1] > SIZE * HEATMAP_SCALE
    offset = (picture.shape[1] - SIZE * HEATMAP_SCALE) // 2

    def pixel(row: int, column: int) -> np.ndarray:
        middle = HEATMAP_SCALE // 2
        return picture[
            offset + row * HEATMAP_SCALE + middle, offset + column * HEATMAP_SCALE + middle
        ]

    red, green, blue = pixel(6, 6)
    assert red > 100 and green < 40 and blue < 40  # decisive ink: red
    assert tuple(pixel(22, 20)) == (0, 0, 0)  # other ink: black, as drawn
    assert tuple(pixel(14, 26)) == (255, 255, 255)  # paper: white
