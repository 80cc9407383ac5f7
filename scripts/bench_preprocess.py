"""Benchmark prepare_sample on synthetic photos of paper, at Telegram's photo sizes.

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

from model.preprocess import prepare_sample
from model.synthetic import LABELS, draw_smiley

TELEGRAM_SIDES = (320, 800, 1280)  # the longer side of the photo sizes Telegram offers
JPEG_QUALITY = 87
SHEET_SIDE = 900  # the sheet's shorter side when drawn; photos come out >= 1280 px
MAX_PIXELS = 40_000_000


def photo_jpegs(count: int, seed: int) -> dict[int, list[bytes]]:
    """Draw `count` paper photos and encode each at every Telegram size as JPEG."""
    by_side: dict[int, list[bytes]] = {side: [] for side in TELEGRAM_SIDES}
    for index in range(count):
        rng = np.random.default_rng([seed, index])
        photo = draw_smiley(LABELS[index % len(LABELS)], rng, "paper", SHEET_SIDE)
        for side in TELEGRAM_SIDES:
            scaled = photo.copy()
            scaled.thumbnail((side, side), Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            scaled.save(buffer, format="JPEG", quality=JPEG_QUALITY)
            by_side[side].append(buffer.getvalue())
    return by_side


def time_per_photo(jpegs: list[bytes], repeats: int) -> list[float]:
    """Return, per photo, the best of `repeats` timings of prepare_sample in milliseconds."""
    timings = []
    for data in jpegs:
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
    parser.add_argument("-n", "--photos", type=int, default=50, help="photos (default 50)")
    parser.add_argument("-r", "--repeats", type=int, default=3, help="runs per photo (default 3)")
    parser.add_argument("--seed", type=int, default=2024, help="generator seed")
    args = parser.parse_args()

    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    print(f"cores: {cores} (usable by this process: {usable}); timings on one core")
    print(f"generating {args.photos} paper photos...", flush=True)
    by_side = photo_jpegs(args.photos, args.seed)
    print(f"{'long side':>9}  {'example':>9}  {'median KB':>9}  {'median ms':>9}  {'p90 ms':>6}")
    for side, jpegs in by_side.items():
        timings = time_per_photo(jpegs, args.repeats)
        with Image.open(io.BytesIO(jpegs[0])) as first:
            size = f"{first.width}x{first.height}"
        kilobytes = statistics.median(len(data) for data in jpegs) / 1024
        median, p90 = np.percentile(timings, [50, 90])
        print(f"{side:>9}  {size:>9}  {kilobytes:>9.0f}  {median:>9.1f}  {p90:>6.1f}")


if __name__ == "__main__":
    main()
