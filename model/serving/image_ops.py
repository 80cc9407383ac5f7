"""Image operators used by preprocessing: rank filters, morphology, regions, steps and lines.

The rank filters, the closing and opening, connected regions and hole filling are OpenCV's.
They take the arrays OpenCV knows (uint8 or float32 here) and keep their dtype. The step
finder is a difference of numpy slices; the line finder is written in numpy too (see
`long_straight_lines` for why).
"""

import logging

import cv2
import numpy as np

logger = logging.getLogger(__name__)

# One thread: on images of at most 256 px, OpenCV's second thread gains nothing and waking it
# for every call costs system time (preprocessing took ~5% more CPU with it), and the bot
# shares two cores. (OpenCV has no per-call setting: this is the process's.)
_OPENCV_THREADS = 1
cv2.setNumThreads(_OPENCV_THREADS)


def _square(window: int) -> np.ndarray:
    """Return a window x window structuring element.

    OpenCV anchors it at (window // 2, window // 2): the square reaches window // 2 pixels
    before its pixel and the rest after it, also for an even window.
    """
    return cv2.getStructuringElement(cv2.MORPH_RECT, (window, window))


def max_filter(array: np.ndarray, window: int) -> np.ndarray:
    """Return the maximum over a window x window square around each pixel (grey dilation).

    Past the border the image goes on with its edge values.
    """
    if window <= 1:
        return array.copy()  # OpenCV would take an empty kernel for a 3 x 3 one
    return cv2.dilate(array, _square(window), borderType=cv2.BORDER_REPLICATE)


def min_filter(array: np.ndarray, window: int) -> np.ndarray:
    """Return the minimum over a window x window square around each pixel (grey erosion).

    Past the border the image goes on with its edge values.
    """
    if window <= 1:
        return array.copy()
    return cv2.erode(array, _square(window), borderType=cv2.BORDER_REPLICATE)


def _unbounded_morphology(array: np.ndarray, window: int, operation: int) -> np.ndarray:
    """Apply a closing or an opening as if the image went on forever with its border values.

    Then a strip of table along the border is a wide region, not a thin dark line to be
    closed away. `morphologyEx` alone does not do that: its second filter extends the first
    one's result past the border, a value that the first filter never computed there. Half
    a window of border values around the image makes the first filter's result right over
    that half window too, and the second reads no further.
    """
    if window <= 1:
        return array.copy()
    before, after = window // 2, window - 1 - window // 2
    padded = cv2.copyMakeBorder(array, before, after, before, after, cv2.BORDER_REPLICATE)
    result = cv2.morphologyEx(padded, operation, _square(window), borderType=cv2.BORDER_REPLICATE)
    return result[before : before + array.shape[0], before : before + array.shape[1]]


def closing(array: np.ndarray, window: int) -> np.ndarray:
    """Remove dark features narrower than the window (dilate, then erode)."""
    return _unbounded_morphology(array, window, cv2.MORPH_CLOSE)


def opening(array: np.ndarray, window: int) -> np.ndarray:
    """Remove bright features narrower than the window (erode, then dilate)."""
    return _unbounded_morphology(array, window, cv2.MORPH_OPEN)


def connected(mask: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Return the pixels of `mask` 4-connected within `mask` to a seed inside it."""
    inside = mask.astype(bool)
    count, labels = cv2.connectedComponents(inside.astype(np.uint8), connectivity=4)
    # Label 0 is everything outside the mask, which no seed inside it carries.
    seeded = np.zeros(count, dtype=bool)
    seeded[labels[seeds.astype(bool) & inside]] = True
    region: np.ndarray = seeded[labels]
    return region


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """Return the mask with every enclosed hole (not connected to the border) filled."""
    # In a frame of unmasked pixels (0; the mask is 1), all that lies outside the mask and
    # reaches the border is one region: flood it from a corner, and what stays unflooded is
    # the mask and its holes.
    height, width = mask.shape
    framed = np.zeros((height + 2, width + 2), dtype=np.uint8)
    framed[1:-1, 1:-1] = mask.astype(bool)
    outside = 2
    cv2.floodFill(framed, None, (0, 0), outside, flags=4)
    filled: np.ndarray = framed[1:-1, 1:-1] != outside
    return filled


def steep_pixels(values: np.ndarray, tolerance: float, reach: int = 1) -> np.ndarray:
    """Return the pixels beside a step where `values` change by more than `tolerance`.

    A step between neighbours is measured from `reach` pixels before it to `reach` pixels
    after it, so an edge blurred over a few pixels still counts as one big step.
    """
    height, width = values.shape
    # Past the border the values go on with their edge values; reach - 1 of them are read.
    extra = reach - 1
    padded = np.pad(values, extra, mode="edge")
    span = 2 * reach - 1  # from `reach` pixels before a step to `reach` pixels after it
    rows, columns = slice(extra, extra + height), slice(extra, extra + width)
    down = padded[span : span + height - 1, columns] - padded[: height - 1, columns]
    across = padded[rows, span : span + width - 1] - padded[rows, : width - 1]
    big_down, big_across = np.abs(down) > tolerance, np.abs(across) > tolerance
    # Both pixels beside a step: the one before it and the one after it.
    steep = np.zeros(values.shape, dtype=bool)
    steep[:-1] |= big_down
    steep[1:] |= big_down
    steep[:, :-1] |= big_across
    steep[:, 1:] |= big_across
    return steep


def long_straight_lines(mask: np.ndarray, min_length: float, width: float) -> np.ndarray:
    """Return a band around every straight line holding at least `min_length` mask pixels.

    A Hough transform: every masked pixel votes for the lines through it, at 1 degree steps
    and `width`-pixel offsets. Each line with enough votes is returned as a band 2 * width
    to either side, so that gaps in it and its faint fringes go too.

    Not OpenCV's `HoughLines`, which is no faster on these images and finds other lines: it
    keeps only the lines whose votes beat their neighbours', and its offset bins lie half a
    bin from these. On synthetic photos where lines are found, that changes the model input.
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
