"""Filled worksheets: the printed sheet, smileys drawn into its boxes with real pens, photographed.

For the worksheet tests and benchmark. The sheet is `model.worksheets`' own rendering; the
pens are the "paper" style's and so is the camera (`rendering.photograph`), applied to the
whole sheet. The photo is then scaled as Telegram scales a photo it delivers.
"""

from collections.abc import Mapping

import numpy as np
from PIL import Image

from model.synthetic.faces import random_face
from model.synthetic.rendering import draw_on_paper, photograph
from model.worksheets.layout import SheetLayout
from model.worksheets.render import MM_PER_INCH, render_image

__all__ = ["TELEGRAM_PHOTO_SIDE", "filled_worksheet", "worksheet_photo"]

TELEGRAM_PHOTO_SIDE = 1280  # Telegram delivers a photo at most this large on its longer side
# People draw inside the box, not on its border: the face's canvas stops this far inside.
_DRAWING_INSET_MM = 1.0
_PRINTED_PAPER = (0.92, 0.99)  # printer paper is a little darker than the printer's white


def filled_worksheet(
    layout: SheetLayout,
    drawings: Mapping[tuple[int, int], str],
    rng: np.random.Generator,
    *,
    dpi: int = 100,
    instruction: str = "Draw one smiley in each box.",
) -> Image.Image:
    """Print the sheet and draw a random smiley of the given label in each (row, column) box."""
    scale = dpi / MM_PER_INCH
    page = np.asarray(render_image(layout, instruction, dpi=dpi).convert("RGB"), np.float32)
    paper = page * rng.uniform(*_PRINTED_PAPER, size=3).astype(np.float32)
    for (row, column), label in drawings.items():
        canvas = layout.box(row, column).inset(_DRAWING_INSET_MM)
        left, top, side = (
            round(canvas.left * scale),
            round(canvas.top * scale),
            round(canvas.width * scale),
        )
        paper = draw_on_paper(paper, random_face(label, rng), rng, left, top, side)
    return Image.fromarray(np.clip(np.round(paper), 0, 255).astype(np.uint8))


def worksheet_photo(
    sheet: Image.Image,
    rng: np.random.Generator,
    *,
    shadow: bool | None = None,
    longest: int = TELEGRAM_PHOTO_SIDE,
) -> Image.Image:
    """Photograph a (filled) sheet on a table and scale it as Telegram would (RGB)."""
    photo = photograph(sheet, rng, shadow=shadow)
    factor = longest / max(photo.size)
    if factor < 1.0:
        size = (round(photo.width * factor), round(photo.height * factor))
        photo = photo.resize(size, Image.Resampling.LANCZOS)
    return photo
