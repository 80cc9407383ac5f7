"""The synthetic smiley generator: deterministic, every label and style, and varied."""

import io
from itertools import combinations

import numpy as np
import pytest
from PIL import Image

from model.serving.preprocess import preprocess
from model.synthetic import (
    ALL_LABELS,
    LABELS,
    STYLES,
    dataset,
    draw_smiley,
    random_face,
    render_face,
    smiley_bytes,
)
from tests.model.conftest import CANVAS, correlation


def _pixels(image: Image.Image) -> np.ndarray:
    """Return an image's pixels as a float array."""
    return np.asarray(image, dtype=np.float64)


@pytest.mark.parametrize("style", STYLES)
def test_the_same_seed_draws_the_same_picture(style: str) -> None:
    first = draw_smiley("smile", np.random.default_rng(42), style, CANVAS)
    again = draw_smiley("smile", np.random.default_rng(42), style, CANVAS)
    other = draw_smiley("smile", np.random.default_rng(43), style, CANVAS)
    assert np.array_equal(_pixels(first), _pixels(again))
    assert first.size != other.size or not np.array_equal(_pixels(first), _pixels(other))


@pytest.mark.parametrize("label", ALL_LABELS)
@pytest.mark.parametrize("style", STYLES)
def test_every_label_renders_in_every_style(label: str, style: str) -> None:
    image = draw_smiley(label, np.random.default_rng([1, ALL_LABELS.index(label)]), style, CANVAS)
    assert image.mode == ("RGBA" if style == "transparent" else "RGB")
    if style == "paper":
        # A photo: the sheet (CANVAS px across) lies on a table, so the photo is larger.
        assert max(image.size) > CANVAS
    else:
        assert image.size == (CANVAS, CANVAS)
    drawn = image.getchannel("A") if style == "transparent" else image.convert("L")
    assert _pixels(drawn).std() > 5  # something is drawn


def test_paper_photos_are_about_twice_the_sheet() -> None:
    # size=500 gives the 800-1280 px photos of a phone; 64 keeps the test fast.
    ratios = [
        max(draw_smiley("sad", np.random.default_rng(seed), "paper", 64).size) / 64
        for seed in range(30)
    ]
    assert all(1.0 <= ratio <= 4.5 for ratio in ratios), ratios
    assert 1.5 < float(np.median(ratios)) < 2.5
    assert len(set(ratios)) > 10


def test_transparent_smileys_are_opaque_strokes_on_nothing() -> None:
    colours = set()
    for seed in range(30):
        image = draw_smiley("neutral", np.random.default_rng(seed), "transparent", 64)
        alpha = _pixels(image.getchannel("A"))
        assert alpha[0, 0] == 0
        assert alpha.max() == 255
        assert (alpha == 0).mean() > 0.5
        colours.add(float(_pixels(image.convert("RGB").convert("L"))[alpha == 255].mean()) > 128)
    assert colours == {True, False}  # both dark and light strokes occur


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
@pytest.mark.parametrize("style", STYLES)
def test_smiley_bytes_encodes_in_the_asked_format(style: str, fmt: str) -> None:
    data = smiley_bytes("smile", np.random.default_rng(5), style, fmt, CANVAS)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == fmt
        keeps_alpha = style == "transparent" and fmt != "JPEG"
        assert ("A" in image.mode) == keeps_alpha


def test_bad_arguments_are_refused() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="label"):
        draw_smiley("happy", rng)
    with pytest.raises(ValueError, match="style"):
        draw_smiley("smile", rng, "oil-painting")
    with pytest.raises(ValueError, match="format"):
        smiley_bytes("smile", rng, fmt="GIF")


def test_dataset_is_balanced_varied_and_reproducible() -> None:
    samples = dataset(2, seed=9, size=96)
    assert [label for label, _ in samples] == list(LABELS) * 2
    styles_seen = {image.mode for _, image in samples}
    assert styles_seen == {"RGB", "RGBA"}
    again = dataset(2, seed=9, size=96)
    for (_, first), (_, second) in zip(samples, again, strict=True):
        assert np.array_equal(_pixels(first), _pixels(second))
    other = dataset(2, seed=10, size=96)
    assert any(
        a.size != b.size or not np.array_equal(_pixels(a), _pixels(b))
        for (_, a), (_, b) in zip(samples, other, strict=True)
    )
    only_sad = dataset(2, seed=9, labels=["sad"], styles=["digital"], size=96)
    assert [label for label, _ in only_sad] == ["sad", "sad"]


def test_a_sample_does_not_depend_on_the_other_labels_asked_for() -> None:
    everything = dict(enumerate(dataset(1, seed=3, styles=["digital"], size=64)))
    alone = dataset(1, seed=3, labels=["neutral"], styles=["digital"], size=64)
    assert np.array_equal(_pixels(everything[LABELS.index("neutral")][1]), _pixels(alone[0][1]))


@pytest.mark.parametrize("label", ALL_LABELS)
def test_two_smileys_of_a_label_differ_substantially(label: str) -> None:
    inputs = [
        preprocess(draw_smiley(label, np.random.default_rng([21, seed]), "digital", CANVAS))
        for seed in range(6)
    ]
    similarities = [correlation(a, b) for a, b in combinations(inputs, 2)]
    # Same label, yet no two drawings are near copies of each other.
    assert max(similarities) < 0.9
    assert float(np.mean(similarities)) < 0.7


def test_pen_colours_positions_and_sizes_vary() -> None:
    colours, boxes = set(), set()
    for seed in range(12):
        image = draw_smiley("smile", np.random.default_rng(seed), "digital", CANVAS)
        rgb = _pixels(image)
        ink = rgb.sum(axis=2) < 600
        colours.add(tuple(np.round(rgb[ink].mean(axis=0) / 32)))
        rows, cols = np.nonzero(ink)
        boxes.add((rows.min() // 8, cols.min() // 8, rows.max() // 8, cols.max() // 8))
    assert len(colours) >= 6
    assert len(boxes) >= 10


def test_upside_down_is_a_smile_turned_over_and_not_a_sad_face() -> None:
    for seed in range(4):
        smile = random_face("smile", np.random.default_rng([30, seed]))
        upside_down = random_face("upside-down", np.random.default_rng([30, seed]))
        sad = random_face("sad", np.random.default_rng([30, seed]))
        # Same random stream: the same drawing, turned by 180 degrees as a whole.
        turn = upside_down.transform @ np.linalg.inv(smile.transform)
        assert np.allclose(turn, -np.eye(2))
        inputs = {
            face.label: preprocess(
                render_face(face, np.random.default_rng(seed), "digital", CANVAS)
            )
            for face in (smile, upside_down, sad)
        }
        # Both show an arc bulging upwards, but upside-down has the eyes below it and sad
        # above it: the model input of upside-down is the smile's turned over, not sad's.
        turned_smile = correlation(inputs["upside-down"], np.rot90(inputs["smile"], 2))
        sad = correlation(inputs["upside-down"], inputs["sad"])
        assert turned_smile > 0.7
        assert turned_smile > sad + 0.15


def test_the_default_models_labels_come_first_and_cool_is_extra() -> None:
    assert LABELS == ("smile", "sad", "neutral", "upside-down")
    assert (*LABELS, "cool") == ALL_LABELS


def test_cool_is_a_face_in_sunglasses_and_nobody_else_wears_them() -> None:
    def eye_ink(label: str, seed: int) -> float:
        face = random_face(label, np.random.default_rng([40, seed]))
        pixels = preprocess(render_face(face, np.random.default_rng(seed), "digital", CANVAS))
        return float(pixels[: pixels.shape[0] // 2].sum())  # the upper half: eyes, no mouth

    cool = [eye_ink("cool", seed) for seed in range(20)]
    others = [eye_ink(label, seed) for label in ("smile", "sad", "neutral") for seed in range(20)]
    # The upper half holds the head's outline too; filled lenses add a good share to it.
    assert np.median(cool) > 1.25 * np.median(others)
    assert np.percentile(cool, 10) > np.percentile(others, 50)


def test_faces_never_tilt_more_than_twenty_degrees() -> None:
    for seed in range(40):
        for label in ALL_LABELS:
            face = random_face(label, np.random.default_rng(seed))
            # The transform is rotation @ stretch @ shear: the first column's angle is the tilt.
            angle = np.degrees(np.arctan2(face.transform[1, 0], face.transform[0, 0]))
            expected = 180.0 if label == "upside-down" else 0.0
            off = (angle - expected + 180.0) % 360.0 - 180.0
            assert abs(off) <= 20.0 + 1e-9, (label, seed, angle)
