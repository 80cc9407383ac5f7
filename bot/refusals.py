"""What the bot answers when it refuses what a user sent or asked: one map from error to reply.

A handler that calls the domain catches what it raises and asks here for the reply; an
error that maps to no reply is a bug, which the error handler (bot/handlers/errors.py) logs.
"""

from __future__ import annotations

from telegram import Message

from bot.labels.names import InvalidLabel
from bot.samples.accepted_media import UnsupportedMedia
from bot.samples.acknowledgements import Acknowledger
from bot.samples.intake import DownloadFailed, FileTooLarge, UploadThrottled
from bot.texts import t
from bot.texts.formats import shown
from bot.texts.numbers import number
from bot.training.queue import AlreadyTraining, NotEnoughSamples
from bot.webapp import DrawingProblem, DrawingRejected
from model.serving import ImageRejected
from storage import ChatFull, TooManyLabels

__all__ = [
    "answer_refusal",
    "drawing_problem_text",
    "invalid_label_text",
    "refusal_text",
    "training_refusal_text",
]

_MB = 1_000_000


def refusal_text(exc: Exception, lang: str | None, max_download_bytes: int) -> str | None:
    """Return the user-facing reply for a refused image, ``None`` for a real bug."""
    if isinstance(exc, UnsupportedMedia):
        what_key = "media.file_ext" if exc.detail else f"media.{exc.kind}"
        what = t(what_key, lang, ext=shown(exc.detail))
        text = t("intake.unsupported", lang, what=what)
        if exc.detail.lower() == "zip":  # most likely a dataset from /export
            text += "\n" + t("import.zip_hint", lang)
        return text
    if isinstance(exc, ImageRejected):
        return t(f"reject.{exc.reason}", lang, detail=exc.detail)
    if isinstance(exc, FileTooLarge):
        return t("intake.too_large", lang, mb=number(max_download_bytes / _MB, lang))
    if isinstance(exc, DownloadFailed):
        return t("intake.download_failed", lang)
    if isinstance(exc, UploadThrottled):
        return t("intake.throttled", lang, limit=exc.limit, seconds=max(1, round(exc.retry_in)))
    if isinstance(exc, ChatFull):
        return t("intake.chat_full", lang, limit=exc.limit)
    if isinstance(exc, TooManyLabels):
        return t("intake.too_many_labels", lang, limit=exc.limit)
    return None


def answer_refusal(
    exc: Exception,
    message: Message,
    acknowledger: Acknowledger,
    max_download_bytes: int,
    lang: str | None,
) -> None:
    """Tell the sender why their image was refused; re-raise what no user can cause."""
    text = refusal_text(exc, lang, max_download_bytes)
    if text is None:
        raise exc
    acknowledger.notify(message, text)


def invalid_label_text(exc: InvalidLabel, lang: str | None) -> str:
    """Explain the label rule, with a suggested fix when there is one."""
    if exc.hint:
        return t("label.invalid_hint", lang, raw=shown(exc.raw), hint=exc.hint)
    return t("label.invalid", lang, raw=shown(exc.raw))


def training_refusal_text(exc: AlreadyTraining | NotEnoughSamples, lang: str | None) -> str:
    """Explain why a training or comparison cannot start now."""
    if isinstance(exc, AlreadyTraining):
        return t("train.already", lang)
    if not exc.missing:
        return t("train.too_few_labels", lang, minimum=exc.minimum)
    lines = [t("train.not_enough", lang, minimum=exc.minimum)]
    lines += [t("train.missing", lang, label=k, missing=v) for k, v in exc.missing.items()]
    return "\n".join(lines)


def drawing_problem_text(exc: DrawingRejected, lang: str | None) -> str:
    """Return the reply for data that is no usable drawing."""
    invalid = exc.invalid_label
    if exc.problem is DrawingProblem.INVALID_LABEL and invalid is not None:
        raw = shown(invalid.raw)
        if invalid.hint:
            text = t("draw.error.invalid_label_hint", lang, raw=raw, hint=invalid.hint)
        else:
            text = t("draw.error.invalid_label", lang, raw=raw)
    else:
        text = t(f"draw.error.{exc.problem.value}", lang, detail=shown(exc.detail))
    return text + "\n" + t("draw.not_stored", lang)
