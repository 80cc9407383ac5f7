"""Benchmark prepare_sample on synthetic uploads: paper photos and digital drawings.

Paper photos come as JPEGs at each of Telegram's photo sizes; drawings from apps come as
PNGs of 256-512 px, dark-on-light, light-on-dark and transparent.

Not a test: it prints timings. Run from the repository root:

    .venv/bin/python scripts/bench_preprocess.py --photos 50 --repeats 3
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

# Let the script run as a plain file from a checkout without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.serving.preprocess import prepare_sample
from model.synthetic import LABELS, draw_smiley, encode

TELEGRAM_SIDES = (320, 800, 1280)  # the longer side of the photo sizes Telegram offers
JPEG_QUALITY = 87
SHEET_SIDE = 900  # the sheet's shorter side when drawn; photos come out >= 1280 px
DRAWING_STYLES = ("digital", "dark", "transparent")
DRAWING_SIDES = (256, 512)  # drawings are made at a random size in this range
MAX_PIXELS = 40_000_000


def paper_jpegs(count: int, seed: int) -> dict[str, list[bytes]]:
    """Draw `count` paper photos and encode each at every Telegram size as JPEG."""
    by_side: dict[str, list[bytes]] = {f"paper JPEG {side}": [] for side in TELEGRAM_SIDES}
    for index in range(count):
        rng = np.random.default_rng([seed, index])
        photo = draw_smiley(LABELS[index % len(LABELS)], rng, "paper", SHEET_SIDE)
        for side in TELEGRAM_SIDES:
            scaled = photo.copy()
            scaled.thumbnail((side, side), Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            scaled.save(buffer, format="JPEG", quality=JPEG_QUALITY)
            by_side[f"paper JPEG {side}"].append(buffer.getvalue())
    return by_side


def drawing_pngs(count: int, seed: int) -> dict[str, list[bytes]]:
    """Draw `count` drawings in each app style, at random sizes, and encode them as PNG."""
    by_style: dict[str, list[bytes]] = {f"{style} PNG": [] for style in DRAWING_STYLES}
    for index in range(count):
        for number, style in enumerate(DRAWING_STYLES):
            rng = np.random.default_rng([seed, index, number])
            side = int(rng.integers(DRAWING_SIDES[0], DRAWING_SIDES[1] + 1))
            drawing = draw_smiley(LABELS[index % len(LABELS)], rng, style, side)
            by_style[f"{style} PNG"].append(encode(drawing, "PNG"))
    return by_style


def time_per_upload(uploads: list[bytes], repeats: int) -> list[float]:
    """Return, per upload, the best of `repeats` timings of prepare_sample in milliseconds."""
    timings = []
    for data in uploads:
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            prepare_sample(data, max_pixels=MAX_PIXELS)
            best = min(best, time.perf_counter() - start)
        timings.append(best * 1000.0)
    return timings


def main() -> None:
    """Parse arguments, run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-n", "--photos", type=int, default=50, help="uploads of each kind (default 50)"
    )
    parser.add_argument("-r", "--repeats", type=int, default=3, help="runs per photo (default 3)")
    parser.add_argument("--seed", type=int, default=2024, help="generator seed")
    args = parser.parse_args()

    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    print(f"cores: {cores} (usable by this process: {usable}); timings on one core")
    print(f"generating {args.photos} paper photos and drawings of each style...", flush=True)
    uploads = paper_jpegs(args.photos, args.seed) | drawing_pngs(args.photos, args.seed)
    print(f"{'upload':>16}  {'example':>9}  {'median KB':>9}  {'median ms':>9}  {'p90 ms':>6}")
    for kind, samples in uploads.items():
        timings = time_per_upload(samples, args.repeats)
        with Image.open(io.BytesIO(samples[0])) as first:
            size = f"{first.width}x{first.height}"
        kilobytes = statistics.median(len(data) for data in samples) / 1024
        median, p90 = np.percentile(timings, [50, 90])
        print(f"{kind:>16}  {size:>9}  {kilobytes:>9.0f}  {median:>9.1f}  {p90:>6.1f}")


if __name__ == "__main__":
    main()
