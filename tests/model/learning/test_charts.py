"""Charts of a training: real PNGs, phone-sized, with the texts they are given."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from model.learning import charts
from model.learning.charts import captioned_grid, comparison_chart, confusion_chart, history_chart

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


def test_comparison_chart_names_each_bar_as_it_is_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    captured = _capture_texts(monkeypatch)
    comparison_chart(
        [("dense", 0.4), ("cnn", 0.5), ("cnn-pretrained", 0.9)],
        title="Vergleich",
        ylabel="Genauigkeit",
        **{"cnn-pretrained": "cnn vom eingebauten\nModell"},
    )
    assert {"dense", "cnn", "cnn vom eingebauten\nModell", "90%"} <= set(captured)
    assert "cnn-pretrained" not in captured


def test_captioned_grid_shows_each_caption() -> None:
    tile = io.BytesIO()
    Image.new("L", (50, 50), 128).save(tile, "PNG")
    image = _image(
        captioned_grid([tile.getvalue()] * 3, ["a → b", "c → d", "e → f"], title="Fehler")
    )
    assert 900 <= image.width <= 1100
