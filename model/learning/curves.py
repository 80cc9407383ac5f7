"""Reading a training's learning curves: where validation was best, and how well it fitted.

Plain numpy, run in the worker on the validation runs' histories. The chart marks the best
epoch and the report says the verdict in one sentence, so both come from `read_curves`.

Validation loss, not accuracy, decides: with a handful of validation drawings accuracy moves
in big steps and often sits at 100% for a while, while the loss still shows a model growing
surer of its mistakes, which is what memorising looks like from the outside.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from model.job import GOOD_FIT, OVERFITTING, UNFINISHED

__all__ = ["CurveReading", "read_curves", "smoothed"]

# Below this many epochs the curves are too short to tell a trend from noise: say nothing.
MIN_EPOCHS = 5
# Each epoch is averaged with its neighbours over about an eighth of the training (at most
# MAX_WINDOW epochs), so one lucky or unlucky epoch on few validation drawings cannot move
# the best epoch or fake a rise; short trainings are barely smoothed.
MAX_WINDOW = 5
# "The end of the training": its last fifth, at least two epochs. Overfitting needs the best
# epoch before it; "not finished" needs the best epoch inside it.
END_SHARE = 0.2
MIN_END_EPOCHS = 2
# Overfitting: the (smoothed) validation loss over the end lies clearly above its lowest value,
# by a fifth of it and by at least 0.05 (a rise too small to matter for a loss near zero
# is noise), while the training loss fell on by at least a tenth since the best epoch.
MIN_RISE_SHARE = 0.2
MIN_RISE = 0.05
MIN_TRAINING_FALL = 0.1
# Not finished: validation was best at the end, and over the end its loss still fell by at
# least 5% and by 0.02 (a loss near zero halving is no lesson left to learn); or the model
# is still unsure of its own training drawings (under 80% right, or a training loss above
# 0.2, about 82% sure of the right label on average) and its training loss still fell by
# 5%. Well-fitted models here end far below that loss.
MIN_FALL = 0.05
MIN_FALL_ABSOLUTE = 0.02
LOW_TRAINING_ACCURACY = 0.8
HIGH_TRAINING_LOSS = 0.2


@dataclass(frozen=True)
class CurveReading:
    """What the curves say: the best epoch (1-based) and a verdict (model.job's names).

    ``verdict`` is OVERFITTING, UNFINISHED, GOOD_FIT or "" when the curves say nothing for
    sure; ``best_epoch`` is 0 when the training was too short to have one.
    """

    best_epoch: int
    verdict: str


def smoothed(values: Sequence[float] | np.ndarray, window: int) -> np.ndarray:
    """Return the centred moving average of ``values`` over ``window`` epochs (odd).

    At either end the window shrinks to the epochs there are, so the curve keeps its length
    and its last value still belongs to the last epochs.
    """
    series = np.asarray(values, dtype=np.float64)
    half = window // 2
    sums = np.concatenate(([0.0], np.cumsum(series)))
    low = np.clip(np.arange(len(series)) - half, 0, len(series))
    high = np.clip(np.arange(len(series)) + half + 1, 0, len(series))
    return (sums[high] - sums[low]) / (high - low)


def read_curves(histories: Sequence[Mapping[str, Sequence[float]]]) -> CurveReading:
    """Read the validation runs' histories (hold-out: one; k-fold: k), averaged over runs.

    Each history holds "loss", "accuracy", "val_loss" and "val_accuracy", one value per
    epoch; runs of different lengths are cut to the shortest.
    """
    if not histories or any("val_loss" not in history for history in histories):
        return CurveReading(0, "")
    epochs = min(len(history["val_loss"]) for history in histories)
    if epochs < MIN_EPOCHS:
        return CurveReading(0, "")

    def mean(key: str) -> np.ndarray:
        return np.mean([list(history[key])[:epochs] for history in histories], axis=0)

    window = min(MAX_WINDOW, max(1, epochs // 8)) | 1  # odd, so the window is centred
    val_loss = smoothed(mean("val_loss"), window)
    loss = smoothed(mean("loss"), window)
    accuracy = smoothed(mean("accuracy"), window)
    best = int(np.argmin(val_loss))  # 0-based; the first of equal lows
    end = max(MIN_END_EPOCHS, round(END_SHARE * epochs))
    end_starts = epochs - 1 - end  # the epoch before the end, to measure the end's change

    # The end's mean, not its last epoch: one bad epoch at the very end is no rise.
    rise = float(np.mean(val_loss[end_starts + 1 :])) - val_loss[best]
    if (
        best <= end_starts
        and rise >= max(MIN_RISE, MIN_RISE_SHARE * val_loss[best])
        and loss[-1] <= (1.0 - MIN_TRAINING_FALL) * loss[best]
    ):
        return CurveReading(best + 1, OVERFITTING)
    validation_falling = (
        val_loss[-1] <= (1.0 - MIN_FALL) * val_loss[end_starts]
        and val_loss[end_starts] - val_loss[-1] >= MIN_FALL_ABSOLUTE
    )
    training_falling = loss[-1] <= (1.0 - MIN_FALL) * loss[end_starts]
    unsure = accuracy[-1] < LOW_TRAINING_ACCURACY or loss[-1] > HIGH_TRAINING_LOSS
    if best > end_starts and (validation_falling or (unsure and training_falling)):
        return CurveReading(best + 1, UNFINISHED)
    if unsure:
        # Not even its own drawings learned, yet no longer getting better at them or at the
        # validation drawings: more epochs would not clearly help, so say nothing.
        return CurveReading(best + 1, "")
    return CurveReading(best + 1, GOOD_FIT)
