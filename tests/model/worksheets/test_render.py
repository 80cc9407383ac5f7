"""The printable worksheet: an A4 PNG and PDF, markers that a detector finds, labels printed."""

import io
import re

import numpy as np
from PIL import Image

from model.worksheets.layout import Corner, Rect, SheetLayout
from model.worksheets.markers import find_markers
from model.worksheets.render import render_image, render_pdf, render_png

INSTRUCTION = "Draw one smiley in each box, then send a photo of the whole sheet."


def test_the_png_is_a4_at_150_dpi() -> None:
    data = render_png(SheetLayout(), INSTRUCTION)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.size == (1240, 1754)


def test_the_pdf_is_one_a4_page() -> None:
    data = render_pdf(SheetLayout(), INSTRUCTION)
    assert data.startswith(b"%PDF")
    assert len(data) < 200_000
    boxes = re.findall(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", data)
    assert len(boxes) == 1
    width, height = (float(value) for value in boxes[0])
    assert abs(width - 595.3) < 1.0 and abs(height - 841.9) < 1.0  # A4 in points


def test_the_markers_are_found_where_the_layout_puts_them() -> None:
    layout = SheetLayout()
    dpi = 100
    grey = np.asarray(render_image(layout, INSTRUCTION, dpi=dpi))
    found = find_markers(grey)
    assert set(found) == set(Corner)
    for corner, points in found.items():
        expected = np.array(layout.marker(corner).corners()) * dpi / 25.4
        assert np.abs(points - expected).max() < 2.0


def test_labels_and_the_instruction_are_printed() -> None:
    labelled = SheetLayout.for_labels(("smile", "sad", "neutral", "upside-down"))
    dpi = 100
    scale = dpi / 25.4

    def black_pixels(image: Image.Image, rect: Rect) -> int:
        """Count black pixels in `rect` (the blank field's line is grey, not black)."""
        rows = slice(round(rect.top * scale), round(rect.bottom * scale))
        columns = slice(round(rect.left * scale), round(rect.right * scale))
        return int((np.asarray(image)[rows, columns] < 100).sum())

    band = labelled.label_band(0)
    with_labels = render_image(labelled, INSTRUCTION, dpi=dpi)
    blank = render_image(SheetLayout(), INSTRUCTION, dpi=dpi)
    no_instruction = render_image(SheetLayout(), "", dpi=dpi)
    prompted = render_image(SheetLayout(), INSTRUCTION, blank_label="Label:", dpi=dpi)
    assert black_pixels(with_labels, band) > 50
    assert black_pixels(blank, band) == 0
    assert black_pixels(prompted, band) > 30
    assert black_pixels(blank, labelled.instruction) > 100
    assert black_pixels(no_instruction, labelled.instruction) == 0
