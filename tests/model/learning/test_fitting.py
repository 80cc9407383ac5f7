"""Fitting one model again and again: resetting between runs without retracing."""

import keras
import numpy as np
import pytest

from model.learning.fitting import ModelFitter, Transfer
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
    assert trainer._full_step is None  # without a Transfer, one step trains everything


def test_filters_hold_still_for_their_share_of_the_epochs_then_learn_slowly(
    small_data: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = small_data
    model = build_model("cnn", len(LABELS))
    transfer = Transfer(hold_share=0.75, rate_ratio=0.1)
    trainer = ModelFitter(model, batch_size=8, transfer=transfer)
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
    assert transfer.hold_epochs(4) == 3
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
    trainer = ModelFitter(model, batch_size=8, transfer=Transfer(hold_share=1.0, rate_ratio=0.1))
    start = filter_weights(model)
    trainer.fit(x, y, 3, np.random.default_rng(0))
    assert filter_change(start, filter_weights(model)) == 0.0


def test_reset_puts_back_the_filters_and_both_optimizers(
    small_data: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = small_data
    keras.utils.set_random_seed(1)
    trainer = ModelFitter(
        build_model("cnn", len(LABELS)), batch_size=8, transfer=Transfer(0.5, 0.1)
    )
    first, _ = trainer.fit(x, y, 2, np.random.default_rng(0))
    trainer.reset()
    again, _ = trainer.fit(x, y, 2, np.random.default_rng(0))
    assert np.allclose(first["loss"], again["loss"], rtol=1e-4)


def test_with_prototypes_the_answers_blend_in_the_classes_means_and_export_as_validated(
    small_data: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = small_data
    keras.utils.set_random_seed(2)
    transfer = Transfer(0.5, 0.1, prototype_share=0.5)
    trainer = ModelFitter(build_model("cnn", len(LABELS)), batch_size=8, transfer=transfer)
    trainer.fit(x, y, 2, np.random.default_rng(0))

    head = trainer.model.predict(x, verbose=0)
    blended = trainer.predict(x)
    assert not np.allclose(blended, head, atol=1e-3)  # the prototypes have their say
    assert np.allclose(blended.sum(axis=1), 1.0, atol=1e-5)
    # What serves is what was validated: the exported network computes the same blend.
    serving = trainer.serving_model()
    assert serving is not trainer.model
    assert np.allclose(serving.predict(x, verbose=0), blended, atol=1e-5)

    trainer.reset()  # a new run: no prototypes until it has fitted its own samples
    assert np.allclose(trainer.predict(x), trainer.model.predict(x, verbose=0), atol=1e-6)
    assert trainer.serving_model() is trainer.model


def test_without_prototypes_the_model_itself_serves(
    small_data: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = small_data
    trainer = ModelFitter(
        build_model("cnn", len(LABELS)), batch_size=8, transfer=Transfer(0.5, 0.1)
    )
    trainer.fit(x, y, 1, np.random.default_rng(0))
    assert trainer.serving_model() is trainer.model
    assert np.allclose(trainer.predict(x), trainer.model.predict(x, verbose=0), atol=1e-6)
