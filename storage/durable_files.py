"""Files put in place whole, so that a crash or a power cut never leaves half of one.

A file is written (or moved) under a temporary name, flushed to disk, then renamed over its
final name; the rename itself lasts only once the directory that holds it is flushed too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["move_into_place", "sync_directory"]


def sync_directory(directory: Path) -> None:
    """Flush the renames in a directory to disk, so a power cut cannot undo them."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def move_into_place(moves: Sequence[tuple[Path, Path]]) -> None:
    """Rename each (source, target) in order, then flush every target directory once.

    Each rename is atomic: a reader sees the old file or the new one, never a mix. The
    sources must be complete files, synced to disk, on the targets' file system.
    """
    for source, target in moves:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
    for directory in _unique(target.parent for _, target in moves):
        sync_directory(directory)


def _unique(directories: Iterable[Path]) -> list[Path]:
    return list(dict.fromkeys(directories))
