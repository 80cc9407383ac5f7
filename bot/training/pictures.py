"""Pictures after a training or a comparison: the chart, the misclassified sheet, their texts.

The worker draws the charts (model.learning.charts) with the texts given here, in the user's
language. Sending them is best effort: a picture that fails is logged and the rest goes on,
so a finished training never turns into a failed one because of a picture.
"""

from __future__ import annotations

import asyncio
import logging
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardMarkup, ReplyParameters
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.labels.built_in import shown_name
from bot.telegram.rate_limiter import NOTICE
from bot.texts import t
from bot.texts.numbers import style
from bot.training.reports import variant_name
from model.job import (
    COMPARED_VARIANTS,
    COMPARISON_CHART,
    TRAINING_CHART,
    Misclassified,
    TrainSummary,
)
from model.serving.sheets import captioned_sheet
from storage import Repository

__all__ = [
    "SHEET_LIMIT",
    "comparison_chart_texts",
    "read_charts",
    "send_comparison_chart",
    "send_training_pictures",
    "stored_sources",
    "training_chart_texts",
]

logger = logging.getLogger(__name__)

SHEET_LIMIT = 12  # misclassified drawings on the one sheet: three rows of four
NAME_WIDTH = 16  # characters a line under a bar of the comparison chart


def training_chart_texts(lang: str | None, labels: Sequence[str] = ()) -> dict[str, dict[str, str]]:
    """Return the texts of the chart drawn after a training of ``labels``, keyed by chart."""
    return {
        TRAINING_CHART: {
            "title": t("pictures.history_title", lang),
            "loss": t("pictures.history_loss", lang),
            "accuracy": t("pictures.history_accuracy", lang),
            "epoch": t("pictures.history_epoch", lang),
            "training": t("pictures.history_training", lang),
            "validation": t("pictures.history_validation", lang),
            # The worker fills in the epoch it finds best.
            "best": t("pictures.history_best", lang, epoch="{epoch}"),
            "confusion_title": t("pictures.confusion_title", lang),
            "true": t("pictures.confusion_true", lang),
            "predicted": t("pictures.confusion_predicted", lang),
            "decimal_mark": style(lang).decimal_mark,
            # Label names cannot hold a line break (bot.labels.names).
            "label_names": "\n".join(shown_name(label, lang) for label in labels),
        },
    }


def comparison_chart_texts(lang: str | None) -> dict[str, dict[str, str]]:
    """Return the texts of the comparison chart: its title, its axis and each bar's name."""
    names = {
        variant: "\n".join(textwrap.wrap(variant_name(variant, lang), NAME_WIDTH))
        for variant in COMPARED_VARIANTS
    }
    return {
        COMPARISON_CHART: {
            "title": t("compare.chart_title", lang),
            "ylabel": t("compare.chart_axis", lang),
            "percent_suffix": style(lang).percent_suffix,
            **names,
        }
    }


def read_charts(job_dir: Path, files: dict[str, str]) -> dict[str, bytes]:
    """Read the charts a job drew (blocking: call in a thread); skip unreadable ones.

    ``files`` maps each chart's name to its file name in ``job_dir``, as the summary says.
    """
    charts = {}
    for name, file_name in files.items():
        try:
            charts[name] = (job_dir / Path(file_name).name).read_bytes()
        except OSError as exc:
            logger.warning("chart %s is gone: %s", name, exc)
    return charts


async def send_training_pictures(
    bot: ExtBot[Any],
    repo: Repository,
    chat_id: int,
    reply_to: int,
    summary: TrainSummary,
    charts: dict[str, bytes],
    lang: str | None,
    *,
    pairs: InlineKeyboardMarkup | None = None,
) -> None:
    """Send at most two messages: the chart, then one sheet of the misclassified; never raise.

    Two, so that a drawing sent after the report waits behind no album (Telegram counts
    every picture of one against the chat's pace). ``pairs`` (bot.training.confusion_pairs)
    go under the chart, whose confusion matrix they make clickable.
    """
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True)
    caption = (
        t("pictures.training_caption_folds", lang, folds=summary.folds)
        if summary.folds > 1
        else t("pictures.training_caption", lang)
    )
    if summary.best_epoch:  # the chart has its line: say how to read it
        caption += "\n" + t("pictures.best_line", lang)
    if not summary.misclassified:
        caption += "\n" + t("pictures.misclassified_none", lang)
    elif pairs is not None:
        caption += "\n" + t("pictures.pairs_hint", lang)
    # Without a sheet to follow, the line that none was misclassified must still come.
    await _send_chart(
        bot,
        chat_id,
        charts.get(TRAINING_CHART),
        caption,
        reply,
        text_instead=not summary.misclassified,
        keyboard=pairs,
    )
    if not summary.misclassified:
        return
    try:
        await _send_misclassified(bot, repo, chat_id, summary.misclassified, reply, lang)
    except Exception:
        # Best effort by design: the training itself has finished and been reported.
        logger.exception("could not send the misclassified images to chat %s", chat_id)


async def send_comparison_chart(
    bot: ExtBot[Any], chat_id: int, reply_to: int, chart: bytes | None, caption: str
) -> None:
    """Send the comparison chart with its one line of text, or the line alone; never raise."""
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True)
    # The line of text matters more than the picture.
    await _send_chart(bot, chat_id, chart, caption, reply, text_instead=True)


async def _send_chart(
    bot: ExtBot[Any],
    chat_id: int,
    chart: bytes | None,
    caption: str,
    reply: ReplyParameters,
    *,
    text_instead: bool,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """Send ``chart`` with ``caption`` and ``keyboard``; if there is none or it fails, the
    caption alone when ``text_instead``. Never raise: the training has finished and been
    reported."""
    if chart is not None:
        try:
            await bot.send_photo(
                chat_id,
                chart,
                caption=caption,
                reply_parameters=reply,
                reply_markup=keyboard,
                rate_limit_args=NOTICE,
            )
            return
        except TelegramError as exc:
            logger.warning("could not send the chart to chat %s: %s", chat_id, exc)
        except Exception:
            logger.exception("could not send the chart to chat %s", chat_id)
    if not text_instead:
        return
    try:
        await bot.send_message(chat_id, caption, reply_parameters=reply, rate_limit_args=NOTICE)
    except TelegramError as exc:
        logger.warning("could not send the chart's caption to chat %s: %s", chat_id, exc)


async def _send_misclassified(
    bot: ExtBot[Any],
    repo: Repository,
    chat_id: int,
    misclassified: Sequence[Misclassified],
    reply: ReplyParameters,
    lang: str | None,
) -> None:
    """Send the misclassified drawings as one sheet, each captioned with both labels."""
    sources = await stored_sources(repo, chat_id, [item.sample_id for item in misclassified])
    by_id = {item.sample_id: item for item in misclassified}
    images = [png for _, png in sources]
    captions = [
        t(
            "pictures.misclassified_caption",
            lang,
            true=shown_name(by_id[sample_id].true_label, lang),
            predicted=shown_name(by_id[sample_id].predicted_label, lang),
        )
        for sample_id, _ in sources
    ]
    count, shown = len(misclassified), len(images)
    if shown < count:
        header = t(
            "pictures.misclassified_more", lang, count=count, shown=shown, hidden=count - shown
        )
    elif count == 1:
        header = t("pictures.misclassified_one", lang)
    else:
        header = t("pictures.misclassified", lang, count=count)
    if not images:
        await bot.send_message(chat_id, header, reply_parameters=reply, rate_limit_args=NOTICE)
        return
    sheet = await asyncio.to_thread(captioned_sheet, images, captions)
    await bot.send_photo(
        chat_id, sheet, caption=header, reply_parameters=reply, rate_limit_args=NOTICE
    )


async def stored_sources(
    repo: Repository, chat_id: int, sample_ids: Sequence[int]
) -> list[tuple[int, bytes]]:
    """Return (sample id, source PNG) of the first SHEET_LIMIT samples still stored."""
    found: list[tuple[int, bytes]] = []
    for sample_id in sample_ids:
        if len(found) == SHEET_LIMIT:
            break
        png = await repo.samples.source_png(chat_id, sample_id)
        if png is not None:  # else deleted since the training
            found.append((sample_id, png))
    return found
