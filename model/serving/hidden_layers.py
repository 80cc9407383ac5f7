"""Inside a model, in the bot's process: what each hidden layer makes of a drawing (LiteRT).

/filters shows the first convolution's filters and the feature maps of one drawing through
the layers. The exporter (model.learning.export) wrote what that needs beside every model:
`.layers.tflite`, the network cut after its hidden layers with their outputs in one flat
vector, and in the sidecar the layers' shapes, the first layer's filters and where its
training started. A model exported before /filters existed has neither: `load` says so.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from model.job import model_paths

__all__ = ["HiddenLayers", "NoHiddenLayers"]


class NoHiddenLayers(ValueError):
    """The model was exported without its hidden layers (before /filters existed)."""


@dataclass(frozen=True)
class _Description:
    architecture: str
    start: str
    shapes: tuple[tuple[int, ...], ...]
    filters: np.ndarray  # (filters, rows, columns) float32; empty for a dense network


class HiddenLayers:
    """A model's hidden layers: their outputs for a drawing, and the first layer's filters."""

    def __init__(self, flatbuffer: bytes, description: _Description, input_size: int) -> None:
        self.architecture = description.architecture
        self.start = description.start  # "pretrained" (the built-in model's filters) or "scratch"
        self.shapes = description.shapes
        self.filters = description.filters
        self.input_size = input_size
        self._flatbuffer = flatbuffer  # the interpreter reads from this buffer; keep it alive
        self._interpreter = Interpreter(model_content=flatbuffer, num_threads=1)
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._interpreter.resize_tensor_input(self._input, [1, input_size, input_size])
        self._interpreter.allocate_tensors()
        width = int(self._interpreter.get_output_details()[0]["shape"][-1])
        if width != sum(math.prod(shape) for shape in self.shapes):
            raise ValueError(
                f"the layers model outputs {width} values, not what {self.shapes} hold"
            )
        self._lock = threading.Lock()  # LiteRT interpreters are not thread-safe

    @classmethod
    def load(cls, prefix: Path) -> HiddenLayers:
        """Load `<prefix>.layers.tflite` as described by `<prefix>.json`.

        Raises:
            NoHiddenLayers: The model has no layers file (exported before /filters).
            OSError: A file is unreadable.
            ValueError: The files do not belong together.
        """
        paths = model_paths(Path(prefix))
        sidecar = json.loads(paths.sidecar.read_text(encoding="utf-8"))
        layers = sidecar.get("layers")
        if not isinstance(layers, dict) or not paths.layers.is_file():
            raise NoHiddenLayers(str(prefix))
        flatbuffer = paths.layers.read_bytes()
        if hashlib.sha256(flatbuffer).hexdigest() != layers.get("tflite_sha256"):
            raise ValueError(f"{paths.layers} does not match its sidecar {paths.sidecar}")
        try:
            filters = np.asarray(layers["filters"], dtype=np.float32)
            if filters.size and filters.ndim != 3:
                raise ValueError(f"filters of shape {filters.shape}")
            description = _Description(
                architecture=str(sidecar.get("architecture", "")),
                start=str(sidecar.get("start", "scratch")),
                shapes=tuple(tuple(int(n) for n in shape) for shape in layers["shapes"]),
                filters=filters,
            )
            input_size = int(sidecar["input_size"])
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{paths.sidecar} does not describe its layers: {error}") from error
        return cls(flatbuffer, description, input_size)

    def outputs(self, image: np.ndarray) -> list[np.ndarray]:
        """Return each hidden layer's output for one (size, size) float32 input in [0, 1]."""
        size = self.input_size
        batch = np.ascontiguousarray(image, dtype=np.float32).reshape(1, size, size)
        with self._lock:
            self._interpreter.set_tensor(self._input, batch)
            self._interpreter.invoke()
            flat = np.array(self._interpreter.get_tensor(self._output)[0])
        layers, offset = [], 0
        for shape in self.shapes:
            count = math.prod(shape)
            layers.append(flat[offset : offset + count].reshape(shape))
            offset += count
        return layers
