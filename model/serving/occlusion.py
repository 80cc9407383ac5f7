"""Which strokes decided a prediction: occlusion sensitivity, from predictions alone.

Each square patch of the model input is hidden in turn (set to the background, black) and
the whole batch is predicted at once. Where hiding a patch lowers the answer's probability
most, the strokes there mattered most. It needs nothing but a predict function, so the bot
runs it on the LiteRT model it already holds, without TensorFlow: one batch of 145 inputs.
"""

from collections.abc import Callable

import numpy as np

__all__ = ["PATCH", "STRIDE", "occluded", "sensitivity"]

# A quarter of the 28 px input: about an eye, or a corner of the mouth.
PATCH = 7
STRIDE = 2  # patches overlap, so the map is smooth and no stroke falls between two


def _corners(size: int, patch: int, stride: int) -> list[tuple[int, int]]:
    """Return the patches' top-left corners: every ``stride`` pixels, and flush with the end.

    The last row and column of patches end at the border, so that every pixel is covered.
    """
    steps = sorted({*range(0, size - patch + 1, stride), size - patch})
    return [(row, column) for row in steps for column in steps]


def occluded(image: np.ndarray, patch: int = PATCH, stride: int = STRIDE) -> np.ndarray:
    """Return copies of a (size, size) input, each with one patch hidden: (n, size, size)."""
    corners = _corners(image.shape[0], patch, stride)
    batch = np.repeat(image[np.newaxis], len(corners), axis=0)
    for index, (row, column) in enumerate(corners):
        batch[index, row : row + patch, column : column + patch] = 0.0
    return batch


def sensitivity(
    predict: Callable[[np.ndarray], np.ndarray],
    image: np.ndarray,
    label: int,
    *,
    patch: int = PATCH,
    stride: int = STRIDE,
) -> np.ndarray:
    """Return how much hiding each pixel lowers ``label``'s probability: (size, size), 0 to 1.

    Each pixel gets the mean fall over the patches that cover it, scaled so that the most
    decisive pixel is 1; a pixel whose hiding changed nothing, or helped the label, is 0.
    An input where nothing mattered is all zeros.
    """
    image = np.asarray(image, dtype=np.float32)
    size = image.shape[0]
    probabilities = predict(np.concatenate([image[np.newaxis], occluded(image, patch, stride)]))
    falls = np.maximum(0.0, probabilities[0, label] - probabilities[1:, label])
    total = np.zeros((size, size), dtype=np.float64)
    covered = np.zeros((size, size), dtype=np.float64)
    for fall, (row, column) in zip(falls, _corners(size, patch, stride), strict=True):
        total[row : row + patch, column : column + patch] += fall
        covered[row : row + patch, column : column + patch] += 1.0
    heat = total / np.maximum(covered, 1.0)
    peak = float(heat.max())
    return (heat / peak if peak > 0.0 else heat).astype(np.float32)
