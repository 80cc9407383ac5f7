"""Stored files: ids like Telegram's, bytes, and download paths."""

from __future__ import annotations

import base64
import copy
import hashlib
import itertools
import mimetypes
import secrets
from dataclasses import dataclass
from typing import Any

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses larger files for bots
_UNIQUE_ID_BYTES = 12

# The folder getFile puts each kind of file in, and the extension it uses by default.
_FOLDERS = {
    "photo": ("photos", ".jpg"),
    "document": ("documents", ""),
    "sticker": ("stickers", ".webp"),
    "video": ("videos", ".mp4"),
    "animation": ("animations", ".mp4"),
    "voice": ("voice", ".oga"),
    "audio": ("music", ".mp3"),
}


@dataclass(frozen=True)
class StoredFile:
    """One file Telegram holds: its ids, bytes and download path."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str

    @property
    def size(self) -> int:
        """Return the size in bytes."""
        return len(self.data)

    def as_file(self) -> dict[str, object]:
        """Return the Bot API ``File`` object for getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


def unique_id_for(data: bytes, variant: str = "") -> str:
    """Derive a file_unique_id from content, so equal bytes give equal ids like Telegram."""
    digest = hashlib.sha256(variant.encode() + b"\0" + data).digest()[:_UNIQUE_ID_BYTES]
    return "AQAD" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


class FileStore:
    """All files by file_id and by download path."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._numbers = itertools.count(1)
        # The Bot API object (Document, Sticker, or a photo's PhotoSize list) that each
        # file_id belongs to, so a bot can send a file again by its id.
        self._objects: dict[str, Any] = {}

    def add(
        self,
        data: bytes,
        *,
        kind: str,
        file_name: str | None = None,
        mime_type: str | None = None,
        unique_variant: str = "",
        unique_source: bytes | None = None,
    ) -> StoredFile:
        """Store ``data`` under a new file_id (unique per upload) and return it.

        Args:
            data: the bytes a download returns.
            kind: "photo", "document", "sticker", ... (chooses the folder in file_path).
            file_name: original name, used for the extension.
            mime_type: used for the extension when the name has none.
            unique_variant: distinguishes files derived from one source (photo sizes).
            unique_source: bytes the file_unique_id is derived from (default ``data``).
        """
        number = next(self._numbers)
        folder, default_ext = _FOLDERS.get(kind, ("documents", ""))
        path = f"{folder}/file_{number}{_extension(file_name, mime_type, default_ext)}"
        stored = StoredFile(
            file_id=f"{_ID_PREFIXES.get(kind, 'BQAC')}{secrets.token_urlsafe(24)}",
            file_unique_id=unique_id_for(
                data if unique_source is None else unique_source, unique_variant
            ),
            kind=kind,
            data=data,
            file_path=path,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """Return the file with this file_id, or None."""
        return self._by_id.get(file_id)

    def describe(self, file_id: str, api_object: Any) -> None:
        """Remember the Bot API object that shows ``file_id`` in messages."""
        self._objects[file_id] = copy.deepcopy(api_object)

    def description(self, file_id: str) -> Any:
        """Return the Bot API object remembered for ``file_id``, or None."""
        return copy.deepcopy(self._objects.get(file_id))

    def by_path(self, file_path: str) -> StoredFile | None:
        """Return the file at this download path, or None."""
        return self._by_path.get(file_path)


_ID_PREFIXES = {"photo": "AgAC", "document": "BQAC", "sticker": "CAAC", "video": "BAAC"}


def _extension(file_name: str | None, mime_type: str | None, default: str) -> str:
    if file_name and "." in file_name:
        suffix = "." + file_name.rsplit(".", 1)[1].lower()
        if suffix.isascii() and suffix[1:].isalnum():
            return suffix
    if mime_type:
        return mimetypes.guess_extension(mime_type) or default
    return default
