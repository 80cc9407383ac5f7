"""Validation plans: stratified folds and hold-outs, chosen by the label counts."""

from collections.abc import Sequence

import numpy as np
import pytest

from model.learning.validation import (
    MAX_FOLDS,
    MIN_HOLDOUT_COUNT,
    choose_validation,
    plan_validation,
    stratified_folds,
    stratified_holdout,
)


def _labels_for(counts: Sequence[int]) -> np.ndarray:
    """Return y with counts[i] samples of label i, shuffled."""
    y = np.repeat(np.arange(len(counts)), counts)
    return np.random.default_rng(0).permutation(y)


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
