"""Properties of ``prepare_sample``, the whole path from uploaded bytes to the model input.

tests/model/serving/test_decode.py fuzzes decoding alone and test_preprocess.py fuzzes
``preprocess`` on Pillow images; here random bytes and random small images go through the
path the bot runs: the result is a valid 28x28 input or an ``ImageRejected``, nothing else.
"""

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from model.serving import (
    INPUT_SIZE,
    NO_DRAWING,
    PREPROCESS_VERSION,
    SOURCE_MAX_SIDE,
    RejectReason,
)
from model.serving.decode import MAX_ASPECT_RATIO, MIN_SIDE
from model.serving.preprocess import ImageRejected, PreparedSample, prepare_sample, preprocess
from model.synthetic import draw_smiley
from tests.model.conftest import MAX_PIXELS, png_bytes

PROPERTY = settings(max_examples=100, deadline=None)

# File signatures, so that random bodies also reach the parsers of each format.
SIGNATURES = [
    b"",
    b"\x89PNG\r\n\x1a\n",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR",
    b"\xff\xd8\xff",
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    b"RIFF\x00\x10\x00\x00WEBPVP8 ",
    b"RIFF\x00\x10\x00\x00WEBPVP8L",
    b"\x00\x00\x00\x18ftypheic",
    b"GIF89a",
    b"BM",
    b"II*\x00",
]
# (format, mode) pairs Pillow can write, as users' apps produce them.
ENCODINGS = [
    ("PNG", "L"),
    ("PNG", "LA"),
    ("PNG", "RGB"),
    ("PNG", "RGBA"),
    ("PNG", "P"),
    ("PNG", "1"),
    ("PNG", "I;16"),
    ("JPEG", "L"),
    ("JPEG", "RGB"),
    ("JPEG", "CMYK"),
    ("WEBP", "RGB"),
    ("WEBP", "RGBA"),
]
shapes = st.one_of(
    st.tuples(st.integers(MIN_SIDE, 96), st.integers(MIN_SIDE, 96)),
    st.tuples(st.integers(1, 96), st.integers(1, MIN_SIDE - 1)),  # too small
    # strips around the limits: too small, or too narrow for their length
    st.tuples(st.integers(330, 400), st.integers(MIN_SIDE - 4, MIN_SIDE + 3)),
)


def assert_valid(prepared: PreparedSample) -> None:
    """Check a prepared sample: a 28x28 input with ink, rebuilt exactly from the stored copy."""
    assert prepared.input_size == INPUT_SIZE
    assert prepared.preprocess_version == PREPROCESS_VERSION
    assert len(prepared.model_input) == INPUT_SIZE * INPUT_SIZE
    assert max(prepared.model_input) > 0  # a drawing was found, so some pixel shows it
    with Image.open(io.BytesIO(prepared.source_png)) as source:
        assert source.format == "PNG"
        assert source.mode == "L"
        assert max(source.size) <= SOURCE_MAX_SIDE
        rebuilt = preprocess(source)
    assert np.round(rebuilt * 255).astype(np.uint8).tobytes() == prepared.model_input


def random_image(mode: str, size: tuple[int, int], kind: str, seed: int) -> Image.Image:
    """Return an image of ``mode``: noise, a flat colour, random ellipses or a smiley."""
    rng = np.random.default_rng(seed)
    width, height = size
    if kind == "smiley":
        square = draw_smiley("smile", rng, "digital", max(16, min(size)))
        base = square.resize(size).convert("RGBA")
    elif kind == "noise":
        base = Image.fromarray(rng.integers(0, 256, (height, width, 4), dtype=np.uint8))
    else:
        base = Image.new("RGBA", size, tuple(int(v) for v in rng.integers(0, 256, 4)))
        draw = ImageDraw.Draw(base)
        for _ in range(int(rng.integers(0, 6)) if kind == "shapes" else 0):
            x0, x1 = sorted(int(v) for v in rng.integers(0, width, 2))
            y0, y1 = sorted(int(v) for v in rng.integers(0, height, 2))
            fill = tuple(int(v) for v in rng.integers(0, 256, 4))
            draw.ellipse((x0, y0, x1, y1), outline=fill, width=int(rng.integers(1, 4)))
    if mode == "I;16":
        return Image.fromarray(np.asarray(base.convert("L"), dtype=np.uint16) * 257)
    return base.convert(mode)


@PROPERTY
# Pillow warns about the EXIF of random TIFF headers before the format is refused.
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
@given(prefix=st.sampled_from(SIGNATURES), body=st.binary(max_size=3000))
def test_random_bytes_are_rejected_or_prepared(prefix: bytes, body: bytes) -> None:
    try:
        prepared = prepare_sample(prefix + body, max_pixels=MAX_PIXELS)
    except ImageRejected as rejected:
        assert isinstance(rejected.reason, RejectReason)
        return
    assert_valid(prepared)


@PROPERTY
@given(
    encoding=st.sampled_from(ENCODINGS),
    size=shapes,
    kind=st.sampled_from(["smiley", "noise", "flat", "shapes"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_a_random_small_image_is_prepared_or_refused_for_its_shape_or_blankness(
    encoding: tuple[str, str], size: tuple[int, int], kind: str, seed: int
) -> None:
    fmt, mode = encoding
    data = png_bytes(random_image(mode, size, kind, seed), fmt)
    width, height = size
    if min(size) < MIN_SIDE:
        expected = {RejectReason.TOO_SMALL}
    elif max(size) > MAX_ASPECT_RATIO * min(size):
        expected = {RejectReason.EXTREME_ASPECT}
    else:
        expected = set(NO_DRAWING)  # a valid file of a fine shape is never "corrupt"
    try:
        prepared = prepare_sample(data, max_pixels=MAX_PIXELS)
    except ImageRejected as rejected:
        assert rejected.reason in expected, (rejected, width, height)
        if rejected.reason not in NO_DRAWING:
            assert rejected.detail == f"{width}x{height}"
        return
    assert expected == NO_DRAWING
    assert_valid(prepared)


_SMILEY_FILES = [
    png_bytes(draw_smiley("sad", np.random.default_rng(5), "digital", 64), fmt)
    for fmt in ("PNG", "JPEG", "WEBP")
]


@settings(max_examples=60, deadline=None)
@given(
    which=st.integers(0, len(_SMILEY_FILES) - 1),
    cut=st.floats(0.0, 1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=8),
)
def test_a_damaged_smiley_file_is_rejected_or_prepared(
    which: int, cut: float, flips: list[tuple[float, int]]
) -> None:
    data = bytearray(_SMILEY_FILES[which])
    for position, value in flips:
        data[int(position * (len(data) - 1))] = value
    if cut < 0.95:
        data = data[: int(cut * len(data))]
    try:
        prepared = prepare_sample(bytes(data), max_pixels=MAX_PIXELS)
    except ImageRejected:
        return
    assert_valid(prepared)
