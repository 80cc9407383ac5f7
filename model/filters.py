"""Small numpy image operators used by preprocessing: rank filters, Otsu, region growing.

Pillow's rank filters cost O(window²) per pixel and scipy/opencv are not dependencies, so
these are written with whole-array numpy operations that stay fast at the ~256 px working size.
"""

import logging
from collections.abc import Callable

import numpy as np

logger = logging.getLogger(__name__)

Reducer = Callable[[np.ndarray, np.ndarray], np.ndarray]

_GREY_LEVELS = 256


def _span(array: np.ndarray, start: int, stop: int, axis: int) -> np.ndarray:
    """Return the view array[start:stop] along axis."""
    index: list[slice] = [slice(None)] * array.ndim
    index[axis] = slice(start, stop)
    return array[tuple(index)]


def _sliding(array: np.ndarray, window: int, axis: int, reduce: Reducer) -> np.ndarray:
    """Reduce a centred window of `window` samples along one axis, replicating the edges.

    Uses doubling: after k rounds each sample holds the reduction over 2**k neighbours, and
    two overlapping power-of-two spans cover any window, so the cost is O(log window).
    """
    if window <= 1:
        return array.copy()
    before = window // 2
    pad = [(0, 0)] * array.ndim
    pad[axis] = (before, window - 1 - before)
    acc = np.pad(array, pad, mode="edge")
    length = array.shape[axis]
    span = 1
    while span * 2 <= window:
        count = acc.shape[axis] - span
        acc = reduce(_span(acc, 0, count, axis), _span(acc, span, span + count, axis))
        span *= 2
    rest = window - span
    return reduce(_span(acc, 0, length, axis), _span(acc, rest, rest + length, axis))


def max_filter(array: np.ndarray, window: int) -> np.ndarray:
    """Return the maximum over a window x window square around each pixel (grey dilation)."""
    return _sliding(_sliding(array, window, 0, np.maximum), window, 1, np.maximum)


def min_filter(array: np.ndarray, window: int) -> np.ndarray:
    """Return the minimum over a window x window square around each pixel (grey erosion)."""
    return _sliding(_sliding(array, window, 0, np.minimum), window, 1, np.minimum)


def _extended(array: np.ndarray, window: int) -> np.ndarray:
    """Pad by a whole window, replicating the border.

    The image is taken to continue past its border with its border values, so a strip of
    table along the border is a wide region, not a thin dark line to be closed away.
    """
    return np.pad(array, window, mode="edge")


def _cropped(array: np.ndarray, window: int) -> np.ndarray:
    """Undo `_extended`."""
    return array[window:-window, window:-window]


def closing(array: np.ndarray, window: int) -> np.ndarray:
    """Remove dark features narrower than the window (dilate, then erode)."""
    extended = _extended(array, window)
    return _cropped(min_filter(max_filter(extended, window), window), window)


def opening(array: np.ndarray, window: int) -> np.ndarray:
    """Remove bright features narrower than the window (erode, then dilate)."""
    extended = _extended(array, window)
    return _cropped(max_filter(min_filter(extended, window), window), window)


def otsu_threshold(grey: np.ndarray) -> int:
    """Return the grey level (0-255) that best splits a uint8 image into two classes."""
    histogram = np.bincount(grey.ravel(), minlength=_GREY_LEVELS).astype(np.float64)
    weight = np.cumsum(histogram)
    total = weight[-1]
    if total == 0:
        return 0
    moment = np.cumsum(histogram * np.arange(_GREY_LEVELS))
    below = weight / total
    mean_below = moment / total
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_below[-1] * below - mean_below) ** 2 / (below * (1.0 - below))
    return int(np.argmax(np.nan_to_num(between, nan=0.0, posinf=0.0)))


def _spread_along_rows(region: np.ndarray, passable: np.ndarray) -> np.ndarray:
    """Extend a boolean region over every run of a row joined by passable steps.

    Args:
        region: (h, w) bool, the pixels reached so far.
        passable: (h, w - 1) bool, whether a step from column j to j + 1 is allowed.
    """
    height, width = region.shape
    run_starts = np.ones((height, width), dtype=bool)
    run_starts[:, 1:] = ~passable
    run_ids = np.cumsum(run_starts.ravel()) - 1
    reached_runs = np.bincount(run_ids, weights=region.ravel()) > 0
    result: np.ndarray = reached_runs[run_ids].reshape(height, width)
    return result


def connected(mask: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Return the pixels of `mask` 4-connected within `mask` to a seed inside it.

    Sweeps whole rows, then whole columns, until nothing changes: a few sweeps suffice for
    the blob-like regions met here, each one a handful of vectorised operations.
    """
    mask = mask.astype(bool)
    region = seeds.astype(bool) & mask
    across = mask[:, 1:] & mask[:, :-1]
    down = (mask[1:, :] & mask[:-1, :]).T
    reached = int(region.sum())
    while True:
        region = _spread_along_rows(region, across)
        region = _spread_along_rows(region.T, down).T
        now = int(region.sum())
        if now == reached:
            return region
        reached = now


def steep_pixels(values: np.ndarray, tolerance: float, reach: int = 1) -> np.ndarray:
    """Return the pixels beside a step where `values` change by more than `tolerance`.

    A step between neighbours is measured from `reach` pixels before it to `reach` pixels
    after it, so an edge blurred over a few pixels still counts as one big step.
    """
    steep = np.zeros(values.shape, dtype=bool)
    for axis in (0, 1):
        padded = np.pad(
            values, [(reach - 1, reach - 1) if a == axis else (0, 0) for a in (0, 1)], mode="edge"
        )
        steps = values.shape[axis] - 1
        before = _span(padded, 0, steps, axis)
        after = _span(padded, 2 * reach - 1, 2 * reach - 1 + steps, axis)
        jump = np.abs(after - before) > tolerance
        _span(steep, 0, steps, axis)[...] |= jump
        _span(steep, 1, steps + 1, axis)[...] |= jump
    return steep


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """Return the mask with every enclosed hole (not connected to the border) filled."""
    border = np.zeros_like(mask, dtype=bool)
    border[0, :] = border[-1, :] = True
    border[:, 0] = border[:, -1] = True
    outside = connected(~mask, border)
    result: np.ndarray = ~outside
    return result


def long_straight_lines(mask: np.ndarray, min_length: float, width: float) -> np.ndarray:
    """Return a band around every straight line holding at least `min_length` mask pixels.

    A Hough transform: every masked pixel votes for the lines through it, at 1 degree steps
    and `width`-pixel offsets. Each line with enough votes is returned as a band 2 * width
    to either side, so that gaps in it and its faint fringes go too.
    """
    rows, cols = np.nonzero(mask)
    band = np.zeros(mask.shape, dtype=bool)
    if rows.size < min_length:
        return band
    angles = np.deg2rad(np.arange(0.0, 180.0, 1.0))
    cosines, sines = np.cos(angles), np.sin(angles)
    # Distance of each pixel from the origin along each angle's normal, in bins of `width`.
    offsets = cols[:, None] * cosines[None, :] + rows[:, None] * sines[None, :]
    reach = float(np.hypot(*mask.shape))
    bins = np.floor((offsets + reach) / width).astype(np.int64)
    bin_count = int(2 * reach / width) + 2
    votes = np.bincount(
        (bins + np.arange(angles.size) * bin_count).ravel(), minlength=angles.size * bin_count
    )
    all_rows, all_cols = np.indices(mask.shape)
    for line in np.flatnonzero(votes >= min_length):
        angle, offset_bin = divmod(int(line), bin_count)
        centre = (offset_bin + 0.5) * width - reach
        distance = all_cols * cosines[angle] + all_rows * sines[angle] - centre
        # Generous: the line's true angle may lie up to half a step off this one.
        band |= np.abs(distance) <= 2 * width
    return band
