"""/export model: the chat's serving model as files to take away, and how to use them.

Nothing here talks to Telegram or imports TensorFlow: the files ``model.learning.export`` wrote are
read as bytes, and the usage snippet is plain text. The snippet runs the project's own
preprocessing (``model.serving.preprocess``), so a drawing is classified exactly as the bot does it;
tests/bot/exchange/test_model_package.py executes it against the exported files.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.exchange.dataset_zip import TELEGRAM_UPLOAD_CAP, safe_title
from bot.texts import t
from model.job import model_paths

__all__ = [
    "DRAWING",
    "ModelFiles",
    "ModelTooLarge",
    "ModelUnavailable",
    "Snippet",
    "model_file_names",
    "read_model_files",
    "snippet",
    "usage_html",
]

DRAWING = "drawing.png"  # the image the snippet classifies
_FALLBACK_STEM = "smileys"


class ModelUnavailable(Exception):
    """The serving model's files are gone, unreadable, or do not belong together."""


class ModelTooLarge(Exception):
    """A model file is bigger than a bot may upload."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


@dataclass(frozen=True)
class ModelFiles:
    """A trained model's two files, and its labels in output order."""

    keras: bytes
    tflite: bytes
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Snippet:
    """The usage example, in steps: prepare the image, classify it (either way), show it."""

    prepare: str
    keras: str
    tflite: str
    show: str


def read_model_files(prefix: Path, *, cap: int = TELEGRAM_UPLOAD_CAP) -> ModelFiles:
    """Read ``<prefix>.keras``, ``<prefix>.tflite`` and the labels of ``<prefix>.json``.

    Raises:
        ModelTooLarge: a file is over ``cap`` bytes (checked before reading it).
        ModelUnavailable: a file is missing or unreadable, or the sidecar does not describe
            this ``.tflite``.
    """
    paths = model_paths(prefix)
    keras_path, tflite_path, sidecar_path = paths.keras, paths.tflite, paths.sidecar
    try:
        size = max(keras_path.stat().st_size, tflite_path.stat().st_size)
        if size > cap:
            raise ModelTooLarge(size)
        sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
        labels = tuple(str(label) for label in sidecar["labels"])
        keras = keras_path.read_bytes()
        tflite = tflite_path.read_bytes()
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise ModelUnavailable(str(exc)) from exc
    expected = sidecar.get("tflite_sha256")
    if expected is not None and hashlib.sha256(tflite).hexdigest() != expected:
        raise ModelUnavailable(f"{tflite_path} does not match its sidecar")
    return ModelFiles(keras, tflite, labels)


def model_file_names(title: str | None) -> tuple[str, str]:
    """Return the names to send the files under: ``<chat title or smileys>-model.keras|.tflite``."""
    paths = model_paths(Path(f"{safe_title(title) or _FALLBACK_STEM}-model"))
    return paths.keras.name, paths.tflite.name


def snippet(labels: Sequence[str], keras_name: str, tflite_name: str, max_pixels: int) -> Snippet:
    """Return the Python code that classifies ``drawing.png`` as the bot does."""
    prepare = "\n".join(
        [
            "from model.serving.preprocess import input_array, prepare_sample",
            "",
            f"LABELS = {list(labels)!r}",
            f"with open({DRAWING!r}, 'rb') as file:",
            f"    sample = prepare_sample(file.read(), max_pixels={max_pixels:_})",
            "images = input_array(sample.model_input, sample.input_size)[None]",
        ]
    )
    keras = "\n".join(
        [
            "import keras",
            "",
            f"model = keras.models.load_model({keras_name!r})",
            "probabilities = model.predict(images, verbose=0)[0]",
        ]
    )
    tflite = "\n".join(
        [
            "from ai_edge_litert.interpreter import Interpreter",
            "",
            f"interpreter = Interpreter(model_path={tflite_name!r})",
            "index = interpreter.get_input_details()[0]['index']",
            "interpreter.resize_tensor_input(index, images.shape)",
            "interpreter.allocate_tensors()",
            "interpreter.set_tensor(index, images)",
            "interpreter.invoke()",
            "output = interpreter.get_output_details()[0]['index']",
            "probabilities = interpreter.get_tensor(output)[0]",
        ]
    )
    show = "\n".join(
        [
            "for label, p in sorted(zip(LABELS, probabilities), key=lambda pair: -pair[1]):",
            "    print(f'{label} {100 * p:.0f}%')",
        ]
    )
    return Snippet(prepare, keras, tflite, show)


def usage_html(code: Snippet, keras_name: str, tflite_name: str, language: str | None) -> str:
    """Return the usage message as Telegram HTML: the prose translated, the code in blocks."""
    steps = [
        (t("export.model_step_prepare", language, drawing=DRAWING), code.prepare),
        (t("export.model_step_keras", language, file=keras_name), code.keras),
        (t("export.model_step_tflite", language, file=tflite_name), code.tflite),
        (t("export.model_step_show", language), code.show),
    ]
    parts = [html.escape(t("export.model_howto", language), quote=False)]
    for prose, block in steps:
        parts.append(
            f'{html.escape(prose, quote=False)}\n<pre><code class="language-python">'
            f"{html.escape(block, quote=False)}</code></pre>"
        )
    return "\n\n".join(parts)
