"""Validate and decode uploaded image bytes into a Pillow image in mode L, RGB or RGBA."""

import functools
import io
import logging
import re
from enum import StrEnum

import numpy as np
import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "HEIF"})
# Phone cameras write JPEGs with an extra "multi-picture" frame (a preview or depth map);
# Pillow reports them as MPO. They are ordinary photos, so read them as JPEG, first frame only.
_FORMAT_ALIASES = {"MPO": "JPEG"}

MIN_SIDE = 16
MAX_ASPECT_RATIO = 20.0

_SIXTEEN_BIT_SCALE = 257  # 65535 / 255
_EIGHT_BIT_MAX = 255
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
_BOMB_PIXELS = re.compile(r"\((\d+) pixels\)")


class RejectReason(StrEnum):
    """Why an upload cannot be used as a sample."""

    EMPTY = "empty"
    NOT_AN_IMAGE = "not_an_image"
    UNSUPPORTED_FORMAT = "unsupported_format"
    ANIMATED = "animated"
    TOO_MANY_PIXELS = "too_many_pixels"
    TOO_SMALL = "too_small"
    EXTREME_ASPECT = "extreme_aspect"
    CORRUPT = "corrupt"
    BLANK = "blank"  # nothing stands out from the background
    FAINT = "faint"  # marks, but too faint to read
    PAPER_ONLY = "paper_only"  # a photo of a sheet with nothing drawn on it


# The reasons an image of a fine size and format is refused: no drawing could be read.
NO_DRAWING = frozenset({RejectReason.BLANK, RejectReason.FAINT, RejectReason.PAPER_ONLY})


class ImageRejected(ValueError):
    """An upload that cannot be used as a sample; `reason` says why for the user-facing reply."""

    reason: RejectReason
    detail: str

    def __init__(self, reason: RejectReason | str, detail: str = "") -> None:
        """Record the reason (a RejectReason or its string value) and an optional detail."""
        self.reason = RejectReason(reason)
        self.detail = detail
        # Both go into args so the exception survives pickling (e.g. across a process pool).
        super().__init__(self.reason.value, detail)

    def __str__(self) -> str:
        """Return "reason" or "reason: detail"."""
        return f"{self.reason.value}: {self.detail}" if self.detail else self.reason.value


@functools.cache
def register_heif_opener() -> None:
    """Teach Pillow to open HEIF/HEIC (iPhone photos); done once, on first use."""
    pillow_heif.register_heif_opener()


def decode_image(data: bytes, *, max_pixels: int) -> Image.Image:
    """Validate and fully load an upload, returning an upright image in mode L, RGB or RGBA.

    Args:
        data: The raw bytes of the upload.
        max_pixels: The largest width * height accepted; checked from the header, before
            any pixel is decoded.

    Raises:
        ImageRejected: With the reason the upload cannot be used.
    """
    if not data:
        raise ImageRejected(RejectReason.EMPTY)
    register_heif_opener()
    image = _open_header(data)
    _check_header(image, max_pixels)
    _load_pixels(image)
    _make_upright(image)
    return normalize_mode(image)


def _open_header(data: bytes) -> Image.Image:
    """Identify the format and read the header only (Pillow opens lazily)."""
    try:
        return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:
        # Pillow refuses sizes far above its own limit before we can look at them.
        match = _BOMB_PIXELS.search(str(error))
        # The reply says "({detail} pixels)": the count alone, or the size as WxH.
        detail = match.group(1) if match else "too many"
        raise ImageRejected(RejectReason.TOO_MANY_PIXELS, detail) from error
    except UnidentifiedImageError as error:
        claimed = _claimed_format(data)
        if claimed is not None:  # the signature of an image we take, but nothing readable
            raise ImageRejected(RejectReason.CORRUPT, claimed) from error
        raise ImageRejected(RejectReason.NOT_AN_IMAGE) from error
    # A plugin recognised the signature but choked on the header: Pillow raises a zoo of
    # exception types from malformed data, and none of them may reach the caller.
    except Exception as error:
        logger.debug("header of an upload failed to parse: %r", error)
        raise ImageRejected(RejectReason.CORRUPT, type(error).__name__) from error


def _claimed_format(data: bytes) -> str | None:
    """Return the accepted format whose file signature `data` starts with, if any."""
    if data.startswith(_PNG_SIGNATURE):
        return "PNG"
    if data.startswith(_JPEG_SIGNATURE):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "HEIF"
    return None


def _check_header(image: Image.Image, max_pixels: int) -> None:
    """Reject by format, frame count and dimensions, all known from the header."""
    format_name = image.format or "unknown"
    effective_format = _FORMAT_ALIASES.get(format_name, format_name)
    if effective_format not in ACCEPTED_FORMATS:
        raise ImageRejected(RejectReason.UNSUPPORTED_FORMAT, format_name)
    try:
        frames = int(getattr(image, "n_frames", 1))
    except Exception as error:  # counting frames may walk a malformed file
        raise ImageRejected(RejectReason.CORRUPT, type(error).__name__) from error
    if frames > 1 and format_name not in _FORMAT_ALIASES:
        raise ImageRejected(RejectReason.ANIMATED, f"{frames} frames")
    width, height = image.size
    if width * height > max_pixels:
        raise ImageRejected(RejectReason.TOO_MANY_PIXELS, f"{width}x{height}")
    if min(width, height) < MIN_SIDE:
        raise ImageRejected(RejectReason.TOO_SMALL, f"{width}x{height}")
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise ImageRejected(RejectReason.EXTREME_ASPECT, f"{width}x{height}")


def _load_pixels(image: Image.Image) -> None:
    """Decode the pixel data, mapping any decoder failure to a "corrupt" rejection."""
    try:
        image.load()
    except Image.DecompressionBombError as error:
        width, height = image.size
        raise ImageRejected(RejectReason.TOO_MANY_PIXELS, f"{width}x{height}") from error
    # Truncated or malformed data surfaces as OSError, SyntaxError, ValueError, EOFError,
    # struct.error, zlib.error... depending on the plugin; all mean the same to the user.
    except Exception as error:
        logger.debug("pixels of an upload failed to decode: %r", error)
        raise ImageRejected(RejectReason.CORRUPT, type(error).__name__) from error


def _make_upright(image: Image.Image) -> None:
    """Apply the EXIF orientation tag in place, ignoring a malformed EXIF block."""
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception as error:  # a broken EXIF block should not cost the user their photo
        logger.debug("ignoring unreadable EXIF orientation: %r", error)


def normalize_mode(image: Image.Image) -> Image.Image:
    """Return the image in mode L, RGB or RGBA, keeping any transparency as alpha."""
    mode = image.mode
    has_alpha = "A" in mode or "a" in mode or "transparency" in image.info
    if mode in ("L", "RGB", "RGBA") and not (has_alpha and mode != "RGBA"):
        return image
    if mode.startswith("I") or mode == "F":
        return _wide_to_grey(image)
    if mode == "1":
        return image.convert("L")
    return image.convert("RGBA" if has_alpha else "RGB")


def _wide_to_grey(image: Image.Image) -> Image.Image:
    """Scale a 16/32-bit integer or float image down to 8-bit grey.

    Pillow's own conversion clips instead of scaling, which would turn a 16-bit drawing white.
    """
    if image.mode == "F":
        values = np.asarray(image, dtype=np.float64)
        finite = values[np.isfinite(values)]
        # Float images come either normalised to [0, 1] or on the 0-255 scale.
        if finite.size and float(finite.max()) <= 1.0:
            values = values * _EIGHT_BIT_MAX
    else:
        values = np.asarray(image.convert("I"), dtype=np.float64)
        if image.mode.startswith("I;16") or values.max(initial=0) > _EIGHT_BIT_MAX:
            values = values / _SIXTEEN_BIT_SCALE
    values = np.nan_to_num(values, nan=0.0, posinf=_EIGHT_BIT_MAX, neginf=0.0)
    grey = np.clip(np.round(values), 0, _EIGHT_BIT_MAX).astype(np.uint8)
    return Image.fromarray(grey)
