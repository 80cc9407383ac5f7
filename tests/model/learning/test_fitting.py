"""Fitting one model again and again: resetting between runs without retracing."""

import keras
import numpy as np
import pytest

from model.learning.fitting import FilterTuning, ModelFitter
from model.learning.network import build_model, filter_change, filter_weights
from model.synthetic import LABELS


def test_reset_restores_the_weights_and_the_optimizer_state(
    small_data: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = small_data
    # The dense network has no randomness in training, so equal state means equal runs.
    trainer = ModelFitter(build_model("dense", len(LABELS)), batch_size=8)
    initial = [weight.copy() for weight in trainer.model.get_weights()]
    first, _ = trainer.fit(x, y, 2, np.random.default_rng(0))
    optimizer = trainer.model.optimizer
    assert int(optimizer.iterations) == 2 * 3
    assert any(
        not np.array_equal(now, before)
        for now, before in zip(trainer.model.get_weights(), initial, strict=True)
    )

    trainer.reset()
    assert int(optimizer.iterations) == 0
    for now, before in zip(trainer.model.get_weights(), initial, strict=True):
        assert np.array_equal(now, before)
    # Adam's moments are back at zero: a run after the reset repeats the first exactly.
    moments = [variable for variable in optimizer.variables if variable.ndim > 0]
    assert moments and all(not np.any(np.asarray(variable)) for variable in moments)
    again, _ = trainer.fit(x, y, 2, np.random.default_rng(0))
    assert again["loss"] == pytest.approx(first["loss"], rel=1e-5)


def test_without_reset_a_run_continues_where_the_last_stopped(
    small_data: tuple[np.ndarray, np.ndarray],
) -> None:
    # The counterpart of the test above: it shows that the equality there is not a given.
    x, y = small_data
    trainer = ModelFitter(build_model("dense", len(LABELS)), batch_size=8)
    first, _ = trainer.fit(x, y, 2, np.random.default_rng(0))
    again, _ = trainer.fit(x, y, 2, np.random.default_rng(0))
    assert again["loss"][0] < first["loss"][0]


def test_the_steps_are_traced_once_for_all_runs_and_batch_sizes(
    small_data: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = small_data
    trainer = ModelFitter(build_model("cnn", len(LABELS)), batch_size=7)
    for size in (20, 17, 10):  # different last-batch sizes and validation sizes
        trainer.reset()
        trainer.fit(
            x[:size], y[:size], 1, np.random.default_rng(size), validation=(x[size:], y[size:])
        )
    assert trainer._head_step.experimental_get_tracing_count() == 1
    assert trainer._predict_step.experimental_get_tracing_count() == 1
    assert trainer._full_step is None  # without a FilterTuning, one step trains everything


def test_filters_hold_still_for_their_share_of_the_epochs_then_learn_slowly(
    small_data: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = small_data
    model = build_model("cnn", len(LABELS))
    tuning = FilterTuning(hold_share=0.75, rate_ratio=0.1)
    trainer = ModelFitter(model, batch_size=8, tuning=tuning)
    start = filter_weights(model)
    output_start = model.layers[-1].get_weights()[0].copy()
    moved: list[float] = []
    trainer.fit(
        x,
        y,
        4,
        np.random.default_rng(0),
        on_epoch=lambda epoch, logs: moved.append(filter_change(start, filter_weights(model))),
    )
    assert tuning.hold_epochs(4) == 3
    assert moved[:3] == [0.0, 0.0, 0.0] and moved[3] > 0.0  # held three epochs, then tuned
    assert not np.array_equal(model.layers[-1].get_weights()[0], output_start)
    assert trainer._head_step.experimental_get_tracing_count() == 1
    assert trainer._full_step is not None
    assert trainer._full_step.experimental_get_tracing_count() == 1


def test_filters_with_a_hold_share_of_one_stay_frozen(
    small_data: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = small_data
    model = build_model("cnn", len(LABELS))
    trainer = ModelFitter(model, batch_size=8, tuning=FilterTuning(hold_share=1.0, rate_ratio=0.1))
    start = filter_weights(model)
    trainer.fit(x, y, 3, np.random.default_rng(0))
    assert filter_change(start, filter_weights(model)) == 0.0


def test_reset_puts_back_the_filters_and_both_optimizers(
    small_data: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = small_data
    keras.utils.set_random_seed(1)
    trainer = ModelFitter(
        build_model("cnn", len(LABELS)), batch_size=8, tuning=FilterTuning(0.5, 0.1)
    )
    first, _ = trainer.fit(x, y, 2, np.random.default_rng(0))
    trainer.reset()
    again, _ = trainer.fit(x, y, 2, np.random.default_rng(0))
    assert np.allclose(first["loss"], again["loss"], rtol=1e-4)
