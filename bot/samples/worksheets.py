"""Worksheets: a printable sheet of twelve boxes, and a photo of a filled one as twelve samples.

/worksheet sends the sheet (PDF to print, PNG to look at) with the chat's labels on its rows
(a pupil's: the class's), and remembers them (storage.worksheets). A photo that shows the
sheet's corner markers is read (model.worksheets: OpenCV's ArUco detector and a homography):
each drawn box is stored under its row's label, like an upload of its own, with one answer
that says what was stored. A pupil may photograph the sheet their teacher printed in the
group: the labels are then the group's sheet's.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

import cv2
import numpy as np
from telegram import Bot, Message

from bot.labels.built_in import shown_name
from bot.labels.names import SUGGESTED_LABELS
from bot.samples.accepted_media import ImageRef
from bot.samples.intake import Intake
from bot.texts import t
from model.serving import ImageRejected, decode_image
from model.worksheets.layout import DEFAULT_ROWS, SheetLayout
from model.worksheets.markers import find_markers
from model.worksheets.read import SheetProblem, SheetUnreadable, read_sheet
from model.worksheets.render import render_pdf, render_png
from storage import AddStatus, Repository

__all__ = ["SheetFiles", "SheetResult", "Worksheets", "box_name", "result_text"]

logger = logging.getLogger(__name__)

# Two of the four corner markers in the small photo the bot downloads first: a worksheet,
# to read from the largest size. (A drawing has none: ArUco's codes do not happen by chance.)
_MARKERS_FOR_A_SHEET: Final = 2
# In Telegram's 320 px size a marker is some 25 px wide; doubled, ArUco finds two of them in
# 97.5% of synthetic sheet photos instead of 82.5% (40 photos; 2.3 instead of 1.5 ms).
_SMALL_SIDE: Final = 640


@dataclass(frozen=True)
class SheetFiles:
    """A printable worksheet."""

    pdf: bytes
    png: bytes
    labels: tuple[str, ...]  # the rows' labels; "" for a blank field


@dataclass
class SheetResult:
    """What reading a photo of a filled sheet stored, and what it could not."""

    stored: Counter[str] = field(default_factory=Counter)  # label ("" unlabelled): drawings
    empty: int = 0
    unreadable: list[tuple[int, int]] = field(default_factory=list)  # (row, column) from 0
    duplicates: int = 0


def box_name(row: int, column: int) -> str:
    """Return how a box is named to a person: row and column from 1 ("2.3")."""
    return f"{row + 1}.{column + 1}"


class Worksheets:
    """Makes worksheets and reads photos of filled ones."""

    def __init__(self, repo: Repository, intake: Intake, max_pixels: int) -> None:
        self._repo = repo
        self._intake = intake
        self._max_pixels = max_pixels

    async def sheet(self, chat_id: int, wanted: tuple[str, ...], lang: str | None) -> SheetFiles:
        """Make the chat's sheet with ``wanted`` on its rows, else the chat's labels (a pupil's:
        the class's), else the suggested ones; rows left over get a blank label field."""
        labels = wanted or await self._chat_labels(chat_id) or SUGGESTED_LABELS
        rows = tuple(labels[:DEFAULT_ROWS])
        rows += ("",) * (DEFAULT_ROWS - len(rows))
        # Printed as the reader calls them ("fröhlich"), stored as the chat stores them.
        layout = _layout(tuple(shown_name(label, lang) if label else "" for label in rows))
        instruction, blank = t("sheet.instruction", lang), t("sheet.blank_label", lang)
        pdf, png = await asyncio.gather(
            asyncio.to_thread(render_pdf, layout, instruction, blank_label=blank),
            asyncio.to_thread(render_png, layout, instruction, blank_label=blank),
        )
        await self._repo.worksheets.issue(chat_id, rows)
        return SheetFiles(pdf, png, rows)

    async def is_sheet(self, data: bytes) -> bool:
        """Tell whether a (small) photo shows a worksheet's markers."""
        return await asyncio.to_thread(_shows_markers, data, self._max_pixels)

    async def read(self, bot: Bot, message: Message, largest: ImageRef) -> SheetResult:
        """Download the photo's largest size, read it and store each drawn box.

        Raises:
            SheetUnreadable: No whole sheet in the photo (which corners are missing, or too
                small or blurred to read).
            FileTooLarge, DownloadFailed, ImageRejected: as for any upload.
        """
        data = await self._intake.download(bot, largest)
        rows = await self._sheet_labels(message.chat_id)
        reading = await asyncio.to_thread(
            read_sheet, data, _layout(rows), max_pixels=self._max_pixels
        )
        result = SheetResult(empty=len(reading.boxes) - len(reading.drawn))
        for box in reading.drawn:
            try:
                stored = await self._intake.ingest_box(
                    message,
                    box.png,
                    unique_id=f"{largest.file_unique_id}:{box_name(box.row, box.column)}",
                    label=box.label or None,
                )
            except ImageRejected:
                result.unreadable.append((box.row, box.column))
                continue
            if stored.result.status is AddStatus.DUPLICATE:
                result.duplicates += 1  # the same photo sent again
            else:
                result.stored[box.label or ""] += 1
        return result

    async def answer(self, bot: Bot, message: Message, largest: ImageRef, lang: str | None) -> str:
        """Read the sheet in ``message`` and return the one answer: what was stored, or why not.

        Raises:
            FileTooLarge, DownloadFailed, ImageRejected, ChatFull, TooManyLabels: as for any
                upload (the caller answers them as it does for one).
        """
        try:
            result = await self.read(bot, message, largest)
        except SheetUnreadable as unreadable:
            if unreadable.missing and unreadable.problem is SheetProblem.MARKERS_MISSING:
                corners = ", ".join(t(f"sheet.corner.{c.value}", lang) for c in unreadable.missing)
                return t("sheet.markers_missing", lang, corners=corners)
            return t(f"sheet.{unreadable.problem.value}", lang)
        return result_text(result, lang)

    async def _chat_labels(self, chat_id: int) -> tuple[str, ...]:
        """Return the labels the chat learns (a pupil's: the class's), most drawn first."""
        counts = await self._repo.labels.counts(await self._repo.classes.learning_chat(chat_id))
        return tuple(c.name for c in sorted(counts, key=lambda c: (-c.count, c.name)))

    async def _sheet_labels(self, chat_id: int) -> tuple[str, ...]:
        """Return the rows of the sheet the chat (or its class's group) was last sent."""
        labels = await self._repo.worksheets.labels(chat_id)
        if labels is None:
            owner = await self._repo.classes.learning_chat(chat_id)
            labels = None if owner == chat_id else await self._repo.worksheets.labels(owner)
        if labels is None:
            return tuple(SUGGESTED_LABELS)
        return tuple(labels)


def result_text(result: SheetResult, lang: str | None) -> str:
    """Say what a sheet's photo stored: per label, the unlabelled, the empty and unreadable."""
    total = sum(result.stored.values())
    lines = [t("sheet.stored", lang, count=total) if total else t("sheet.nothing_stored", lang)]
    for label, count in sorted(result.stored.items(), key=lambda item: (item[0] == "", item[0])):
        if label:
            lines.append(t("sheet.stored_line", lang, label=shown_name(label, lang), count=count))
        else:
            lines.append(t("sheet.stored_unlabelled", lang, count=count))
    if result.empty:
        lines.append(t("sheet.empty", lang, count=result.empty))
    if result.duplicates:
        lines.append(t("sheet.duplicates", lang, count=result.duplicates))
    if result.unreadable:
        boxes = ", ".join(box_name(row, column) for row, column in result.unreadable)
        lines.append(t("sheet.unreadable", lang, boxes=boxes))
    return "\n".join(lines)


def _layout(rows: tuple[str, ...]) -> SheetLayout:
    return SheetLayout(rows=len(rows), labels=tuple(label or None for label in rows))


def _shows_markers(data: bytes, max_pixels: int) -> bool:
    try:
        grey = np.asarray(decode_image(data, max_pixels=max_pixels).convert("L"))
    except ImageRejected:  # the upload path refuses it with its own answer
        return False
    if max(grey.shape) < _SMALL_SIDE:
        grey = cv2.resize(grey, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)
    return len(find_markers(grey)) >= _MARKERS_FOR_A_SHEET
