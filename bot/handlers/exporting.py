"""/export: this chat's images as one zip; /export model: its trained model, with example code."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from telegram import InputMediaDocument, Update
from telegram.constants import ParseMode

from bot.exchange.dataset_zip import TELEGRAM_UPLOAD_CAP, build_export, export_file_name
from bot.exchange.model_package import (
    ModelTooLarge,
    ModelUnavailable,
    model_file_names,
    read_model_files,
    snippet,
    usage_html,
)
from bot.samples.predictor import output_names
from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t
from bot.texts.numbers import number

__all__ = ["export"]

logger = logging.getLogger(__name__)

_MB = 1_000_000


async def export(update: Update, context: BotContext) -> None:
    """Send this chat's images as one zip (a folder per label and a manifest), or its model."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is None or message is None:
        return
    lang = language(update)
    what = [arg.lower() for arg in context.args or []]
    if what == ["model"]:
        await _export_model(update, context)
        return
    if what:
        await reply(update, t("export.usage", lang))
        return
    repo = context.bot_data.repo
    # Sized before the images are read: a dataset too big to send never fills the memory.
    estimate = await repo.datasets.source_png_bytes(chat.id)
    if estimate > TELEGRAM_UPLOAD_CAP:
        await reply(update, _too_large_text(estimate, lang))
        return
    images = await repo.datasets.stored_images(chat.id)
    if not images:
        await reply(update, t("export.empty", lang))
        return
    now = time.time()
    data = await asyncio.to_thread(build_export, images, exported_at=now)
    if len(data) > TELEGRAM_UPLOAD_CAP:
        await reply(update, _too_large_text(len(data), lang))
        return
    labels = len({image.label for image in images if image.label is not None})
    await message.reply_document(
        document=data,
        filename=export_file_name(chat.title, chat.id, now),
        caption=t("export.caption", lang, images=len(images), labels=labels),
        do_quote=chat.type != "private",
    )


async def _export_model(update: Update, context: BotContext) -> None:
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
        mb, limit = round(exc.size / _MB), number(TELEGRAM_UPLOAD_CAP / _MB, lang)
        await reply(update, t("export.model_too_large", lang, mb=mb, limit=limit))
        return
    except ModelUnavailable as exc:
        logger.warning("chat %s: model %s cannot be exported: %s", chat.id, run.model_prefix, exc)
        await reply(update, t("export.model_missing", lang))
        return
    keras_name, tflite_name = model_file_names(chat.title)
    labels = output_names(run.labels, files.labels, run.model_prefix)
    caption = t("export.model_caption", lang, samples=len(run.sample_ids), labels=", ".join(labels))
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
    code = snippet(labels, keras_name, tflite_name, services.config.limits.max_image_pixels)
    await message.reply_text(
        usage_html(code, keras_name, tflite_name, lang), parse_mode=ParseMode.HTML, do_quote=quote
    )


def _too_large_text(size: int, lang: str | None) -> str:
    mb, limit = round(size / _MB), number(TELEGRAM_UPLOAD_CAP / _MB, lang)
    return t("export.too_large", lang, mb=mb, limit=limit)
