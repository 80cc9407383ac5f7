"""Turn raw bytes into stored files and the Bot API objects that describe them."""

from __future__ import annotations

import mimetypes
from typing import Any

from .files import FileStore
from .media import image_size, photo_sizes

STICKER_SIDE = 512  # Telegram stickers fit in 512x512


def store_photo(files: FileStore, image: bytes) -> list[dict[str, Any]]:
    """Store a photo at Telegram's sizes and return its ``PhotoSize`` list, smallest first.

    Raises:
        ApiError: 400 when the bytes are not a usable image.
    """
    result: list[dict[str, Any]] = []
    for size in photo_sizes(image):
        stored = files.add(
            size.jpeg,
            kind="photo",
            unique_source=image,
            unique_variant=f"{size.width}x{size.height}",
        )
        result.append(
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": stored.size,
                "width": size.width,
                "height": size.height,
            }
        )
    for photo_size in result:
        files.describe(photo_size["file_id"], result)
    return result


def store_document(
    files: FileStore, data: bytes, *, file_name: str | None, mime_type: str | None
) -> dict[str, Any]:
    """Store a file sent as a document and return its ``Document`` object."""
    if mime_type is None and file_name:
        mime_type = mimetypes.guess_type(file_name)[0]
    stored = files.add(data, kind="document", file_name=file_name, mime_type=mime_type)
    document: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if file_name:
        document["file_name"] = file_name
    if mime_type:
        document["mime_type"] = mime_type
    document["file_size"] = stored.size
    files.describe(stored.file_id, document)
    return document


def store_sticker(
    files: FileStore, data: bytes, *, is_animated: bool, is_video: bool, emoji: str | None
) -> dict[str, Any]:
    """Store a sticker file and return its ``Sticker`` object."""
    extension = ".tgs" if is_animated else ".webm" if is_video else ".webp"
    stored = files.add(data, kind="sticker", file_name=f"sticker{extension}")
    width, height = (None if is_animated or is_video else image_size(data)) or (
        STICKER_SIDE,
        STICKER_SIDE,
    )
    sticker: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "type": "regular",
        "width": width,
        "height": height,
        "is_animated": is_animated,
        "is_video": is_video,
        "file_size": stored.size,
    }
    if emoji:
        sticker["emoji"] = emoji
    files.describe(stored.file_id, sticker)
    return sticker
