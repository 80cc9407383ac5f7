"""Fitting one model again and again (the validation runs, then the final one) quickly.

A chat waits for this, on two shared cores. Keras' `fit` costs ~80 ms an epoch even for
three batches, and a freshly built model costs ~1.5 s of tracing. So the model is built and
traced ONCE (`ModelFitter`), its initial weights and optimizer state are kept and put back
before every run, and the epochs run through a small hand-written loop over traced training
steps, as in Keras' guide "Writing a training loop from scratch in TensorFlow".

A CNN started from the default model's features is fine-tuned in two stages (`Transfer`):
first only the layers after the convolutions learn, so that the fresh output layer settles
without shaking the borrowed filters; then the filters learn too, with their own optimizer
at a lower rate. One traced step per stage. Its answers blend the output layer's with
the class prototypes' (model.learning.prototypes) of the run's training samples.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from model.learning import prototypes

# Keras clips probabilities to this before taking the log in its cross-entropy.
_EPSILON = 1e-7
_PREDICT_BATCH = 512


@dataclass(frozen=True)
class Transfer:
    """How a CNN started from pretrained features learns and answers.

    Its filters learn after a while, and slowly; its answers may blend in class prototypes.
    """

    hold_share: float  # share of a run's epochs with the filters held still (1.0: frozen)
    rate_ratio: float  # the filters' learning rate as a share of the head's
    prototype_share: float = 0.0  # share of each answer that comes from the prototypes

    def hold_epochs(self, epochs: int) -> int:
        """Return how many of `epochs` leave the filters as they are."""
        return round(self.hold_share * epochs)


class ModelFitter:
    """Fit one compiled model repeatedly (folds, then the final run), tracing it only once."""

    def __init__(
        self, model: keras.Model, batch_size: int, transfer: Transfer | None = None
    ) -> None:
        """Trace the training and prediction steps and remember the model's initial state.

        Args:
            model: A compiled model; its optimizer trains every variable but the filters'.
            batch_size: Samples per gradient step.
            transfer: How the Conv2D filters learn. None: with everything else, from the start.
        """
        if batch_size < 1:
            raise ValueError(f"batch size must be positive, not {batch_size}")
        self.model = model
        self.batch_size = batch_size
        self.transfer = transfer
        self._optimizer = model.optimizer
        trainable = model.trainable_variables
        filters = (
            {
                id(v)
                for layer in model.layers
                if isinstance(layer, keras.layers.Conv2D)
                for v in layer.trainable_variables
            }
            if transfer
            else set()
        )
        self._head = [v for v in trainable if id(v) not in filters]
        self._filters = [v for v in trainable if id(v) in filters]
        optimizers = [self._optimizer]
        # Adam creates its moments when built; build now so that reset() covers them.
        self._optimizer.build(self._head)
        self._filter_optimizer = None
        if self._filters and transfer is not None and transfer.hold_share < 1.0:
            rate = float(self._optimizer.learning_rate) * transfer.rate_ratio
            self._filter_optimizer = keras.optimizers.Adam(learning_rate=rate)
            self._filter_optimizer.build(self._filters)
            optimizers.append(self._filter_optimizer)
        self._initial_weights = [np.array(value) for value in model.get_weights()]
        self._initial_optimizers = [
            [np.array(var.numpy()) for var in optimizer.variables] for optimizer in optimizers
        ]
        self._optimizers = optimizers
        size = model.input_shape[1:]
        signature = [
            # A None batch dimension: a short last batch must not trigger another trace.
            tf.TensorSpec(shape=(None, *size), dtype=tf.float32),
            tf.TensorSpec((None,), tf.int64),
        ]
        # One traced step per stage: held filters need no gradients, so that step is cheaper.
        self._head_step = tf.function(
            functools.partial(self._step_eager, tune_filters=False), input_signature=signature
        )
        self._full_step = (
            tf.function(
                functools.partial(self._step_eager, tune_filters=True), input_signature=signature
            )
            if self._filter_optimizer is not None
            else None
        )
        self._predict_step = tf.function(self._predict_step_eager, input_signature=signature[:1])
        self._prototype_share = transfer.prototype_share if transfer is not None else 0.0
        self._features_step = (
            tf.function(prototypes.feature_model(model), input_signature=signature[:1])
            if self._prototype_share
            else None
        )
        # The training samples of the current run, whose prototypes blend into its answers.
        self._fitted_on: tuple[np.ndarray, np.ndarray] | None = None

    def _step_eager(
        self, images: tf.Tensor, labels: tf.Tensor, *, tune_filters: bool
    ) -> tuple[tf.Tensor, tf.Tensor]:
        """Take one gradient step; return the batch's mean loss and its number of hits.

        With ``tune_filters`` the filters learn too, through their own optimizer.
        """
        variables = self._head + self._filters if tune_filters else self._head
        with tf.GradientTape() as tape:
            probabilities = self.model(images, training=True)
            loss = self.model.compute_loss(x=images, y=labels, y_pred=probabilities)
        gradients = tape.gradient(loss, variables)
        split = len(self._head)
        self._optimizer.apply_gradients(zip(gradients[:split], self._head, strict=True))
        if tune_filters:
            assert self._filter_optimizer is not None
            self._filter_optimizer.apply_gradients(
                zip(gradients[split:], self._filters, strict=True)
            )
        hits = tf.reduce_sum(tf.cast(tf.argmax(probabilities, axis=-1) == labels, tf.float32))
        return loss, hits

    def _predict_step_eager(self, images: tf.Tensor) -> tf.Tensor:
        """Return the probabilities in inference mode (no dropout, no augmentation)."""
        probabilities: tf.Tensor = self.model(images, training=False)
        return probabilities

    def reset(self) -> None:
        """Put back the initial weights AND the optimizer's state (step count, moments)."""
        self._fitted_on = None
        self.model.set_weights(self._initial_weights)
        for optimizer, values in zip(self._optimizers, self._initial_optimizers, strict=True):
            for variable, value in zip(optimizer.variables, values, strict=True):
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
        self._fitted_on = (x, y)
        history: dict[str, list[float]] = {"loss": [], "accuracy": []}
        if validation is not None:
            history["val_loss"], history["val_accuracy"] = [], []
        probabilities = None
        hold = self.transfer.hold_epochs(epochs) if self.transfer is not None else 0
        for epoch in range(1, epochs + 1):
            step = (
                self._full_step if self._full_step is not None and epoch > hold else self._head_step
            )
            order = rng.permutation(len(x))
            losses, hits = [], []
            for start in range(0, len(x), self.batch_size):
                batch = order[start : start + self.batch_size]
                loss, batch_hits = step(x[batch], y[batch])
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
        """Return the probabilities for a batch of inputs, in inference mode.

        After a fit with prototypes they are blended in, as `serving_model` answers.
        """
        x = np.asarray(x, dtype=np.float32)
        head = _batched(self._predict_step, x, int(self.model.output_shape[-1]))
        prototypes_now = self._prototypes()
        if prototypes_now is None:
            return head
        by_prototype = prototypes.prototype_probabilities(self._features(x), prototypes_now)
        share = self._prototype_share
        return ((1.0 - share) * head + share * by_prototype).astype(np.float32)

    def serving_model(self) -> keras.Model:
        """Return the model to export: with the last fit's prototypes, if it blends them."""
        prototypes_now = self._prototypes()
        if prototypes_now is None:
            return self.model
        return prototypes.with_prototypes(self.model, prototypes_now, self._prototype_share)

    def _prototypes(self) -> np.ndarray | None:
        if self._features_step is None or self._fitted_on is None:
            return None
        x, y = self._fitted_on
        return prototypes.class_prototypes(self._features(x), y, int(self.model.output_shape[-1]))

    def _features(self, x: np.ndarray) -> np.ndarray:
        assert self._features_step is not None
        width = self.model.get_layer(prototypes.OUTPUT_LAYER).input.shape[-1]
        return _batched(self._features_step, x, int(width))


def _batched(step: Callable[[tf.Tensor], tf.Tensor], x: np.ndarray, width: int) -> np.ndarray:
    """Run a traced inference step over ``x`` in batches; return its outputs, (len(x), width)."""
    parts = [
        step(x[start : start + _PREDICT_BATCH]).numpy()
        for start in range(0, len(x), _PREDICT_BATCH)
    ]
    if not parts:
        return np.zeros((0, width), dtype=np.float32)
    return np.concatenate(parts)


def cross_entropy(probabilities: np.ndarray, y: np.ndarray) -> float:
    """Return the mean sparse categorical cross-entropy, clipped like Keras'."""
    picked = probabilities[np.arange(len(y)), y]
    return float(-np.log(np.clip(picked, _EPSILON, 1.0 - _EPSILON)).mean())


def accuracy(probabilities: np.ndarray, y: np.ndarray) -> float:
    """Return the share of samples whose most probable label is the true one."""
    return float((probabilities.argmax(axis=1) == y).mean())
