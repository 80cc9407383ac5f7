"""Charts and contact sheets: real PNGs, phone-sized, with the texts they are given."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from model import charts
from model.charts import (
    SHEET_GAP,
    SHEET_SCALE,
    captioned_grid,
    comparison_chart,
    confusion_chart,
    contact_sheet,
    enlarged,
    history_chart,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _image(data: bytes) -> Image.Image:
    assert data.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _histories(runs: int, epochs: int) -> list[dict[str, list[float]]]:
    rng = np.random.default_rng(3)
    return [
        {
            key: rng.random(epochs).tolist()
            for key in ("loss", "accuracy", "val_loss", "val_accuracy")
        }
        for _ in range(runs)
    ]


def _capture_texts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every text of each figure drawn from now on (after drawing: ticks included)."""
    captured: list[str] = []
    render = charts._png

    def spy(figure: Figure) -> bytes:
        data = render(figure)
        captured.extend(a.get_text() for a in figure.findobj(Text))
        return data

    monkeypatch.setattr(charts, "_png", spy)
    return captured


def test_history_chart_is_a_phone_sized_png() -> None:
    image = _image(
        history_chart(
            _histories(5, 8),
            title="T",
            loss="L",
            accuracy="A",
            epoch="E",
            training="tr",
            validation="va",
        )
    )
    assert 900 <= image.width <= 1100 and image.height >= 500


def test_history_chart_uses_the_given_texts_not_english_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = {
        "title": "Training: Loss und Genauigkeit",
        "loss": "Verlust",
        "accuracy": "Genauigkeit",
        "epoch": "Epoche",
        "training": "Trainingsbeispiele",
        "validation": "Validierungsbeispiele",
    }
    captured = _capture_texts(monkeypatch)
    history_chart(_histories(1, 3), **texts)
    shown = set(captured)
    assert set(texts.values()) <= shown
    assert not {"Loss", "Accuracy", "Epoch", "training", "validation"} & shown


def test_confusion_chart_writes_every_count_and_the_given_axis_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    labels = ["smile", "sad", "neutral", "upside-down", "cool"]
    confusion = np.arange(25).reshape(5, 5).tolist()
    captured = _capture_texts(monkeypatch)
    image = _image(
        confusion_chart(
            confusion, labels, title="Konfusionsmatrix", true="richtig", predicted="erkannt"
        )
    )
    assert 900 <= image.width <= 1100
    assert {"Konfusionsmatrix", "richtig", "erkannt", *labels} <= set(captured)
    assert {str(n) for n in range(25)} <= set(captured)


def test_confusion_chart_refuses_a_matrix_that_does_not_fit_the_labels() -> None:
    with pytest.raises(ValueError):
        confusion_chart([[1, 2], [3, 4]], ["a", "b", "c"], title="t", true="x", predicted="y")


def test_comparison_chart_writes_the_percentages_on_the_bars(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    captured = _capture_texts(monkeypatch)
    image = _image(
        comparison_chart(
            [("dense", 0.454), ("cnn", 0.876)], title="Vergleich", ylabel="Genauigkeit"
        )
    )
    assert 900 <= image.width <= 1100
    assert {"45%", "88%", "dense", "cnn", "Vergleich", "Genauigkeit"} <= set(captured)


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


def test_captioned_grid_shows_each_caption() -> None:
    tile = io.BytesIO()
    Image.new("L", (50, 50), 128).save(tile, "PNG")
    image = _image(
        captioned_grid([tile.getvalue()] * 3, ["a → b", "c → d", "e → f"], title="Fehler")
    )
    assert 900 <= image.width <= 1100


def test_charts_do_not_load_matplotlib_until_a_chart_is_drawn() -> None:
    import subprocess
    import sys

    code = (
        "import sys, numpy as np; from model.charts import contact_sheet;"
        "contact_sheet(np.zeros((2, 28, 28), np.uint8)); print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
