"""Predictions in the bot's process: an exported `.tflite` model run by LiteRT, in milliseconds.

The bot never imports TensorFlow (half a gigabyte and seconds to load); training runs in
`model.worker`, in its own process. Here only LiteRT's interpreter runs the model that
`model.learning.export` wrote, described by its `.json` sidecar.
"""

import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from model.job import model_paths
from model.serving.preprocess import PREPROCESS_VERSION

logger = logging.getLogger(__name__)

__all__ = ["Classifier"]

# One thread: a 28x28 CNN takes well under a millisecond, and the bot shares two cores.
_INTERPRETER_THREADS = 1
# A re-export to the same prefix may replace the .tflite between our reads of the two files.
_LOAD_ATTEMPTS = 3


class Classifier:
    """A trained model ready to predict: its labels, its input size and a LiteRT interpreter."""

    labels: tuple[str, ...]
    input_size: int

    def __init__(
        self,
        flatbuffer: bytes,
        labels: Sequence[str],
        input_size: int,
        *,
        architecture: str = "",
        preprocess_version: int = PREPROCESS_VERSION,
    ) -> None:
        """Load a TFLite flatbuffer whose outputs follow `labels`.

        Raises:
            ValueError: The model does not take (n, input_size, input_size) inputs or does not
                output one probability per label.
        """
        self.labels = tuple(labels)
        self.input_size = int(input_size)
        self.architecture = architecture
        # Inputs made by another preprocessing version do not suit this model: retrain.
        self.preprocess_version = int(preprocess_version)
        self._flatbuffer = flatbuffer  # the interpreter reads from this buffer; keep it alive
        self._interpreter = Interpreter(model_content=flatbuffer, num_threads=_INTERPRETER_THREADS)
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._batch = 0
        # LiteRT interpreters are not thread-safe, and resizing changes shared buffers.
        self._lock = threading.Lock()
        self._check_shapes()

    @classmethod
    def load(cls, prefix: Path) -> "Classifier":
        """Load `<prefix>.tflite` as described by `<prefix>.json`.

        Raises:
            OSError: A file is missing or unreadable.
            ValueError: The files do not belong together or describe no usable model.
        """
        prefix = Path(prefix)
        paths = model_paths(prefix)
        sidecar_path, tflite_path = paths.sidecar, paths.tflite
        for attempt in range(1, _LOAD_ATTEMPTS + 1):
            sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
            flatbuffer = tflite_path.read_bytes()
            expected = sidecar.get("tflite_sha256")
            if expected is None or hashlib.sha256(flatbuffer).hexdigest() == expected:
                break
            logger.info("%s changed while loading (attempt %d)", prefix, attempt)
        else:
            raise ValueError(f"{tflite_path} does not match its sidecar {sidecar_path}")
        try:
            labels = [str(label) for label in sidecar["labels"]]
            input_size = int(sidecar["input_size"])
            preprocess_version = int(sidecar["preprocess_version"])
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{sidecar_path} is not a model sidecar: {error}") from error
        classifier = cls(
            flatbuffer,
            labels,
            input_size,
            architecture=str(sidecar.get("architecture", "")),
            preprocess_version=preprocess_version,
        )
        if preprocess_version != PREPROCESS_VERSION:
            logger.warning(
                "%s was trained on preprocessing version %d, not %d",
                prefix,
                preprocess_version,
                PREPROCESS_VERSION,
            )
        return classifier

    def _check_shapes(self) -> None:
        """Check the model against the sidecar: (n, size, size) in, one value per label out."""
        self._resize(1)
        size = self.input_size
        in_shape = tuple(self._interpreter.get_input_details()[0]["shape"])
        out_shape = tuple(self._interpreter.get_output_details()[0]["shape"])
        if in_shape != (1, size, size):
            raise ValueError(f"the model takes inputs of shape {in_shape}, not (n, {size}, {size})")
        if out_shape != (1, len(self.labels)):
            raise ValueError(f"the model has {out_shape[-1]} outputs for {len(self.labels)} labels")

    def _resize(self, count: int) -> None:
        """Make room for `count` images (only when the count changes: allocating costs)."""
        if count != self._batch:
            size = self.input_size
            self._interpreter.resize_tensor_input(self._input, [count, size, size])
            self._interpreter.allocate_tensors()
            self._batch = count

    def predict(self, batch: np.ndarray) -> np.ndarray:
        """Return the probabilities (n, len(labels)) for a float32 (n, size, size) batch in [0, 1].

        Thread-safe: the bot calls it from worker threads.
        """
        images = np.ascontiguousarray(batch, dtype=np.float32)
        size = self.input_size
        if images.ndim != 3 or images.shape[1:] != (size, size) or images.shape[0] < 1:
            raise ValueError(f"expected a batch of shape (n, {size}, {size}), not {images.shape}")
        with self._lock:
            self._resize(images.shape[0])
            self._interpreter.set_tensor(self._input, images)
            self._interpreter.invoke()
            probabilities: np.ndarray = self._interpreter.get_tensor(self._output)
        return probabilities
