"""Exported models and predictions: atomic export, LiteRT agrees with Keras, no TF in the bot."""

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import pytest

from model import export as export_module
from model.export import export_model, to_tflite
from model.inference import Classifier
from model.job import DEFAULT_MODEL_PREFIX, model_paths
from model.network import TALK_CNN, CnnOptions, build_cnn, build_model
from model.synthetic import LABELS
from model.training import Trainer
from tests.model.test_training import synthetic_inputs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def images() -> tuple[np.ndarray, np.ndarray]:
    """Return 16 synthetic model inputs (4 a label, every style) and their labels."""
    return synthetic_inputs(4, seed=31)


@pytest.fixture(scope="module")
def trained(images: tuple[np.ndarray, np.ndarray]) -> keras.Model:
    """Return a CNN trained for a few epochs: far from random, so agreement means something."""
    keras.utils.set_random_seed(0)
    trainer = Trainer(build_model("cnn", len(LABELS)), batch_size=8)
    trainer.fit(*images, 3, np.random.default_rng(0))
    return trainer.model


@pytest.fixture(scope="module")
def exported(trained: keras.Model, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Export the trained model once; return its prefix."""
    prefix = tmp_path_factory.mktemp("export") / "chat.v1"  # a dot in the name must survive
    export_model(trained, LABELS, prefix)
    return prefix


# --- export ---------------------------------------------------------------------------------


def test_export_writes_the_three_files_and_nothing_else(exported: Path) -> None:
    paths = model_paths(exported)
    assert sorted(path.name for path in exported.parent.iterdir()) == [
        "chat.v1.json",
        "chat.v1.keras",
        "chat.v1.tflite",
    ]
    sidecar = json.loads(paths.sidecar.read_text(encoding="utf-8"))
    assert sidecar["labels"] == list(LABELS)
    assert sidecar["input_size"] == 28
    assert sidecar["preprocess_version"] == 1
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
        if target.suffix == ".tflite":
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
    assert renamed == ["m.keras", "m.tflite", "m.json"]


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


# --- LiteRT against Keras -------------------------------------------------------------------


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


# --- the Classifier ---------------------------------------------------------------------------


def test_the_default_model_recognises_synthetic_smileys(
    images: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = images
    classifier = Classifier.load(DEFAULT_MODEL_PREFIX)
    assert classifier.labels == ("smile", "sad", "neutral", "upside-down")
    assert classifier.input_size == 28
    probabilities = classifier.predict(x)
    assert probabilities.shape == (len(x), 4)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert float((probabilities.argmax(axis=1) == y).mean()) >= 0.75


def test_a_batch_predicts_what_single_images_do(images: tuple[np.ndarray, np.ndarray]) -> None:
    x = images[0][:3]
    classifier = Classifier.load(DEFAULT_MODEL_PREFIX)
    singles = np.concatenate([classifier.predict(image[None]) for image in x])
    assert np.allclose(classifier.predict(x), singles, atol=1e-6)
    # ...in any order of batch sizes, since the input tensor is resized as needed.
    assert np.allclose(classifier.predict(x[:1]), singles[:1], atol=1e-6)


def test_predictions_from_many_threads_match_serial_ones(
    images: tuple[np.ndarray, np.ndarray],
) -> None:
    x = images[0]
    classifier = Classifier.load(DEFAULT_MODEL_PREFIX)
    sizes = [1, 5, 2, 16, 3, 7, 1, 4] * 3
    expected = {size: classifier.predict(x[:size]) for size in set(sizes)}
    failures: list[str] = []

    def work(size: int) -> None:
        if not np.allclose(classifier.predict(x[:size]), expected[size], atol=1e-6):
            failures.append(f"batch of {size}")

    threads = [threading.Thread(target=work, args=(size,)) for size in sizes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


@pytest.mark.parametrize("shape", [(28, 28), (0, 28, 28), (2, 28, 27), (1, 28, 28, 1)])
def test_a_batch_of_the_wrong_shape_is_refused(shape: tuple[int, ...]) -> None:
    classifier = Classifier.load(DEFAULT_MODEL_PREFIX)
    with pytest.raises(ValueError, match="expected a batch"):
        classifier.predict(np.zeros(shape, dtype=np.float32))


def test_files_that_do_not_belong_together_are_refused(exported: Path, tmp_path: Path) -> None:
    paths = model_paths(exported)
    mixed = tmp_path / "mixed"
    sidecar = json.loads(paths.sidecar.read_text(encoding="utf-8"))
    model_paths(mixed).sidecar.write_text(json.dumps(sidecar), encoding="utf-8")
    model_paths(mixed).tflite.write_bytes(model_paths(DEFAULT_MODEL_PREFIX).tflite.read_bytes())
    with pytest.raises(ValueError, match="does not match its sidecar"):
        Classifier.load(mixed)
    # Without the checksum, the shapes still catch a model for other labels.
    del sidecar["tflite_sha256"]
    sidecar["labels"] = ["yes", "no"]
    model_paths(mixed).sidecar.write_text(json.dumps(sidecar), encoding="utf-8")
    with pytest.raises(ValueError, match="4 outputs for 2 labels"):
        Classifier.load(mixed)


# --- the bot's process stays free of TensorFlow -------------------------------------------------


def test_the_bot_side_imports_no_tensorflow() -> None:
    code = (
        "import sys, model, model.inference, model.worker\n"
        "assert model.Classifier is model.inference.Classifier\n"
        "print(sorted(name for name in sys.modules"
        " if name.split('.')[0] in ('tensorflow', 'keras', 'tf_keras')))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"
