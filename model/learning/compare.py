"""/compare: several networks validated on the very same runs, with no model to serve."""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import keras
import numpy as np

from model.job import EpochProgress, TrainParams, Variant
from model.learning.fitting import ModelFitter
from model.learning.train import EpochReporter, checked_inputs, new_model, validation_runs
from model.learning.validation import plan_validation


@dataclass(frozen=True)
class Comparison:
    """Validation accuracy of several variants on the very same validation runs."""

    accuracies: dict[str, float]  # variant name -> pooled validation accuracy
    fold_accuracies: dict[str, list[float]]  # variant name -> accuracy of each run
    mode: str  # "kfold" | "holdout"
    folds: int
    seconds: float


def compare(
    x: np.ndarray,
    y: np.ndarray,
    labels: Sequence[str],
    params: TrainParams,
    variants: Sequence[Variant],
    *,
    seed: int = 0,
    on_epoch: Callable[[EpochProgress], None] | None = None,
) -> Comparison:
    """Validate each variant on the same splits; train no final model.

    The splits are those `train` would make with the same seed and data. Each variant gets
    `params` with its architecture and start; the other parameters (epochs, learning rate,
    batch size) are the chat's. Progress reports the variant's name as the phase.

    Raises:
        ValueError: Bad input, as for `train`, or an unknown architecture or start.
    """
    started = time.perf_counter()
    chosen = [replace(params, architecture=v.architecture, start=v.start) for v in variants]
    for variant_params in chosen:
        checked_inputs(x, y, labels, variant_params)
    x, y = checked_inputs(x, y, labels, params)
    plan = plan_validation(y, labels, params.validation, np.random.default_rng(seed))
    total = len(variants) * plan.folds * params.epochs
    reporter = EpochReporter(on_epoch, plan.folds, params.epochs, total)
    accuracies: dict[str, float] = {}
    fold_accuracies: dict[str, list[float]] = {}
    for variant, variant_params in zip(variants, chosen, strict=True):
        # Same seed for each: the weights differ by variant, the data order does not.
        rng = np.random.default_rng(seed)
        keras.utils.set_random_seed(seed)
        model, _, transfer = new_model(
            variant.architecture, len(labels), x.shape[1], variant_params
        )
        fitter = ModelFitter(model, params.batch_size, transfer)
        hits = seen = 0
        per_fold = []
        runs = validation_runs(fitter, x, y, plan, params.epochs, rng, reporter.run, variant.name)
        for validation_part, _, probabilities in runs:
            right = int((probabilities.argmax(axis=1) == y[validation_part]).sum())
            per_fold.append(right / len(validation_part))
            hits += right
            seen += len(validation_part)
        accuracies[variant.name] = hits / seen
        fold_accuracies[variant.name] = per_fold
    return Comparison(
        accuracies=accuracies,
        fold_accuracies=fold_accuracies,
        mode=plan.mode,
        folds=plan.folds,
        seconds=time.perf_counter() - started,
    )
