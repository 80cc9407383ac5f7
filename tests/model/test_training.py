"""Training: stratified splits, resetting between runs without retracing, and a whole job."""

from collections.abc import Sequence

import keras
import numpy as np
import pytest

from model.job import EpochProgress, TrainParams
from model.network import build_model
from model.preprocess import ImageRejected, input_array, prepare_sample
from model.synthetic import LABELS, STYLES, smiley_bytes
from model.training import (
    MAX_FOLDS,
    MIN_HOLDOUT_COUNT,
    PRETRAINED_MODEL,
    Trainer,
    choose_validation,
    plan_validation,
    stratified_folds,
    stratified_holdout,
    train,
)
from tests.model.conftest import CANVAS, MAX_PIXELS


def synthetic_inputs(
    per_label: int, seed: int, labels: Sequence[str] = LABELS
) -> tuple[np.ndarray, np.ndarray]:
    """Return model inputs of synthetic smileys through the real pipeline, styles taking turns."""
    inputs, targets = [], []
    for index in range(per_label):
        for target, label in enumerate(labels):
            for attempt in range(10):  # a rare faint drawing is rejected as blank: draw another
                rng = np.random.default_rng([seed, target, index, attempt])
                style = STYLES[(index + target) % len(STYLES)]
                data = smiley_bytes(label, rng, style, "PNG", CANVAS)
                try:
                    inputs.append(
                        input_array(prepare_sample(data, max_pixels=MAX_PIXELS).model_input)
                    )
                except ImageRejected:
                    continue
                targets.append(target)
                break
    return np.stack(inputs), np.array(targets, dtype=np.int64)


def _labels_for(counts: Sequence[int]) -> np.ndarray:
    """Return y with counts[i] samples of label i, shuffled."""
    y = np.repeat(np.arange(len(counts)), counts)
    return np.random.default_rng(0).permutation(y)


# --- splits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("counts", [(5, 5, 5), (3, 7, 12), (2, 2), (19, 5, 8, 6)])
def test_stratified_folds_partition_the_samples_and_spread_every_label(
    counts: tuple[int, ...],
) -> None:
    y = _labels_for(counts)
    k = min(MAX_FOLDS, min(counts))
    folds = stratified_folds(y, k, np.random.default_rng(1))
    assert len(folds) == k
    everything = np.sort(np.concatenate(folds))
    assert np.array_equal(everything, np.arange(len(y)))  # disjoint and complete
    sizes = [len(fold) for fold in folds]
    assert max(sizes) - min(sizes) <= 1
    for label, count in enumerate(counts):
        per_fold = [int((y[fold] == label).sum()) for fold in folds]
        assert min(per_fold) >= 1  # every fold validates every label
        assert max(per_fold) - min(per_fold) <= 1
        assert sum(per_fold) == count


def test_stratified_folds_depend_on_the_generator_only() -> None:
    y = _labels_for((6, 6, 6))
    first = stratified_folds(y, 3, np.random.default_rng(5))
    again = stratified_folds(y, 3, np.random.default_rng(5))
    other = stratified_folds(y, 3, np.random.default_rng(6))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


@pytest.mark.parametrize(
    ("counts", "mode", "folds"),
    [
        ((10, 10, 10, 10, 10), "kfold", 5),
        ((3, 10, 12), "kfold", 3),
        ((2, 30), "kfold", 2),
        ((19, 40), "kfold", 5),
        ((20, 20, 25), "holdout", 1),
        ((200, 50), "holdout", 1),
    ],
)
def test_the_counts_choose_kfold_or_holdout(counts: tuple[int, ...], mode: str, folds: int) -> None:
    labels = [f"l{index}" for index in range(len(counts))]
    assert choose_validation(np.array(counts), labels) == (mode, folds)
    plan = plan_validation(_labels_for(counts), labels, 0.2, np.random.default_rng(0))
    assert (plan.mode, plan.folds) == (mode, folds)
    for training, validation in plan.splits:
        assert np.intersect1d(training, validation).size == 0
        assert training.size + validation.size == sum(counts)


def test_the_holdout_takes_the_fraction_of_every_label() -> None:
    counts = (20, 35, 100)
    y = _labels_for(counts)
    held = stratified_holdout(y, 0.2, np.random.default_rng(3))
    assert [int((y[held] == label).sum()) for label in range(3)] == [4, 7, 20]
    assert min(counts) >= MIN_HOLDOUT_COUNT


@pytest.mark.parametrize(
    ("counts", "message"),
    [((5, 0, 5), "label 'l1' has no samples"), ((5, 1), "label 'l1' has only 1 sample")],
)
def test_too_few_samples_are_refused_naming_the_label(
    counts: tuple[int, ...], message: str
) -> None:
    labels = [f"l{index}" for index in range(len(counts))]
    with pytest.raises(ValueError, match=message):
        choose_validation(np.array(counts), labels)


# --- one model, many runs ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_data() -> tuple[np.ndarray, np.ndarray]:
    """Return 6 synthetic samples per label (24 in all)."""
    return synthetic_inputs(6, seed=11)


def test_reset_restores_the_weights_and_the_optimizer_state(
    small_data: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = small_data
    # The dense network has no randomness in training, so equal state means equal runs.
    trainer = Trainer(build_model("dense", len(LABELS)), batch_size=8)
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
    trainer = Trainer(build_model("dense", len(LABELS)), batch_size=8)
    first, _ = trainer.fit(x, y, 2, np.random.default_rng(0))
    again, _ = trainer.fit(x, y, 2, np.random.default_rng(0))
    assert again["loss"][0] < first["loss"][0]


def test_the_steps_are_traced_once_for_all_runs_and_batch_sizes(
    small_data: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = small_data
    trainer = Trainer(build_model("cnn", len(LABELS)), batch_size=7)
    for size in (20, 17, 10):  # different last-batch sizes and validation sizes
        trainer.reset()
        trainer.fit(
            x[:size], y[:size], 1, np.random.default_rng(size), validation=(x[size:], y[size:])
        )
    assert trainer._train_step.experimental_get_tracing_count() == 1
    assert trainer._predict_step.experimental_get_tracing_count() == 1


# --- the whole job ------------------------------------------------------------------------------


def test_train_validates_by_kfold_then_trains_on_everything(
    small_data: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = small_data
    progress: list[EpochProgress] = []
    params = TrainParams(epochs=2, batch_size=8)
    result = train(x, y, LABELS, params, seed=3, on_epoch=progress.append)

    assert (result.mode, result.folds) == ("kfold", 5)  # 6 a label: k = min(5, 6)
    total = (result.folds + 1) * params.epochs
    assert [item.done for item in progress] == list(range(1, total + 1))
    assert {item.total for item in progress} == {total}
    assert [(item.phase, item.fold, item.epoch) for item in progress] == [
        ("validation", fold, epoch) for fold in range(1, 6) for epoch in (1, 2)
    ] + [("final", 0, 1), ("final", 0, 2)]
    assert all(item.val_loss is not None for item in progress if item.phase == "validation")
    assert all(item.val_accuracy is None for item in progress if item.phase == "final")

    confusion = np.array(result.confusion)
    assert confusion.shape == (len(LABELS), len(LABELS))
    assert confusion.sum() == len(x)  # k-fold validates every sample exactly once
    assert confusion.sum(axis=1).tolist() == np.bincount(y).tolist()
    assert result.validation_accuracy == pytest.approx(np.trace(confusion) / len(x))
    assert set(result.per_label_accuracy) == set(LABELS)
    assert all(0.0 <= value <= 1.0 for value in result.per_label_accuracy.values())
    assert len(result.misclassified) == len(x) - np.trace(confusion)
    for index, truth, guess in result.misclassified:
        assert y[index] == truth != guess
    assert len(result.histories) == result.folds
    for history in result.histories:
        assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
        assert all(len(values) == params.epochs for values in history.values())
    assert set(result.final_history) == {"loss", "accuracy"}
    assert result.model.output_shape == (None, len(LABELS))
    assert result.seconds > 0.0


def test_train_refuses_a_label_without_samples(small_data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = small_data
    with pytest.raises(ValueError, match="label 'extra' has no samples"):
        train(x, y, [*LABELS, "extra"], TrainParams(epochs=1))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (TrainParams(architecture="rnn"), "unknown architecture"),
        (TrainParams(epochs=0), "must be positive"),
        (TrainParams(learning_rate=-1.0), "learning rate"),
        (TrainParams(validation=1.0), "validation fraction"),
        (TrainParams(start="imagenet"), "unknown start"),
    ],
)
def test_train_refuses_bad_params(
    small_data: tuple[np.ndarray, np.ndarray], params: TrainParams, message: str
) -> None:
    x, y = small_data
    with pytest.raises(ValueError, match=message):
        train(x, y, LABELS, params)


def _convolution_kernels(model: keras.Model) -> list[np.ndarray]:
    return [
        layer.get_weights()[0] for layer in model.layers if isinstance(layer, keras.layers.Conv2D)
    ]


def test_a_pretrained_start_learns_more_from_a_handful(
    small_data: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = small_data
    pretrained = train(x, y, LABELS, TrainParams(epochs=10, batch_size=8), seed=5)
    scratch = train(x, y, LABELS, TrainParams(epochs=10, batch_size=8, start="scratch"), seed=5)

    assert (pretrained.pretrained_layers, scratch.pretrained_layers) == (4, 0)
    default_kernels = _convolution_kernels(keras.models.load_model(PRETRAINED_MODEL))
    kept = zip(_convolution_kernels(pretrained.model), default_kernels, strict=True)
    assert all(np.array_equal(kernel, default) for kernel, default in kept)  # frozen
    fresh = zip(_convolution_kernels(scratch.model), default_kernels, strict=True)
    assert not any(np.allclose(kernel, default) for kernel, default in fresh)
    # 6 drawings a label, 10 epochs (30 steps): the default model's features know smileys.
    assert pretrained.validation_accuracy >= 0.8
    assert pretrained.validation_accuracy >= scratch.validation_accuracy + 0.3
