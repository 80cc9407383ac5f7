"""Exported models: atomic export, and LiteRT agrees with Keras."""

import json
import os
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter

from model.job import DEFAULT_MODEL_PREFIX, model_paths
from model.learning import export as export_module
from model.learning.export import export_model, to_tflite
from model.learning.network import TALK_CNN, CnnOptions, build_cnn, build_model
from model.serving import PREPROCESS_VERSION
from model.serving.hidden_layers import HiddenLayers, NoHiddenLayers
from model.serving.inference import Classifier
from model.synthetic import LABELS

ROOT = Path(__file__).resolve().parents[3]


def test_export_writes_the_four_files_and_nothing_else(exported: Path) -> None:
    paths = model_paths(exported)
    assert sorted(path.name for path in exported.parent.iterdir()) == [
        "chat.v1.json",
        "chat.v1.keras",
        "chat.v1.layers.tflite",
        "chat.v1.tflite",
    ]
    sidecar = json.loads(paths.sidecar.read_text(encoding="utf-8"))
    assert sidecar["labels"] == list(LABELS)
    assert sidecar["input_size"] == 28
    assert sidecar["preprocess_version"] == PREPROCESS_VERSION
    assert sidecar["architecture"] == "cnn"
    assert keras.saving.load_model(paths.keras).output_shape == (None, len(LABELS))


def test_export_renames_each_file_complete_and_the_sidecar_last(
    trained: keras.Model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renamed: list[str] = []
    real_replace = os.replace

    def replace(source: str | Path, target: str | Path) -> None:
        # Whatever is renamed into place is complete: readable as what it claims to be.
        target = Path(target)
        if target.name.endswith(".layers.tflite"):
            Interpreter(model_content=Path(source).read_bytes()).allocate_tensors()
        elif target.suffix == ".tflite":
            Classifier(Path(source).read_bytes(), LABELS, 28)
        elif target.suffix == ".json":
            assert json.loads(Path(source).read_text(encoding="utf-8"))["labels"] == list(LABELS)
            # When the sidecar appears, the model files are already there, whole.
            assert model_paths(tmp_path / "m").keras.is_file()
            Classifier(model_paths(tmp_path / "m").tflite.read_bytes(), LABELS, 28)
        renamed.append(target.name)
        real_replace(source, target)

    monkeypatch.setattr(export_module.os, "replace", replace)
    export_model(trained, LABELS, tmp_path / "m")
    assert renamed == ["m.keras", "m.tflite", "m.layers.tflite", "m.json"]


@pytest.mark.parametrize("failing", ["keras", "tflite"])
def test_a_failure_mid_export_leaves_no_partial_file(
    trained: keras.Model,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failing: str,
) -> None:
    real_write = export_module.write_atomically

    def write_then_fail(path: Path, write: Callable[[Path], object]) -> None:
        if path.suffix == f".{failing}":

            def half(temporary: Path) -> None:
                temporary.write_bytes(b"half a model")
                raise OSError("disk full")

            real_write(path, half)
        real_write(path, write)

    monkeypatch.setattr(export_module, "write_atomically", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        export_model(trained, LABELS, tmp_path / "m")
    names = sorted(path.name for path in tmp_path.iterdir())
    # Nothing half-written under a final name, no temporary file left, and no sidecar.
    assert names == (["m.keras"] if failing == "tflite" else [])


def test_a_failed_reexport_keeps_the_previous_model(
    trained: keras.Model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export_model(trained, LABELS, tmp_path / "m")
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}

    def broken(model: keras.Model) -> bytes:
        raise RuntimeError("converter crashed")

    monkeypatch.setattr(export_module, "to_tflite", broken)
    with pytest.raises(RuntimeError):
        export_model(trained, LABELS, tmp_path / "m")
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_export_refuses_labels_that_do_not_match_the_outputs(
    trained: keras.Model, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="4 outputs for 3 labels"):
        export_model(trained, LABELS[:3], tmp_path / "m")
    assert not any(tmp_path.iterdir())


def test_litert_agrees_with_keras_on_real_inputs(
    exported: Path, trained: keras.Model, images: tuple[np.ndarray, np.ndarray]
) -> None:
    x, _ = images
    classifier = Classifier.load(exported)
    from_litert = classifier.predict(x)
    from_keras = np.asarray(trained.predict(x, verbose=0))
    assert np.abs(from_litert - from_keras).max() < 1e-5
    reloaded = keras.saving.load_model(model_paths(exported).keras)
    assert np.abs(np.asarray(reloaded.predict(x, verbose=0)) - from_keras).max() < 1e-6


@pytest.mark.parametrize(
    "build",
    [
        lambda: build_model("dense", 3),
        lambda: build_cnn(3, options=TALK_CNN),
        lambda: build_cnn(3, options=CnnOptions("same", True, 0.3, True, True)),
    ],
    ids=["dense", "talk-cnn", "every-option"],
)
def test_every_network_converts_faithfully(
    build: Callable[[], keras.Model], images: tuple[np.ndarray, np.ndarray]
) -> None:
    model = build()
    classifier = Classifier(to_tflite(model), ["a", "b", "c"], 28)
    x = images[0]
    assert (
        np.abs(classifier.predict(x) - keras.ops.convert_to_numpy(model(x, training=False))).max()
        < 1e-5
    )


def test_a_conversion_that_does_not_match_the_model_is_caught(trained: keras.Model) -> None:
    # Converting without freezing once lost the talk CNN's weights: an 8 KB file predicting
    # NaN. Whatever goes wrong, a flatbuffer that predicts otherwise than Keras is refused.
    other = to_tflite(build_model("cnn", len(LABELS)))
    with pytest.raises(RuntimeError, match="does not predict what the Keras model does"):
        export_module._check_conversion(trained, other)


def test_the_default_models_two_formats_agree(images: tuple[np.ndarray, np.ndarray]) -> None:
    x, _ = images
    from_keras = np.asarray(
        keras.saving.load_model(model_paths(DEFAULT_MODEL_PREFIX).keras).predict(x, verbose=0)
    )
    assert np.abs(Classifier.load(DEFAULT_MODEL_PREFIX).predict(x) - from_keras).max() < 1e-5


@pytest.mark.parametrize(
    "build",
    [lambda: build_cnn(3, options=TALK_CNN), lambda: build_model("dense", 3)],
    ids=["cnn", "dense"],
)
def test_the_hidden_layers_in_litert_are_what_keras_computes(
    build: Callable[[], keras.Model], images: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    model = build()
    export_model(model, ["a", "b", "c"], tmp_path / "m", start="scratch")
    layers = HiddenLayers.load(tmp_path / "m")
    hidden = export_module.hidden_layers(model)
    probe = keras.Model(model.inputs, [layer.output for layer in hidden])
    image = images[0][0]
    expected = [np.asarray(out)[0] for out in probe(image[np.newaxis], training=False)]
    actual = layers.outputs(image)
    assert [out.shape for out in actual] == [out.shape for out in expected]
    for mine, theirs in zip(actual, expected, strict=True):
        assert np.abs(mine - theirs).max() < 1e-5
    if model.name == "cnn":
        kernel = np.asarray(hidden[0].kernel.numpy())[:, :, 0, :]
        assert layers.filters.shape == (kernel.shape[-1], 3, 3)
        assert np.abs(layers.filters - np.moveaxis(kernel, -1, 0)).max() < 1e-4
        assert [shape[:2] for shape in layers.shapes] == [(26, 26), (11, 11), (3, 3)]
    else:
        assert layers.filters.size == 0 and layers.shapes == ((200,), (200,), (200,))


def test_a_model_exported_before_filters_existed_says_so(exported: Path) -> None:
    paths = model_paths(exported)
    sidecar = json.loads(paths.sidecar.read_text(encoding="utf-8"))
    del sidecar["layers"]
    paths.sidecar.write_text(json.dumps(sidecar), encoding="utf-8")
    paths.layers.unlink()
    with pytest.raises(NoHiddenLayers):
        HiddenLayers.load(exported)


def test_the_default_model_ships_its_hidden_layers() -> None:
    layers = HiddenLayers.load(DEFAULT_MODEL_PREFIX)
    assert layers.start == "scratch" and layers.filters.shape == (50, 3, 3)
    reference = keras.saving.load_model(model_paths(DEFAULT_MODEL_PREFIX).keras)
    first = export_module.hidden_layers(reference)[0]
    kernel = np.moveaxis(np.asarray(first.kernel.numpy())[:, :, 0, :], -1, 0)
    assert np.abs(layers.filters - kernel).max() < 1e-4
