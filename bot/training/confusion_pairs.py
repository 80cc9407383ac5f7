"""The confusion matrix, clickable: a button per confused pair, and the drawings behind it.

Under the chart after a training, each pair of labels the validation runs confused gets a
button ("sad → upside-down (3)"). Its callback data holds ids only,
``pair:<run id>:<true index>:<predicted index>``: the run's metrics in the database say
which drawings those were, so a button keeps working after a restart and shows the
drawings as they are now (a deleted one is left out).
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.labels.built_in import shown_name
from bot.texts import t
from bot.training.pictures import stored_sources
from model.job import Misclassified
from model.serving import captioned_sheet
from storage import Repository

__all__ = [
    "PAIR_CALLBACK_PATTERN",
    "PairSheet",
    "decode_pair",
    "encode_pair",
    "pair_keyboard",
    "pair_sheet",
]

PAIR_CALLBACK_PATTERN: Final = r"^pair:\d+:\d+:\d+$"
MAX_PAIRS: Final = 8  # the most confused first; more would bury the chart under buttons
PAIRS_PER_ROW: Final = 2
_PAIR = re.compile(r"pair:(?P<run>\d+):(?P<true>\d+):(?P<predicted>\d+)")


def encode_pair(run_id: int, true: int, predicted: int) -> str:
    """Return the callback data of the button for one confused pair of a run."""
    return f"pair:{run_id}:{true}:{predicted}"


def decode_pair(data: str) -> tuple[int, int, int]:
    """Return (run id, true index, predicted index) of a pair button's callback data.

    Raises:
        ValueError: ``data`` is not a pair button's.
    """
    match = _PAIR.fullmatch(data)
    if match is None:
        raise ValueError(f"not a confusion pair button: {data!r}")
    return int(match["run"]), int(match["true"]), int(match["predicted"])


def pair_keyboard(
    run_id: int, misclassified: Sequence[Misclassified], lang: str | None
) -> InlineKeyboardMarkup | None:
    """Return a button per confused pair, the most confused first; None if none was.

    The built-in labels show as ``lang``'s reader calls them.
    """
    counts = Counter((m.true, m.predicted) for m in misclassified)
    names = {(m.true, m.predicted): (m.true_label, m.predicted_label) for m in misclassified}
    ranked = sorted(counts.items(), key=lambda item: (-item[1], names[item[0]]))[:MAX_PAIRS]
    buttons = [
        InlineKeyboardButton(
            f"{shown_name(names[pair][0], lang)} → {shown_name(names[pair][1], lang)} ({count})",
            callback_data=encode_pair(run_id, *pair),
        )
        for pair, count in ranked
    ]
    if not buttons:
        return None
    rows = [buttons[i : i + PAIRS_PER_ROW] for i in range(0, len(buttons), PAIRS_PER_ROW)]
    return InlineKeyboardMarkup(rows)


@dataclass(frozen=True)
class PairSheet:
    """The drawings of one confused pair as one picture, and its caption."""

    png: bytes
    caption: str


async def pair_sheet(
    repo: Repository, chat_id: int, data: str, lang: str | None
) -> PairSheet | None:
    """Return the sheet of a pair button's drawings; None when none of them is left.

    Raises:
        ValueError: ``data`` is not a pair button's.
    """
    run_id, true, predicted = decode_pair(data)
    run = await repo.runs.get(run_id)
    if run is None or run.chat_id != chat_id or not run.metrics:
        return None
    items = [
        item
        for item in run.metrics.get("misclassified", [])
        if item.get("true") == true and item.get("predicted") == predicted
    ]
    sources = await stored_sources(repo, chat_id, [int(item["sample_id"]) for item in items])
    images = [png for _, png in sources]
    if not images:
        return None
    first = items[0]
    names = {
        "true": shown_name(first["true_label"], lang),
        "predicted": shown_name(first["predicted_label"], lang),
    }
    caption = (
        t("pair.caption_one", lang, **names)
        if len(images) == 1
        else t("pair.caption", lang, count=len(images), **names)
    )
    sheet = await asyncio.to_thread(captioned_sheet, images, [""] * len(images))
    return PairSheet(sheet, caption)
