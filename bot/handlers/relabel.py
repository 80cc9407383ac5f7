"""A tap on "Move drawing N to <label>" under the data health lines: the drawing moves."""

from __future__ import annotations

from telegram import Update

from bot.services import BotContext
from bot.telegram.replies import language
from bot.texts import t
from bot.training.data_health import decode_relabel
from storage import SampleNotFound, TooManyLabels

__all__ = ["relabel"]


async def relabel(update: Update, context: BotContext) -> None:
    """Give the drawing the label the button names, and say so in a toast."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or query.data is None or chat is None:
        return
    lang = language(update)
    repo = context.bot_data.repo
    sample_id, label_id = decode_relabel(query.data)
    name = await repo.labels.name_of(chat.id, label_id)
    if name is None:
        await query.answer(t("relabel.gone", lang), show_alert=True)
        return
    try:
        await repo.labels.assign(
            chat.id,
            sample_id,
            name,
            labelled_by=query.from_user.id,
            max_labels=context.bot_data.config.limits.max_labels_per_chat,
        )
    except (SampleNotFound, TooManyLabels):
        await query.answer(t("relabel.gone", lang), show_alert=True)
        return
    await query.answer(t("relabel.done", lang, label=name))
