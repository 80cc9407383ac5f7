"""After a restart: tell the chats whose training or comparison a previous process cut short.

A training leaves its record in the database (a run still queued or running). A /compare
records no run, so while it runs it leaves a small marker file beside its job directory in
models_dir/jobs; a marker found at start-up is a comparison that was interrupted. Job
directories left behind hold copies of their chats' samples and are deleted, so that /reset
and retention miss none.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any

from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.texts import t
from bot.training.reports import comparison_failure_text, failure_text
from storage import Repository

__all__ = ["COMPARE_PREFIX", "clear_compare", "mark_compare", "report_interrupted"]

logger = logging.getLogger(__name__)

COMPARE_PREFIX = "compare-"  # the name of a comparison's job directory starts so
MARKER_SUFFIX = ".json"


def mark_compare(
    jobs_dir: Path, name: str, chat_id: int, message_id: int, language: str | None
) -> None:
    """Leave the marker of a comparison that is starting (blocking: call in a thread)."""
    path = _marker(jobs_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    marker = {"chat_id": chat_id, "message_id": message_id, "language": language}
    path.write_text(json.dumps(marker), encoding="utf-8")


def clear_compare(jobs_dir: Path, name: str) -> None:
    """Remove a comparison's marker: it ended, whichever way."""
    _marker(jobs_dir, name).unlink(missing_ok=True)


async def report_interrupted(
    bot: ExtBot[Any], repo: Repository, jobs_dir: Path, active: set[str]
) -> None:
    """Report the runs and comparisons a previous process left unfinished as interrupted.

    ``active`` are the job names of this process, whose directories stay.
    """
    for marker in await asyncio.to_thread(_take_markers, jobs_dir, active):
        chat_id, message_id = marker.get("chat_id"), marker.get("message_id")
        language = marker.get("language")
        if not isinstance(chat_id, int) or not isinstance(message_id, int):
            continue
        lang = language if isinstance(language, str) else None
        logger.info("a comparison in chat %s was interrupted", chat_id)
        text = comparison_failure_text("interrupted", t("compare.reason_restart", lang), lang)
        with contextlib.suppress(TelegramError):
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
    for run in await repo.runs.interrupt_unfinished():
        logger.info("training run %s of chat %s was interrupted", run.id, run.chat_id)
        lang = run.language
        text = failure_text("interrupted", t("train.reason_restart", lang), lang)
        with contextlib.suppress(TelegramError):
            if run.message_id is not None:
                await bot.edit_message_text(text, chat_id=run.chat_id, message_id=run.message_id)
            else:
                await bot.send_message(run.chat_id, text)


def _marker(jobs_dir: Path, name: str) -> Path:
    return jobs_dir / (name + MARKER_SUFFIX)


def _take_markers(jobs_dir: Path, active: set[str]) -> list[dict[str, Any]]:
    """Read and remove the markers of unfinished comparisons, and every job directory."""
    markers = []
    for path in sorted(jobs_dir.glob(f"{COMPARE_PREFIX}*{MARKER_SUFFIX}")):
        try:
            marker = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            marker = None
        if isinstance(marker, dict):
            markers.append(marker)
        path.unlink(missing_ok=True)
    for leftover in jobs_dir.glob("*"):
        if leftover.is_dir() and leftover.name not in active:
            shutil.rmtree(leftover, ignore_errors=True)
    return markers
