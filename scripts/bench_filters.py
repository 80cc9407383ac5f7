"""Benchmark /filters: a drawing through the hidden layers and the picture, as the bot makes them.

Not a test: it prints timings. The built-in model's layers (LiteRT, as the bot holds them)
take synthetic drawings of every style; each is timed from its stored input to the PNG
(the layers' outputs, then the picture with the filters beside themselves, as after a
chat's training), without Telegram. Run from the repository root:

    .venv/bin/python scripts/bench_filters.py --drawings 20 --repeats 3
"""

import argparse
import sys
import time
from pathlib import Path

# Let the script run as a plain file from a checkout without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_accuracy import prepared_dataset  # sibling scripts
from bench_why import print_timings

from bot.samples.layer_views import picture_texts
from model.job import DEFAULT_MODEL_PREFIX
from model.serving.hidden_layers import HiddenLayers
from model.serving.layer_pictures import filters_picture
from model.synthetic import LABELS, STYLES


def main() -> None:
    """Parse arguments, time each drawing's picture and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drawings", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    layers = HiddenLayers.load(DEFAULT_MODEL_PREFIX)
    x, _, _ = prepared_dataset(-(-args.drawings // len(LABELS)), 9, STYLES)
    timings: dict[str, list[float]] = {"layers": [], "picture": [], "total": []}
    for _ in range(args.repeats):
        for image in x[: args.drawings]:
            started = time.perf_counter()
            outputs = layers.outputs(image)
            computed = time.perf_counter()
            texts = picture_texts(layers, outputs, "en")
            filters_picture(
                texts, layers.filters, reference=layers.filters, image=image, outputs=outputs
            )
            done = time.perf_counter()
            timings["layers"].append(computed - started)
            timings["picture"].append(done - computed)
            timings["total"].append(done - started)
    print_timings(timings)


if __name__ == "__main__":
    main()
