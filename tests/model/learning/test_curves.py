"""Reading the validation curves: the best epoch and the verdict, on made-up histories."""

from __future__ import annotations

import numpy as np
import pytest

from model.job import GOOD_FIT, OVERFITTING, UNFINISHED
from model.learning.curves import CurveReading, read_curves, smoothed

History = dict[str, list[float]]


def _history(val_loss: np.ndarray, loss: np.ndarray, accuracy: float | np.ndarray = 1.0) -> History:
    epochs = len(val_loss)
    return {
        "loss": np.asarray(loss, dtype=float).tolist(),
        "accuracy": np.broadcast_to(accuracy, epochs).astype(float).tolist(),
        "val_loss": np.asarray(val_loss, dtype=float).tolist(),
        "val_accuracy": [0.9] * epochs,
    }


def _noisy(curve: np.ndarray, seed: int, noise: float) -> np.ndarray:
    return np.maximum(0.0, curve + np.random.default_rng(seed).normal(0.0, noise, len(curve)))


def _overfitting(epochs: int, bottom: int) -> np.ndarray:
    """Validation loss falling from 0.7 to 0.3 at ``bottom``, then rising by 0.03 an epoch."""
    epoch = np.arange(1, epochs + 1)
    return np.where(
        epoch <= bottom, 0.7 - 0.4 * (epoch - 1) / (bottom - 1), 0.3 + 0.03 * (epoch - bottom)
    )


def _falling(epochs: int, start: float, rate: float, floor: float = 0.0) -> np.ndarray:
    return floor + (start - floor) * np.exp(-rate * np.arange(epochs))


@pytest.mark.parametrize("runs", [1, 5])
def test_validation_getting_worse_while_training_gets_better_is_overfitting(runs: int) -> None:
    histories = [
        _history(_noisy(_overfitting(40, 12), seed, 0.04), _falling(40, 0.7, 0.2))
        for seed in range(runs)
    ]
    reading = read_curves(histories)
    assert reading.verdict == OVERFITTING
    assert 10 <= reading.best_epoch <= 14


def test_folds_are_read_from_their_mean_not_one_by_one() -> None:
    early, late = (
        _history(_overfitting(40, bottom), _falling(40, 0.7, 0.2)) for bottom in (10, 25)
    )
    mean = {key: ((np.array(early[key]) + late[key]) / 2).tolist() for key in early}
    together = read_curves([early, late])
    assert together == read_curves([mean])
    assert read_curves([early]).best_epoch < together.best_epoch < read_curves([late]).best_epoch


def test_hold_out_and_identical_folds_read_the_same() -> None:
    one = _history(_noisy(_overfitting(30, 9), 1, 0.03), _falling(30, 0.7, 0.2))
    assert read_curves([one]) == read_curves([one, one, one])


def test_still_falling_at_the_end_has_not_finished() -> None:
    histories = [
        _history(_noisy(_falling(30, 0.7, 0.04), seed, 0.01), _falling(30, 0.7, 0.05), 0.9)
        for seed in range(5)
    ]
    reading = read_curves(histories)
    assert reading.verdict == UNFINISHED
    assert reading.best_epoch >= 27


def test_unsure_of_its_own_drawings_and_still_learning_them_has_not_finished() -> None:
    # A real 8-epoch training from scratch: validation barely moves, training is at 0.41.
    val_loss = np.array([0.697, 0.692, 0.690, 0.684, 0.676, 0.667, 0.660, 0.655])
    loss = np.array([0.693, 0.655, 0.619, 0.583, 0.545, 0.504, 0.460, 0.413])
    assert read_curves([_history(val_loss, loss)]).verdict == UNFINISHED


def test_unsure_of_its_own_drawings_but_stuck_says_nothing() -> None:
    flat = np.full(20, 0.69)
    flat[3] = 0.6  # validation best early, nothing moves after
    assert read_curves([_history(flat, np.full(20, 0.69), 0.5)]).verdict == ""


def test_a_plateau_near_zero_is_a_good_fit_even_where_it_still_halves() -> None:
    histories = [_history(_falling(40, 0.3, 0.15, 0.0), _falling(40, 1.8, 0.3)) for _ in range(5)]
    reading = read_curves(histories)
    assert reading == CurveReading(reading.best_epoch, GOOD_FIT)
    assert reading.best_epoch > 30


def test_a_noisy_plateau_with_one_bad_last_epoch_is_not_overfitting() -> None:
    val_loss = _noisy(_falling(40, 0.7, 0.3, 0.1), 7, 0.01)
    val_loss[-1] = 0.35
    reading = read_curves([_history(val_loss, _falling(40, 0.7, 0.2))])
    assert reading.verdict == GOOD_FIT


def test_a_small_rise_after_the_best_epoch_is_not_overfitting() -> None:
    epoch = np.arange(40)
    val_loss = np.where(epoch < 15, 0.7 - 0.04 * epoch, 0.14 + 0.001 * (epoch - 15))
    assert read_curves([_history(val_loss, _falling(40, 0.7, 0.2))]).verdict == GOOD_FIT


@pytest.mark.parametrize("epochs", [1, 2, 4])
def test_a_very_short_training_says_nothing(epochs: int) -> None:
    histories = [_history(_overfitting(epochs + 20, 2)[:epochs], _falling(epochs, 0.7, 0.5))]
    assert read_curves(histories) == CurveReading(0, "")


def test_no_validation_curves_say_nothing() -> None:
    assert read_curves([]) == CurveReading(0, "")
    assert read_curves([{"loss": [0.5] * 10, "accuracy": [0.9] * 10}]) == CurveReading(0, "")


def test_smoothing_averages_the_neighbours_and_keeps_the_ends() -> None:
    assert smoothed([1.0, 2.0, 3.0, 4.0, 5.0], 3).tolist() == [1.5, 2.0, 3.0, 4.0, 4.5]
    assert smoothed([3.0, 1.0, 2.0], 1).tolist() == [3.0, 1.0, 2.0]
