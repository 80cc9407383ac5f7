"""Reading photos of filled worksheets: markers, empty and drawn boxes, the model, errors."""

import functools
import io

import cv2
import numpy as np
import pytest
from PIL import Image, ImageFilter

from model.job import DEFAULT_MODEL_PREFIX
from model.serving import Classifier, input_array, prepare_sample
from model.synthetic import LABELS, draw_smiley
from model.synthetic.worksheets import filled_worksheet, worksheet_photo
from model.worksheets import Corner, SheetLayout, SheetProblem, SheetUnreadable, read, read_sheet
from model.worksheets.markers import find_markers
from model.worksheets.read import CUT_PIXELS

MAX_PIXELS = 40_000_000
LAYOUT = SheetLayout.for_labels(LABELS)
EVERY_BOX = {
    (row, column): LABELS[row] for row in range(LAYOUT.rows) for column in range(LAYOUT.columns)
}
EMPTY = {(0, 1), (2, 2)}
DRAWN = {box: label for box, label in EVERY_BOX.items() if box not in EMPTY}
# Measured: the default model reads 11 of this photo's 12 drawings as their row's label
# (photos of seeds 6 and 7: 12 and 9; scripts/bench_worksheet.py: 92% over 345 boxes).
MIN_RECOGNISED = 9


@functools.cache
def _photo(full: bool = False) -> Image.Image:
    """Return a tilted, shadowed, slightly blurred phone photo of a filled sheet.

    `full`: every box drawn in; otherwise the EMPTY boxes are left empty.
    """
    rng = np.random.default_rng(5)
    sheet = filled_worksheet(LAYOUT, EVERY_BOX if full else DRAWN, rng)
    return worksheet_photo(sheet, rng, shadow=True)


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=87)
    return buffer.getvalue()


def test_all_four_markers_are_found_in_the_photo() -> None:
    grey = np.asarray(_photo().convert("L"))
    assert set(find_markers(grey)) == set(Corner)


def test_drawn_boxes_read_as_drawn_and_empty_ones_as_empty() -> None:
    reading = read_sheet(_jpeg(_photo()), LAYOUT)
    assert [(box.row, box.column) for box in reading.boxes] == [
        (row, column) for row in range(LAYOUT.rows) for column in range(LAYOUT.columns)
    ]
    assert {(box.row, box.column) for box in reading.boxes if box.empty} == EMPTY
    assert all(box.image.size == (CUT_PIXELS, CUT_PIXELS) for box in reading.boxes)
    assert [box.label for box in reading.boxes[:3]] == ["smile"] * 3


def test_drawn_cuts_go_through_prepare_sample_and_the_default_model_knows_most() -> None:
    reading = read_sheet(_photo(full=True), LAYOUT)
    classifier = Classifier.load(DEFAULT_MODEL_PREFIX)
    inputs = [
        input_array(prepare_sample(box.png, max_pixels=MAX_PIXELS).model_input)
        for box in reading.drawn
    ]
    assert len(inputs) == len(EVERY_BOX)
    answers = classifier.predict(np.stack(inputs)).argmax(axis=1)
    recognised = sum(
        classifier.labels[answer] == box.label
        for answer, box in zip(answers, reading.drawn, strict=True)
    )
    assert recognised >= MIN_RECOGNISED


def test_a_covered_marker_is_named() -> None:
    photo = np.asarray(_photo()).copy()
    covered = find_markers(cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY))[Corner.BOTTOM_RIGHT]
    centre = covered.mean(axis=0)
    thumb = np.round(centre + 1.6 * (covered - centre)).astype(np.int32)  # a thumb over it
    cv2.fillPoly(photo, [thumb], (205, 170, 150))
    with pytest.raises(SheetUnreadable) as caught:
        read_sheet(photo, LAYOUT)
    assert caught.value.problem is SheetProblem.MARKERS_MISSING
    assert caught.value.missing == (Corner.BOTTOM_RIGHT,)
    assert "bottom-right" in str(caught.value)


def test_a_photo_without_a_sheet_says_so() -> None:
    smiley = draw_smiley("smile", np.random.default_rng(3), "paper", 400)
    with pytest.raises(SheetUnreadable) as caught:
        read_sheet(_jpeg(smiley), LAYOUT)
    assert caught.value.problem is SheetProblem.NO_SHEET
    assert set(caught.value.missing) == set(Corner)


def test_a_sheet_far_away_is_too_small() -> None:
    sheet = filled_worksheet(LAYOUT, DRAWN, np.random.default_rng(1)).resize((180, 254))
    photo = Image.new("RGB", (1280, 960), (90, 60, 40))
    photo.paste(sheet, (500, 300))
    with pytest.raises(SheetUnreadable) as caught:
        read_sheet(photo, LAYOUT)
    assert caught.value.problem is SheetProblem.TOO_SMALL


def test_blur_is_measured_and_a_blurred_photo_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = filled_worksheet(LAYOUT, DRAWN, np.random.default_rng(1), dpi=200)
    sharp = read_sheet(sheet, LAYOUT)
    # 200 dpi: 7.9 px a mm; a Gaussian blur of 4 px is 0.5 mm.
    soft = read_sheet(sheet.filter(ImageFilter.GaussianBlur(4)), LAYOUT)
    assert sharp.blur_mm <= 0.3 < soft.blur_mm <= 0.8
    # In Telegram-sized photos the marker search gives up at about 0.9 mm, before the
    # limit; a stricter limit shows the check at work.
    monkeypatch.setattr(read, "MAX_BLUR_MM", 0.4)
    with pytest.raises(SheetUnreadable) as caught:
        read_sheet(sheet.filter(ImageFilter.GaussianBlur(4)), LAYOUT)
    assert caught.value.problem is SheetProblem.TOO_BLURRED
    assert read_sheet(sheet, LAYOUT).blur_mm == sharp.blur_mm


@pytest.mark.parametrize("turn", [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180])
def test_a_photo_taken_the_other_way_round_reads_the_same(turn: Image.Transpose) -> None:
    upright = read_sheet(_photo(), LAYOUT)
    turned = read_sheet(_photo().transpose(turn), LAYOUT)
    assert [box.empty for box in turned.boxes] == [box.empty for box in upright.boxes]
    first = np.asarray(turned.boxes[0].image, dtype=np.float32)
    assert np.abs(first - np.asarray(upright.boxes[0].image, dtype=np.float32)).mean() < 8.0
