"""Fitting one model again and again (the validation runs, then the final one) quickly.

A chat waits for this, on two shared cores. Keras' `fit` costs ~80 ms an epoch even for
three batches, and a freshly built model costs ~1.5 s of tracing. So the model is built and
traced ONCE (`ModelFitter`), its initial weights and optimizer state are kept and put back
before every run, and the epochs run through a small hand-written loop over one traced
training step, as in Keras' guide "Writing a training loop from scratch in TensorFlow".
"""

from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

# Keras clips probabilities to this before taking the log in its cross-entropy.
_EPSILON = 1e-7
_PREDICT_BATCH = 512


class ModelFitter:
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
