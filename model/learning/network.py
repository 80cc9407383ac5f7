"""The networks: the talk's dense starting point and its CNN, improved where the numbers said so.

Both take the preprocessed (size, size) input, bright ink on black in [0, 1], and end in a
softmax over the chat's labels. Read it like Keras' mnist_convnet example:

- "dense" is where the talk started: three Dense layers of 200 on the flattened pixels. It
  has to learn every position of every stroke separately, so it does poorly on drawings.
- "cnn" is the talk's answer: three Conv2D layers of 50 filters with max-pooling between
  them, then two Dense layers down to the labels. `CnnOptions` lists what was tried on top
  of it; `DEFAULT_CNN` keeps what scripts/bench_accuracy.py showed to pay off.

Augmentation (small rotations, shifts and zooms; never flips, never large turns, because
"upside-down" is a label and a chat may teach "left" and "right") lives in the model as
Keras preprocessing layers: they act only while training and pass images through untouched
at inference, so the exported TFLite model contains none of them.
"""

import logging
from dataclasses import dataclass

import keras
import numpy as np

from model.job import ARCHITECTURES

logger = logging.getLogger(__name__)

# The talk's sizes.
CONV_FILTERS = 50
CONV_LAYERS = 3
KERNEL_SIZE = 3
CNN_DENSE_UNITS = 50
DENSE_UNITS = 200
DENSE_LAYERS = 3

# Augmentation limits: a person tilts a drawing a little, never by a quarter turn.
MAX_ROTATION_DEGREES = 12.0
MAX_SHIFT = 0.08  # share of the input side: preprocessing already centres the drawing
MAX_ZOOM = 0.1  # preprocessing already scales the drawing into a fixed box
# A chat's training runs only a few hundred steps: Keras' default 0.99 would leave the
# moving statistics that inference uses far from the data's; 0.9 settles within ~30 steps.
BATCH_NORM_MOMENTUM = 0.9


@dataclass(frozen=True)
class CnnOptions:
    """What the CNN adds to the talk's version; the talk's own is `CnnOptions()`."""

    padding: str = "valid"  # "same" keeps the borders of the 28x28 input in every layer
    batch_norm: bool = False  # normalise each convolution's output before the ReLU
    dropout: float = 0.0  # share of the flattened features dropped while training
    augment: bool = False  # random small rotations, shifts and zooms while training
    final_pool: bool = False  # pool after the third convolution too: fewer Dense weights


TALK_CNN = CnnOptions()
# scripts/bench_accuracy.py measured the options above with a chat's handful of samples,
# trained from scratch for 20 epochs (a few hundred steps; figures in its docstring): none
# paid off. Batch normalisation and augmentation cost 5 to 15 points at 10 samples a label,
# dropout changed nothing beyond the noise. So a chat's CNN is the talk's. The bundled
# default model, trained on thousands of drawings, does use augmentation and dropout
# (scripts/train_default_model.py), and what pays off for a chat is to start from its
# features (`start_from`).
DEFAULT_CNN = TALK_CNN


def build_model(
    architecture: str,
    num_classes: int,
    *,
    input_size: int = 28,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """Build and compile a network for `num_classes` labels.

    Args:
        architecture: "cnn" (the default CNN) or "dense" (the talk's dense starting point).
        num_classes: How many labels the softmax chooses between.
        input_size: The side of the square input.
        learning_rate: Adam's learning rate.
    """
    if architecture == "cnn":
        model = build_cnn(num_classes, input_size=input_size, options=DEFAULT_CNN)
    elif architecture == "dense":
        model = build_dense(num_classes, input_size=input_size)
    else:
        raise ValueError(f"unknown architecture {architecture!r}; expected one of {ARCHITECTURES}")
    compile_model(model, learning_rate)
    return model


def compile_model(model: keras.Model, learning_rate: float) -> None:
    """Compile for integer labels: Adam, sparse categorical cross-entropy, accuracy."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )


def build_dense(num_classes: int, *, input_size: int = 28) -> keras.Model:
    """Build the talk's starting point: Dense layers on the flattened pixels (not compiled)."""
    _check_sizes(num_classes, input_size)
    inputs = keras.Input(shape=(input_size, input_size), name="image")
    x = keras.layers.Flatten()(inputs)
    for _ in range(DENSE_LAYERS):
        x = keras.layers.Dense(DENSE_UNITS, activation="relu")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="label")(x)
    return keras.Model(inputs, outputs, name="dense")


def build_cnn(
    num_classes: int, *, input_size: int = 28, options: CnnOptions = DEFAULT_CNN
) -> keras.Model:
    """Build the talk's CNN with `options` on top (not compiled)."""
    _check_sizes(num_classes, input_size)
    inputs = keras.Input(shape=(input_size, input_size), name="image")
    x = keras.layers.Reshape((input_size, input_size, 1))(inputs)
    if options.augment:
        x = augmentation()(x)
    for index in range(CONV_LAYERS):
        x = _convolution(x, options)
        # The talk pools between the convolutions; the final pool is optional.
        if index < CONV_LAYERS - 1 or options.final_pool:
            x = keras.layers.MaxPooling2D(pool_size=2)(x)
    x = keras.layers.Flatten()(x)
    if options.dropout:
        x = keras.layers.Dropout(options.dropout)(x)
    x = keras.layers.Dense(CNN_DENSE_UNITS, activation="relu")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="label")(x)
    return keras.Model(inputs, outputs, name="cnn")


def _convolution(x: keras.KerasTensor, options: CnnOptions) -> keras.KerasTensor:
    """Apply one 3x3 convolution of CONV_FILTERS filters with a ReLU, normalised if asked."""
    if not options.batch_norm:
        return keras.layers.Conv2D(
            CONV_FILTERS, KERNEL_SIZE, padding=options.padding, activation="relu"
        )(x)
    # Batch normalisation has its own shift, so the convolution needs no bias.
    x = keras.layers.Conv2D(CONV_FILTERS, KERNEL_SIZE, padding=options.padding, use_bias=False)(x)
    x = keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM)(x)
    return keras.layers.Activation("relu")(x)


def augmentation() -> keras.Sequential:
    """Return the training-time augmentation: small rotations, shifts and zooms, no flips."""
    # Empty space that comes into view is background, which is black (0) in model inputs.
    return keras.Sequential(
        [
            keras.layers.RandomRotation(MAX_ROTATION_DEGREES / 360.0, fill_mode="constant"),
            keras.layers.RandomTranslation(MAX_SHIFT, MAX_SHIFT, fill_mode="constant"),
            keras.layers.RandomZoom(MAX_ZOOM, fill_mode="constant"),
        ],
        name="augmentation",
    )


def _check_sizes(num_classes: int, input_size: int) -> None:
    """Reject sizes no network can be built for."""
    if num_classes < 1:
        raise ValueError(f"need at least one class, not {num_classes}")
    if input_size < 1:
        raise ValueError(f"input size must be positive, not {input_size}")


def start_from(model: keras.Model, pretrained: keras.Model, *, hidden: bool = True) -> int:
    """Start a CNN from `pretrained`'s features; return how many layers were copied.

    The feature layers are every layer with weights but the output ("label") layer, paired
    in order; every pair must match in kind and weight shapes, and a new label set always
    gets a fresh output layer. With `hidden` False, only the convolutions are copied and
    the hidden Dense layer starts fresh too. Every layer stays trainable: how the copied
    filters learn is the fitter's business (model.learning.fitting.Transfer).

    scripts/bench_accuracy.py compares the ways to start and tune (its docstring): from
    scratch a handful of drawings teaches little; from the default model's features, with
    the filters held while the fresh output layer settles and then tuned slowly, a chat's
    network both keeps what thousands of drawings taught and learns filters of its own.

    Raises:
        ValueError: The network no longer matches the bundled default model, naming the
            first layer that differs: change the network and the default model together
            (scripts/train_default_model.py).
    """
    targets, sources = _feature_layers(model), _feature_layers(pretrained)
    for index, target in enumerate(targets):
        source = sources[index] if index < len(sources) else None
        shapes = [tuple(w.shape) for w in target.get_weights()]
        if source is None or type(target) is not type(source):
            raise ValueError(_mismatch(model, target, "the default model has no such layer there"))
        theirs = [tuple(w.shape) for w in source.get_weights()]
        if shapes != theirs:
            raise ValueError(_mismatch(model, target, f"weights {shapes}, the default's {theirs}"))
    if len(sources) > len(targets):
        extra = sources[len(targets)]
        raise ValueError(
            f"the {model.name} network lacks the default model's layer {extra.name!r} "
            f"({type(extra).__name__}): retrain the default model with this network "
            "(scripts/train_default_model.py)"
        )
    copied = 0
    for target, source in zip(targets, sources, strict=True):
        if hidden or isinstance(target, keras.layers.Conv2D):
            target.set_weights(source.get_weights())
            copied += 1
    return copied


def _mismatch(model: keras.Model, layer: keras.layers.Layer, problem: str) -> str:
    return (
        f"layer {layer.name!r} ({type(layer).__name__}) of the {model.name} network does not "
        f"match the default model: {problem}; retrain the default model with this network "
        "(scripts/train_default_model.py)"
    )


def _feature_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """Return the layers with weights, in order, without the output layer."""
    return [layer for layer in model.layers if layer.weights and layer.name != "label"]


def filter_weights(model: keras.Model) -> list[np.ndarray]:
    """Return a copy of every Conv2D kernel (the filters), in order."""
    return [
        np.array(layer.kernel.numpy())
        for layer in model.layers
        if isinstance(layer, keras.layers.Conv2D)
    ]


def filter_change(before: list[np.ndarray], after: list[np.ndarray]) -> float:
    """Return how much the filters moved: the summed |change| over the summed |weight| before."""
    moved = sum(float(np.abs(a - b).sum()) for a, b in zip(after, before, strict=True))
    size = sum(float(np.abs(b).sum()) for b in before)
    return moved / size if size else 0.0
