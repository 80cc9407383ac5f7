"""Export a trained model: `.keras` to train on, `.tflite` for the bot, `.json` to describe them.

The bot predicts with the `.tflite` file through LiteRT and never loads TensorFlow; the
`.keras` file keeps the full model (with its optimizer state) for Keras. The sidecar says
what the model expects: its labels in output order, the input size and the preprocessing
version its inputs were made with.

For /filters the bot also needs to look inside: `.layers.tflite` is the same network cut
after its hidden layers (every convolution of a CNN, every hidden Dense layer of a dense
network), their outputs flattened into one vector that the sidecar's `layers.shapes` split
again. One output, not several: LiteRT does not promise to keep several outputs in Keras'
order. The sidecar also carries the first convolution's filters (`layers.filters`, 3x3
numbers each, a few kilobytes) and where training started (`start`), so the bot can draw
them, beside the built-in model's, without TensorFlow.

Every file is written to a temporary file in the same directory, flushed to disk and renamed
into place, the sidecar last: a reader that finds a sidecar finds complete model files, and a
killed export never leaves a half-written file under a final name. The sidecar also carries
the `.tflite` file's SHA-256, so a reader can tell a sidecar from one export and a `.tflite`
from the next apart when a re-export to the same prefix is under way. (A worker exports into
its job directory; the bot moves the files to where they serve and makes that durable.)
"""

import hashlib
import json
import logging
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

from model.job import STARTS, ModelPaths, model_paths
from model.serving.preprocess import PREPROCESS_VERSION

logger = logging.getLogger(__name__)

# The exported model is checked against Keras on a few random inputs before it is written.
_PROBE_COUNT = 4
_PROBE_TOLERANCE = 1e-4
_FILE_MODE = 0o666
# The layers that give a network's answer, not what it sees (model.learning.prototypes).
_ANSWER_LAYERS = frozenset({"label", "prototypes"})


def export_model(
    model: keras.Model, labels: Sequence[str], prefix: Path, *, start: str = "scratch"
) -> ModelPaths:
    """Write `<prefix>.keras`, `.tflite`, `.layers.tflite` and `.json` (last), each atomically.

    `start` says where the filters started: "pretrained" (the built-in model's) or "scratch".
    """
    outputs = int(model.output_shape[-1])
    if outputs != len(labels):
        raise ValueError(f"the model has {outputs} outputs for {len(labels)} labels")
    if start not in STARTS:
        raise ValueError(f"unknown start {start!r}; expected one of {STARTS}")
    paths = model_paths(prefix)
    paths.sidecar.parent.mkdir(parents=True, exist_ok=True)
    # Convert before touching any file: a failed conversion then leaves the old model alone.
    flatbuffer = to_tflite(model)
    layers = layers_model(model)
    layers_flatbuffer = to_tflite(layers)
    sidecar = {
        "labels": list(labels),
        "input_size": int(model.input_shape[1]),
        "preprocess_version": PREPROCESS_VERSION,
        "architecture": model.name,
        "start": start,
        "tflite_sha256": hashlib.sha256(flatbuffer).hexdigest(),
        "layers": {
            "tflite_sha256": hashlib.sha256(layers_flatbuffer).hexdigest(),
            "shapes": [list(shape) for shape in hidden_shapes(model)],
            "filters": first_filters(model),
        },
    }
    write_atomically(paths.keras, lambda path: model.save(path))
    write_atomically(paths.tflite, lambda path: path.write_bytes(flatbuffer))
    write_atomically(paths.layers, lambda path: path.write_bytes(layers_flatbuffer))
    text = json.dumps(sidecar, ensure_ascii=False, indent=2) + "\n"
    write_atomically(paths.sidecar, lambda path: path.write_text(text, encoding="utf-8"))
    logger.info("exported %s (%d labels)", paths.sidecar, len(labels))
    return paths


def hidden_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """Return the layers /filters looks into: the convolutions, or else the hidden Dense layers.

    The output layer ("label") and the class prototypes' layer are answers, not hidden layers.
    """
    convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    if convolutions:
        return convolutions
    return [
        layer
        for layer in model.layers
        if isinstance(layer, keras.layers.Dense) and layer.name not in _ANSWER_LAYERS
    ]


def hidden_shapes(model: keras.Model) -> list[tuple[int, ...]]:
    """Return the output shape of each hidden layer, without the batch dimension."""
    return [tuple(int(n) for n in layer.output.shape[1:]) for layer in hidden_layers(model)]


def layers_model(model: keras.Model) -> keras.Model:
    """Return ``model`` cut after its hidden layers: their outputs, flattened, in one vector."""
    outputs = [keras.layers.Flatten()(layer.output) for layer in hidden_layers(model)]
    joined = outputs[0] if len(outputs) == 1 else keras.layers.Concatenate()(outputs)
    return keras.Model(model.inputs, joined, name=f"{model.name}-layers")


def first_filters(model: keras.Model) -> list[list[list[float]]]:
    """Return the first convolution's filters as (filters, rows, columns) lists; [] if none.

    Rounded to 4 decimals: the picture needs no more, and the sidecar stays small.
    """
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kernel = np.asarray(layer.kernel.numpy())  # (rows, columns, channels, filters)
            if kernel.shape[2] != 1:
                return []  # only a first layer on the grey input is drawn as pictures
            filters = np.moveaxis(kernel[:, :, 0, :], -1, 0)
            return np.round(filters.astype(np.float64), 4).tolist()
    return []


def to_tflite(model: keras.Model) -> bytes:
    """Convert the model in inference mode (no dropout, no augmentation) to a TFLite flatbuffer.

    The batch dimension stays dynamic: the bot resizes the input to the number of images.

    Raises:
        RuntimeError: The converted model does not predict what the Keras model does.
    """
    spec = tf.TensorSpec(shape=(None, *model.input_shape[1:]), dtype=tf.float32, name="image")
    serve = tf.function(lambda images: model(images, training=False), input_signature=[spec])
    # Freeze the weights into constants first. Converting the function with its variables
    # silently drops the weights of some models (the talk's CNN among them: an 8 KB file
    # that predicts NaN), and from_keras_model is slower and prints to stdout, which is the
    # worker's protocol channel.
    frozen = convert_variables_to_constants_v2(serve.get_concrete_function())
    flatbuffer = bytes(tf.lite.TFLiteConverter.from_concrete_functions([frozen]).convert())
    _check_conversion(model, flatbuffer)
    return flatbuffer


def _check_conversion(model: keras.Model, flatbuffer: bytes) -> None:
    """Compare LiteRT's predictions on a few random inputs with Keras'; raise if they differ."""
    probe = np.random.default_rng(0).random((_PROBE_COUNT, *model.input_shape[1:]))
    probe = probe.astype(np.float32)
    expected = keras.ops.convert_to_numpy(model(probe, training=False))
    interpreter = Interpreter(model_content=flatbuffer)
    index = interpreter.get_input_details()[0]["index"]
    interpreter.resize_tensor_input(index, list(probe.shape))
    interpreter.allocate_tensors()
    interpreter.set_tensor(index, probe)
    interpreter.invoke()
    actual = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    if actual.shape != expected.shape or not np.allclose(actual, expected, atol=_PROBE_TOLERANCE):
        raise RuntimeError("the TFLite model does not predict what the Keras model does")


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Let `write` fill a temporary file next to `path`, sync it, then rename it to `path`.

    The temporary name keeps the final suffix (Keras insists on ".keras") and starts with a
    dot, so nobody mistakes it for a model. It is removed if anything goes wrong.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp{path.suffix}")
    # Created like any new file (0666 less the umask), not private like mkstemp's: the
    # bundled model ships in the package and is read by another user in the container.
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE))
    try:
        write(temporary)
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:  # also on SystemExit from SIGTERM: no orphaned temporary file
        temporary.unlink(missing_ok=True)
        raise
