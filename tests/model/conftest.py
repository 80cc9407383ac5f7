"""Shared helpers for the model tests: synthetic faces and inputs, checks, a trained model."""

import functools
import io
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np
import pytest
from PIL import Image

from model.learning.export import export_model
from model.learning.fitting import ModelFitter
from model.learning.network import build_model
from model.serving.preprocess import ImageRejected, input_array, prepare_sample
from model.synthetic import LABELS, STYLES, Face, random_face, smiley_bytes

# Small canvases keep the suite fast; "paper" photos come out about twice this size.
CANVAS = 160
MAX_PIXELS = 4_000_000
BOMB_SIDE = 30_000


def png_bytes(image: Image.Image, fmt: str = "PNG", **params: object) -> bytes:
    """Encode an image in memory."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """Return one PNG chunk with its length and CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def grey_png(width: int, height: int, idat: bytes) -> bytes:
    """Return a 1-bit greyscale PNG of any declared size around any compressed pixel data."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


@functools.cache
def png_bomb() -> bytes:
    """Return a real 30000x30000 PNG of about 100 KB that inflates to 112 MB (900 Mpx)."""
    rows = (b"\x00" * (1 + (BOMB_SIDE + 7) // 8)) * 1000
    deflate = zlib.compressobj(9)
    stream = b"".join(deflate.compress(rows) for _ in range(BOMB_SIDE // 1000))
    return grey_png(BOMB_SIDE, BOMB_SIDE, stream + deflate.flush())


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
    assert int((pixels > 0.5).sum()) >= 15 * (size / 28) ** 2  # 15 px at 28: scaled by area
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


def synthetic_inputs(
    per_label: int, seed: int, labels: Sequence[str] = LABELS
) -> tuple[np.ndarray, np.ndarray]:
    """Return model inputs of synthetic smileys through the real pipeline, styles taking turns."""
    inputs, targets = [], []
    for index in range(per_label):
        for target, label in enumerate(labels):
            for attempt in range(10):  # a rare faint drawing is rejected as blank: draw another
                rng = np.random.default_rng([seed, target, index, attempt])
                style = STYLES[(index + target) % len(STYLES)]
                data = smiley_bytes(label, rng, style, "PNG", CANVAS)
                try:
                    inputs.append(
                        input_array(prepare_sample(data, max_pixels=MAX_PIXELS).model_input)
                    )
                except ImageRejected:
                    continue
                targets.append(target)
                break
    return np.stack(inputs), np.array(targets, dtype=np.int64)


@pytest.fixture(scope="session")
def small_data() -> tuple[np.ndarray, np.ndarray]:
    """Return 6 synthetic samples per label (24 in all)."""
    return synthetic_inputs(6, seed=11)


@pytest.fixture(scope="session")
def images() -> tuple[np.ndarray, np.ndarray]:
    """Return 16 synthetic model inputs (4 a label, every style) and their labels."""
    return synthetic_inputs(4, seed=31)


@pytest.fixture(scope="session")
def trained(images: tuple[np.ndarray, np.ndarray]) -> keras.Model:
    """Return a CNN trained for a few epochs: far from random, so agreement means something.

    Trained once per session and shared: every test that only needs *a* trained model.
    """
    keras.utils.set_random_seed(0)
    trainer = ModelFitter(build_model("cnn", len(LABELS)), batch_size=8)
    trainer.fit(*images, 3, np.random.default_rng(0))
    return trainer.model


@pytest.fixture(scope="session")
def exported(trained: keras.Model, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Export the trained model once; return its prefix."""
    prefix = tmp_path_factory.mktemp("export") / "chat.v1"  # a dot in the name must survive
    export_model(trained, LABELS, prefix)
    return prefix
