"""A tap on a confused pair under the training chart: those validation drawings, one picture."""

from __future__ import annotations

from telegram import Update

from bot.services import BotContext
from bot.telegram.replies import language, photo_for_tap
from bot.texts import t
from bot.training.confusion_pairs import pair_sheet

__all__ = ["confusion_pair"]


async def confusion_pair(update: Update, context: BotContext) -> None:
    """Send the drawings of the tapped pair as a reply to the chart."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or query.data is None or chat is None:
        return
    lang = language(update)
    sheet = await pair_sheet(context.bot_data.repo, chat.id, query.data, lang)
    if sheet is None:
        await query.answer(t("pair.gone", lang), show_alert=True)
        return
    await photo_for_tap(query, sheet.png, sheet.caption)
