"""Predictions in the bot's process: the Classifier, with no TensorFlow loaded."""

import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from model.job import DEFAULT_MODEL_PREFIX, model_paths
from model.serving.inference import Classifier

ROOT = Path(__file__).resolve().parents[3]


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


def test_the_bot_side_imports_no_tensorflow() -> None:
    code = (
        "import sys, model.serving, model.serving.inference, model.worker\n"
        "assert model.serving.Classifier is model.serving.inference.Classifier\n"
        "print(sorted(name for name in sys.modules"
        " if name.split('.')[0] in ('tensorflow', 'keras', 'tf_keras')))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"
