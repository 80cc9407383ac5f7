"""Class prototypes: each label's average drawing, as the network's hidden layer sees it.

With a handful of drawings a label, the output layer learns from a few dozen examples and
is easily swayed by one odd drawing. A prototype is steadier: the mean direction of a
label's hidden features. A drawing's closeness (cosine) to each prototype gives a second
answer, which a chat's model blends with its output layer's (`Transfer.prototype_share`).
scripts/bench_accuracy.py measured the blend (its docstring and the README).

The blend is part of the exported model (`with_prototypes`), so the bot serves what was
validated, with no code of its own.
"""

import keras
import numpy as np

# Cosines times this go through a softmax: a prototype 0.1 closer than another is e² ≈ 7
# times as likely, so the nearest clearly wins without the others counting for nothing.
SHARPNESS = 20.0
OUTPUT_LAYER = "label"  # model.learning.network names every network's output layer so


def feature_model(model: keras.Model) -> keras.Model:
    """Return the part of ``model`` up to its hidden features: the output layer's input."""
    return keras.Model(model.inputs, model.get_layer(OUTPUT_LAYER).input)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def class_prototypes(features: np.ndarray, y: np.ndarray, num_classes: int) -> np.ndarray:
    """Return each class's mean unit feature vector, itself of unit length: (classes, D).

    A class without samples gets zeros, close to nothing.
    """
    unit = _unit(np.asarray(features, dtype=np.float32))
    prototypes = np.zeros((num_classes, unit.shape[1]), dtype=np.float32)
    np.add.at(prototypes, y, unit)
    return _unit(prototypes)


def prototype_probabilities(features: np.ndarray, prototypes: np.ndarray) -> np.ndarray:
    """Return a softmax over the features' cosines to the prototypes, sharpened."""
    logits = SHARPNESS * (_unit(np.asarray(features, dtype=np.float32)) @ prototypes.T)
    logits -= logits.max(axis=1, keepdims=True)
    weights = np.exp(logits)
    return weights / weights.sum(axis=1, keepdims=True)


def with_prototypes(model: keras.Model, prototypes: np.ndarray, share: float) -> keras.Model:
    """Return a model answering ``share`` from the prototypes and the rest from ``model``.

    It shares ``model``'s layers and weights and adds the prototypes as a fixed layer,
    so it exports (Keras, LiteRT) like any network.
    """
    features = model.get_layer(OUTPUT_LAYER).input
    cosines = keras.layers.Dense(
        len(prototypes), use_bias=False, activation="softmax", name="prototypes"
    )
    by_prototype = cosines(keras.layers.UnitNormalization(axis=-1)(features))
    cosines.set_weights([SHARPNESS * prototypes.T])
    blended = keras.layers.Add(name="blend")(
        [
            keras.layers.Rescaling(1.0 - share)(model.output),
            keras.layers.Rescaling(share)(by_prototype),
        ]
    )
    return keras.Model(model.inputs, blended, name=model.name)
