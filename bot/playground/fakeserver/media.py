"""Photo processing like Telegram's: several JPEG sizes of one picture."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from .error_replies import bad_request

# Telegram keeps a photo at these sizes of its longer side (never upscaled).
PHOTO_SIDE_STEPS = (90, 320, 800, 1280)
JPEG_QUALITY = 87
MAX_PHOTO_SIDES_SUM = 10_000  # Telegram: width + height must not exceed 10000
MAX_PHOTO_RATIO = 20  # Telegram: the sides' ratio must be at most 20
_WHITE = (255, 255, 255)


@dataclass(frozen=True)
class EncodedSize:
    """One size of a photo, re-encoded as JPEG."""

    width: int
    height: int
    jpeg: bytes


def photo_sizes(image_bytes: bytes) -> list[EncodedSize]:
    """Re-encode a photo as JPEG at each of Telegram's sizes, smallest first.

    When the original is smaller than a step, the last size is the original's own size and
    the larger steps are absent.

    Raises:
        ApiError: 400 when the bytes are not an image Telegram would accept as a photo.
    """
    image = _open(image_bytes)
    width, height = image.size
    if width + height > MAX_PHOTO_SIDES_SUM or max(width, height) > MAX_PHOTO_RATIO * min(
        width, height
    ):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    longer = max(width, height)
    sizes: list[EncodedSize] = []
    for step in PHOTO_SIDE_STEPS:
        if longer <= step:
            sizes.append(_encode(image, width, height))
            break
        scale = step / longer
        sizes.append(_encode(image, max(1, round(width * scale)), max(1, round(height * scale))))
    return sizes


def image_size(image_bytes: bytes) -> tuple[int, int] | None:
    """Return (width, height) of an image, or None if the bytes are not one."""
    try:
        with Image.open(io.BytesIO(image_bytes)) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        return None


def _open(image_bytes: bytes) -> Image.Image:
    _register_heif()
    try:
        image = Image.open(io.BytesIO(image_bytes))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise bad_request("IMAGE_PROCESS_FAILED") from exc
    # Telegram applies the EXIF orientation before making sizes, as phones expect.
    return ImageOps.exif_transpose(image)


def _encode(image: Image.Image, width: int, height: int) -> EncodedSize:
    rgb = _flatten(image)
    if rgb.size != (width, height):
        rgb = rgb.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=JPEG_QUALITY)
    return EncodedSize(width, height, out.getvalue())


def _flatten(image: Image.Image) -> Image.Image:
    """Return an RGB copy; transparency is laid over white as JPEG has no alpha."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, _WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


_heif_registered = False


def _register_heif() -> None:
    """Let Pillow read HEIC photos (iPhones send them) when pillow-heif is installed."""
    global _heif_registered
    if _heif_registered:
        return
    _heif_registered = True
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # pragma: no cover - optional
        return
    register_heif_opener()
