"""The networks: shapes, compilation, the talk's layers, and augmentation only while training."""

import keras
import numpy as np
import pytest

from model.job import TrainParams
from model.learning.network import (
    ARCHITECTURES,
    CONV_FILTERS,
    DEFAULT_CNN,
    DENSE_UNITS,
    MAX_ROTATION_DEGREES,
    TALK_CNN,
    CnnOptions,
    augmentation,
    build_cnn,
    build_model,
    start_from,
)
from model.learning.train import PRETRAINED_MODEL, new_model


def _layers(model: keras.Model) -> list[keras.layers.Layer]:
    """Return every layer, with those of nested models (the augmentation block) flattened."""
    found = []
    for layer in model.layers:
        found.append(layer)
        if isinstance(layer, keras.Model):
            found.extend(_layers(layer))
    return found


@pytest.mark.parametrize("architecture", ARCHITECTURES)
@pytest.mark.parametrize("num_classes", [2, 5])
def test_every_architecture_maps_inputs_to_probabilities(
    architecture: str, num_classes: int
) -> None:
    model = build_model(architecture, num_classes)
    assert model.input_shape == (None, 28, 28)
    assert model.output_shape == (None, num_classes)
    probabilities = keras.ops.convert_to_numpy(
        model(np.random.default_rng(0).random((3, 28, 28)), training=False)
    )
    assert probabilities.shape == (3, num_classes)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert isinstance(model.loss, keras.losses.SparseCategoricalCrossentropy)
    assert isinstance(model.optimizer, keras.optimizers.Adam)


def test_the_learning_rate_reaches_the_optimizer() -> None:
    model = build_model("dense", 3, learning_rate=0.01)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)


def test_another_input_size_is_honoured() -> None:
    model = build_model("cnn", 3, input_size=32)
    assert model.input_shape == (None, 32, 32)
    assert model.output_shape == (None, 3)


def test_an_unknown_architecture_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown architecture"):
        build_model("transformer", 3)


def test_the_dense_network_is_the_talks_starting_point() -> None:
    model = build_model("dense", 4)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [DENSE_UNITS] * 3 + [4]
    assert not any(isinstance(layer, keras.layers.Conv2D) for layer in model.layers)


@pytest.mark.parametrize(
    "options",
    [
        TALK_CNN,
        CnnOptions(padding="same", batch_norm=True, dropout=0.3, augment=True, final_pool=True),
    ],
    ids=["talk", "every-option"],
)
def test_the_cnn_has_three_convolutions_of_50_and_two_dense_layers(options: object) -> None:
    model = build_cnn(4, options=options)  # type: ignore[arg-type]
    layers = _layers(model)
    convolutions = [layer for layer in layers if isinstance(layer, keras.layers.Conv2D)]
    assert [layer.filters for layer in convolutions] == [CONV_FILTERS] * 3
    assert sum(isinstance(layer, keras.layers.MaxPooling2D) for layer in layers) >= 2
    dense = [layer for layer in layers if isinstance(layer, keras.layers.Dense)]
    assert len(dense) == 2
    assert dense[-1].units == 4


def test_augmentation_never_flips_nor_turns_far() -> None:
    layers = _layers(augmentation())
    assert not any(isinstance(layer, keras.layers.RandomFlip) for layer in layers)
    rotations = [layer for layer in layers if isinstance(layer, keras.layers.RandomRotation)]
    for rotation in rotations:
        low, high = rotation.factor if isinstance(rotation.factor, tuple) else (0, rotation.factor)
        assert max(abs(low), abs(high)) * 360.0 <= 15.0
    assert MAX_ROTATION_DEGREES <= 15.0


def test_augmentation_acts_only_while_training() -> None:
    keras.utils.set_random_seed(1)
    images = np.zeros((4, 28, 28, 1), dtype=np.float32)
    images[:, 8:20, 12:16, 0] = 1.0  # a bar, not symmetric under a turn
    block = augmentation()
    assert np.array_equal(keras.ops.convert_to_numpy(block(images, training=False)), images)
    moved = keras.ops.convert_to_numpy(block(images, training=True))
    assert not np.allclose(moved, images)
    # Small moves keep the bar's ink in the frame and mostly where it was.
    assert np.all(moved.sum(axis=(1, 2, 3)) > 0.6 * images.sum(axis=(1, 2, 3)))
    assert np.all((moved * images).sum(axis=(1, 2, 3)) > 0.3 * images.sum(axis=(1, 2, 3)))


def test_a_chats_cnn_is_the_talks() -> None:
    # scripts/bench_accuracy.py found nothing that pays off with a chat's few samples.
    assert DEFAULT_CNN == TALK_CNN


def test_the_default_model_predicts_deterministically_in_inference_mode() -> None:
    model = build_model("cnn", 4)
    images = np.random.default_rng(2).random((5, 28, 28)).astype(np.float32)
    first = keras.ops.convert_to_numpy(model(images, training=False))
    assert np.array_equal(first, keras.ops.convert_to_numpy(model(images, training=False)))
    assert np.array_equal(first, np.asarray(model.predict(images, verbose=0)))


@pytest.fixture(scope="module")
def pretrained() -> keras.Model:
    """The bundled default model, as a chat's training loads it."""
    return keras.models.load_model(PRETRAINED_MODEL)


def test_a_cnn_starts_from_the_default_models_features(pretrained: keras.Model) -> None:
    model = build_model("cnn", 5)  # a label set the default model does not have
    assert start_from(model, pretrained) == 4  # three convolutions and the hidden Dense layer

    convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    sources = [layer for layer in pretrained.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(convolutions) == len(sources) == 3
    for layer, source in zip(convolutions, sources, strict=True):
        assert layer.trainable  # how the filters learn is the fitter's (Transfer)
        for mine, theirs in zip(layer.get_weights(), source.get_weights(), strict=True):
            assert np.array_equal(mine, theirs)
    hidden, output = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    source_hidden = [layer for layer in pretrained.layers if isinstance(layer, keras.layers.Dense)]
    assert hidden.trainable and output.trainable
    assert np.array_equal(hidden.get_weights()[0], source_hidden[0].get_weights()[0])
    assert output.get_weights()[0].shape == (50, 5)  # a fresh output layer for the new labels


def test_without_the_hidden_layer_only_the_filters_are_copied(pretrained: keras.Model) -> None:
    model = build_model("cnn", 5)
    assert start_from(model, pretrained, hidden=False) == 3
    hidden = next(layer for layer in model.layers if isinstance(layer, keras.layers.Dense))
    source = next(layer for layer in pretrained.layers if isinstance(layer, keras.layers.Dense))
    assert not np.array_equal(hidden.get_weights()[0], source.get_weights()[0])


def test_a_pretrained_cnn_tunes_its_filters_in_two_stages_and_scratch_in_one() -> None:
    _, copied, transfer = new_model("cnn", 3, 28, TrainParams())
    assert copied == 4 and transfer is not None and 0.0 < transfer.hold_share < 1.0
    assert 0.0 < transfer.rate_ratio < 1.0
    assert new_model("cnn", 3, 28, TrainParams(start="scratch"))[1:] == (0, None)


def test_a_dense_network_takes_nothing_from_the_cnn(pretrained: keras.Model) -> None:
    model, copied, transfer = new_model("dense", 4, 28, TrainParams(start="pretrained"))
    assert copied == 0 and transfer is None
    assert all(layer.trainable for layer in model.layers)
    with pytest.raises(ValueError, match="does not match the default model"):
        start_from(build_model("dense", 4), pretrained)


def test_a_cnn_that_no_longer_matches_the_default_model_fails_naming_the_layer(
    pretrained: keras.Model,
) -> None:
    # Normalised convolutions have no bias: the first one's weights differ from the default's.
    wider = build_cnn(5, options=CnnOptions(batch_norm=True))
    before = [weight.copy() for weight in wider.get_weights()]
    with pytest.raises(ValueError, match=r"layer 'conv2d\w*' \(Conv2D\) of the cnn network"):
        start_from(wider, pretrained)
    # Nothing was copied half-way.
    for now, then in zip(wider.get_weights(), before, strict=True):
        assert np.array_equal(now, then)
    shorter = keras.Sequential(
        [keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(3, name="label")],
        name="tiny",
    )
    with pytest.raises(ValueError, match="lacks the default model's layer"):
        start_from(shorter, pretrained)
