"""Benchmark "🔍 Why?": the occlusion map and its picture, as the bot makes them.

Not a test: it prints timings. The default model (LiteRT, as the bot holds it) answers
synthetic drawings of every style; each is timed from its stored input to the PNG (one
prediction, one batch of occluded copies, the picture), without Telegram. Run from the
repository root:

    .venv/bin/python scripts/bench_why.py --drawings 40 --repeats 3
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

# Let the script run as a plain file from a checkout without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_accuracy import prepared_dataset  # a sibling script

from model.job import DEFAULT_MODEL_PREFIX
from model.serving import Classifier, heatmap_picture, sensitivity
from model.synthetic import LABELS, STYLES


def main() -> None:
    """Parse arguments, time each drawing's picture and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drawings", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    classifier = Classifier.load(DEFAULT_MODEL_PREFIX)
    x, _, _ = prepared_dataset(-(-args.drawings // len(LABELS)), 9, STYLES)
    timings: dict[str, list[float]] = {"map": [], "picture": [], "total": []}
    for _ in range(args.repeats):
        for image in x[: args.drawings]:
            started = time.perf_counter()
            best = int(np.argmax(classifier.predict(image[np.newaxis])[0]))
            heat = sensitivity(classifier.predict, image, best)
            mapped = time.perf_counter()
            heatmap_picture(image, heat, ["smile 92%", "sad 5%", "neutral 3%"])
            done = time.perf_counter()
            timings["map"].append(mapped - started)
            timings["picture"].append(done - mapped)
            timings["total"].append(done - started)
    print_timings(timings)


def print_timings(timings: dict[str, list[float]]) -> None:
    """Print each phase's median and p90 of its timings in seconds, as milliseconds."""
    for name, values in timings.items():
        ordered = sorted(values)
        p90 = ordered[int(0.9 * (len(ordered) - 1))]
        print(
            f"{name:<8} median {1000 * statistics.median(values):6.1f} ms  p90 {1000 * p90:6.1f} ms"
        )


if __name__ == "__main__":
    main()
