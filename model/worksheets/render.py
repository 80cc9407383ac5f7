"""The printable worksheet: a PNG to show and a PDF to print, drawn from the layout with Pillow.

The texts come in as arguments, already in the reader's language; this module knows none.
The PDF holds one 1-bit page at 300 dpi: crisp edges for the markers, losslessly packed
(CCITT) into a few tens of kilobytes, and its page size is exactly A4.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from model.serving.sheets import dejavu_sans, wrap_text
from model.worksheets.layout import (
    BOX_BORDER_MM,
    PAGE_HEIGHT_MM,
    PAGE_WIDTH_MM,
    Corner,
    Rect,
    SheetLayout,
)
from model.worksheets.markers import marker_pixels

__all__ = ["PDF_DPI", "PNG_DPI", "render_image", "render_pdf", "render_png"]

PNG_DPI = 150  # 1240 x 1754: sharp enough on a screen, small enough for Telegram
PDF_DPI = 300
MM_PER_INCH = 25.4
_INSTRUCTION_FONT_MM = 4.2  # about 12 pt; shrunk until the text fits its two lines
_MIN_INSTRUCTION_FONT_MM = 2.5
_INSTRUCTION_LINES = 2
_LABEL_FONT_MM = 4.6
_LABEL_BASELINE_MM = 1.6  # above the box
_BLANK_LINE_MM = 70.0  # the line to write a label on
_BLANK_LINE_WIDTH_MM = 0.3
_BOX_GREY = 60  # dark enough for any printer to print, light enough not to look like ink
_BLANK_GREY = 120
_ONE_BIT_THRESHOLD = 128


def render_image(
    layout: SheetLayout, instruction: str, *, blank_label: str = "", dpi: int = PNG_DPI
) -> Image.Image:
    """Draw the worksheet as a grey (mode L) A4 page at `dpi`.

    Args:
        layout: The boxes and the rows' labels.
        instruction: The line printed at the top (it wraps onto a second line if needed).
        blank_label: Printed before the line of a row that has no label (e.g. "Label:").
        dpi: Pixels per inch.
    """
    scale = dpi / MM_PER_INCH
    page = Image.new("L", (round(PAGE_WIDTH_MM * scale), round(PAGE_HEIGHT_MM * scale)), 255)
    draw = ImageDraw.Draw(page)
    for corner in Corner:
        where = _pixels(layout.marker(corner), scale)
        side = where[2] - where[0]
        page.paste(Image.fromarray(marker_pixels(corner, side)), (where[0], where[1]))
    _draw_instruction(draw, layout.instruction, instruction, scale)
    border = max(1, round(BOX_BORDER_MM * scale))
    label_font = dejavu_sans(round(_LABEL_FONT_MM * scale))
    for row in range(layout.rows):
        band = layout.label_band(row)
        baseline = (band.left * scale, (band.bottom - _LABEL_BASELINE_MM) * scale)
        label = layout.label(row)
        if label is not None:
            draw.text(baseline, label, fill=0, font=label_font, anchor="ls")
        else:
            start = baseline[0]
            if blank_label:
                draw.text(baseline, blank_label, fill=0, font=label_font, anchor="ls")
                start += label_font.getlength(blank_label + " ")
            end = min(band.right * scale, start + _BLANK_LINE_MM * scale)
            width = max(1, round(_BLANK_LINE_WIDTH_MM * scale))
            draw.line((start, baseline[1], end, baseline[1]), fill=_BLANK_GREY, width=width)
        for column in range(layout.columns):
            box = _pixels(layout.box(row, column), scale)
            draw.rectangle(box, outline=_BOX_GREY, width=border)
    return page


def render_png(
    layout: SheetLayout, instruction: str, *, blank_label: str = "", dpi: int = PNG_DPI
) -> bytes:
    """Return the worksheet as a PNG (1240 x 1754 px at the default 150 dpi)."""
    buffer = io.BytesIO()
    image = render_image(layout, instruction, blank_label=blank_label, dpi=dpi)
    image.save(buffer, "PNG", optimize=True, dpi=(dpi, dpi))
    return buffer.getvalue()


def render_pdf(
    layout: SheetLayout, instruction: str, *, blank_label: str = "", dpi: int = PDF_DPI
) -> bytes:
    """Return the worksheet as a one-page A4 PDF, to print at 100% ("actual size")."""
    image = render_image(layout, instruction, blank_label=blank_label, dpi=dpi)
    one_bit = image.point(lambda level: 255 if level >= _ONE_BIT_THRESHOLD else 0, mode="1")
    buffer = io.BytesIO()
    one_bit.save(buffer, "PDF", resolution=float(dpi))
    return buffer.getvalue()


def _pixels(rect: Rect, scale: float) -> tuple[int, int, int, int]:
    """Return a rectangle in mm as (left, top, right, bottom) pixels at `scale` px a mm."""
    left, top = round(rect.left * scale), round(rect.top * scale)
    # The same rounding for the side as for the position keeps squares square.
    side_x, side_y = round(rect.width * scale), round(rect.height * scale)
    return left, top, left + side_x, top + side_y


def _draw_instruction(draw: ImageDraw.ImageDraw, band: Rect, text: str, scale: float) -> None:
    """Print `text` centred in `band`, on two lines at most, shrinking the font until it fits."""
    if not text:
        return
    width = round(band.width * scale)
    size_mm = _INSTRUCTION_FONT_MM
    while True:
        font = dejavu_sans(round(size_mm * scale))
        lines = wrap_text(text, font, width)
        fits = len(lines) <= _INSTRUCTION_LINES and all(
            font.getlength(line) <= width for line in lines
        )
        if fits or size_mm <= _MIN_INSTRUCTION_FONT_MM:
            break
        size_mm -= 0.2
    line_height = size_mm * 1.25
    first = band.top + (band.height - line_height * len(lines)) / 2 + size_mm
    for number, line in enumerate(lines[:_INSTRUCTION_LINES]):
        position = ((band.left + band.width / 2) * scale, (first + number * line_height) * scale)
        draw.text(position, line, fill=0, font=font, anchor="ms")
