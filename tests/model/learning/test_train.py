"""A whole training: k-fold validation, then the serving model on everything; a pretrained start."""

import keras
import numpy as np
import pytest

from model.job import EpochProgress, TrainParams
from model.learning.network import filter_weights
from model.learning.train import PRETRAINED_MODEL, train
from model.synthetic import LABELS
from tests.model.conftest import correlation


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
    # Each sample judged once: k-fold validates every one.
    assert result.mode != "kfold" or result.validated == list(range(len(x)))
    assert {index for index, *_ in result.misclassified} <= set(result.validated)
    for index, truth, guess, confidence in result.misclassified:
        assert 0.0 < confidence <= 1.0
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


def test_a_pretrained_start_learns_more_from_a_handful(
    small_data: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = small_data
    pretrained = train(x, y, LABELS, TrainParams(epochs=10, batch_size=8), seed=5)
    scratch = train(x, y, LABELS, TrainParams(epochs=10, batch_size=8, start="scratch"), seed=5)

    assert (pretrained.pretrained_layers, scratch.pretrained_layers) == (4, 0)
    default_kernels = filter_weights(keras.models.load_model(PRETRAINED_MODEL))
    # Tuned, in the second half of the epochs and slowly: moved, but still close to them.
    tuned = list(zip(filter_weights(pretrained.model), default_kernels, strict=True))
    assert not any(np.array_equal(kernel, default) for kernel, default in tuned)
    assert all(correlation(kernel, default) > 0.9 for kernel, default in tuned)
    assert 0.0 < pretrained.filter_change < scratch.filter_change
    fresh = zip(filter_weights(scratch.model), default_kernels, strict=True)
    assert not any(np.allclose(kernel, default) for kernel, default in fresh)
    # 6 drawings a label, 10 epochs (30 steps): the default model's features know smileys.
    assert pretrained.validation_accuracy >= 0.8
    assert pretrained.validation_accuracy >= scratch.validation_accuracy + 0.3
