"""Worksheets: a printable A4 page of boxes to draw smileys in, and the reading of its photo.

`layout` holds the page's geometry in mm (markers, instruction line, label bands, boxes),
the one place that rendering and reading share. `markers` draws and finds the ArUco
corner markers, `render` makes the PNG and the PDF, and `read` turns a phone photo of a
filled sheet into one straightened cut per box, each marked empty or drawn on, ready for
`model.serving.preprocess.prepare_sample`. No TensorFlow, no Telegram; the texts printed on
the sheet come in as arguments.
"""

from model.worksheets.layout import DEFAULT_LAYOUT, Corner, Rect, SheetLayout
from model.worksheets.markers import find_markers
from model.worksheets.read import (
    BoxReading,
    SheetProblem,
    SheetReading,
    SheetUnreadable,
    read_sheet,
)
from model.worksheets.render import render_image, render_pdf, render_png

__all__ = [
    "DEFAULT_LAYOUT",
    "BoxReading",
    "Corner",
    "Rect",
    "SheetLayout",
    "SheetProblem",
    "SheetReading",
    "SheetUnreadable",
    "find_markers",
    "read_sheet",
    "render_image",
    "render_pdf",
    "render_png",
]
