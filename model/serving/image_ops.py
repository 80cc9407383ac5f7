"""Small numpy image operators used by preprocessing: rank filters, region growing, lines.

Pillow's rank filters cost O(window²) per pixel and scipy/opencv are not dependencies, so
these are written with whole-array numpy operations that stay fast at the ~256 px working size.

One speed rule shapes them: numpy is quickest on whole contiguous blocks of memory. In a
C-ordered image, shifting by whole rows (axis 0) keeps every operand one contiguous block, so
each pass runs along axis 0 and the image is transposed once to treat its columns the same way.
"""

import logging
from collections.abc import Callable

import numpy as np

logger = logging.getLogger(__name__)

Reducer = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _edge_rows(array: np.ndarray, before: int, after: int) -> np.ndarray:
    """Return the array with its first and last rows repeated `before` and `after` times."""
    extended = np.empty((before + array.shape[0] + after, *array.shape[1:]), dtype=array.dtype)
    extended[:before] = array[0]
    extended[before : before + array.shape[0]] = array
    extended[before + array.shape[0] :] = array[-1]
    return extended


def _transposed(array: np.ndarray) -> np.ndarray:
    """Return a C-ordered copy of the transpose, so that the columns become contiguous rows."""
    return np.ascontiguousarray(array.T)


def _valid_rows(array: np.ndarray, window: int, reduce: Reducer) -> np.ndarray:
    """Reduce every run of `window` consecutive rows; the result has window - 1 fewer rows.

    Uses doubling: after k rounds row i holds the reduction of rows i .. i + 2**k - 1, and
    two overlapping power-of-two spans cover any window, so the cost is O(log window).
    """
    length = array.shape[0] - window + 1
    acc = array
    span = 1
    while span * 2 <= window:
        acc = reduce(acc[:-span], acc[span:])
        span *= 2
    rest = window - span
    return reduce(acc[:length], acc[rest : rest + length])


def _sliding_rows(array: np.ndarray, window: int, reduce: Reducer) -> np.ndarray:
    """Reduce a centred window of `window` rows around each row, replicating the edges."""
    before = window // 2
    return _valid_rows(_edge_rows(array, before, window - 1 - before), window, reduce)


def _rank_filter(array: np.ndarray, window: int, reduce: Reducer) -> np.ndarray:
    """Reduce a window x window square around each pixel: down the rows, then the columns."""
    if window <= 1:
        return array.copy()
    down = _sliding_rows(array, window, reduce)
    return _transposed(_sliding_rows(_transposed(down), window, reduce))


def max_filter(array: np.ndarray, window: int) -> np.ndarray:
    """Return the maximum over a window x window square around each pixel (grey dilation)."""
    return _rank_filter(array, window, np.maximum)


def min_filter(array: np.ndarray, window: int) -> np.ndarray:
    """Return the minimum over a window x window square around each pixel (grey erosion)."""
    return _rank_filter(array, window, np.minimum)


def _sequential_filter(array: np.ndarray, window: int, first: Reducer, then: Reducer) -> np.ndarray:
    """Apply `first` then `then` over window x window squares, as if the image went on forever.

    The image is taken to continue past its border with its border values, so a strip of
    table along the border is a wide region, not a thin dark line to be closed away.

    Both filters are separable, so it works one axis at a time on an image edge-extended by
    two half windows: the first filter's result is then right up to one half window past the
    border, which is all that the second one reads, and neither needs padding of its own.
    """
    if window <= 1:
        return array.copy()
    before, after = window // 2, window - 1 - window // 2
    # Rows of the first filter, columns of both, rows of the second: two transposes in all.
    rows = _valid_rows(_edge_rows(array, 2 * before, 2 * after), window, first)
    columns = _edge_rows(_transposed(rows), 2 * before, 2 * after)
    columns = _valid_rows(_valid_rows(columns, window, first), window, then)
    return _valid_rows(_transposed(columns), window, then)


def closing(array: np.ndarray, window: int) -> np.ndarray:
    """Remove dark features narrower than the window (dilate, then erode)."""
    return _sequential_filter(array, window, np.maximum, np.minimum)


def opening(array: np.ndarray, window: int) -> np.ndarray:
    """Remove bright features narrower than the window (erode, then dilate)."""
    return _sequential_filter(array, window, np.minimum, np.maximum)


Runs = tuple[np.ndarray, np.ndarray]


def _row_runs(mask: np.ndarray) -> Runs:
    """Split every row of `mask` into runs of equal pixels: masked stretches, unmasked ones.

    Returns the runs' start indices into the flattened image, and their lengths. (A region
    inside the mask never touches an unmasked run, so those runs stay out of it.)
    """
    # Work on the flattened image, where shifting by one pixel keeps the operands contiguous;
    # each row's first pixel then starts a run by hand.
    flat = mask.ravel()
    starts = np.ones(flat.size, dtype=bool)
    np.not_equal(flat[1:], flat[:-1], out=starts[1:])
    starts[:: mask.shape[1]] = True
    first = np.flatnonzero(starts)
    return first, np.diff(first, append=flat.size)


def _spread_along_runs(region: np.ndarray, runs: Runs) -> np.ndarray:
    """Extend a boolean region over every run that it touches."""
    first, lengths = runs
    touched = np.logical_or.reduceat(region.ravel(), first)
    spread: np.ndarray = np.repeat(touched, lengths).reshape(region.shape)
    return spread


def connected(mask: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Return the pixels of `mask` 4-connected within `mask` to a seed inside it.

    Sweeps whole rows, then whole columns, until a sweep adds nothing: a few sweeps suffice
    for the blob-like regions met here. The runs depend on the mask alone, so they are found
    once, and each sweep is then a couple of vectorised operations.
    """
    mask = mask.astype(bool)
    region = seeds.astype(bool) & mask
    along_rows, along_columns = _row_runs(mask), _row_runs(_transposed(mask))
    reached = -1
    columns_next = False
    while True:
        if columns_next:
            region = _transposed(_spread_along_runs(_transposed(region), along_columns))
        else:
            region = _spread_along_runs(region, along_rows)
        now = int(region.sum())
        # The region was closed along the other direction; now it is closed along both.
        if now == reached:
            return region
        reached, columns_next = now, not columns_next


def _steep_along_rows(values: np.ndarray, tolerance: float, reach: int) -> np.ndarray:
    """Return the pixels beside a step down the rows of more than `tolerance`."""
    padded = _edge_rows(values, reach - 1, reach - 1)
    steps = values.shape[0] - 1
    jump = np.abs(padded[2 * reach - 1 : 2 * reach - 1 + steps] - padded[:steps]) > tolerance
    steep = np.zeros(values.shape, dtype=bool)
    steep[:-1] |= jump
    steep[1:] |= jump
    return steep


def steep_pixels(values: np.ndarray, tolerance: float, reach: int = 1) -> np.ndarray:
    """Return the pixels beside a step where `values` change by more than `tolerance`.

    A step between neighbours is measured from `reach` pixels before it to `reach` pixels
    after it, so an edge blurred over a few pixels still counts as one big step.
    """
    across = _transposed(_steep_along_rows(_transposed(values), tolerance, reach))
    steep: np.ndarray = _steep_along_rows(values, tolerance, reach) | across
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
    rows, cols = np.divmod(np.flatnonzero(mask), mask.shape[1])
    band = np.zeros(mask.shape, dtype=bool)
    if rows.size < min_length:
        return band
    angles = np.deg2rad(np.arange(0.0, 180.0, 1.0))
    cosines, sines = np.cos(angles), np.sin(angles)
    # Distance of each pixel from the origin along each angle's normal, shifted by the
    # image diagonal so that it is never negative, in bins of `width`. (In place: these
    # arrays are pixels x angles, the largest here.)
    reach = float(np.hypot(*mask.shape))
    offsets = np.multiply.outer(cols, cosines)
    offsets += np.multiply.outer(rows, sines)
    offsets += reach
    offsets /= width
    bins = offsets.astype(np.int64)  # rounds down, as the offsets are not negative
    bin_count = int(2 * reach / width) + 2
    bins += np.arange(angles.size) * bin_count
    votes = np.bincount(bins.ravel(), minlength=angles.size * bin_count)
    if votes.max() < min_length:  # the usual case, quickly
        return band
    all_rows, all_cols = np.indices(mask.shape)
    for line in np.flatnonzero(votes >= min_length):
        angle, offset_bin = divmod(int(line), bin_count)
        centre = (offset_bin + 0.5) * width - reach
        distance = all_cols * cosines[angle] + all_rows * sines[angle] - centre
        # Generous: the line's true angle may lie up to half a step off this one.
        band |= np.abs(distance) <= 2 * width
    return band
