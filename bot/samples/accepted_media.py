"""Find the image in a Telegram message and decide whether we accept it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from telegram import Message, PhotoSize

__all__ = ["ImageRef", "UnsupportedMedia", "find_image", "largest_image", "pick_photo_size"]

# Big enough for a clear 28x28 input and a 256 px source copy, small enough to be fast.
MIN_PHOTO_SIDE = 320
IMAGE_MIME_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/pjpeg", "image/webp", "image/heic", "image/heif"}
)
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".jfif", ".webp", ".heic", ".heif"})

SourceKind = Literal["photo", "document", "sticker"]


@dataclass(frozen=True)
class ImageRef:
    """The one file of a message that we will download as a sample."""

    file_id: str
    file_unique_id: str
    file_size: int | None
    kind: SourceKind


class UnsupportedMedia(Exception):
    """The message carries something other than an image we accept.

    ``kind`` names it for the reply ("video", "gif", "animated_sticker", "pdf",
    "voice", "video_note", "audio", "file"); ``detail`` is a file's extension.
    """

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail


def pick_photo_size(sizes: Sequence[PhotoSize]) -> PhotoSize:
    """Return the smallest size whose longer side is at least 320 px, else the largest."""
    by_area = sorted(sizes, key=lambda size: size.width * size.height)
    for size in by_area:
        if max(size.width, size.height) >= MIN_PHOTO_SIDE:
            return size
    return by_area[-1]


def largest_image(message: Message, image: ImageRef) -> ImageRef:
    """Return the largest size of a photo (a worksheet is read from it), else ``image``."""
    if not message.photo or image.kind != "photo":
        return image
    photo = max(message.photo, key=lambda size: size.width * size.height)
    return ImageRef(photo.file_id, photo.file_unique_id, photo.file_size, "photo")


def find_image(message: Message) -> ImageRef | None:
    """Return the image to store, ``None`` if the message has no media at all.

    Raises:
        UnsupportedMedia: for media we do not accept (video, GIF, animated sticker, PDF ...).
    """
    if message.photo:
        photo = pick_photo_size(message.photo)
        return ImageRef(photo.file_id, photo.file_unique_id, photo.file_size, "photo")
    # A GIF arrives as an animation *and* a document; it must be refused as a GIF.
    if message.animation:
        raise UnsupportedMedia("gif")
    if message.sticker:
        sticker = message.sticker
        if sticker.is_animated or sticker.is_video:
            raise UnsupportedMedia("animated_sticker")
        return ImageRef(sticker.file_id, sticker.file_unique_id, sticker.file_size, "sticker")
    if message.document:
        document = message.document
        if not _is_image_document(document.mime_type, document.file_name):
            raise _unsupported_document(document.mime_type, document.file_name)
        return ImageRef(document.file_id, document.file_unique_id, document.file_size, "document")
    for kind in ("video", "video_note", "voice", "audio"):
        if getattr(message, kind):
            raise UnsupportedMedia(kind)
    return None


def _is_image_document(mime_type: str | None, file_name: str | None) -> bool:
    # Either hint is enough: the decoder checks the actual bytes anyway.
    return (mime_type or "").lower() in IMAGE_MIME_TYPES or (
        PurePosixPath(file_name or "").suffix.lower() in IMAGE_EXTENSIONS
    )


def _unsupported_document(mime_type: str | None, file_name: str | None) -> UnsupportedMedia:
    suffix = PurePosixPath(file_name or "").suffix.lower().lstrip(".")
    if mime_type == "image/gif" or suffix == "gif":
        return UnsupportedMedia("gif")
    if mime_type == "application/pdf" or suffix == "pdf":
        return UnsupportedMedia("pdf")
    return UnsupportedMedia("file", suffix)
