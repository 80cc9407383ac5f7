"""'🔍 Why?' and /why: the drawing with the strokes that decided its prediction, in red."""

from __future__ import annotations

import logging

from telegram import Update

from bot.samples.explanations import decode_why, replied_sample
from bot.samples.predictor import NoModelYet
from bot.services import BotContext
from bot.telegram.replies import language, photo_for_tap, reply
from bot.texts import t

__all__ = ["why", "why_tap"]

logger = logging.getLogger(__name__)


async def why_tap(update: Update, context: BotContext) -> None:
    """Answer a tap on "Why?" with the picture, as a reply to the prediction."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or query.data is None or chat is None:
        return
    lang = language(update)
    try:
        explanation = await context.bot_data.explanations.explain(
            chat.id, decode_why(query.data), lang
        )
    except NoModelYet:
        await query.answer(t("why.no_model_yet", lang), show_alert=True)
        return
    if explanation is None:
        await query.answer(t("why.gone", lang), show_alert=True)
        return
    await photo_for_tap(query, explanation.png, explanation.caption)


async def why(update: Update, context: BotContext) -> None:
    """/why as a reply to a drawing, or to the bot's answer to it: the same picture."""
    message = update.effective_message
    if message is None:
        return
    lang = language(update)
    sample_id = await replied_sample(context.bot_data.repo, message)
    try:
        explanation = (
            None
            if sample_id is None
            else await context.bot_data.explanations.explain(message.chat_id, sample_id, lang)
        )
    except NoModelYet:
        await reply(update, t("why.no_model_yet", lang))
        return
    if explanation is None:
        await reply(update, t("why.usage", lang))
        return
    await message.reply_photo(explanation.png, caption=explanation.caption, do_quote=True)
