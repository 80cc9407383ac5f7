"""/debug: the 28×28 picture the model sees for an image, as a reply to it."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from telegram import Update

from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t

__all__ = ["DEBUG_SCALE", "debug"]

DEBUG_SCALE = 10  # 28 px shown as 280 px, each input pixel a visible square


async def debug(update: Update, context: BotContext) -> None:
    """Show the 28x28 picture the model sees for the replied-to image."""
    message = update.effective_message
    lang = language(update)
    if message is None:
        return
    target = message.reply_to_message
    repo = context.bot_data.repo
    sample = (
        None
        if target is None
        else await repo.samples.for_message(message.chat_id, target.message_id)
    )
    pixels = None if sample is None else await repo.samples.model_input(message.chat_id, sample.id)
    if sample is None or pixels is None:
        await reply(update, t("debug.usage", lang))
        return
    size = int(len(pixels) ** 0.5)
    picture = Image.fromarray(np.frombuffer(pixels, np.uint8).reshape(size, size))
    picture = picture.resize((size * DEBUG_SCALE, size * DEBUG_SCALE), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    await message.reply_photo(
        buffer.getvalue(), caption=t("debug.caption", lang, size=size), do_quote=True
    )
