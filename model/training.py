"""Training with validation: how well will the chat's model recognise drawings it never saw?

A workshop chat has 5 to 10 drawings a label, so every drawing counts twice over:

1. Validation. With fewer than MIN_HOLDOUT_COUNT samples in some label, stratified k-fold:
   k = min(MAX_FOLDS, smallest label count) runs, each validating on a different k-th of
   every label. Otherwise one stratified hold-out of `params.validation`. The validation
   predictions give the accuracy, the per-label recall and the confusion matrix.
2. The model that serves is then trained on ALL the samples.

Speed: a chat waits for this, on two shared cores. Keras' `fit` costs ~80 ms an epoch even
for three batches, and a freshly built model costs ~1.5 s of tracing. So the model is built
and traced ONCE (`Trainer`), its initial weights and optimizer state are kept and put back
before every run, and the epochs run through a small hand-written loop over one traced
training step, as in Keras' guide "Writing a training loop from scratch in TensorFlow".
"""

import logging
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import keras
import numpy as np
import tensorflow as tf

from model.job import (
    ARCHITECTURES,
    DEFAULT_MODEL_PREFIX,
    STARTS,
    EpochProgress,
    TrainParams,
    model_paths,
)
from model.network import build_model, start_from

logger = logging.getLogger(__name__)

# Every label needs this many samples before one hold-out set gives a usable estimate.
MIN_HOLDOUT_COUNT = 20
MAX_FOLDS = 5
MIN_FOLDS = 2
# Keras clips probabilities to this before taking the log in its cross-entropy.
_EPSILON = 1e-7
_PREDICT_BATCH = 512
# A chat's CNN starts from the bundled default model's features (model.network.start_from).
PRETRAINED_MODEL = model_paths(DEFAULT_MODEL_PREFIX).keras


@dataclass(frozen=True)
class TrainingResult:
    """The model that serves and what validation found out about it."""

    model: keras.Model  # trained on all the samples
    validation_accuracy: float
    per_label_accuracy: dict[str, float]  # recall per true label
    confusion: list[list[int]]  # rows true, columns predicted, in the order of the labels
    misclassified: list[tuple[int, int, int]]  # (index into x, true, predicted)
    histories: list[dict[str, list[float]]]  # one per validation run
    final_history: dict[str, list[float]]
    mode: str  # "kfold" | "holdout"
    folds: int
    seconds: float
    pretrained_layers: int  # layers copied from the default model; 0 from scratch


# ---------------------------------------------------------------------------------------------
# 1. Which samples validate which run


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


# ---------------------------------------------------------------------------------------------
# 2. Fitting one model again and again without tracing it again


class Trainer:
    """Fit one compiled model repeatedly (folds, then the final run), tracing it only once."""

    def __init__(self, model: keras.Model, batch_size: int) -> None:
        """Trace the training and prediction steps and remember the model's initial state."""
        if batch_size < 1:
            raise ValueError(f"batch size must be positive, not {batch_size}")
        self.model = model
        self.batch_size = batch_size
        self._optimizer = model.optimizer
        # Adam creates its moments when built; build now so that reset() covers them.
        self._optimizer.build(model.trainable_variables)
        self._initial_weights = [np.array(value) for value in model.get_weights()]
        self._initial_optimizer = [np.array(var.numpy()) for var in self._optimizer.variables]
        size = model.input_shape[1:]
        images = tf.TensorSpec(shape=(None, *size), dtype=tf.float32)
        # A None batch dimension: a short last batch must not trigger another trace.
        self._train_step = tf.function(
            self._train_step_eager, input_signature=[images, tf.TensorSpec((None,), tf.int64)]
        )
        self._predict_step = tf.function(self._predict_step_eager, input_signature=[images])

    def _train_step_eager(
        self, images: tf.Tensor, labels: tf.Tensor
    ) -> tuple[tf.Tensor, tf.Tensor]:
        """Take one gradient step; return the batch's mean loss and its number of hits."""
        with tf.GradientTape() as tape:
            probabilities = self.model(images, training=True)
            loss = self.model.compute_loss(x=images, y=labels, y_pred=probabilities)
        gradients = tape.gradient(loss, self.model.trainable_variables)
        self._optimizer.apply_gradients(zip(gradients, self.model.trainable_variables, strict=True))
        hits = tf.reduce_sum(tf.cast(tf.argmax(probabilities, axis=-1) == labels, tf.float32))
        return loss, hits

    def _predict_step_eager(self, images: tf.Tensor) -> tf.Tensor:
        """Return the probabilities in inference mode (no dropout, no augmentation)."""
        probabilities: tf.Tensor = self.model(images, training=False)
        return probabilities

    def reset(self) -> None:
        """Put back the initial weights AND the optimizer's state (step count, moments)."""
        self.model.set_weights(self._initial_weights)
        for variable, value in zip(self._optimizer.variables, self._initial_optimizer, strict=True):
            variable.assign(value)

    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        epochs: int,
        rng: np.random.Generator,
        *,
        validation: tuple[np.ndarray, np.ndarray] | None = None,
        on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    ) -> tuple[dict[str, list[float]], np.ndarray | None]:
        """Train for `epochs` from the current state, shuffling every epoch.

        Returns:
            The history (loss, accuracy, and with validation val_loss, val_accuracy per
            epoch) and the validation probabilities after the last epoch (None without).
        """
        x = np.asarray(x, dtype=np.float32)
        y = np.asarray(y, dtype=np.int64)
        history: dict[str, list[float]] = {"loss": [], "accuracy": []}
        if validation is not None:
            history["val_loss"], history["val_accuracy"] = [], []
        probabilities = None
        for epoch in range(1, epochs + 1):
            order = rng.permutation(len(x))
            losses, hits = [], []
            for start in range(0, len(x), self.batch_size):
                batch = order[start : start + self.batch_size]
                loss, batch_hits = self._train_step(x[batch], y[batch])
                # Weigh each batch's mean loss by its size, as Keras does for the epoch's loss.
                losses.append(loss * len(batch))
                hits.append(batch_hits)
            logs = {
                "loss": float(tf.add_n(losses)) / len(x),
                "accuracy": float(tf.add_n(hits)) / len(x),
            }
            if validation is not None:
                probabilities = self.predict(validation[0])
                logs["val_loss"] = cross_entropy(probabilities, validation[1])
                logs["val_accuracy"] = accuracy(probabilities, validation[1])
            for key, value in logs.items():
                history[key].append(value)
            if on_epoch is not None:
                on_epoch(epoch, logs)
        return history, probabilities

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Return the model's probabilities for a batch of inputs, in inference mode."""
        x = np.asarray(x, dtype=np.float32)
        parts = [
            self._predict_step(x[start : start + _PREDICT_BATCH]).numpy()
            for start in range(0, len(x), _PREDICT_BATCH)
        ]
        if not parts:
            return np.zeros((0, int(self.model.output_shape[-1])), dtype=np.float32)
        return np.concatenate(parts)


def cross_entropy(probabilities: np.ndarray, y: np.ndarray) -> float:
    """Return the mean sparse categorical cross-entropy, clipped like Keras'."""
    picked = probabilities[np.arange(len(y)), y]
    return float(-np.log(np.clip(picked, _EPSILON, 1.0 - _EPSILON)).mean())


def accuracy(probabilities: np.ndarray, y: np.ndarray) -> float:
    """Return the share of samples whose most probable label is the true one."""
    return float((probabilities.argmax(axis=1) == y).mean())


# ---------------------------------------------------------------------------------------------
# 3. The whole job


def new_model(
    architecture: str, num_labels: int, input_size: int, params: TrainParams
) -> tuple[keras.Model, int]:
    """Build a compiled model; return it and how many layers it took from the default model.

    Only a CNN starts from the default model (a CNN itself): a dense network, the talk's
    first try, always learns from scratch.
    """
    model = build_model(
        architecture, num_labels, input_size=input_size, learning_rate=params.learning_rate
    )
    if params.start != "pretrained" or architecture != "cnn":
        return model, 0
    return model, start_from(model, keras.models.load_model(PRETRAINED_MODEL))


def _validation_runs(
    trainer: Trainer,
    x: np.ndarray,
    y: np.ndarray,
    plan: ValidationPlan,
    epochs: int,
    rng: np.random.Generator,
    reporter: Callable[[str, int], Callable[[int, dict[str, float]], None]],
    phase: str,
) -> Iterator[tuple[np.ndarray, dict[str, list[float]], np.ndarray]]:
    """Train afresh on each split; yield its validation indices, history and predicted labels."""
    for fold, (train_part, validation_part) in enumerate(plan.splits, start=1):
        trainer.reset()
        history, probabilities = trainer.fit(
            x[train_part],
            y[train_part],
            epochs,
            rng,
            validation=(x[validation_part], y[validation_part]),
            on_epoch=reporter(phase, fold),
        )
        yield validation_part, history, np.asarray(probabilities).argmax(axis=1)


class _Reporter:
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
    x, y = _checked(x, y, labels, params)
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    plan = plan_validation(y, labels, params.validation, rng)
    model, pretrained_layers = new_model(params.architecture, len(labels), x.shape[1], params)
    trainer = Trainer(model, params.batch_size)
    reporter = _Reporter(on_epoch, plan.folds, params.epochs, total_epochs(plan, params.epochs))

    confusion = np.zeros((len(labels), len(labels)), dtype=np.int64)
    misclassified: list[tuple[int, int, int]] = []
    histories = []
    runs = _validation_runs(trainer, x, y, plan, params.epochs, rng, reporter.run, "validation")
    for validation_part, history, predicted in runs:
        histories.append(history)
        np.add.at(confusion, (y[validation_part], predicted), 1)
        misclassified.extend(
            (int(index), int(truth), int(guess))
            for index, truth, guess in zip(
                validation_part, y[validation_part], predicted, strict=True
            )
            if truth != guess
        )
        logger.debug("run %d/%d: %s", len(histories), plan.folds, history["val_accuracy"][-1])

    trainer.reset()
    final_history, _ = trainer.fit(x, y, params.epochs, rng, on_epoch=reporter.run("final", 0))

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
        model=model,
        validation_accuracy=float(np.trace(confusion)) / float(confusion.sum()),
        per_label_accuracy={
            label: float(confusion[index, index]) / float(row_totals[index])
            for index, label in enumerate(labels)
        },
        confusion=confusion.tolist(),
        misclassified=sorted(misclassified),
        histories=histories,
        final_history=final_history,
        mode=plan.mode,
        folds=plan.folds,
        seconds=seconds,
        pretrained_layers=pretrained_layers,
    )


def _checked(
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


# ---------------------------------------------------------------------------------------------
# 4. Architectures side by side (/compare)


@dataclass(frozen=True)
class Comparison:
    """Validation accuracy of several architectures on the very same validation runs."""

    accuracies: dict[str, float]  # architecture -> pooled validation accuracy
    fold_accuracies: dict[str, list[float]]  # architecture -> accuracy of each run
    mode: str  # "kfold" | "holdout"
    folds: int
    seconds: float


def compare(
    x: np.ndarray,
    y: np.ndarray,
    labels: Sequence[str],
    params: TrainParams,
    architectures: Sequence[str],
    *,
    seed: int = 0,
    on_epoch: Callable[[EpochProgress], None] | None = None,
) -> Comparison:
    """Validate each architecture on the same splits; train no final model.

    The splits are those `train` would make with the same seed and data. Each architecture
    gets `params` with only the architecture changed (only a CNN starts from the default
    model, see `new_model`). Progress reports the architecture as the phase.

    Raises:
        ValueError: Bad input, as for `train`, or an unknown architecture.
    """
    started = time.perf_counter()
    for architecture in architectures:
        _checked(x, y, labels, replace(params, architecture=architecture))
    x, y = _checked(x, y, labels, params)
    plan = plan_validation(y, labels, params.validation, np.random.default_rng(seed))
    total = len(architectures) * plan.folds * params.epochs
    reporter = _Reporter(on_epoch, plan.folds, params.epochs, total)
    accuracies: dict[str, float] = {}
    fold_accuracies: dict[str, list[float]] = {}
    for architecture in architectures:
        # Same seed for each: the weights differ by architecture, the data order does not.
        rng = np.random.default_rng(seed)
        keras.utils.set_random_seed(seed)
        model, _ = new_model(architecture, len(labels), x.shape[1], params)
        trainer = Trainer(model, params.batch_size)
        hits = seen = 0
        per_fold = []
        runs = _validation_runs(trainer, x, y, plan, params.epochs, rng, reporter.run, architecture)
        for validation_part, _, predicted in runs:
            right = int((predicted == y[validation_part]).sum())
            per_fold.append(right / len(validation_part))
            hits += right
            seen += len(validation_part)
        accuracies[architecture] = hits / seen
        fold_accuracies[architecture] = per_fold
    return Comparison(
        accuracies=accuracies,
        fold_accuracies=fold_accuracies,
        mode=plan.mode,
        folds=plan.folds,
        seconds=time.perf_counter() - started,
    )
