"""Turn an uploaded smiley into the CNN's input: the ONE path shared by training and prediction.

The pipeline, in order:

1. `decode_image` validates the upload (see model/serving/decode.py).
2. `source_copy` makes the small grey copy we store: at most SOURCE_MAX_SIDE px, alpha
   flattened, colour folded into grey so that coloured ink keeps its contrast.
3. `preprocess` works only from that copy, so a dataset can be rebuilt from stored copies:
   - decide the polarity (dark ink on light, or light ink on dark) and make the ink dark;
   - estimate the paper brightness everywhere (a grey closing wipes out the thin ink), find
     the sheet of paper when the photo shows a table around it, and measure each pixel's
     darkness relative to the local paper, which flattens uneven lighting;
   - threshold that darkness robustly against the paper's own noise, and in photos drop
     long straight lines (the edge of a sheet on a table as bright as the paper);
   - crop to the drawing, keep its aspect, give thin strokes a minimum width, scale it into
     a 20/28 box and centre it by mass, like MNIST: bright ink on a black background.
"""

import io
import logging
import math
import zlib
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops

from model.serving.decode import (
    ACCEPTED_FORMATS,
    NO_DRAWING,
    ImageRejected,
    RejectReason,
    decode_image,
    normalize_mode,
)
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

logger = logging.getLogger(__name__)

__all__ = [
    "ACCEPTED_FORMATS",
    "INPUT_SIZE",
    "NO_DRAWING",
    "PREPROCESS_VERSION",
    "SOURCE_MAX_SIDE",
    "ImageRejected",
    "PreparedSample",
    "RejectReason",
    "decode_image",
    "input_array",
    "prepare_sample",
    "preprocess",
    "source_copy",
]

INPUT_SIZE = 28
SOURCE_MAX_SIDE = 256
PREPROCESS_VERSION = 2

_WHITE = 255
# PNG's filters turn a photo into small differences between neighbours, which zlib's run-length
# mode packs better than its full search: a noisy 256 px photo takes ~1 ms instead of ~1.7 ms
# (level 3) or ~4.5 ms (level 6) and comes out ~15% smaller. (The level hardly matters then.)
_PNG_STRATEGY = zlib.Z_RLE
_MID_GREY = 127.5

# --- polarity and paper estimation (fractions of the source copy's longer side) ---
# Ink strokes are thinner than this; the paper and the background are not.
_STROKE_WINDOW_FRACTION = 0.075
# Filled eyes or a filled mouth are narrower than this; used to estimate the paper under them.
_BLOB_WINDOW_FRACTION = 0.2
# The outline of a filled region too big to be closed away is about this wide (twice).
_EDGE_WINDOW_FRACTION = 0.03
# Pen lines on paper photos (not bold digital strokes) are thinner than this.
_PEN_WINDOW_FRACTION = 0.025
# Light ink on dark has bright pixels that are mostly thin; a lit sheet is mostly solid.
_SOLID_BRIGHT_FRACTION = 0.5
# Ink lies this far from the background's median, in its noise (MAD) or in grey levels.
_POLARITY_SIGMAS = 3.0
_POLARITY_MIN_LEVELS = 10.0

# --- sheet detection, on the paper estimate ---
# Largest step between neighbouring pixels, in log brightness, still on the same sheet:
# smooth light falloff and soft shadows stay below it, the edge of the paper does not.
_SHEET_STEP_TOLERANCE = 0.045
_SHEET_STEP_REACH = 2  # judge a step by the change across 3 pixels: edges are a bit blurred
_LOG_OFFSET = 16.0  # keeps log() tame on black pixels
_SEED_PERCENTILE = 90  # seeds: the brightest pixels near the centre, surely paper
# Below this share of the photo the "sheet" is more likely a mistake than a photo of paper.
_MIN_SHEET_AREA = 0.1
_MIN_SHEET_CONTRAST = 0.05  # log brightness, sheet over table
_SHEET_MARGIN_FRACTION = 0.04  # erosion window: skip the sheet's edge and its shadow

# A photo's paper estimate varies (light, table); a screen drawing's hardly does (< 0.1).
_PHOTO_MIN_SPREAD = 0.15  # log brightness, 5th to 95th percentile
_SPREAD_PERCENTILES = (5, 95)
# In photos, straight thin lines longer than this share of the longer side are paper edges.
_LINE_MIN_LENGTH = 0.55
_LINE_MAX_WIDTH = 5
_LINE_BIN_WIDTH = 1.0
_FAINT_INK = 0.2  # a sheet's shadow is faint; count lines from this ink level up

# --- thresholding the ink darkness (1 - pixel / paper) ---
_MAD_TO_SIGMA = 1.4826
_NOISE_SIGMAS = 5.0
_MIN_INK_CONTRAST = 0.06
_MIN_INK_LEVELS = 16.0  # grey levels below the paper
_INK_LEVEL_PERCENTILE = 90  # darkness of the strong ink, which maps to 1.0
_MIN_INK_RANGE = 0.04
_MIN_INK_SHARE = 0.0003
_MIN_INK_PIXELS = 6
# Faint marks: above this many noise sigmas and this darkness, on this share of the image.
_FAINT_SIGMAS = 4.0
_MIN_FAINT_CONTRAST = 0.015
_MIN_FAINT_SHARE = 0.002
_HALF = 0.5

# --- fitting the drawing into the model input ---
_DRAWING_BOX_FRACTION = 20 / 28  # MNIST puts a 20x20 box in a 28x28 frame
_EXTENT_TRIM = 0.005  # ignore this share of the ink mass at each side (isolated specks)
_WORK_SCALE = 4  # stroke widening happens at 4x the final resolution
_MIN_STROKE_FRACTION = 0.075  # thinnest stroke, as a share of the box (1.5 px of 20)
_LIFT_WINDOW = 5  # pixels around a stroke that set its local peak
_LIFT_FLOOR = 0.5
_SPECK_PIXELS = 2
# A stroke of width w and length l has area w*l and an L1 outline of about 2*l*4/pi.
_OUTLINE_TO_WIDTH = 8 / math.pi


@dataclass(frozen=True)
class PreparedSample:
    """A decoded upload ready to store and to feed the model."""

    model_input: bytes  # uint8, input_size**2 bytes, row-major (0 = background, 255 = ink)
    input_size: int
    source_png: bytes  # PNG of source_copy()
    preprocess_version: int
    photographed: bool  # a photo (of paper), not a drawing made on a screen


def prepare_sample(data: bytes, *, max_pixels: int, size: int = INPUT_SIZE) -> PreparedSample:
    """Decode, validate and preprocess an upload.

    Raises:
        ImageRejected: The upload is not a usable image or shows no drawing.
    """
    source = source_copy(decode_image(data, max_pixels=max_pixels))
    pixels, photographed = _model_input(source, size)
    buffer = io.BytesIO()
    source.save(buffer, format="PNG", compress_type=_PNG_STRATEGY)
    return PreparedSample(
        model_input=np.round(pixels * _WHITE).astype(np.uint8).tobytes(),
        input_size=size,
        source_png=buffer.getvalue(),
        preprocess_version=PREPROCESS_VERSION,
        photographed=photographed,
    )


def input_array(model_input: bytes, size: int = INPUT_SIZE) -> np.ndarray:
    """Turn stored model_input bytes back into a float32 (size, size) array in [0, 1]."""
    if len(model_input) != size * size:
        raise ValueError(f"expected {size * size} bytes for a {size}x{size} input")
    pixels = np.frombuffer(model_input, dtype=np.uint8).reshape(size, size)
    return pixels.astype(np.float32) / _WHITE


# ---------------------------------------------------------------------------------------------
# The stored source copy


def source_copy(image: Image.Image) -> Image.Image:
    """Return the grey copy to store: mode L, longest side <= SOURCE_MAX_SIDE, no alpha.

    Idempotent: applied to its own output it returns an equal image.
    """
    image = normalize_mode(image)
    longest = max(image.size)
    if longest > SOURCE_MAX_SIDE:
        scale = SOURCE_MAX_SIDE / longest
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        # Box filtering averages every source pixel, so thin pen lines fade but never vanish.
        image = image.resize(size, Image.Resampling.BOX)
    if image.mode == "RGBA":
        image = _flatten_alpha(image)
    if image.mode == "RGB":
        return _to_grey(image)
    return image.copy()


def _flatten_alpha(image: Image.Image) -> Image.Image:
    """Composite onto black or white, whichever contrasts with the opaque strokes."""
    # One contiguous plane per channel: numpy is much slower on interleaved RGBA pixels.
    *colours, alpha_band = (np.asarray(band, dtype=np.float32) for band in image.split())
    alpha = alpha_band / _WHITE
    luminance = np.asarray(image.convert("L"), dtype=np.float32)
    opacity = float(alpha.sum())
    stroke_luminance = float((luminance * alpha).sum()) / opacity if opacity else 0.0
    background = 0.0 if stroke_luminance > _MID_GREY else float(_WHITE)
    flat = [np.round(colour * alpha + background * (1.0 - alpha)) for colour in colours]
    return Image.merge("RGB", [Image.fromarray(plane.astype(np.uint8)) for plane in flat])


def _to_grey(image: Image.Image) -> Image.Image:
    """Fold colour into grey so that coloured ink keeps its contrast.

    Plain luminance makes yellow on white or blue ballpoint on warm paper faint. Dark ink on
    light paper is the darker channel's business, light ink on dark the brighter one's, so
    average luminance with the channel extreme that sides with the ink.
    """
    luminance = np.asarray(image.convert("L"))
    # Pillow compares the channels in C; numpy's min over the short last axis is ~10x slower.
    pick = ImageChops.darker if _ink_is_dark(luminance) else ImageChops.lighter
    red, green, blue = image.split()
    extreme = np.asarray(pick(pick(red, green), blue))
    folded = (luminance.astype(np.uint16) + extreme + 1) // 2
    return Image.fromarray(folded.astype(np.uint8))


# ---------------------------------------------------------------------------------------------
# Model input


def preprocess(image: Image.Image, size: int = INPUT_SIZE) -> np.ndarray:
    """Return a float32 (size, size) array in [0, 1]: bright ink on black, centred by mass.

    Raises:
        ImageRejected: When no drawing can be read: "blank" (nothing there), "faint" (marks
            too light to read) or "paper_only" (a photo of a sheet with nothing on it).
    """
    return _model_input(image, size)[0]


def _model_input(image: Image.Image, size: int) -> tuple[np.ndarray, bool]:
    """Return `preprocess`'s array, and whether the image looks photographed."""
    if size < 1:
        raise ValueError(f"input size must be positive, not {size}")
    grey = np.asarray(source_copy(image))
    if not _ink_is_dark(grey):
        grey = _WHITE - grey
    ink, photographed = _ink_strength(grey)
    return _fit_to_input(ink, size), photographed


def _window(shape: tuple[int, ...], fraction: float) -> int:
    """Return an odd window size, at least 3, that is `fraction` of the longer side."""
    return max(3, round(max(shape) * fraction)) | 1


def _ink_is_dark(grey: np.ndarray) -> bool:
    """Tell dark ink on a light background from light ink on a dark one.

    The background is most of the image; ink stands out of its noise on one side. More
    pixels far above the background than far below it means light ink on dark, unless
    those bright pixels are solid: a sheet of paper (or a lit part of one) on a dark
    table, which survives an opening, where strokes do not.
    """
    background = float(np.median(grey))
    noise = _MAD_TO_SIGMA * float(np.median(np.abs(grey - background)))
    far = max(_POLARITY_SIGMAS * noise, _POLARITY_MIN_LEVELS)
    bright = grey > background + far
    bright_count = int(bright.sum())
    if bright_count <= int((grey < background - far).sum()):
        return True
    # Close pen-line gaps first, or a sheet crowded with strokes looks like lace.
    sheet_like = closing(bright.astype(np.uint8), _window(grey.shape, _PEN_WINDOW_FRACTION))
    solid = opening(sheet_like, _window(grey.shape, _STROKE_WINDOW_FRACTION))
    # ...and a sheet is big: bold filled shapes (sunglasses) are solid but small.
    solid_count = int(solid.sum())
    return solid_count >= max(_SOLID_BRIGHT_FRACTION * bright_count, _MIN_SHEET_AREA * grey.size)


def _ink_strength(grey: np.ndarray) -> tuple[np.ndarray, bool]:
    """Return how much darker than the local paper each pixel is, thresholded into [0, 1].

    Also return whether the image looks photographed, which decides some of the steps.
    """
    # Max and min give the same grey levels before or after the conversion to floats, and
    # on the compact uint8 image they run several times faster.
    without_strokes = closing(grey, _window(grey.shape, _STROKE_WINDOW_FRACTION))
    sheet = _find_sheet(without_strokes.astype(np.float32))
    paper = closing(without_strokes, _window(grey.shape, _BLOB_WINDOW_FRACTION))
    # A flat region too big to close away (a sticker's filled head) is paper to its inside;
    # its edge, seen from the brighter side, becomes an outline, as a person would draw it.
    paper = max_filter(paper, _window(grey.shape, _EDGE_WINDOW_FRACTION)).astype(np.float32)
    darkness = 1.0 - grey.astype(np.float32) / np.maximum(paper, 1.0)
    photographed = _looks_photographed(paper)
    ink = _threshold_ink(darkness, paper, sheet, photographed)
    if photographed:
        ink[_paper_edge_lines(ink)] = 0.0
        if int((ink > _HALF).sum()) < _min_ink_pixels(ink):
            raise ImageRejected(RejectReason.PAPER_ONLY)
    return ink, photographed


def _looks_photographed(paper: np.ndarray) -> bool:
    """Tell a photo (uneven light, a table) from a drawing made on a screen (even background)."""
    level = np.log(paper + _LOG_OFFSET)
    low, high = np.percentile(level, _SPREAD_PERCENTILES)
    return bool(high - low > _PHOTO_MIN_SPREAD)


def _paper_edge_lines(ink: np.ndarray) -> np.ndarray:
    """Return bands around long straight thin lines: edges of paper, not drawing.

    The edge of a sheet lying on a table of about its brightness escapes `_find_sheet`, but
    its thin shadow or bright rim runs straight across much of the photo, which no stroke of
    a smiley does. (Only photos are checked: a drawing app may have a ruler tool.)
    """
    marked = ink > _FAINT_INK
    thin = marked & ~opening(marked.astype(np.uint8), _LINE_MAX_WIDTH).astype(bool)
    return long_straight_lines(thin, _LINE_MIN_LENGTH * max(ink.shape), _LINE_BIN_WIDTH)


def _min_ink_pixels(ink: np.ndarray) -> int:
    """Return how many inked pixels make a drawing rather than noise."""
    return max(_MIN_INK_PIXELS, round(_MIN_INK_SHARE * ink.size))


def _find_sheet(paper: np.ndarray) -> np.ndarray:
    """Return the mask of the sheet of paper, or everything when there is no separate sheet.

    Grows a region from the brightest pixels near the centre through small steps of the
    paper estimate: it crosses gradual light falloff and soft shadows but stops at the
    sheet's edge, where the brightness jumps within a few pixels.
    """
    height, width = paper.shape
    level = np.log(paper + _LOG_OFFSET)
    steep = steep_pixels(level, _SHEET_STEP_TOLERANCE, _SHEET_STEP_REACH)
    if not steep.any():  # no edge at all (a drawing app's canvas): the region is everything
        return np.ones(paper.shape, dtype=bool)
    centre = (
        slice(height // 4, max(height // 4 + 1, 3 * height // 4)),
        slice(width // 4, max(width // 4 + 1, 3 * width // 4)),
    )
    seeds = np.zeros(level.shape, dtype=bool)
    seeds[centre] = level[centre] >= np.percentile(level[centre], _SEED_PERCENTILE)
    # Thicken the edges by a pixel so that the growth cannot slip through a gap in them.
    barrier = max_filter(steep.astype(np.uint8), 3).astype(bool)
    region = fill_holes(connected(~barrier, seeds))
    if region.all() or region.mean() < _MIN_SHEET_AREA:
        return np.ones(paper.shape, dtype=bool)
    # A real sheet is brighter than the table around it; anything else (the inside of a
    # bold outline, a patch between shadows) is not a sheet.
    if np.median(level[~region]) > np.median(level[region]) - _MIN_SHEET_CONTRAST:
        return np.ones(paper.shape, dtype=bool)
    # Edge replication in min_filter leaves the image border alone: only the paper's own
    # edges, where the table and the sheet's shadow begin, are pulled in.
    margin = _window(paper.shape, _SHEET_MARGIN_FRACTION)
    sheet: np.ndarray = min_filter(region.astype(np.uint8), margin).astype(bool)
    return sheet


def _threshold_ink(
    darkness: np.ndarray, paper: np.ndarray, sheet: np.ndarray, photographed: bool
) -> np.ndarray:
    """Map darkness to [0, 1]: paper noise to 0, typical ink to 1.

    Raises:
        ImageRejected: "blank", "faint" or, in a photo, "paper_only" when nothing stands
            out from the paper's noise.
    """
    on_sheet = darkness[sheet]
    centre = float(np.median(on_sheet))
    noise = _MAD_TO_SIGMA * float(np.median(np.abs(on_sheet - centre)))
    # Ink must stand out from the noise, relatively (a ratio copes with uneven light) and in
    # absolute grey levels (a ratio over a dark "paper" would blow up its smudges).
    low = np.maximum(
        centre + max(_NOISE_SIGMAS * noise, _MIN_INK_CONTRAST),
        _MIN_INK_LEVELS / np.maximum(paper, 1.0),
    )
    above = (darkness > low) & sheet
    min_pixels = _min_ink_pixels(darkness)
    if int(above.sum()) < min_pixels:
        # In a photo, the paper's grain and shadows lie just above its noise: the sheet is
        # all there is. On a screen, a drawing's worth of marks just above it is a pen
        # too light: say so, rather than "blank".
        if photographed:
            raise ImageRejected(RejectReason.PAPER_ONLY)
        faint = (darkness > centre + max(_FAINT_SIGMAS * noise, _MIN_FAINT_CONTRAST)) & sheet
        if int(faint.sum()) >= _MIN_FAINT_SHARE * darkness.size:
            raise ImageRejected(RejectReason.FAINT)
        raise ImageRejected(RejectReason.BLANK)
    margin = darkness - low
    spread = float(np.percentile(margin[above], _INK_LEVEL_PERCENTILE))
    weak = RejectReason.PAPER_ONLY if photographed else RejectReason.FAINT
    if spread < _MIN_INK_RANGE:
        raise ImageRejected(weak)
    ink: np.ndarray = np.clip(margin / spread, 0.0, 1.0).astype(np.float32)
    ink[~sheet] = 0.0
    if int((ink > _HALF).sum()) < min_pixels:
        raise ImageRejected(weak)
    return ink


def _fit_to_input(ink: np.ndarray, size: int) -> np.ndarray:
    """Crop to the drawing, even out its strokes, scale it into the box and centre it by mass."""
    ink = _drop_specks(ink)
    top, bottom = _extent(ink.sum(axis=1))
    left, right = _extent(ink.sum(axis=0))
    crop = ink[top : bottom + 1, left : right + 1]
    side = max(crop.shape)
    square = np.zeros((side, side), dtype=np.float32)
    row, col = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    square[row : row + crop.shape[0], col : col + crop.shape[1]] = crop
    # A faint pencil line and a bold marker line should look alike to the model.
    square = _lift(square, _LIFT_WINDOW)

    box = max(1, round(size * _DRAWING_BOX_FRACTION))
    work = box * _WORK_SCALE
    target = _MIN_STROKE_FRACTION * work
    thinnest = _thin_stroke_width(square, max(3, round(target * side / work)) | 1)
    widen = round(max(0.0, target - thinnest * work / side))
    core = _resize(square, work - widen)
    before = widen // 2
    padded = np.pad(core, ((before, widen - before), (before, widen - before)))
    if widen:
        padded = max_filter(padded, widen + 1)
    # Shrinking fades thin lines to grey; bring them back to full strength.
    drawing = _resize(_lift(padded, max(widen + 1, _LIFT_WINDOW)), box)
    peak = float(drawing.max())
    if peak <= 0.0:
        raise ImageRejected(RejectReason.BLANK)
    return _centre_by_mass(np.clip(drawing / peak, 0.0, 1.0), size)


def _drop_specks(ink: np.ndarray) -> np.ndarray:
    """Clear isolated inked pixels and pairs: noise, not drawing (a pen line has neighbours)."""
    padded = np.pad((ink > 0).astype(np.uint8), 1)
    # Count the inked pixels of each 3x3 neighbourhood: three rows, then three columns.
    rows = padded[:-2] + padded[1:-1] + padded[2:]
    neighbourhood = rows[:, :-2] + rows[:, 1:-1] + rows[:, 2:]
    return np.where(neighbourhood > _SPECK_PIXELS, ink, 0.0).astype(np.float32)


def _lift(ink: np.ndarray, window: int) -> np.ndarray:
    """Scale each stroke so that its local peak reaches 1; weak marks gain at most 1/floor."""
    peaks = np.maximum(max_filter(ink, window), _LIFT_FLOOR)
    lifted: np.ndarray = np.clip(ink / peaks, 0.0, 1.0)
    return lifted


def _extent(profile: np.ndarray) -> tuple[int, int]:
    """Return the first and last index holding the ink mass, minus a trimmed share each side."""
    mass = np.cumsum(profile, dtype=np.float64)
    total = float(mass[-1])
    first = int(np.searchsorted(mass, _EXTENT_TRIM * total, side="right"))
    last = int(np.searchsorted(mass, (1.0 - _EXTENT_TRIM) * total, side="left"))
    last = min(last, profile.size - 1)
    return min(first, last), last


def _thin_stroke_width(ink: np.ndarray, bold: int) -> float:
    """Estimate the width in pixels of the thin strokes, ignoring shapes `bold` px wide or more.

    A stroke of width w and length l covers w*l pixels inside an outline about 2*l*4/pi long
    (counting pixel-edge crossings), so w ~ (8/pi) * area / outline.
    """
    solid = ink > _HALF
    thin = solid & ~opening(solid.astype(np.uint8), bold).astype(bool)
    if int(thin.sum()) == 0:
        return float(bold)
    outline = int((thin[:, 1:] != thin[:, :-1]).sum() + (thin[1:, :] != thin[:-1, :]).sum())
    return _OUTLINE_TO_WIDTH * float(thin.sum()) / max(outline, 1)


def _resize(square: np.ndarray, side: int) -> np.ndarray:
    """Resize a square float array, area-averaging when shrinking."""
    side = max(1, side)
    if square.shape[0] == side:
        return square
    resample = Image.Resampling.BOX if side < square.shape[0] else Image.Resampling.BILINEAR
    resized = Image.fromarray(square.astype(np.float32)).resize((side, side), resample)
    return np.asarray(resized, dtype=np.float32)


def _centre_by_mass(drawing: np.ndarray, size: int) -> np.ndarray:
    """Place the drawing in a size x size frame with its centre of mass in the middle."""
    box = drawing.shape[0]
    total = float(drawing.sum())
    indices = np.arange(box, dtype=np.float64)
    mass_row = float((drawing.sum(axis=1) * indices).sum()) / total
    mass_col = float((drawing.sum(axis=0) * indices).sum()) / total
    middle = (size - 1) / 2
    # Never push ink out of the frame, even for a lopsided drawing.
    row = min(max(round(middle - mass_row), 0), size - box)
    col = min(max(round(middle - mass_col), 0), size - box)
    frame = np.zeros((size, size), dtype=np.float32)
    frame[row : row + box, col : col + box] = drawing
    return frame
