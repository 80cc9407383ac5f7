"""Which samples validate which run: how well will the model recognise drawings it never saw?

A workshop chat has 5 to 10 drawings a label, so every drawing counts twice over. With
fewer than MIN_HOLDOUT_COUNT samples in some label, validation is stratified k-fold:
k = min(MAX_FOLDS, smallest label count) runs, each validating on a different k-th of every
label. Otherwise it is one stratified hold-out of `params.validation`. The validation
predictions give the accuracy, the per-label recall and the confusion matrix; the model
that serves is then trained on ALL the samples (model.learning.train).

Plain numpy: the worker plans a job's runs before it imports TensorFlow.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Every label needs this many samples before one hold-out set gives a usable estimate.
MIN_HOLDOUT_COUNT = 20
MAX_FOLDS = 5
MIN_FOLDS = 2


@dataclass(frozen=True)
class ValidationPlan:
    """The validation runs: per run, the indices it trains on and the ones it validates on."""

    mode: str  # "kfold" | "holdout"
    splits: tuple[tuple[np.ndarray, np.ndarray], ...]

    @property
    def folds(self) -> int:
        """Return the number of validation runs."""
        return len(self.splits)


def label_counts(y: np.ndarray, num_labels: int) -> np.ndarray:
    """Return how many samples each label has."""
    return np.bincount(y, minlength=num_labels)


def stratified_folds(y: np.ndarray, k: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Split sample indices into k folds, each label spread as evenly as possible over them.

    Deals each label's shuffled samples round-robin, the count running on from one label to
    the next, so the folds differ in size by at most one. A label with at least k samples
    lands in every fold.
    """
    if k < MIN_FOLDS:
        raise ValueError(f"need at least {MIN_FOLDS} folds, not {k}")
    fold_of = np.empty(len(y), dtype=np.int64)
    dealt = 0
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        fold_of[members] = (dealt + np.arange(members.size)) % k
        dealt += members.size
    return [np.flatnonzero(fold_of == fold) for fold in range(k)]


def stratified_holdout(y: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Return the sorted indices of a hold-out set with `fraction` of every label (at least one)."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"the hold-out fraction must be between 0 and 1, not {fraction}")
    held = []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        take = min(max(1, round(fraction * members.size)), members.size - 1)
        held.append(members[:take])
    return np.sort(np.concatenate(held))


def choose_validation(counts: np.ndarray, labels: Sequence[str]) -> tuple[str, int]:
    """Return the validation mode ("kfold" or "holdout") and its number of runs.

    Raises:
        ValueError: A label has fewer than MIN_FOLDS samples, named in the message.
    """
    for label, count in zip(labels, counts, strict=True):
        if count == 0:
            raise ValueError(f"label {label!r} has no samples")
        if count < MIN_FOLDS:
            raise ValueError(
                f"label {label!r} has only {count} sample; validation needs {MIN_FOLDS}"
            )
    smallest = int(counts.min())
    if smallest < MIN_HOLDOUT_COUNT:
        return "kfold", min(MAX_FOLDS, smallest)
    return "holdout", 1


def plan_validation(
    y: np.ndarray, labels: Sequence[str], validation: float, rng: np.random.Generator
) -> ValidationPlan:
    """Choose k-fold or hold-out validation from the label counts and split the samples.

    Raises:
        ValueError: A label has fewer than MIN_FOLDS samples.
    """
    mode, folds = choose_validation(label_counts(y, len(labels)), labels)
    everything = np.arange(len(y))
    if mode == "kfold":
        splits = tuple(
            (np.setdiff1d(everything, fold), fold) for fold in stratified_folds(y, folds, rng)
        )
        return ValidationPlan(mode, splits)
    held = stratified_holdout(y, validation, rng)
    return ValidationPlan(mode, ((np.setdiff1d(everything, held), held),))


def total_epochs(plan: ValidationPlan, epochs: int) -> int:
    """Return the epochs of a whole job: every validation run plus the final one."""
    return (plan.folds + 1) * epochs
