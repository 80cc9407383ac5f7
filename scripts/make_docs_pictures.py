"""Draw the README's example pictures with the bot's own code, into docs/pictures/.

Synthetic smileys (model.synthetic, the five workshop labels, a handful each) go through
the bot's preprocessing (prepare_sample), a training with the default parameters and a
/compare; the pictures are drawn as a chat gets them, with the bot's English texts: the
charts by model.learning.charts, the sheets by model.serving.sheets. Run from the
repository root (about a minute on 2 cores):

    .venv/bin/python scripts/make_docs_pictures.py

It writes training.png, misclassified.png, pair.png (the drawings behind the most confused
pair's button), samples.png, compare.png, why.png (the default model's "Why?" for a
drawing it has not seen) and filters.png (/filters after the training: its filters beside
the built-in model's, and a drawing through its layers).
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.samples.layer_views import picture_texts  # noqa: E402
from bot.texts import t  # noqa: E402
from bot.training.pictures import SHEET_LIMIT, comparison_chart_texts, training_chart_texts  # noqa: E402
from model.job import (  # noqa: E402
    COMPARED_VARIANTS,
    COMPARISON_CHART,
    DEFAULT_MODEL_PREFIX,
    TRAINING_CHART,
    VARIANTS,
    TrainParams,
)
from model.learning.charts import comparison_chart, training_chart  # noqa: E402
from model.learning.compare import compare  # noqa: E402
from model.learning.curves import read_curves  # noqa: E402
from model.learning.train import train  # noqa: E402
from model.serving import (  # noqa: E402
    Classifier,
    PreparedSample,
    heatmap_picture,
    input_array,
    prepare_sample,
    sensitivity,
)
from model.serving.hidden_layers import HiddenLayers  # noqa: E402
from model.serving.layer_pictures import filters_picture  # noqa: E402
from model.serving.sheets import captioned_sheet, contact_sheet  # noqa: E402
from model.synthetic import ALL_LABELS, dataset, encode  # noqa: E402

if TYPE_CHECKING:
    import keras

OUTPUT = ROOT / "docs" / "pictures"
PER_LABEL = 8
SEED = 7
MAX_PIXELS = 40_000_000
SAMPLES_LABEL = "cool"
MAX_BYTES = 150_000
# Telegram shows a photo as a JPEG at most 1280 px; the README keeps PNGs, reduced to a
# palette, which keeps charts crisp at a fraction of the size.
PALETTE_COLOURS = 64


def main() -> None:
    """Train on synthetic smileys and write the five pictures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-label", type=int, default=PER_LABEL)
    parser.add_argument("--epochs", type=int, default=TrainParams.epochs)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    OUTPUT.mkdir(parents=True, exist_ok=True)

    labels = sorted(ALL_LABELS)
    prepared = [
        (label, prepare_sample(encode(image, "PNG"), max_pixels=MAX_PIXELS))
        for label, image in dataset(arguments.per_label, SEED, labels=ALL_LABELS)
    ]
    x = np.stack([input_array(sample.model_input) for _, sample in prepared])
    y = np.array([labels.index(label) for label, _ in prepared])
    params = TrainParams(epochs=arguments.epochs)

    result = train(x, y, labels, params, seed=SEED)
    texts = training_chart_texts("en")[TRAINING_CHART]
    best_epoch = read_curves(result.histories).best_epoch  # as the worker marks it
    _write(
        "training.png",
        training_chart(result.histories, result.confusion, labels, best_epoch=best_epoch, **texts),
    )

    wrong = result.misclassified[:SHEET_LIMIT]
    if wrong:
        captions = [
            t("pictures.misclassified_caption", "en", true=labels[truth], predicted=labels[guess])
            for _, truth, guess, _ in wrong
        ]
        images = [prepared[index][1].source_png for index, _, _, _ in wrong]
        _write("misclassified.png", captioned_sheet(images, captions))
        _write("pair.png", _pair_picture(result.misclassified, prepared))
    else:
        logging.warning("nothing was misclassified: no misclassified.png, no pair.png")

    newest_first = [
        np.frombuffer(sample.model_input, np.uint8).reshape(sample.input_size, -1)
        for label, sample in reversed(prepared)
        if label == SAMPLES_LABEL
    ]
    _write("samples.png", contact_sheet(newest_first))

    _write("why.png", _why_picture())
    _write("filters.png", _filters_picture(result.model, labels, x[-1]))

    variants = [VARIANTS[name] for name in COMPARED_VARIANTS]
    comparison = compare(x, y, labels, params, variants, seed=SEED)
    chart_texts = comparison_chart_texts("en")[COMPARISON_CHART]
    _write("compare.png", comparison_chart(list(comparison.accuracies.items()), **chart_texts))
    logging.info(
        "validation accuracy %.0f%%; compare: %s",
        100 * result.validation_accuracy,
        ", ".join(f"{k} {100 * v:.0f}%" for k, v in comparison.accuracies.items()),
    )


def _why_picture() -> bytes:
    """Return the default model's "Why?" picture for a fresh synthetic drawing, as the bot's."""
    (_, image), *_ = dataset(1, SEED + 1, labels=("smile",))
    drawing = input_array(prepare_sample(encode(image, "PNG"), max_pixels=MAX_PIXELS).model_input)
    classifier = Classifier.load(DEFAULT_MODEL_PREFIX)
    probabilities = classifier.predict(drawing[np.newaxis])[0]
    order = np.argsort(probabilities)[::-1]
    heat = sensitivity(classifier.predict, drawing, int(order[0]))
    lines = [f"{classifier.labels[i]} {100 * probabilities[i]:.0f}%" for i in order[:3]]
    return heatmap_picture(drawing, heat, lines)


def _pair_picture(
    misclassified: list[tuple[int, int, int, float]], prepared: list[tuple[str, PreparedSample]]
) -> bytes:
    """Return the sheet a tap on the most confused pair's button sends, as the bot makes it."""
    pairs = Counter((truth, guess) for _, truth, guess, _ in misclassified)
    (pair, _), *_ = pairs.most_common(1)
    images = [
        prepared[index][1].source_png for index, *seen, _ in misclassified if tuple(seen) == pair
    ]
    return captioned_sheet(images, [""] * len(images))


def _filters_picture(model: keras.Model, labels: list[str], drawing: np.ndarray) -> bytes:
    """Return /filters after the training, with the bot's English texts."""
    from model.learning.export import export_model

    with tempfile.TemporaryDirectory() as directory:
        prefix = Path(directory) / "chat"
        export_model(model, labels, prefix, start="pretrained")
        layers = HiddenLayers.load(prefix)
    bundled = HiddenLayers.load(DEFAULT_MODEL_PREFIX)
    outputs = layers.outputs(drawing)
    return filters_picture(
        picture_texts(layers, outputs, "en"),
        layers.filters,
        reference=bundled.filters,
        image=drawing,
        outputs=outputs,
    )


def _write(name: str, png: bytes) -> None:
    """Write a picture, reduced to a palette when that keeps it under MAX_BYTES."""
    image = Image.open(io.BytesIO(png))
    if len(png) > MAX_BYTES and image.mode != "L":
        buffer = io.BytesIO()
        image.convert("RGB").quantize(PALETTE_COLOURS).save(buffer, "PNG", optimize=True)
        png = buffer.getvalue()
    (OUTPUT / name).write_bytes(png)
    logging.info("%s: %d x %d px, %d KB", name, image.width, image.height, len(png) // 1000)


if __name__ == "__main__":
    main()
