"""A chat's training: validate (k-fold or hold-out), then fit the serving model on all samples."""

import logging
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from model.job import (
    ARCHITECTURES,
    DEFAULT_MODEL_PREFIX,
    STARTS,
    EpochProgress,
    TrainParams,
    model_paths,
)
from model.learning.fitting import ModelFitter, Transfer
from model.learning.network import build_model, filter_change, filter_weights, start_from
from model.learning.validation import (
    ValidationPlan,
    choose_validation,
    label_counts,
    plan_validation,
    total_epochs,
)

logger = logging.getLogger(__name__)

# A chat's CNN starts from the bundled default model's features (model.learning.network.start_from).
PRETRAINED_MODEL = model_paths(DEFAULT_MODEL_PREFIX).keras
# How a pretrained CNN's filters learn; chosen by scripts/bench_accuracy.py (its docstring).
PRETRAINED_TRANSFER = Transfer(hold_share=0.5, rate_ratio=0.1, prototype_share=0.5)


@dataclass(frozen=True)
class TrainingResult:
    """The model that serves and what validation found out about it."""

    model: keras.Model  # trained on all the samples
    validation_accuracy: float
    per_label_accuracy: dict[str, float]  # recall per true label
    confusion: list[list[int]]  # rows true, columns predicted, in the order of the labels
    # (index into x, true, predicted, the probability validation gave the predicted label)
    misclassified: list[tuple[int, int, int, float]]
    validated: list[int]  # indices into x that a validation run judged
    histories: list[dict[str, list[float]]]  # one per validation run
    final_history: dict[str, list[float]]
    mode: str  # "kfold" | "holdout"
    folds: int
    seconds: float
    pretrained_layers: int  # layers copied from the default model; 0 from scratch
    filter_change: float  # how far the serving model's filters moved from where they started


def new_model(
    architecture: str,
    num_labels: int,
    input_size: int,
    params: TrainParams,
    *,
    pretrained: Path = PRETRAINED_MODEL,
) -> tuple[keras.Model, int, Transfer | None]:
    """Build a compiled model; return it, the layers it took from the default model, its transfer.

    Only a CNN starts from the default model (a CNN itself): a dense network, the talk's
    first try, always learns from scratch, and so does `/set start scratch`, every weight
    from the first epoch (transfer None).
    """
    model = build_model(
        architecture, num_labels, input_size=input_size, learning_rate=params.learning_rate
    )
    if params.start != "pretrained" or architecture != "cnn":
        return model, 0, None
    copied = start_from(model, keras.models.load_model(pretrained))
    return model, copied, PRETRAINED_TRANSFER


def validation_runs(
    fitter: ModelFitter,
    x: np.ndarray,
    y: np.ndarray,
    plan: ValidationPlan,
    epochs: int,
    rng: np.random.Generator,
    reporter: Callable[[str, int], Callable[[int, dict[str, float]], None]],
    phase: str,
) -> Iterator[tuple[np.ndarray, dict[str, list[float]], np.ndarray]]:
    """Train afresh on each split; yield its validation indices, history and probabilities."""
    for fold, (train_part, validation_part) in enumerate(plan.splits, start=1):
        fitter.reset()
        history, probabilities = fitter.fit(
            x[train_part],
            y[train_part],
            epochs,
            rng,
            validation=(x[validation_part], y[validation_part]),
            on_epoch=reporter(phase, fold),
        )
        yield validation_part, history, np.asarray(probabilities)


class EpochReporter:
    """Counts the epochs of a whole job and reports each one to ``on_epoch``."""

    def __init__(
        self, on_epoch: Callable[[EpochProgress], None] | None, folds: int, epochs: int, total: int
    ) -> None:
        self._on_epoch = on_epoch
        self._folds = folds
        self._epochs = epochs
        self._total = total
        self._done = 0

    def run(self, phase: str, fold: int) -> Callable[[int, dict[str, float]], None]:
        """Return the per-epoch callback of one run (fold 0: the final run)."""

        def report(epoch: int, logs: dict[str, float]) -> None:
            self._done += 1
            if self._on_epoch is not None:
                self._on_epoch(
                    EpochProgress(
                        phase=phase,
                        fold=fold,
                        folds=self._folds,
                        epoch=epoch,
                        epochs=self._epochs,
                        done=self._done,
                        total=self._total,
                        loss=logs["loss"],
                        accuracy=logs["accuracy"],
                        val_loss=logs.get("val_loss"),
                        val_accuracy=logs.get("val_accuracy"),
                    )
                )

        return report


def train(
    x: np.ndarray,
    y: np.ndarray,
    labels: Sequence[str],
    params: TrainParams,
    *,
    seed: int = 0,
    on_epoch: Callable[[EpochProgress], None] | None = None,
) -> TrainingResult:
    """Validate (k-fold or hold-out), then train the model that serves on all the samples.

    Args:
        x: float32 (N, size, size) inputs in [0, 1], as `model.input_array` makes them.
        y: Integer labels, indices into `labels`.
        labels: The label names; the model's outputs follow their order.
        params: Epochs, learning rate, batch size, architecture, hold-out fraction, start.
        seed: Seeds the splits, the shuffling, the initial weights and the augmentation.
        on_epoch: Called after every epoch of every run.

    Raises:
        ValueError: Bad input, e.g. a label without samples or too few to validate.
    """
    started = time.perf_counter()
    x, y = checked_inputs(x, y, labels, params)
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    plan = plan_validation(y, labels, params.validation, rng)
    model, pretrained_layers, transfer = new_model(
        params.architecture, len(labels), x.shape[1], params
    )
    fitter = ModelFitter(model, params.batch_size, transfer)
    filters_before = filter_weights(model)
    reporter = EpochReporter(on_epoch, plan.folds, params.epochs, total_epochs(plan, params.epochs))

    confusion = np.zeros((len(labels), len(labels)), dtype=np.int64)
    misclassified: list[tuple[int, int, int, float]] = []
    histories = []
    runs = validation_runs(fitter, x, y, plan, params.epochs, rng, reporter.run, "validation")
    validated: list[int] = []
    for validation_part, history, probabilities in runs:
        histories.append(history)
        validated.extend(int(index) for index in validation_part)
        predicted = probabilities.argmax(axis=1)
        np.add.at(confusion, (y[validation_part], predicted), 1)
        misclassified.extend(
            (int(index), int(truth), int(guess), float(row[guess]))
            for index, truth, guess, row in zip(
                validation_part, y[validation_part], predicted, probabilities, strict=True
            )
            if truth != guess
        )
        logger.debug("run %d/%d: %s", len(histories), plan.folds, history["val_accuracy"][-1])

    fitter.reset()
    final_history, _ = fitter.fit(x, y, params.epochs, rng, on_epoch=reporter.run("final", 0))

    row_totals = confusion.sum(axis=1)
    seconds = time.perf_counter() - started
    logger.info(
        "trained %s on %d samples (%s, %d runs) in %.1f s",
        params.architecture,
        len(x),
        plan.mode,
        plan.folds,
        seconds,
    )
    return TrainingResult(
        model=fitter.serving_model(),
        validation_accuracy=float(np.trace(confusion)) / float(confusion.sum()),
        per_label_accuracy={
            label: float(confusion[index, index]) / float(row_totals[index])
            for index, label in enumerate(labels)
        },
        confusion=confusion.tolist(),
        misclassified=sorted(misclassified),
        validated=sorted(validated),
        histories=histories,
        final_history=final_history,
        mode=plan.mode,
        folds=plan.folds,
        seconds=seconds,
        pretrained_layers=pretrained_layers,
        filter_change=filter_change(filters_before, filter_weights(model)),
    )


def checked_inputs(
    x: np.ndarray, y: np.ndarray, labels: Sequence[str], params: TrainParams
) -> tuple[np.ndarray, np.ndarray]:
    """Validate the inputs and parameters; return x as float32 and y as int64.

    Raises:
        ValueError: With a one-line reason fit to show the user.
    """
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y)
    if x.ndim != 3 or x.shape[1] != x.shape[2]:
        raise ValueError(f"x must be (N, size, size), not {x.shape}")
    if y.shape != (len(x),):
        raise ValueError(f"y must hold one label per sample: {y.shape} for {len(x)} samples")
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must hold integer labels, not {y.dtype}")
    if len(labels) < 2:
        raise ValueError("training needs at least 2 labels")
    if len(set(labels)) != len(labels):
        raise ValueError("the label names must be distinct")
    if len(y) and (int(y.min()) < 0 or int(y.max()) >= len(labels)):
        raise ValueError(f"y must index the {len(labels)} labels")
    if not np.all(np.isfinite(x)) or (len(x) and (float(x.min()) < 0.0 or float(x.max()) > 1.0)):
        raise ValueError("x must hold values in [0, 1]")
    choose_validation(label_counts(y.astype(np.int64), len(labels)), labels)
    if params.architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {params.architecture!r}")
    if params.start not in STARTS:
        raise ValueError(f"unknown start {params.start!r}; expected one of {STARTS}")
    if params.epochs < 1 or params.batch_size < 1:
        raise ValueError("epochs and batch size must be positive")
    if not (math.isfinite(params.learning_rate) and params.learning_rate > 0.0):
        raise ValueError(f"the learning rate must be positive, not {params.learning_rate}")
    if not 0.0 < params.validation < 1.0:
        raise ValueError(
            f"the validation fraction must be between 0 and 1, not {params.validation}"
        )
    return x, y.astype(np.int64)
