"""The model files that answer for each chat, under models_dir: put in place, and removed.

The bot is the only writer here. A finished job's files move in from its job directory,
the sidecar last, so a reader that finds a sidecar finds the model it describes; removal
goes the other way round.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from model.job import MODEL_STEM, model_paths
from storage import move_into_place

__all__ = ["install", "remove", "remove_chat"]


def install(job_dir: Path, prefix: Path) -> None:
    """Move the model a job exported into place as ``prefix`` (blocking: call in a thread)."""
    sources = model_paths(job_dir / MODEL_STEM).in_writing_order()
    targets = model_paths(prefix).in_writing_order()
    move_into_place(list(zip(sources, targets, strict=True)))


def remove(prefix: Path) -> None:
    """Delete one model's files, the sidecar first (blocking: call in a thread)."""
    for path in reversed(model_paths(prefix).in_writing_order()):
        path.unlink(missing_ok=True)


def remove_chat(models_dir: Path, chat_id: int) -> None:
    """Delete every model file of a chat (blocking: call in a thread)."""
    shutil.rmtree(models_dir / str(chat_id), ignore_errors=True)
