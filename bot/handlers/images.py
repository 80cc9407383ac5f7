"""Store the images users send, and refuse other media with a clear reply."""

from __future__ import annotations

import logging

from telegram import Message, Update

from bot.handlers.common import invalid_label_text, language, shown
from bot.intake import DownloadFailed, FileTooLarge, Stored, UploadThrottled
from bot.labels import InvalidLabel, label_argument, normalise_label
from bot.media import UnsupportedMedia, find_image
from bot.reports import prediction_text
from bot.services import BotContext, BotServices
from bot.texts import t
from model.serving import ImageRejected
from storage import AddStatus, ChatFull, TooManyLabels

__all__ = ["answer_refusal", "image", "refusal_text", "reply_with_prediction"]

logger = logging.getLogger(__name__)


async def image(update: Update, context: BotContext) -> None:
    """Store the image (labelled when its caption is /label <name>) and acknowledge it."""
    message = update.effective_message
    if message is None:
        return
    services = context.bot_data
    lang = language(update)
    label, label_problem = _caption_label(message, context.bot.username, lang)
    try:
        ref = find_image(message)
        if ref is None:
            return
        stored = await services.intake.ingest(context.bot, message, ref, label=label)
    except Exception as exc:  # every failure a user can cause gets an answer
        answer_refusal(exc, message, services, lang)
        return
    if label_problem is not None:
        services.acks.notify(message, label_problem)
    if not await reply_with_prediction(message, stored, services, lang):
        await services.acks.stored(message, stored.result, lang)


async def reply_with_prediction(
    message: Message, stored: Stored, services: BotServices, lang: str | None
) -> bool:
    """Answer a new unlabelled image with the prediction and the correction buttons.

    Returns whether it did; otherwise (labelled, a duplicate, no model) the caller
    acknowledges the stored image.
    """
    result = stored.result
    if result.status is not AddStatus.CREATED or result.sample.label is not None:
        return False
    prepared = stored.prepared
    try:
        prediction = await services.predictor.predict(
            message.chat_id, prepared.model_input, prepared.input_size
        )
    except Exception:
        # The image is stored; say so even if no model can answer right now.
        logger.exception("prediction in chat %s failed", message.chat_id)
        return False
    low = services.config.prediction.low_confidence
    keyboard = await services.corrections.keyboard(
        message.chat_id, result.sample.id, [label for label, _ in prediction.ranked]
    )
    await message.reply_text(
        prediction_text(prediction, low, lang), do_quote=True, reply_markup=keyboard
    )
    return True


def answer_refusal(
    exc: Exception, message: Message, services: BotServices, lang: str | None
) -> None:
    """Tell the sender why their image was refused; re-raise what no user can cause."""
    text = refusal_text(exc, lang, services.config.limits.max_download_bytes)
    if text is None:
        raise exc
    services.acks.notify(message, text)


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
        return t("intake.too_large", lang, mb=f"{max_download_bytes / 1_000_000:g}")
    if isinstance(exc, DownloadFailed):
        return t("intake.download_failed", lang)
    if isinstance(exc, UploadThrottled):
        return t("intake.throttled", lang, limit=exc.limit, seconds=max(1, round(exc.retry_in)))
    if isinstance(exc, ChatFull):
        return t("intake.chat_full", lang, limit=exc.limit)
    if isinstance(exc, TooManyLabels):
        return t("intake.too_many_labels", lang, limit=exc.limit)
    return None


def _caption_label(
    message: Message, bot_username: str, lang: str | None
) -> tuple[str | None, str | None]:
    """Return (label, problem): the caption's valid label, or why it was not used."""
    raw = label_argument(message.caption, bot_username)
    if raw is None:
        return None, None
    if not raw:
        return None, t("label.usage", lang) + "\n" + t("label.kept_unlabelled", lang)
    try:
        return normalise_label(raw), None
    except InvalidLabel as exc:
        return None, invalid_label_text(exc, lang) + "\n" + t("label.kept_unlabelled", lang)
