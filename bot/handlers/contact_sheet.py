"""/samples <label>: a contact sheet of a label's inputs, as the model sees them."""

from __future__ import annotations

import asyncio

import numpy as np
from telegram import Update

from bot.labels.built_in import shown_name, stored_name
from bot.labels.names import InvalidLabel, normalise_label
from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t
from bot.texts.formats import shown
from model.serving import INPUT_SIZE
from model.serving.sheets import contact_sheet

__all__ = ["SHEET_LIMIT", "samples"]

SHEET_LIMIT = 100  # the newest this many: a sheet of 10 x 10 stays readable on a phone


async def samples(update: Update, context: BotContext) -> None:
    """Show the label's stored 28x28 inputs, newest first, as one picture."""
    message = update.effective_message
    lang = language(update)
    raw = " ".join(context.args or [])
    if message is None:
        return
    if not raw:
        await reply(update, t("samples.usage", lang))
        return
    try:
        typed = normalise_label(raw)
    except InvalidLabel:
        await reply(update, t("samples.unknown", lang, label=shown(raw)))
        return
    repo = context.bot_data.repo
    label = stored_name(typed, await repo.labels.ids(message.chat_id))
    if await repo.labels.id_of(message.chat_id, label) is None:
        await reply(update, t("samples.unknown", lang, label=shown_name(label, lang)))
        return
    count = next((c.count for c in await repo.labels.counts(message.chat_id) if c.name == label), 0)
    newest = await repo.samples.newest_inputs(message.chat_id, label, limit=SHEET_LIMIT)
    pictures = [
        np.frombuffer(s.model_input, np.uint8).reshape(INPUT_SIZE, INPUT_SIZE)
        for s in newest
        if s.input_size == INPUT_SIZE
    ]
    if not pictures:
        await reply(update, t("samples.empty", lang, label=shown_name(label, lang)))
        return
    sheet = await asyncio.to_thread(contact_sheet, pictures)
    if count > len(pictures):
        caption = t(
            "samples.caption_capped",
            lang,
            label=shown_name(label, lang),
            count=count,
            shown=len(pictures),
        )
    else:
        caption = t("samples.caption", lang, label=shown_name(label, lang), count=count)
    await message.reply_photo(sheet, caption=caption, do_quote=message.chat.type != "private")
