"""Decoding uploads: every kind of bad file maps to its reason, odd but valid ones decode."""

import io
import time

import numpy as np
import pillow_heif
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from model.serving.decode import MAX_ASPECT_RATIO, MIN_SIDE, normalize_mode
from model.serving.preprocess import ImageRejected, RejectReason, decode_image, preprocess
from model.synthetic import draw_smiley
from tests.model.conftest import MAX_PIXELS, correlation, grey_png, png_bomb, png_bytes


def _smiley(size: int = 128) -> Image.Image:
    """Return a fixed upright smiley drawing, RGB."""
    return draw_smiley("smile", np.random.default_rng(1), "digital", size)


def _rejection(data: bytes, max_pixels: int = MAX_PIXELS) -> ImageRejected:
    """Decode bytes that must be rejected and return the rejection."""
    with pytest.raises(ImageRejected) as rejected:
        decode_image(data, max_pixels=max_pixels)
    return rejected.value


def test_empty_upload() -> None:
    assert _rejection(b"").reason is RejectReason.EMPTY


@pytest.mark.parametrize(
    "data",
    [
        bytes(np.random.default_rng(3).integers(0, 256, 5000, dtype=np.uint8)),
        b"Hello, this is a text file someone named smiley.png\n" * 20,
        b"%PDF-1.4\n" + b"0" * 500,
    ],
    ids=["random-bytes", "text-named-png", "pdf"],
)
def test_not_an_image(data: bytes) -> None:
    assert _rejection(data).reason is RejectReason.NOT_AN_IMAGE


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_truncated_files_are_corrupt(fmt: str) -> None:
    complete = png_bytes(_smiley(), fmt)
    for fraction in (0.3, 0.6, 0.9):
        rejection = _rejection(complete[: int(len(complete) * fraction)])
        assert rejection.reason is RejectReason.CORRUPT, (fraction, rejection)


def test_a_png_with_damaged_pixel_data_is_corrupt() -> None:
    data = bytearray(png_bytes(_smiley()))
    start = data.index(b"IDAT") + 4
    data[start + 10 : start + 60] = bytes(50)  # garbage in the deflate stream, CRC now wrong
    assert _rejection(bytes(data)).reason is RejectReason.CORRUPT


def test_a_png_bomb_is_refused_cheaply() -> None:
    bomb = png_bomb()
    assert len(bomb) < 1_000_000
    start = time.perf_counter()
    rejection = _rejection(bomb)
    assert time.perf_counter() - start < 0.5
    assert rejection.reason is RejectReason.TOO_MANY_PIXELS


def test_the_pixel_limit_is_checked_from_the_header() -> None:
    # The IDAT is junk: a refusal proves that no pixel was decoded.
    header_only = grey_png(5000, 5000, b"not deflate data")
    rejection = _rejection(header_only, max_pixels=20_000_000)
    assert rejection.reason is RejectReason.TOO_MANY_PIXELS
    assert rejection.detail == "5000x5000"
    allowed = png_bytes(Image.new("L", (300, 200), 255))
    assert decode_image(allowed, max_pixels=300 * 200).size == (300, 200)
    assert _rejection(allowed, max_pixels=300 * 200 - 1).reason is RejectReason.TOO_MANY_PIXELS


@pytest.mark.parametrize(
    ("size", "reason"),
    [
        ((1, 1), RejectReason.TOO_SMALL),
        ((5000, 3), RejectReason.TOO_SMALL),
        ((MIN_SIDE - 1, 200), RejectReason.TOO_SMALL),
        ((int(MAX_ASPECT_RATIO * 20) + 1, 20), RejectReason.EXTREME_ASPECT),
        ((30, 30 * int(MAX_ASPECT_RATIO) + 40), RejectReason.EXTREME_ASPECT),
    ],
)
def test_tiny_and_extreme_shapes(size: tuple[int, int], reason: RejectReason) -> None:
    assert _rejection(png_bytes(Image.new("L", size, 255))).reason is reason


def test_the_smallest_accepted_shapes_decode() -> None:
    assert decode_image(png_bytes(Image.new("L", (MIN_SIDE, MIN_SIDE))), max_pixels=MAX_PIXELS)
    long = (int(MAX_ASPECT_RATIO * 20), 20)
    assert decode_image(png_bytes(Image.new("L", long)), max_pixels=MAX_PIXELS).size == long


def _frames(count: int) -> list[Image.Image]:
    """Return distinct frames for an animation."""
    return [Image.new("RGB", (64, 64), (40 * index, 100, 200)) for index in range(count)]


@pytest.mark.parametrize("fmt", ["WEBP", "PNG"])
def test_animations_are_refused(fmt: str) -> None:
    first, *rest = _frames(3)
    data = png_bytes(first, fmt, save_all=True, append_images=rest, duration=100, loop=0)
    rejection = _rejection(data)
    assert rejection.reason is RejectReason.ANIMATED
    assert rejection.detail == "3 frames"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_formats_are_unsupported(fmt: str) -> None:
    rejection = _rejection(png_bytes(_smiley(), fmt))
    assert rejection.reason is RejectReason.UNSUPPORTED_FORMAT
    assert rejection.detail == fmt


def test_an_animated_gif_is_unsupported_rather_than_animated() -> None:
    first, *rest = _frames(2)
    data = png_bytes(first, "GIF", save_all=True, append_images=rest)
    assert _rejection(data).detail == "GIF"


def test_cmyk_jpeg_decodes_to_the_same_drawing() -> None:
    drawing = _smiley()
    data = png_bytes(drawing.convert("CMYK"), "JPEG", quality=95)
    decoded = decode_image(data, max_pixels=MAX_PIXELS)
    assert decoded.mode == "RGB"
    assert correlation(preprocess(decoded), preprocess(drawing)) > 0.95


def test_16_bit_png_is_scaled_not_clipped() -> None:
    ramp = (np.arange(64, dtype=np.uint32)[None, :].repeat(32, axis=0) * 1040).astype(np.uint16)
    data = png_bytes(Image.fromarray(ramp))
    decoded = decode_image(data, max_pixels=MAX_PIXELS)
    assert decoded.mode == "L"
    grey = np.asarray(decoded)
    assert int(grey[0, 0]) == 0
    assert int(grey[0, 32]) == round(32 * 1040 / 257)
    assert int(grey[0, 63]) == round(63 * 1040 / 257)


def test_16_bit_drawing_preprocesses_like_the_8_bit_one() -> None:
    drawing = _smiley().convert("L")
    wide = Image.fromarray(np.asarray(drawing, dtype=np.uint16) * 257)
    decoded = decode_image(png_bytes(wide), max_pixels=MAX_PIXELS)
    assert np.array_equal(np.asarray(decoded), np.asarray(drawing))


def test_palette_png_with_transparency_keeps_it() -> None:
    image = Image.new("P", (64, 64), 0)
    image.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    for x in range(10, 54):
        image.putpixel((x, 32), 1)
        image.putpixel((32, x), 1)
    data = png_bytes(image, transparency=0)
    decoded = decode_image(data, max_pixels=MAX_PIXELS)
    assert decoded.mode == "RGBA"
    alpha = np.asarray(decoded)[..., 3]
    assert int(alpha[0, 0]) == 0
    assert int(alpha[32, 32]) == 255
    assert preprocess(decoded).max() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("mode", "expected"), [("LA", "RGBA"), ("1", "L"), ("RGBA", "RGBA"), ("L", "L")]
)
def test_other_png_modes_decode(mode: str, expected: str) -> None:
    decoded = decode_image(png_bytes(_smiley().convert(mode)), max_pixels=MAX_PIXELS)
    assert decoded.mode == expected
    assert decoded.size == (128, 128)


@pytest.mark.parametrize(
    ("orientation", "stored"),
    [
        (6, Image.Transpose.ROTATE_90),
        (3, Image.Transpose.ROTATE_180),
        (8, Image.Transpose.ROTATE_270),
    ],
)
def test_exif_orientation_is_honoured(orientation: int, stored: Image.Transpose) -> None:
    upright = _smiley()
    # A mark in one corner, so that every turn shows (a smiley may look alike upside down).
    ImageDraw.Draw(upright).rectangle((0, 0, 24, 24), fill="black")
    # A camera stores the sensor's pixels as they are and tags how to turn them upright.
    sideways = upright.transpose(stored)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = png_bytes(sideways, "JPEG", quality=95, exif=exif.tobytes())
    decoded = decode_image(data, max_pixels=MAX_PIXELS)
    assert decoded.size == upright.size
    assert (
        np.abs(np.asarray(decoded, dtype=np.int16) - np.asarray(upright, dtype=np.int16)).mean() < 3
    )
    as_stored = np.asarray(sideways, dtype=np.int16)
    assert np.abs(np.asarray(decoded, dtype=np.int16) - as_stored).mean() > 10


def test_heic_round_trip() -> None:
    pillow_heif.register_heif_opener()
    drawing = _smiley()
    # The pinned pillow-heif wheel encodes HEIC too, so this never needs to skip.
    data = png_bytes(drawing, "HEIF", quality=90)
    decoded = decode_image(data, max_pixels=MAX_PIXELS)
    assert decoded.mode == "RGB"
    assert decoded.size == drawing.size
    assert correlation(preprocess(decoded), preprocess(drawing)) > 0.95


def test_a_truncated_heic_is_corrupt() -> None:
    pillow_heif.register_heif_opener()
    data = png_bytes(_smiley(), "HEIF", quality=90)
    assert _rejection(data[: len(data) // 2]).reason is RejectReason.CORRUPT


def test_a_phone_jpeg_with_a_second_picture_reads_the_first() -> None:
    main, preview = _smiley(), _smiley().resize((64, 64))
    data = png_bytes(main, "MPO", save_all=True, append_images=[preview])
    with Image.open(io.BytesIO(data)) as opened:
        assert opened.format == "MPO"
    decoded = decode_image(data, max_pixels=MAX_PIXELS)
    assert decoded.size == main.size


def test_normalize_mode_scales_float_images() -> None:
    unit = Image.fromarray(np.full((20, 20), 0.5, dtype=np.float32))
    assert int(np.asarray(normalize_mode(unit))[0, 0]) == 128
    with_nan = np.full((20, 20), 200.0, dtype=np.float32)
    with_nan[0, 0] = np.nan
    grey = np.asarray(normalize_mode(Image.fromarray(with_nan)))
    assert (int(grey[0, 0]), int(grey[5, 5])) == (0, 200)


def test_rejections_carry_reason_and_detail() -> None:
    rejection = ImageRejected("unsupported_format", "GIF")
    assert rejection.reason is RejectReason.UNSUPPORTED_FORMAT
    assert str(rejection) == "unsupported_format: GIF"
    assert isinstance(rejection, ValueError)
    assert str(ImageRejected(RejectReason.BLANK)) == "blank"
    with pytest.raises(ValueError):
        ImageRejected("not-a-reason")


_VALID_FILES = [png_bytes(_smiley(64), fmt) for fmt in ("PNG", "JPEG", "WEBP")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.integers(0, len(_VALID_FILES) - 1),
    cut=st.floats(0.0, 1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=8),
)
def test_damaged_files_decode_or_are_rejected_never_crash(
    which: int, cut: float, flips: list[tuple[float, int]]
) -> None:
    data = bytearray(_VALID_FILES[which])
    for position, value in flips:
        data[int(position * (len(data) - 1))] = value
    data = data[: max(0, int(cut * len(data)))] if cut < 0.95 else data
    try:
        image = decode_image(bytes(data), max_pixels=MAX_PIXELS)
    except ImageRejected:
        return
    assert image.mode in ("L", "RGB", "RGBA")
