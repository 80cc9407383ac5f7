"""Reading a photo of a filled worksheet: find the markers, straighten the sheet, cut the boxes.

1. The four corner markers give 16 points whose places on the page the layout knows; a
   homography maps the page (in mm) onto the photo.
2. The photo must show the sheet large and sharp enough: each box at least
   `MIN_BOX_PIXELS` across, and the markers' edges no softer than `MAX_BLUR_MM` (measured
   by matching each marker with its own ideal picture blurred by a range of amounts).
3. Each box is cut inside its printed border, straightened to `CUT_PIXELS` square (the
   stored source copy's size), and judged empty or drawn on by its ink: pixels clearly
   darker than the paper around them, which a soft shadow is not.

A cut is a grey picture of a drawing on paper, as `model.serving.preprocess` expects
(`BoxReading.png` feeds `prepare_sample`).
"""

from __future__ import annotations

import functools
import io
import logging
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
from PIL import Image

from model.serving.decode import decode_image
from model.serving.image_ops import closing
from model.serving.preprocess import SOURCE_MAX_SIDE, source_copy
from model.worksheets.layout import DEFAULT_LAYOUT, Corner, Rect, SheetLayout
from model.worksheets.markers import CELLS, find_markers, marker_pixels

logger = logging.getLogger(__name__)

__all__ = [
    "CUT_PIXELS",
    "MAX_BLUR_MM",
    "MIN_BOX_PIXELS",
    "MIN_INK_SHARE",
    "BoxReading",
    "SheetProblem",
    "SheetReading",
    "SheetUnreadable",
    "ink_share",
    "read_sheet",
]

CUT_PIXELS = SOURCE_MAX_SIDE  # a cut is stored as it is: no second scaling
MIN_BOX_PIXELS = 64  # a box across fewer photo pixels leaves too little of a drawing
# Softest marker edge (Gaussian sigma on the page) accepted. On the synthetic photos of
# scripts/bench_worksheet.py the markers measured 0.45 mm (median) to 0.8 mm, and the
# default model read 92% of the boxes. In a Telegram-sized photo the marker search fails
# at about 0.9 mm already (MARKERS_MISSING); this limit catches camera-sized photos.
MAX_BLUR_MM = 1.0
# Photos larger than this (the camera's original, not Telegram's copy) are scaled down
# first: the boxes stay well over CUT_PIXELS, and the marker search stays fast.
_WORKING_SIDE = 2048
_MAX_PIXELS = 40_000_000
# Marker sharpness is measured at this resolution on the page, with this much white around.
_MARKER_PX_PER_MM = 4.0
_MARKER_QUIET_CELLS = 0.5
_BLUR_CANDIDATES_MM = (0.0, 0.15, 0.3, 0.45, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
# --- ink in a cut (fractions of its side, and darkness 1 - pixel / paper) ---
_PAPER_WINDOW_FRACTION = 0.08  # wider than pen strokes: closing them away leaves the paper
_MIN_INK_DARKNESS = 0.04  # faint pencil in a dim photo is 0.05 to 0.1 darker
_NOISE_SIGMAS = 6.0
_MAD_TO_SIGMA = 1.4826
_SPECK_PIXELS = 20  # in a CUT_PIXELS cut: dust and noise are smaller; a stroke is longer
# A cut with less ink than this share is empty. On 40 synthetic photos (scripts/
# bench_worksheet.py) empty boxes had none at all, drawn ones 0.3% or more, bar one
# pencil face too faint to see.
MIN_INK_SHARE = 0.001


class SheetProblem(StrEnum):
    """Why a photo cannot be read as a worksheet."""

    NO_SHEET = "no_sheet"  # none of the markers: not a photo of a worksheet
    MARKERS_MISSING = "markers_missing"  # some markers: covered, cut off or in the dark
    TOO_SMALL = "too_small"  # the sheet takes too little of the photo
    TOO_BLURRED = "too_blurred"


class SheetUnreadable(Exception):
    """A photo that cannot be read as a worksheet, and why."""

    def __init__(self, problem: SheetProblem, missing: tuple[Corner, ...] = ()) -> None:
        detail = f": {', '.join(missing)} missing" if missing else ""
        super().__init__(f"{problem}{detail}")
        self.problem = problem
        self.missing = missing


@dataclass(frozen=True)
class BoxReading:
    """One box of a read worksheet."""

    row: int
    column: int
    label: str | None  # the label printed above its row; None for a blank field
    image: Image.Image  # mode L, CUT_PIXELS square: the box's inside, straightened
    empty: bool
    ink_share: float  # share of the cut's pixels that are ink

    @property
    def png(self) -> bytes:
        """Return the cut as PNG bytes, the way an upload reaches `prepare_sample`."""
        buffer = io.BytesIO()
        self.image.save(buffer, "PNG")
        return buffer.getvalue()


@dataclass(frozen=True)
class SheetReading:
    """A read worksheet: every box in reading order, and how well the photo showed it."""

    boxes: tuple[BoxReading, ...]
    box_pixels: float  # the smallest box's side in the photo, in pixels
    blur_mm: float  # the markers' edge softness on the page (Gaussian sigma)

    @property
    def drawn(self) -> tuple[BoxReading, ...]:
        """Return the boxes with something drawn in them."""
        return tuple(box for box in self.boxes if not box.empty)


def read_sheet(
    photo: bytes | Image.Image | np.ndarray,
    layout: SheetLayout = DEFAULT_LAYOUT,
    *,
    max_pixels: int = _MAX_PIXELS,
) -> SheetReading:
    """Read a photo of a filled worksheet printed from `layout`.

    Args:
        photo: The photo: encoded bytes (any format `decode_image` accepts), a Pillow
            image, or an (h, w, 3) RGB or (h, w) grey uint8 array.
        layout: The sheet that was printed.
        max_pixels: Bytes that declare more pixels than this are refused unread.

    Raises:
        SheetUnreadable: No sheet, markers missing, the sheet too small or too blurred.
        ImageRejected: The bytes are not a usable image.
    """
    rgb = _working_copy(photo, max_pixels)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    markers = find_markers(grey)
    missing = tuple(corner for corner in Corner if corner not in markers)
    if len(missing) == len(Corner):
        raise SheetUnreadable(SheetProblem.NO_SHEET, missing)
    if missing:
        raise SheetUnreadable(SheetProblem.MARKERS_MISSING, missing)
    page_to_photo = _homography(markers, layout)
    box_pixels = min(
        _side_in_photo(page_to_photo, layout.box(row, column))
        for row in range(layout.rows)
        for column in range(layout.columns)
    )
    if box_pixels < MIN_BOX_PIXELS:
        raise SheetUnreadable(SheetProblem.TOO_SMALL)
    blur_mm = float(np.median([_blur_mm(grey, page_to_photo, layout, c) for c in Corner]))
    if blur_mm > MAX_BLUR_MM:
        raise SheetUnreadable(SheetProblem.TOO_BLURRED)
    boxes = []
    for row in range(layout.rows):
        for column in range(layout.columns):
            cut = source_copy(
                Image.fromarray(_straighten(rgb, page_to_photo, layout.cut(row, column)))
            )
            share = ink_share(np.asarray(cut))
            boxes.append(
                BoxReading(row, column, layout.label(row), cut, share < MIN_INK_SHARE, share)
            )
    return SheetReading(tuple(boxes), box_pixels, blur_mm)


def ink_share(grey: np.ndarray) -> float:
    """Return the share of a grey cut's pixels that are clearly darker than the paper near them.

    The paper is estimated by closing the strokes away, so a shadow or uneven light moves
    the paper's level along with the pixels and is not ink. A threshold above the paper's
    own noise keeps its grain out, and small specks (dust, noise) are dropped; a faint
    pencil line, one pixel wide, is long and stays.
    """
    window = max(3, round(grey.shape[0] * _PAPER_WINDOW_FRACTION)) | 1
    paper = closing(grey, window).astype(np.float32)
    darkness = 1.0 - grey.astype(np.float32) / np.maximum(paper, 1.0)
    centre = float(np.median(darkness))
    noise = _MAD_TO_SIGMA * float(np.median(np.abs(darkness - centre)))
    ink = (darkness > max(_MIN_INK_DARKNESS, centre + _NOISE_SIGMAS * noise)).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    areas = stats[1:count, cv2.CC_STAT_AREA]
    kept = int(areas[areas >= _SPECK_PIXELS * grey.size / CUT_PIXELS**2].sum())
    return kept / grey.size


def _working_copy(photo: bytes | Image.Image | np.ndarray, max_pixels: int) -> np.ndarray:
    """Return the photo as a contiguous RGB uint8 array, at most _WORKING_SIDE on a side."""
    if isinstance(photo, bytes):
        photo = decode_image(photo, max_pixels=max_pixels)
    if isinstance(photo, Image.Image):
        image = photo.convert("RGB")
    else:
        array = np.asarray(photo, dtype=np.uint8)
        image = Image.fromarray(array).convert("RGB")
    longest = max(image.size)
    if longest > _WORKING_SIDE:
        factor = _WORKING_SIDE / longest
        size = (round(image.width * factor), round(image.height * factor))
        image = image.resize(size, Image.Resampling.BOX)
    return np.ascontiguousarray(np.asarray(image))


def _homography(markers: dict[Corner, np.ndarray], layout: SheetLayout) -> np.ndarray:
    """Return the 3x3 homography from page mm to photo pixels, fitted to all 16 corners."""
    page = np.array(
        [point for corner in Corner for point in layout.marker(corner).corners()],
        dtype=np.float64,
    )
    photo = np.concatenate([markers[corner] for corner in Corner])
    matrix, _ = cv2.findHomography(page, photo, 0)
    return np.asarray(matrix, dtype=np.float64)


def _to_photo(page_to_photo: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Map (n, 2) page points in mm to photo pixels."""
    mapped = cv2.perspectiveTransform(points.reshape(-1, 1, 2).astype(np.float64), page_to_photo)
    return np.asarray(mapped, dtype=np.float64).reshape(-1, 2)


def _side_in_photo(page_to_photo: np.ndarray, rect: Rect) -> float:
    """Return the shortest side of `rect` as the photo shows it, in pixels."""
    quad = _to_photo(page_to_photo, np.array(rect.corners()))
    return float(min(np.linalg.norm(quad[i] - quad[(i + 1) % 4]) for i in range(4)))


def _straighten(
    image: np.ndarray, page_to_photo: np.ndarray, rect: Rect, side: int = CUT_PIXELS
) -> np.ndarray:
    """Return `rect` of the page as a side x side image, seen straight on."""
    width, height = side, round(side * rect.height / rect.width)
    to_cut = np.array(
        [
            [width / rect.width, 0, -rect.left * width / rect.width],
            [0, height / rect.height, -rect.top * height / rect.height],
            [0, 0, 1],
        ],
        dtype=np.float64,
    )
    photo_to_cut = to_cut @ np.linalg.inv(page_to_photo)
    straight = cv2.warpPerspective(
        image,
        photo_to_cut,
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.asarray(straight)


def _blur_mm(
    grey: np.ndarray, page_to_photo: np.ndarray, layout: SheetLayout, corner: Corner
) -> float:
    """Return how soft the marker's edges are on the page: the best-matching Gaussian sigma."""
    rect = layout.marker(corner)
    quiet = _MARKER_QUIET_CELLS * rect.width / CELLS
    around = rect.inset(-quiet)
    side = round(around.width * _MARKER_PX_PER_MM)
    seen = _straighten(grey, page_to_photo, around, side).astype(np.float32)
    low, high = np.percentile(seen, (2, 98))
    seen = np.clip((seen - low) / max(float(high - low), 1.0), 0.0, 1.0)
    ideal = _ideal_marker(corner, side, round(rect.width * _MARKER_PX_PER_MM))
    errors = []
    for sigma in _BLUR_CANDIDATES_MM:
        blurred = (
            ideal if sigma == 0 else cv2.GaussianBlur(ideal, (0, 0), sigma * _MARKER_PX_PER_MM)
        )
        errors.append(float(np.mean((blurred - seen) ** 2)))
    return _BLUR_CANDIDATES_MM[int(np.argmin(errors))]


@functools.cache
def _ideal_marker(corner: Corner, side: int, marker_side: int) -> np.ndarray:
    """Return the marker as printed, on its white surround, float32 in [0, 1]."""
    ideal = np.ones((side, side), dtype=np.float32)
    offset = (side - marker_side) // 2
    ideal[offset : offset + marker_side, offset : offset + marker_side] = (
        marker_pixels(corner, marker_side).astype(np.float32) / 255.0
    )
    ideal.flags.writeable = False
    return ideal
