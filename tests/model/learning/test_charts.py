"""Charts of a training and of /compare: real PNGs, phone-sized, with the texts they are given."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from model.learning import charts
from model.learning.charts import comparison_chart, training_chart

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


GERMAN = {
    "title": "So lief das Training",
    "loss": "Verlust",
    "accuracy": "Genauigkeit",
    "epoch": "Epoche",
    "training": "Trainingsbeispiele",
    "validation": "Validierungsbeispiele",
    "confusion_title": "Konfusionsmatrix",
    "true": "richtig",
    "predicted": "erkannt",
}


def _confusion(labels: list[str]) -> list[list[int]]:
    return np.arange(len(labels) ** 2).reshape(len(labels), len(labels)).tolist()


def test_the_training_chart_is_one_phone_sized_png() -> None:
    labels = ["smile", "sad"]
    image = _image(training_chart(_histories(5, 8), _confusion(labels), labels, **GERMAN))
    assert 900 <= image.width <= 1100 and 1000 <= image.height <= 1280


def test_the_training_chart_uses_the_given_texts_not_english_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    captured = _capture_texts(monkeypatch)
    training_chart(_histories(1, 3), _confusion(["a", "b"]), ["a", "b"], **GERMAN)
    shown = set(captured)
    assert set(GERMAN.values()) <= shown
    assert not {"Loss", "Accuracy", "Epoch", "training", "validation"} & shown


def test_the_training_chart_writes_every_count_of_the_matrix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    labels = ["smile", "sad", "neutral", "upside-down", "cool"]
    captured = _capture_texts(monkeypatch)
    image = _image(training_chart(_histories(2, 4), _confusion(labels), labels, **GERMAN))
    assert 900 <= image.width <= 1100
    assert {"Konfusionsmatrix", "richtig", "erkannt", *labels} <= set(captured)
    assert {str(n) for n in range(25)} <= set(captured)


def test_the_training_chart_names_the_labels_as_it_is_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    labels = ["smile", "cool"]
    captured = _capture_texts(monkeypatch)
    names = "fröhlich\ncool"
    training_chart(_histories(1, 3), _confusion(labels), labels, label_names=names, **GERMAN)
    assert "fröhlich" in captured and "smile" not in captured


def test_the_training_chart_refuses_a_matrix_that_does_not_fit_the_labels() -> None:
    with pytest.raises(ValueError):
        training_chart(_histories(1, 2), [[1, 2], [3, 4]], ["a", "b", "c"], **GERMAN)


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


def test_the_training_chart_writes_its_decimals_with_the_mark_it_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    captured = _capture_texts(monkeypatch)
    labels = ["a", "b"]
    training_chart(_histories(1, 3), _confusion(labels), labels, **GERMAN)
    assert any(re.match(r"^0\.\d+$", text) for text in captured), captured
    captured.clear()
    training_chart(_histories(1, 3), _confusion(labels), labels, **GERMAN, decimal_mark=",")
    assert any(re.match(r"^0,\d+$", text) for text in captured), captured
    assert not any(re.match(r"^-?\d+\.\d+$", text) for text in captured), captured


def test_comparison_chart_writes_the_percent_suffix_it_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    captured = _capture_texts(monkeypatch)
    comparison_chart(
        [("dense", 0.454), ("cnn", 0.876)],
        title="Vergleich",
        ylabel="Genauigkeit",
        percent_suffix="\u00a0%",
    )
    assert {"45\u00a0%", "88\u00a0%"} <= set(captured)
    assert "45%" not in captured


def _marked_epochs(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the x of every vertical line drawn on the curves from now on."""
    marked: list[float] = []
    render = charts._png

    def spy(figure: Figure) -> bytes:
        for ax in figure.axes:
            for line in ax.get_lines():
                xs = np.asarray(line.get_xdata(), dtype=float)
                if len(xs) == 2 and xs[0] == xs[1]:
                    marked.append(float(xs[0]))
        return render(figure)

    monkeypatch.setattr(charts, "_png", spy)
    return marked


def test_the_training_chart_marks_the_best_epoch_on_both_curves_with_its_label(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    marked = _marked_epochs(monkeypatch)
    captured = _capture_texts(monkeypatch)
    labels = ["smile", "sad"]
    image = _image(
        training_chart(
            _histories(5, 20),
            _confusion(labels),
            labels,
            best_epoch=12,
            best="am besten: Epoche {epoch}",
            **GERMAN,
        )
    )
    assert 900 <= image.width <= 1100
    assert marked == [12.0, 12.0]
    assert captured.count("am besten: Epoche 12") == 2  # in both legends


def test_the_training_chart_marks_nothing_without_a_best_epoch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    marked = _marked_epochs(monkeypatch)
    captured = _capture_texts(monkeypatch)
    labels = ["smile", "sad"]
    training_chart(
        _histories(1, 3), _confusion(labels), labels, best="am besten: Epoche {epoch}", **GERMAN
    )
    assert marked == []
    assert not [text for text in captured if text.startswith("am besten")]
