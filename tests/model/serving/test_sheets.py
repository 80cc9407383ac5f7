"""Contact sheets and enlarged images: real PNGs, made without matplotlib."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from model.serving.sheets import SHEET_GAP, SHEET_SCALE, captioned_sheet, contact_sheet, enlarged

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _image(data: bytes) -> Image.Image:
    assert data.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize(
    ("count", "columns", "rows"), [(1, 1, 1), (7, 7, 1), (10, 10, 1), (37, 10, 4)]
)
def test_contact_sheet_lays_out_one_cell_per_input(count: int, columns: int, rows: int) -> None:
    inputs = np.zeros((count, 28, 28), dtype=np.uint8)
    inputs[:, 10:18, 10:18] = 255  # a bright square in each input
    image = _image(contact_sheet(inputs))
    cell = 28 * SHEET_SCALE
    assert image.size == (
        columns * (cell + SHEET_GAP) + SHEET_GAP,
        rows * (cell + SHEET_GAP) + SHEET_GAP,
    )
    pixels = np.asarray(image)
    # The centre of each occupied cell is bright, each empty one in the last row grey.
    centres = [
        pixels[
            SHEET_GAP + r * (cell + SHEET_GAP) + cell // 2,
            SHEET_GAP + c * (cell + SHEET_GAP) + cell // 2,
        ]
        for r in range(rows)
        for c in range(columns)
    ]
    assert sum(value == 255 for value in centres) == count


def test_enlarged_scales_up_small_images_only() -> None:
    small = io.BytesIO()
    Image.new("L", (64, 100), 200).save(small, "PNG")
    assert _image(enlarged(small.getvalue())).size == (320, 500)
    big = io.BytesIO()
    Image.new("L", (400, 256), 200).save(big, "PNG")
    assert _image(enlarged(big.getvalue(), min_side=256)).size == (400, 256)


def test_charts_do_not_load_matplotlib_until_a_chart_is_drawn() -> None:
    import subprocess
    import sys

    code = (
        "import sys, numpy as np; from model.serving.sheets import contact_sheet;"
        "contact_sheet(np.zeros((2, 28, 28), np.uint8)); print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_captioned_sheet_shows_each_drawing_with_its_caption() -> None:
    tile = io.BytesIO()
    Image.new("L", (50, 80), 128).save(tile, "PNG")
    sheet = _image(captioned_sheet([tile.getvalue()] * 7, ["a → b"] * 6 + ["улыбка → sad"]))
    # Four a row: seven take two rows, 1000 px wide.
    assert 900 <= sheet.width <= 1100
    grey = np.asarray(sheet)
    assert (grey == 128).any()  # the drawings, enlarged from 50x80
    assert (grey < 60).any()  # the captions' dark text
    with pytest.raises(ValueError):
        captioned_sheet([tile.getvalue()], ["one", "two"])
