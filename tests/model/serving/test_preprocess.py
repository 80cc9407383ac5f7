"""Preprocessing: every rendering of a smiley comes out centred, bright ink on black, and alike."""

import io
from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageOps

from model.serving.preprocess import (
    INPUT_SIZE,
    NO_DRAWING,
    PREPROCESS_VERSION,
    SOURCE_MAX_SIDE,
    ImageRejected,
    RejectReason,
    input_array,
    prepare_sample,
    preprocess,
    source_copy,
)
from model.synthetic import LABELS, STYLES, Face, render_face, smiley_bytes
from tests.model.conftest import (
    CANVAS,
    MAX_PIXELS,
    assert_centred_bright_ink_on_black,
    correlation,
    png_bytes,
)


def _render(face: Face, style: str, salt: int = 0) -> Image.Image:
    """Render a face in a style with a fixed, style-specific random stream."""
    return render_face(face, np.random.default_rng([11, STYLES.index(style), salt]), style, CANVAS)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
@pytest.mark.parametrize("style", STYLES)
def test_every_style_and_encoding_comes_out_centred_bright_ink_on_black(
    style: str, fmt: str
) -> None:
    for index in range(3):
        rng = np.random.default_rng([3, STYLES.index(style), index])
        data = smiley_bytes(LABELS[index], rng, style, fmt, CANVAS)
        sample = prepare_sample(data, max_pixels=MAX_PIXELS)
        assert_centred_bright_ink_on_black(input_array(sample.model_input))


@pytest.mark.parametrize("style", ["paper", "dark", "transparent"])
def test_the_same_face_gives_a_similar_input_in_every_style(style: str, faces: list[Face]) -> None:
    digital = [preprocess(_render(face, "digital")) for face in faces]
    rendered = [preprocess(_render(face, style)) for face in faces]
    same = [correlation(mine, reference) for mine, reference in zip(rendered, digital, strict=True)]
    other_label = [
        correlation(rendered[i], digital[j])
        for i in range(len(faces))
        for j in range(len(faces))
        if faces[i].label != faces[j].label
    ]
    # A flipped polarity gives negative correlations, a centring error a few px off
    # roughly halves them; a different smiley scores far lower than the same one.
    # A face of eyes and mouth only is cropped to them, where the pens' widths differ most.
    assert min(same) > 0.45
    assert float(np.mean(same)) > 0.75
    assert float(np.mean(same)) > float(np.mean(other_label)) + 0.3


def test_light_strokes_on_dark_match_the_same_drawing_dark_on_light(faces: list[Face]) -> None:
    for face in faces[:4]:
        drawing = _render(face, "digital")
        negative = ImageOps.invert(drawing)
        assert correlation(preprocess(negative), preprocess(drawing)) > 0.95


def test_dark_and_light_strokes_on_transparency_both_survive(faces: list[Face]) -> None:
    darkness = 255 - np.asarray(_render(faces[0], "digital").convert("L"), dtype=np.float64)
    coverage = np.round(255 * darkness / darkness.max()).astype(np.uint8)
    inputs = []
    for colour in ((0, 0, 0), (255, 255, 255), (255, 230, 0)):
        rgba = np.zeros((*coverage.shape, 4), dtype=np.uint8)
        rgba[..., :3] = colour
        rgba[..., 3] = coverage
        transparent = Image.fromarray(rgba)
        copy = np.asarray(source_copy(transparent))
        corner, stroke = int(copy[0, 0]), int(copy[coverage == 255].mean())
        assert abs(corner - stroke) > 150, f"strokes of {colour} lost against the background"
        inputs.append(preprocess(transparent))
    for first, second in pairwise(inputs):
        assert correlation(first, second) > 0.95


def test_a_photo_of_an_empty_sheet_is_refused_as_empty(faces: list[Face]) -> None:
    # Neither the table, nor the sheet's edge, nor its shadow may pass for a drawing.
    for index, face in enumerate(faces):
        empty = replace(face, strokes=())
        with pytest.raises(ImageRejected) as rejected:
            preprocess(_render(empty, "paper", salt=index))
        assert rejected.value.reason in {RejectReason.BLANK, RejectReason.PAPER_ONLY}


def test_a_drawing_too_light_to_read_is_refused_as_faint_and_a_white_one_as_blank(
    faces: list[Face],
) -> None:
    white = Image.new("L", (CANVAS, CANVAS), 255)
    with pytest.raises(ImageRejected) as rejected:
        preprocess(white)
    assert rejected.value.reason is RejectReason.BLANK
    drawing = np.asarray(_render(faces[0], "digital").convert("L"), dtype=np.float32)
    # The same strokes at a tenth of their darkness: a pencil pressed too lightly.
    light = 255 - (255 - drawing) * 0.04
    with pytest.raises(ImageRejected) as rejected:
        preprocess(Image.fromarray(np.round(light).astype(np.uint8)))
    assert rejected.value.reason is RejectReason.FAINT


@pytest.mark.parametrize(
    "image",
    [
        Image.new("L", (64, 64), 255),
        Image.new("L", (64, 64), 0),
        Image.new("RGB", (300, 200), (120, 130, 140)),
        Image.new("RGBA", (64, 64), (0, 0, 0, 0)),
        Image.linear_gradient("L").resize((200, 120)),
    ],
    ids=["white", "black", "grey", "transparent", "gradient"],
)
def test_an_image_without_a_drawing_is_refused_as_empty(image: Image.Image) -> None:
    with pytest.raises(ImageRejected) as rejected:
        preprocess(image)
    assert rejected.value.reason in {RejectReason.BLANK, RejectReason.PAPER_ONLY}


def test_noise_on_paper_is_refused_as_empty() -> None:
    rng = np.random.default_rng(5)
    light = np.linspace(150, 235, 240)[None, :] * np.ones((180, 1))
    noisy = np.clip(light + rng.normal(0, 4, light.shape), 0, 255).astype(np.uint8)
    with pytest.raises(ImageRejected) as rejected:
        preprocess(Image.fromarray(noisy))
    # Uneven light makes it look like a photo of a sheet: "paper, nothing on it".
    assert rejected.value.reason in {RejectReason.BLANK, RejectReason.PAPER_ONLY}


@pytest.mark.parametrize("style", STYLES)
def test_preprocessing_the_source_copy_gives_exactly_the_same_input(
    style: str, faces: list[Face]
) -> None:
    image = _render(faces[STYLES.index(style)], style)
    copy = source_copy(image)
    assert copy.mode == "L"
    assert max(copy.size) <= SOURCE_MAX_SIDE
    assert np.array_equal(np.asarray(source_copy(copy)), np.asarray(copy))
    assert np.array_equal(preprocess(copy), preprocess(image))


def test_source_copy_shrinks_big_images_and_never_enlarges_small_ones() -> None:
    big = Image.new("RGB", (1000, 400), "white")
    assert source_copy(big).size == (SOURCE_MAX_SIDE, round(400 * SOURCE_MAX_SIDE / 1000))
    small = Image.new("RGB", (100, 60), "white")
    assert source_copy(small).size == (100, 60)


def test_source_copy_keeps_coloured_ink_visible_on_white() -> None:
    image = Image.new("RGB", (100, 100), "white")
    ImageDraw.Draw(image).line([(10, 50), (90, 50)], fill=(255, 255, 0), width=6)
    copy = np.asarray(source_copy(image))
    # Plain luminance would put yellow at 226 against 255; folding in colour keeps it visible.
    assert int(copy[50, 50]) < 140
    assert int(copy[10, 10]) == 255


def test_prepare_sample_stores_what_rebuilds_the_same_input(faces: list[Face]) -> None:
    data = png_bytes(_render(faces[1], "paper"), "JPEG", quality=85)
    sample = prepare_sample(data, max_pixels=MAX_PIXELS)
    assert sample.input_size == INPUT_SIZE
    assert sample.preprocess_version == PREPROCESS_VERSION
    assert len(sample.model_input) == INPUT_SIZE * INPUT_SIZE
    with Image.open(io.BytesIO(sample.source_png)) as stored:
        assert stored.format == "PNG"
        assert stored.mode == "L"
        rebuilt = preprocess(stored)
    assert np.round(rebuilt * 255).astype(np.uint8).tobytes() == sample.model_input
    assert np.abs(input_array(sample.model_input) - rebuilt).max() <= 0.5 / 255 + 1e-6


@pytest.mark.parametrize(("style", "photographed"), [("paper", True), ("digital", False)])
def test_prepare_sample_tells_a_photo_of_paper_from_a_screen_drawing(
    style: str, photographed: bool, faces: list[Face]
) -> None:
    fmt = "JPEG" if style == "paper" else "PNG"
    for face in faces[:3]:
        sample = prepare_sample(png_bytes(_render(face, style), fmt), max_pixels=MAX_PIXELS)
        assert sample.photographed is photographed
        # The stored copy says the same: re-preparing it later fills in the same flag.
        again = prepare_sample(sample.source_png, max_pixels=MAX_PIXELS)
        assert again.photographed is photographed
        assert again.model_input == sample.model_input


def test_input_array_reads_the_stored_bytes_back() -> None:
    pixels = np.arange(INPUT_SIZE * INPUT_SIZE, dtype=np.uint32) % 256
    restored = input_array(pixels.astype(np.uint8).tobytes())
    assert restored.shape == (INPUT_SIZE, INPUT_SIZE)
    assert restored.dtype == np.float32
    assert restored[0, 1] == pytest.approx(1 / 255)
    assert float(restored.max()) == 1.0
    with pytest.raises(ValueError, match="784"):
        input_array(b"\x00" * 100)


@pytest.mark.parametrize("size", [16, 28, 40])
def test_other_input_sizes_are_centred_too(size: int, faces: list[Face]) -> None:
    pixels = preprocess(_render(faces[2], "digital"), size)
    assert_centred_bright_ink_on_black(pixels)


_MODES = ["L", "RGB", "RGBA", "LA", "P", "PA", "1", "I;16", "I", "F", "CMYK"]


def _random_image(mode: str, width: int, height: int, kind: str, seed: int) -> Image.Image:
    """Build an image of a mode from noise, a flat colour or random shapes."""
    rng = np.random.default_rng(seed)
    if kind == "noise":
        rgba = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
        base = Image.fromarray(rgba)
    else:
        colour = tuple(int(v) for v in rng.integers(0, 256, 4))
        base = Image.new("RGBA", (width, height), colour)
        if kind == "shapes":
            draw = ImageDraw.Draw(base)
            for _ in range(int(rng.integers(1, 6))):
                x0, x1 = sorted(int(v) for v in rng.integers(0, width, 2))
                y0, y1 = sorted(int(v) for v in rng.integers(0, height, 2))
                fill = tuple(int(v) for v in rng.integers(0, 256, 4))
                draw.ellipse((x0, y0, x1, y1), outline=fill, width=int(rng.integers(1, 4)))
    if mode == "I;16":
        return Image.fromarray(np.asarray(base.convert("L"), dtype=np.uint16) * 257)
    if mode == "I":
        return Image.fromarray(
            np.asarray(base.convert("L"), dtype=np.int32) * int(rng.integers(1, 258))
        )
    if mode == "F":
        values = np.asarray(base.convert("L"), dtype=np.float32) / float(rng.choice([1.0, 255.0]))
        if rng.random() < 0.3:
            values[0, 0] = np.nan
        return Image.fromarray(values)
    image = base.convert(mode)
    if mode == "P" and rng.random() < 0.5:
        image.info["transparency"] = 0
    return image


@settings(max_examples=50, deadline=None)
@given(
    mode=st.sampled_from(_MODES),
    width=st.integers(1, 90),
    height=st.integers(1, 90),
    kind=st.sampled_from(["noise", "flat", "shapes"]),
    seed=st.integers(0, 2**32 - 1),
    size=st.sampled_from([8, 28]),
)
def test_preprocess_returns_a_valid_input_or_rejects_as_blank(
    mode: str, width: int, height: int, kind: str, seed: int, size: int
) -> None:
    image = _random_image(mode, width, height, kind, seed)
    try:
        pixels = preprocess(image, size)
    except ImageRejected as rejected:
        assert rejected.reason in NO_DRAWING
        return
    assert pixels.shape == (size, size)
    assert pixels.dtype == np.float32
    assert np.isfinite(pixels).all()
    assert float(pixels.min()) >= 0.0
    assert float(pixels.max()) <= 1.0


def test_a_stickers_filled_head_comes_out_as_an_outline(faces: list[Face]) -> None:
    for face in faces[:4]:
        pixels = preprocess(_render(face, "emoji"))
        assert_centred_bright_ink_on_black(pixels)
        # Drawn as a person would draw it: a ring round the head, not a filled disc and
        # not its broken edge. Every direction from the centre meets the ring.
        rows, cols = np.nonzero(pixels > 0.5)
        centre = (pixels.shape[0] - 1) / 2
        angles = np.arctan2(rows - centre, cols - centre)
        radii = np.hypot(rows - centre, cols - centre)
        far = angles[radii > 7]  # the ring lies about 10 px out
        counts = np.histogram(far, bins=12, range=(-np.pi, np.pi))[0]
        assert counts.min() >= 2
        assert float((pixels > 0.5).mean()) < 0.35  # a disc would fill some 40%
