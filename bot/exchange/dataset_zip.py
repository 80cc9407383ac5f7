"""A chat's dataset as a zip: one folder per label plus a manifest, and the checks on import.

Nothing here talks to Telegram. ``build_export`` and ``read_archive`` are CPU work: the
handlers run them in a thread.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from bot.config import LimitsConfig
from bot.labels.names import InvalidLabel, normalise_label
from model.serving import ImageRejected, prepare_sample
from storage import ImportItem, StoredImage

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MANIFEST_NAME",
    "TELEGRAM_UPLOAD_CAP",
    "UNLABELLED_FOLDER",
    "ArchiveRejected",
    "CheckedArchive",
    "ImportLimits",
    "Refusal",
    "build_export",
    "export_file_name",
    "read_archive",
    "safe_title",
]

FORMAT_NAME = "smiley-bot-dataset"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
UNLABELLED_FOLDER = "unlabelled"
TELEGRAM_UPLOAD_CAP = 50 * 1000 * 1000  # bots may send files up to 50 MB
# Images hardly compress (PNG, JPEG, WebP and HEIF are compressed already), so an entry that
# unpacks to 100 times its packed size is a bomb, not a smiley; tiny entries may, harmlessly.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_FROM_BYTES = 1_000_000
# The whole archive may unpack to this many times the download cap (200 MB by default).
MAX_TOTAL_TO_DOWNLOAD = 10
# Directories, the manifest and junk entries are not counted against the sample limit, but
# an archive cannot hide a bomb of millions of empty entries behind them either.
ENTRY_SLACK = 1_000
# A central directory record is 46 bytes plus name and extras; this leaves room for long names.
DIRECTORY_BYTES_PER_ENTRY = 512
_MIN_DIRECTORY_RECORD = 46
_READ_CHUNK = 64 * 1024
_JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
_JUNK_FOLDERS = frozenset({"__macosx"})
_DRIVE = re.compile(r"^[A-Za-z]:")
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE = 20
_ZIP64_EOCD = b"PK\x06\x06"
_ZIP64_EOCD_SIZE = 56
_ENCRYPTED = 0x1
_SHOWN_NAME = 80
_MAX_COMMENT = 0xFFFF
_FILE_NAME_KEEP = re.compile(r"[^\w-]+")
_FILE_NAME_MAX = 40


@dataclass(frozen=True)
class ImportLimits:
    """How much an archive may hold and unpack to."""

    max_entries: int
    max_entry_bytes: int
    max_total_bytes: int
    max_pixels: int
    max_ratio: float = MAX_COMPRESSION_RATIO

    @classmethod
    def from_config(cls, limits: LimitsConfig) -> ImportLimits:
        """Derive the archive limits from the bot's per-image and per-chat limits."""
        return cls(
            max_entries=limits.max_samples_per_chat,
            max_entry_bytes=limits.max_download_bytes,
            max_total_bytes=limits.max_download_bytes * MAX_TOTAL_TO_DOWNLOAD,
            max_pixels=limits.max_image_pixels,
        )


class ArchiveRejected(Exception):
    """The archive as a whole is refused; ``reason`` names the text, ``detail`` fills it in."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason = reason  # not_a_zip | too_many_entries | too_big | bomb | unsafe_name
        self.detail = detail


@dataclass(frozen=True)
class Refusal:
    """One entry left out of an import, and why (a model.RejectReason value or our own)."""

    path: str
    reason: str


@dataclass(frozen=True)
class CheckedArchive:
    """The images of an archive ready to store, and the entries refused one by one."""

    items: tuple[ImportItem, ...]
    refused: tuple[Refusal, ...]


# --- export ----------------------------------------------------------------------------------


def build_export(images: Sequence[StoredImage], *, exported_at: float) -> bytes:
    """Return the zip of ``images``: ``<label>/<sample id>.png`` and ``manifest.json``."""
    buffer = io.BytesIO()
    entries = []
    counts: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w") as archive:
        for image in images:
            folder = image.label if image.label is not None else UNLABELLED_FOLDER
            path = f"{folder}/{image.sample_id}.png"
            # PNGs are compressed already: storing them is as small and much faster.
            archive.writestr(_entry(path, image.created_at), image.source_png, zipfile.ZIP_STORED)
            if image.label is not None:
                counts[image.label] = counts.get(image.label, 0) + 1
            entries.append(
                {
                    "path": path,
                    "label": image.label,
                    "sha256": hashlib.sha256(image.source_png).hexdigest(),
                    "created_at": _iso(image.created_at),
                    "preprocess_version": image.preprocess_version,
                }
            )
        manifest = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "exported_at": _iso(exported_at),
            "labels": dict(sorted(counts.items())),
            "unlabelled": sum(image.label is None for image in images),
            "images": entries,
        }
        text = json.dumps(manifest, ensure_ascii=False, indent=1)
        archive.writestr(
            _entry(MANIFEST_NAME, exported_at), text.encode("utf-8"), zipfile.ZIP_DEFLATED
        )
    return buffer.getvalue()


def export_file_name(title: str | None, chat_id: int, exported_at: float) -> str:
    """Return ``smileys-<title or chat id>-<YYYYmmdd>.zip``, safe as a file name anywhere."""
    name = safe_title(title) or str(chat_id)
    day = datetime.fromtimestamp(exported_at, UTC).strftime("%Y%m%d")
    return f"smileys-{name}-{day}.zip"


def safe_title(title: str | None) -> str:
    """Return a chat title cut down to letters, digits, - and _ (empty if nothing is left)."""
    return _FILE_NAME_KEEP.sub("-", title or "").strip("-_")[:_FILE_NAME_MAX]


def _entry(path: str, at: float) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, datetime.fromtimestamp(at, UTC).timetuple()[:6])
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# --- import ----------------------------------------------------------------------------------


def read_archive(data: bytes, limits: ImportLimits) -> CheckedArchive:
    """Check an uploaded zip and preprocess its images; nothing is stored here.

    The archive is refused whole when it is no zip, holds too many entries, would unpack to
    too much, or names a file outside plain folders. Single entries that are no usable image
    or sit in a folder that is no valid label are refused one by one.

    Raises:
        ArchiveRejected: the archive as a whole is refused.
    """
    # Checked before zipfile reads the central directory: millions of entries would cost
    # gigabytes of ZipInfo objects.
    entries, directory_bytes = _central_directory(data)
    most = limits.max_entries + ENTRY_SLACK
    if entries > most or directory_bytes > most * DIRECTORY_BYTES_PER_ENTRY:
        at_least = max(entries, directory_bytes // _MIN_DIRECTORY_RECORD)
        raise ArchiveRejected("too_many_entries", str(at_least))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError, OverflowError, NotImplementedError) as exc:
        raise ArchiveRejected("not_a_zip") from exc
    items: list[ImportItem] = []
    refused: list[Refusal] = []
    with archive:
        candidates = _candidates(archive.infolist())
        if len(candidates) > limits.max_entries:
            raise ArchiveRejected("too_many_entries", str(len(candidates)))
        _check_sizes(candidates, len(data), limits)
        remaining = limits.max_total_bytes
        for info in candidates:
            path = info.filename
            try:
                label = _folder_label(path)
            except InvalidLabel:
                refused.append(Refusal(path, "bad_label"))
                continue
            if info.flag_bits & _ENCRYPTED:
                refused.append(Refusal(path, "encrypted"))
                continue
            unpacked = _unpack(archive, info, min(limits.max_entry_bytes, remaining))
            if unpacked is None:
                refused.append(Refusal(path, "damaged"))
                continue
            remaining -= len(unpacked)
            try:
                items.append(_prepare(unpacked, label, limits.max_pixels))
            except ImageRejected as exc:
                refused.append(Refusal(path, exc.reason.value))
    return CheckedArchive(tuple(items), tuple(refused))


def _central_directory(data: bytes) -> tuple[int, int]:
    """Return the entry count and central directory size the end record declares."""
    start = data.rfind(_EOCD, max(0, len(data) - _EOCD_SIZE - _MAX_COMMENT))
    if start < 0 or len(data) - start < _EOCD_SIZE:
        raise ArchiveRejected("not_a_zip")
    entries, size = struct.unpack_from("<HI", data, start + 10)
    locator = start - _ZIP64_LOCATOR_SIZE
    if locator >= 0 and data[locator : locator + 4] == _ZIP64_LOCATOR:
        (offset,) = struct.unpack_from("<Q", data, locator + 8)
        if offset + _ZIP64_EOCD_SIZE > len(data) or data[offset : offset + 4] != _ZIP64_EOCD:
            raise ArchiveRejected("not_a_zip")
        entries, size = struct.unpack_from("<QQ", data, offset + 32)
    return int(entries), int(size)


def _candidates(infos: Sequence[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """Return the entries that may be images; refuse the archive for any unsafe name."""
    found = []
    for info in infos:
        _check_name(info)
        parts = PurePosixPath(info.filename).parts
        junk = parts[-1].startswith(".") or parts[-1].lower() in _JUNK_NAMES
        if (
            info.is_dir()
            or info.filename == MANIFEST_NAME
            or junk
            or any(part.lower() in _JUNK_FOLDERS for part in parts)
        ):
            continue
        found.append(info)
    return found


def _check_name(info: zipfile.ZipInfo) -> None:
    """Refuse names that could point outside a folder, and links or other special files."""
    name = info.orig_filename
    parts = name.rstrip("/").split("/")
    if (
        not name
        or "\x00" in name
        or "\\" in name
        or name.startswith("/")
        or _DRIVE.match(name)
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise ArchiveRejected("unsafe_name", name[:_SHOWN_NAME])
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        raise ArchiveRejected("unsafe_name", name[:_SHOWN_NAME])


def _check_sizes(infos: Sequence[zipfile.ZipInfo], packed: int, limits: ImportLimits) -> None:
    """Refuse from the central directory: too big unpacked, or compressed like a bomb."""
    total = 0
    for info in infos:
        if info.file_size > limits.max_entry_bytes:
            raise ArchiveRejected("too_big", info.filename[:_SHOWN_NAME])
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size >= RATIO_CHECK_FROM_BYTES and ratio > limits.max_ratio:
            raise ArchiveRejected("bomb", info.filename[:_SHOWN_NAME])
        total += info.file_size
    if total > limits.max_total_bytes:
        raise ArchiveRejected("too_big")
    if total >= RATIO_CHECK_FROM_BYTES and total / max(1, packed) > limits.max_ratio:
        raise ArchiveRejected("bomb")


def _folder_label(path: str) -> str | None:
    """Return the label an entry's folder names: none at the top or in ``unlabelled/``."""
    folder = PurePosixPath(path).parent.name
    if not folder or folder == UNLABELLED_FOLDER:
        return None
    return normalise_label(folder)


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """Return the entry's bytes, ``None`` if unreadable; the cap holds whatever it declares."""
    chunks = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_READ_CHUNK):
                size += len(chunk)
                if size > cap:
                    raise ArchiveRejected("too_big", info.filename[:_SHOWN_NAME])
                chunks.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        # Damaged data, a CRC mismatch, or a compression method zipfile cannot read.
        return None
    return b"".join(chunks)


def _prepare(data: bytes, label: str | None, max_pixels: int) -> ImportItem:
    """Decode and preprocess one image exactly as an upload is (raises ImageRejected)."""
    prepared = prepare_sample(data, max_pixels=max_pixels)
    return ImportItem(
        label=label,
        source_sha256=hashlib.sha256(prepared.source_png).hexdigest(),
        model_input=prepared.model_input,
        input_size=prepared.input_size,
        preprocess_version=prepared.preprocess_version,
        source_png=prepared.source_png,
        photographed=prepared.photographed,
    )
