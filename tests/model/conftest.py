"""Shared helpers for the model tests: synthetic faces and checks on model inputs."""

import io

import numpy as np
import pytest
from PIL import Image

from model.synthetic import LABELS, Face, random_face

# Small canvases keep the suite fast; "paper" photos come out about twice this size.
CANVAS = 160
MAX_PIXELS = 4_000_000


def png_bytes(image: Image.Image, fmt: str = "PNG", **params: object) -> bytes:
    """Encode an image in memory."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def correlation(first: np.ndarray, second: np.ndarray) -> float:
    """Return the Pearson correlation of two arrays' pixels."""
    return float(np.corrcoef(first.ravel(), second.ravel())[0, 1])


def centre_of_mass(pixels: np.ndarray) -> tuple[float, float]:
    """Return the (row, column) centre of mass of a non-negative 2-D array."""
    rows, cols = np.indices(pixels.shape)
    total = float(pixels.sum())
    return float((rows * pixels).sum()) / total, float((cols * pixels).sum()) / total


def assert_centred_bright_ink_on_black(pixels: np.ndarray) -> None:
    """Check a model input: right shape and range, bright ink, dark border, centred by mass."""
    size = pixels.shape[0]
    assert pixels.shape == (size, size)
    assert pixels.dtype == np.float32
    assert float(pixels.min()) >= 0.0
    assert float(pixels.max()) == pytest.approx(1.0)
    # Polarity: the background (near 0) dominates and there is a good amount of bright ink.
    assert float((pixels < 0.1).mean()) > 0.5
    assert int((pixels > 0.5).sum()) >= 15
    frame = np.ones_like(pixels, dtype=bool)
    frame[2:-2, 2:-2] = False
    assert float(pixels[frame].mean()) < 0.05
    row, col = centre_of_mass(pixels)
    middle = (size - 1) / 2
    assert abs(row - middle) <= 2.0
    assert abs(col - middle) <= 2.0


@pytest.fixture(scope="session")
def faces() -> list[Face]:
    """Return eight fixed faces, two per label, in label order."""
    return [
        random_face(LABELS[index % len(LABELS)], np.random.default_rng([7, index]))
        for index in range(8)
    ]
