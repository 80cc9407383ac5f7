"""Benchmark worksheets: synthetic phone photos of filled sheets, read and classified.

Not a test: it prints figures. Each sheet has one row per label of the default model, each
box drawn in (with that row's label) or left empty at random, and is photographed with the
"paper" style's camera (random tilt, lean, light, shadow, blur, noise, JPEG), scaled to
Telegram's 1280 px. Each photo is read (timed); the boxes judged drawn go through
`prepare_sample` and the default model (LiteRT). Run from the repository root:

    .venv/bin/python scripts/bench_worksheet.py --sheets 40
"""

import argparse
import io
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

# Let the script run as a plain file from a checkout without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.job import DEFAULT_MODEL_PREFIX
from model.serving import Classifier, ImageRejected, input_array, prepare_sample
from model.synthetic import LABELS
from model.synthetic.worksheets import filled_worksheet, worksheet_photo
from model.worksheets import SheetLayout, SheetUnreadable, read_sheet

_MAX_PIXELS = 40_000_000
_DRAWN_SHARE = 0.75


def main() -> None:
    """Parse arguments, make and read the sheets, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    layout = SheetLayout.for_labels(LABELS)
    classifier = Classifier.load(DEFAULT_MODEL_PREFIX)
    timings: list[float] = []
    problems: Counter[str] = Counter()
    boxes = judged_right = drawn = classified = rejected = 0
    empty_ink: list[float] = []
    drawn_ink: list[float] = []
    blurs: list[float] = []
    for index in range(args.sheets):
        rng = np.random.default_rng([args.seed, index])
        truth = {
            (row, column): LABELS[row]
            for row in range(layout.rows)
            for column in range(layout.columns)
            if rng.random() < _DRAWN_SHARE
        }
        photo = worksheet_photo(filled_worksheet(layout, truth, rng), rng)
        buffer = io.BytesIO()
        photo.save(buffer, "JPEG", quality=87)  # as Telegram re-encodes it
        started = time.perf_counter()
        try:
            reading = read_sheet(buffer.getvalue(), layout)
        except SheetUnreadable as error:
            problems[str(error)] += 1
            continue
        timings.append(time.perf_counter() - started)
        blurs.append(reading.blur_mm)
        for box in reading.boxes:
            boxes += 1
            was_drawn = (box.row, box.column) in truth
            (drawn_ink if was_drawn else empty_ink).append(box.ink_share)
            judged_right += was_drawn != box.empty
            if not was_drawn or box.empty:
                continue
            drawn += 1
            try:
                sample = prepare_sample(box.png, max_pixels=_MAX_PIXELS)
            except ImageRejected:
                rejected += 1
                continue
            probabilities = classifier.predict(input_array(sample.model_input)[np.newaxis])[0]
            classified += classifier.labels[int(np.argmax(probabilities))] == box.label
    read = len(timings)
    print(f"sheets read: {read} of {args.sheets}; unreadable: {dict(problems) or 'none'}")
    if not read:
        return
    ordered = sorted(timings)
    print(
        f"read time: median {1000 * statistics.median(timings):.0f} ms, "
        f"p90 {1000 * ordered[int(0.9 * (read - 1))]:.0f} ms"
    )
    share = judged_right / boxes
    print(f"boxes judged drawn/empty correctly: {judged_right} of {boxes} ({share:.1%})")
    if drawn_ink and empty_ink:
        print(
            f"ink share: empty boxes max {max(empty_ink):.4f}, "
            f"drawn boxes min {min(drawn_ink):.4f}, median {statistics.median(drawn_ink):.4f}"
        )
    print(f"marker blur (sigma, mm): median {statistics.median(blurs):.2f}, max {max(blurs):.2f}")
    print(
        f"drawn boxes classified correctly by the default model: {classified} of {drawn} "
        f"({classified / max(drawn, 1):.1%}); refused by prepare_sample: {rejected}"
    )


if __name__ == "__main__":
    main()
