"""The image operators of model/serving/image_ops.py against their plain definitions."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from model.serving.image_ops import (
    closing,
    connected,
    fill_holes,
    long_straight_lines,
    max_filter,
    min_filter,
    opening,
    steep_pixels,
)


def _plain_rank_filter(array: np.ndarray, window: int, reduce: str) -> np.ndarray:
    """Reduce every window x window square around each pixel, replicating the edges."""
    before = window // 2
    padded = np.pad(array, (before, window - 1 - before), mode="edge")
    height, width = array.shape
    shifted = [
        padded[dy : dy + height, dx : dx + width] for dy in range(window) for dx in range(window)
    ]
    return getattr(np, reduce)(np.stack(shifted), axis=0)


def _plain_connected(mask: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Flood-fill `mask` from the seeds, one pixel at a time (4-connectivity)."""
    height, width = mask.shape
    reached = np.zeros(mask.shape, dtype=bool)
    todo = [(int(r), int(c)) for r, c in zip(*np.nonzero(seeds & mask), strict=True)]
    while todo:
        row, col = todo.pop()
        if reached[row, col]:
            continue
        reached[row, col] = True
        for r, c in ((row - 1, col), (row + 1, col), (row, col - 1), (row, col + 1)):
            if 0 <= r < height and 0 <= c < width and mask[r, c] and not reached[r, c]:
                todo.append((r, c))
    return reached


_SHAPES = st.tuples(st.integers(1, 24), st.integers(1, 24))


@settings(max_examples=60, deadline=None)
@given(shape=_SHAPES, window=st.integers(1, 30), seed=st.integers(0, 2**32 - 1))
def test_rank_filters_closing_and_opening_match_their_definitions(
    shape: tuple[int, int], window: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    grey = rng.integers(0, 256, shape).astype(np.float32)
    binary = (rng.random(shape) < rng.random()).astype(np.uint8)
    for array in (grey, binary):
        # Preprocessing filters compact uint8 images and float32 ones, and keeps them so.
        for result in (max_filter(array, window), closing(array, window)):
            assert result.dtype == array.dtype
        dilated = _plain_rank_filter(array, window, "max")
        eroded = _plain_rank_filter(array, window, "min")
        assert np.array_equal(max_filter(array, window), dilated)
        assert np.array_equal(min_filter(array, window), eroded)
        # Closing and opening treat the image as continuing past its border.
        extended = np.pad(array, window, mode="edge")
        inner = (slice(window, -window), slice(window, -window))
        closed = _plain_rank_filter(_plain_rank_filter(extended, window, "max"), window, "min")
        opened = _plain_rank_filter(_plain_rank_filter(extended, window, "min"), window, "max")
        assert np.array_equal(closing(array, window), closed[inner])
        assert np.array_equal(opening(array, window), opened[inner])


@settings(max_examples=60, deadline=None)
@given(shape=_SHAPES, fill=st.floats(0.2, 0.9), seed=st.integers(0, 2**32 - 1))
def test_connected_and_fill_holes_match_a_flood_fill(
    shape: tuple[int, int], fill: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    mask = rng.random(shape) < fill
    seeds = rng.random(shape) < 0.05
    assert np.array_equal(connected(mask, seeds), _plain_connected(mask, seeds))
    border = np.ones(shape, dtype=bool)
    border[1:-1, 1:-1] = False
    assert np.array_equal(fill_holes(mask), ~_plain_connected(~mask, border))


def test_connected_follows_a_winding_corridor() -> None:
    # A serpentine region is reached to its far end, however often it turns back.
    maze = np.zeros((21, 21), dtype=bool)
    maze[::2, :] = True
    maze[1::4, -1] = True
    maze[3::4, 0] = True
    maze[20, 10] = False  # the last corridor is cut: its far end stays out of reach
    seeds = np.zeros_like(maze)
    seeds[0, 0] = True
    reached = connected(maze, seeds)
    assert np.array_equal(reached, _plain_connected(maze, seeds))
    assert reached[20, 9]
    assert not reached[20, 11]


def test_operators_read_a_cropped_view_as_its_own_image() -> None:
    # closing returns a view into its padded result, which the next operator reads.
    rng = np.random.default_rng(7)
    large = rng.integers(0, 256, (40, 50)).astype(np.uint8)
    view = large[5:35:2, 3:-4]
    assert not view.flags.c_contiguous
    copy = view.copy()
    assert np.array_equal(max_filter(view, 5), _plain_rank_filter(copy, 5, "max"))
    assert np.array_equal(opening(closing(view, 5), 3), opening(closing(copy, 5), 3))
    mask, seeds = view > 100, view > 240
    assert np.array_equal(connected(mask, seeds), _plain_connected(mask, seeds))
    assert np.array_equal(fill_holes(mask), fill_holes(mask.copy()))


def test_fill_holes_fills_what_the_outside_cannot_reach_edgewise() -> None:
    ring = np.zeros((9, 9), dtype=bool)
    ring[2:7, 2:7] = True
    ring[3:6, 3:6] = False
    ring[2, 2] = False  # a corner gone: the outside touches the hole only diagonally
    filled = fill_holes(ring)
    assert filled[3:6, 3:6].all()
    assert not filled[:2].any() and not filled[2, 2]
    ring[2, 3] = False  # a gap in a side: the hole opens to the outside
    assert not fill_holes(ring)[3:6, 3:6].any()


def _clamped(index: int, length: int) -> int:
    """Clamp an index into range(length)."""
    return min(max(index, 0), length - 1)


@settings(max_examples=40, deadline=None)
@given(shape=_SHAPES, reach=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_steep_pixels_mark_both_sides_of_a_big_step(
    shape: tuple[int, int], reach: int, seed: int
) -> None:
    values = np.random.default_rng(seed).random(shape).astype(np.float32)
    height, width = shape
    expected = np.zeros(shape, dtype=bool)
    for row in range(height):
        for col in range(width):
            # The step from here to the next row, and to the next column, seen across 2*reach.
            if row + 1 < height:
                after = values[_clamped(row + reach, height), col]
                before = values[_clamped(row + 1 - reach, height), col]
                if abs(after - before) > 0.3:
                    expected[row, col] = expected[row + 1, col] = True
            if col + 1 < width:
                after = values[row, _clamped(col + reach, width)]
                before = values[row, _clamped(col + 1 - reach, width)]
                if abs(after - before) > 0.3:
                    expected[row, col] = expected[row, col + 1] = True
    assert np.array_equal(steep_pixels(values, 0.3, reach), expected)


def test_long_straight_lines_finds_a_sheet_edge_but_not_a_smile() -> None:
    rows, cols = np.indices((120, 160))
    edge_row = 20 + 0.3 * cols  # a slanted shadow line, 2 px wide, right across the image
    mask = (rows - edge_row >= 0) & (rows - edge_row < 2)
    drawing = Image.new("1", (160, 120))
    ImageDraw.Draw(drawing).arc((40, 10, 120, 90), 20, 160, fill=1)
    smile = np.asarray(drawing, dtype=bool)
    band = long_straight_lines(mask | smile, 0.55 * 160, 1.0)
    assert band[mask].all()
    assert not band[smile & (np.abs(rows - edge_row) > 6)].any()
    assert not long_straight_lines(smile, 0.55 * 160, 1.0).any()
