"""The canvas page's data format: round trip, limits, and every malformed payload."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bot.webapp import (
    DRAWING_SIZE,
    STATIC_DIR,
    WEB_APP_DATA_LIMIT,
    DrawingProblem,
    DrawingRejected,
    decode_drawing,
    encode_drawing,
)
from model.serving import prepare_sample
from model.synthetic import draw_smiley

MAX_PIXELS = 40_000_000


def drawn_smiley(label: str = "smile", seed: int = 7) -> np.ndarray:
    """A synthetic smiley as the page would send it: 128² bools, True for ink."""
    image = draw_smiley(label, np.random.default_rng(seed), "digital", DRAWING_SIZE)
    grey = np.asarray(image.convert("L"), dtype=np.float32)
    paper = float(np.median(grey))
    return np.abs(grey - paper) > 64


def payload(**changes: object) -> str:
    fields = json.loads(encode_drawing(drawn_smiley()))
    fields.update(changes)
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False)


def rejected(data: str) -> DrawingRejected:
    with pytest.raises(DrawingRejected) as caught:
        decode_drawing(data)
    return caught.value


def test_a_drawn_smiley_survives_the_round_trip_and_preprocesses_like_an_upload() -> None:
    pixels = drawn_smiley()
    assert 0.01 < pixels.mean() < 0.3  # a real drawing, neither blank nor a blot
    drawing = decode_drawing(encode_drawing(pixels))
    assert drawing.action == "predict"
    assert drawing.label is None
    assert np.array_equal(drawing.pixels(), pixels)
    with Image.open(io.BytesIO(drawing.png())) as image:
        assert image.size == (DRAWING_SIZE, DRAWING_SIZE)
        grey = np.asarray(image.convert("L"))
    assert np.array_equal(grey == 0, pixels)  # black ink on white
    assert set(np.unique(grey)) == {0, 255}
    prepared = prepare_sample(drawing.png(), max_pixels=MAX_PIXELS)
    model_input = np.frombuffer(prepared.model_input, dtype=np.uint8)
    assert 0.03 < (model_input > 127).mean() < 0.5


def test_the_bitmap_layout_is_rows_top_first_and_the_leftmost_pixel_in_the_high_bit() -> None:
    pixels = np.zeros((DRAWING_SIZE, DRAWING_SIZE), dtype=bool)
    pixels[0, 0] = True  # top left
    pixels[1, 9] = True  # second row, second byte, second bit from the top
    packed = base64.b64decode(json.loads(encode_drawing(pixels))["b"])
    assert len(packed) == DRAWING_SIZE * DRAWING_SIZE // 8
    row = DRAWING_SIZE // 8
    assert packed[0] == 0b1000_0000
    assert packed[row + 1] == 0b0100_0000
    assert sum(packed) == 0b1000_0000 + 0b0100_0000


def test_a_label_is_normalised_and_the_id_depends_on_the_picture_only() -> None:
    pixels = drawn_smiley()
    labelled = decode_drawing(encode_drawing(pixels, label="SMILE"))
    assert (labelled.action, labelled.label) == ("label", "smile")
    assert labelled.unique_id() == decode_drawing(encode_drawing(pixels)).unique_id()
    assert labelled.unique_id().startswith("draw:")
    other = decode_drawing(encode_drawing(drawn_smiley("sad", seed=8)))
    assert other.unique_id() != labelled.unique_id()


def test_the_longest_label_in_any_script_fits_the_limit() -> None:
    pixels = np.ones((DRAWING_SIZE, DRAWING_SIZE), dtype=bool)  # all ink: base64 at its longest
    label = "ё" * 32  # 32 letters of two bytes each
    data = encode_drawing(pixels, label=label)
    assert len(data.encode()) < 3000 < WEB_APP_DATA_LIMIT
    assert decode_drawing(data).label == label


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ("x" * (WEB_APP_DATA_LIMIT + 1), DrawingProblem.TOO_LARGE),
        ("ü" * (WEB_APP_DATA_LIMIT // 2 + 1), DrawingProblem.TOO_LARGE),  # bytes, not characters
        ("not json at all", DrawingProblem.NOT_JSON),
        ('{"v":1,', DrawingProblem.NOT_JSON),
        ("[1,2,3]", DrawingProblem.NOT_JSON),
        ('"a string"', DrawingProblem.NOT_JSON),
        ("", DrawingProblem.NOT_JSON),
    ],
)
def test_data_that_is_too_large_or_no_json_object_is_rejected(
    data: str, problem: DrawingProblem
) -> None:
    assert rejected(data).problem is problem


@pytest.mark.parametrize(
    ("changes", "problem", "detail"),
    [
        ({"v": 2}, DrawingProblem.UNKNOWN_VERSION, "2"),
        ({"v": "1"}, DrawingProblem.UNKNOWN_VERSION, "'1'"),
        ({"v": True}, DrawingProblem.UNKNOWN_VERSION, "True"),
        ({"x": 1}, DrawingProblem.BAD_FIELDS, "x"),
        ({"s": "128"}, DrawingProblem.BAD_FIELDS, "wrong types"),
        ({"l": None}, DrawingProblem.BAD_FIELDS, "wrong types"),
        ({"b": 12}, DrawingProblem.BAD_FIELDS, "wrong types"),
        ({"a": "x"}, DrawingProblem.BAD_ACTION, "'x'"),
        ({"a": None}, DrawingProblem.BAD_ACTION, "None"),
        ({"s": 64}, DrawingProblem.WRONG_SIZE, "64"),
        ({"b": "%%%not base64%%%"}, DrawingProblem.BAD_BASE64, ""),
        ({"b": "AAAAA"}, DrawingProblem.BAD_BASE64, ""),  # missing padding
        ({"b": "ääää"}, DrawingProblem.BAD_BASE64, ""),
        ({"b": base64.b64encode(b"\xff" * 100).decode()}, DrawingProblem.WRONG_LENGTH, "100"),
        ({"b": base64.b64encode(bytes(2048)).decode()}, DrawingProblem.BLANK, ""),
        ({"a": "l", "l": ""}, DrawingProblem.NO_LABEL, ""),
        ({"a": "l", "l": "   "}, DrawingProblem.NO_LABEL, ""),
        ({"a": "l", "l": "happy face"}, DrawingProblem.INVALID_LABEL, "happy face"),
        ({"a": "l", "l": "x" * 33}, DrawingProblem.INVALID_LABEL, "x" * 33),
    ],
)
def test_every_malformed_field_is_named(
    changes: dict[str, object], problem: DrawingProblem, detail: str
) -> None:
    error = rejected(payload(**changes))
    assert error.problem is problem
    assert detail in error.detail


def test_a_missing_field_is_named() -> None:
    fields = json.loads(payload())
    del fields["s"]
    error = rejected(json.dumps(fields))
    assert (error.problem, error.detail) == (DrawingProblem.BAD_FIELDS, "s")


def test_an_invalid_label_carries_the_label_rules_hint() -> None:
    error = rejected(payload(a="l", l="happy face"))
    assert error.invalid_label is not None
    assert error.invalid_label.hint == "happy-face"


def test_the_python_encoder_refuses_a_bitmap_of_the_wrong_shape() -> None:
    with pytest.raises(ValueError, match="128x128"):
        encode_drawing(np.zeros((28, 28), dtype=bool))


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the page's code")
def test_the_pages_javascript_encoder_agrees_with_the_python_decoder(tmp_path: Path) -> None:
    # The page's encoder runs here on an RGBA canvas of 4x the bitmap size, as in the page.
    pixels = drawn_smiley()
    scale = 4
    big = np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1)
    rgba = np.full((*big.shape, 4), 255, dtype=np.uint8)
    rgba[big, :3] = 0
    raw = tmp_path / "canvas.rgba"
    raw.write_bytes(rgba.tobytes())
    script = (
        "const enc = require(process.argv[1]);"
        "const fs = require('fs');"
        "const rgba = new Uint8ClampedArray(fs.readFileSync(process.argv[2]));"
        "const side = Number(process.argv[3]);"
        "const bits = enc.downsample(rgba, side, enc.DRAWING_SIZE);"
        "process.stdout.write(enc.encodeDrawing(bits, 'Lächeln'));"
    )
    result = subprocess.run(
        ["node", "-e", script, str(STATIC_DIR / "encoding.js"), str(raw), str(big.shape[0])],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    drawing = decode_drawing(result.stdout)
    assert drawing.label == "lächeln"
    assert np.array_equal(drawing.pixels(), pixels)
    assert result.stdout == encode_drawing(pixels, label="Lächeln")
