"""The texts of a training: its progress line and its report, in English and German."""

from __future__ import annotations

from typing import Any

import pytest

from bot.training.reports import finished_text, progress_text
from model.job import GOOD_FIT, OVERFITTING, UNFINISHED, EpochProgress


def _epoch(phase: str, val_accuracy: float | None) -> EpochProgress:
    return EpochProgress(
        phase=phase,
        fold=1 if phase == "validation" else 0,
        folds=5,
        epoch=3,
        epochs=10,
        done=3,
        total=60,
        loss=0.1234,
        accuracy=0.92,
        val_loss=None if val_accuracy is None else 0.5,
        val_accuracy=val_accuracy,
    )


def test_progress_names_training_and_validation_accuracy() -> None:
    lines = progress_text(_epoch("validation", 0.5), ["sad", "smile"], 10, None).splitlines()
    assert lines[-2:] == ["training accuracy 92% (loss 0.123)", "validation accuracy 50%"]
    german = progress_text(_epoch("validation", 0.5), ["sad", "smile"], 10, "de").splitlines()
    assert german[-2:] == [
        "Trainingsgenauigkeit 92\u00a0% (Loss 0,123)",
        "Validierungsgenauigkeit 50\u00a0%",
    ]


def test_progress_of_the_final_model_shows_no_validation() -> None:
    text = progress_text(_epoch("final", None), ["sad", "smile"], 10, None)
    assert text.splitlines()[-1] == "training accuracy 92% (loss 0.123)"
    assert "validation accuracy" not in text


def _result(**fit: Any) -> dict[str, Any]:
    return {
        "mode": "kfold",
        "folds": 5,
        "wall_seconds": 3.0,
        "validation_accuracy": 0.8,
        "samples_per_label": {"sad": 5, "smile": 5},
        "per_label_accuracy": {"sad": 0.8, "smile": 0.8},
        **fit,
    }


@pytest.mark.parametrize(
    ("verdict", "lang", "sentence"),
    [
        (
            OVERFITTING,
            None,
            "From epoch 12 on it memorised the drawings instead of learning (that is called "
            "overfitting): fewer epochs or more drawings would help.",
        ),
        (
            OVERFITTING,
            "de",
            "Ab Epoche 12 hat es die Zeichnungen nur noch auswendig gelernt, statt sie zu "
            "verstehen (das nennt man Overfitting): Nimm weniger Epochen oder zeichne mehr Bilder.",
        ),
        (
            UNFINISHED,
            None,
            "It had not finished learning (that is called underfitting): more epochs would help.",
        ),
        (
            UNFINISHED,
            "de",
            "Es war noch nicht fertig mit dem Lernen (das nennt man Underfitting): "
            "Gib ihm mehr Epochen.",
        ),
        (
            GOOD_FIT,
            None,
            "It was best around epoch 12 and did not start memorising the drawings: a good fit.",
        ),
        (
            GOOD_FIT,
            "de",
            "Am besten war es um Epoche 12 herum, und es hat die Zeichnungen nicht auswendig "
            "gelernt: Das passt gut.",
        ),
    ],
)
def test_the_report_says_how_it_fitted_after_the_labels(
    verdict: str, lang: str | None, sentence: str
) -> None:
    lines = finished_text(_result(fit_verdict=verdict, best_epoch=12), lang).splitlines()
    assert sentence in lines
    assert lines.index(sentence) == 4  # after the time, the accuracy and the two labels


@pytest.mark.parametrize("fit", [{}, {"fit_verdict": "", "best_epoch": 0}])
def test_a_report_without_a_verdict_says_nothing_of_the_fit(fit: dict[str, Any]) -> None:
    text = finished_text(_result(**fit), None)
    assert "fitting" not in text and "epoch" not in text and "good fit" not in text
    assert len(text.splitlines()) == 5  # time, accuracy, two labels, the new model answers
