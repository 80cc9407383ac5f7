"""/export model: send the chat's trained model as .keras and .tflite, with example code."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telegram import InputMediaDocument, Update
from telegram.constants import ParseMode

from bot.handlers.common import language, reply
from bot.model_export import (
    ModelTooLarge,
    ModelUnavailable,
    model_file_names,
    read_model_files,
    snippet,
    usage_html,
)
from bot.portable import TELEGRAM_UPLOAD_CAP
from bot.services import BotContext
from bot.texts import t

__all__ = ["export_model"]

logger = logging.getLogger(__name__)

_MB = 1_000_000


async def export_model(update: Update, context: BotContext) -> None:
    """Send the chat's serving model as two documents and a snippet that uses them."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is None or message is None:
        return
    lang = language(update)
    services = context.bot_data
    run = await services.repo.runs.serving(chat.id)
    if run is None or run.model_prefix is None:
        await reply(update, t("export.model_none", lang))
        return
    try:
        files = await asyncio.to_thread(read_model_files, Path(run.model_prefix))
    except ModelTooLarge as exc:
        mb, limit = f"{exc.size / _MB:.0f}", f"{TELEGRAM_UPLOAD_CAP / _MB:g}"
        await reply(update, t("export.model_too_large", lang, mb=mb, limit=limit))
        return
    except ModelUnavailable as exc:
        logger.warning("chat %s: model %s cannot be exported: %s", chat.id, run.model_prefix, exc)
        await reply(update, t("export.model_missing", lang))
        return
    keras_name, tflite_name = model_file_names(chat.title)
    caption = t(
        "export.model_caption",
        lang,
        samples=len(run.sample_ids),
        labels=", ".join(files.labels),
    )
    if run.data_version != await services.repo.samples.data_version(chat.id):
        caption += "\n" + t("export.model_outdated", lang)
    quote = chat.type != "private"
    await message.reply_media_group(
        media=[
            InputMediaDocument(files.keras, filename=keras_name, caption=caption),
            InputMediaDocument(files.tflite, filename=tflite_name),
        ],
        do_quote=quote,
    )
    code = snippet(files.labels, keras_name, tflite_name, services.config.limits.max_image_pixels)
    await message.reply_text(
        usage_html(code, keras_name, tflite_name, lang), parse_mode=ParseMode.HTML, do_quote=quote
    )
