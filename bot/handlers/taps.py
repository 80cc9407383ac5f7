"""Taps on a prediction's correction buttons, and on the retrain offer they lead to."""

from __future__ import annotations

import contextlib
import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError

from bot.labels.built_in import shown_name
from bot.labels.corrections import RETRAIN_CALLBACK, TapOutcome, TapStatus
from bot.refusals import training_refusal_text
from bot.samples.explanations import is_why_button
from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t
from bot.texts.formats import shown
from bot.training.queue import AlreadyTraining, NotEnoughSamples

__all__ = ["correction", "retrain"]

logger = logging.getLogger(__name__)


async def correction(update: Update, context: BotContext) -> None:
    """Store the image under the tapped label (the first tap counts) and show what was stored."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or query.data is None or chat is None:
        return
    lang = language(update)
    services = context.bot_data
    outcome = await services.corrections.tap(chat.id, query.data, query.from_user.id)
    status = outcome.status
    if status is TapStatus.LABEL_GONE:
        await query.answer(t("fix.label_gone", lang), show_alert=True)
        return
    if status is TapStatus.TOO_MANY_LABELS:
        limit = services.config.limits.max_labels_per_chat
        await query.answer(t("fix.too_many_labels", lang, limit=limit), show_alert=True)
        return
    if status is TapStatus.GONE:
        await query.answer(t("fix.gone", lang))
        await _show(query, t("fix.gone_line", lang))
        return
    key = "fix.stored" if status is TapStatus.STORED else "fix.already"
    await query.answer(t(key, lang, label=shown_name(outcome.label or "", lang)))
    await _show(query, await _stored_line(context, chat.id, chat.type, outcome, query, lang))
    if outcome.offer_retrain:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t("fix.retrain_button", lang), callback_data=RETRAIN_CALLBACK)]]
        )
        key = "fix.retrain_offer_one" if outcome.taps == 1 else "fix.retrain_offer"
        await context.bot.send_message(
            chat.id, t(key, lang, count=outcome.taps), reply_markup=keyboard
        )


async def retrain(update: Update, context: BotContext) -> None:
    """Start a training from the retrain offer's button, exactly as /train does."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    lang = language(update)
    services = context.bot_data
    # The same rule as for /train; the admin guard only sees commands, not button taps.
    refusal = await services.admins.refusal_to_user(
        context.bot, chat, query.from_user.id, "train", lang
    )
    if refusal is not None:
        await query.answer(refusal, show_alert=True)
        return
    await query.answer()
    offer = update.effective_message
    if offer is None:
        return
    try:
        await services.training.train(chat.id, query.from_user.id, lang, offer.message_id)
    except (AlreadyTraining, NotEnoughSamples) as exc:
        await reply(update, training_refusal_text(exc, lang))
    if services.training.is_training(chat.id):
        # Queued or running: the offer is used up.
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)


async def _stored_line(
    context: BotContext,
    chat_id: int,
    chat_type: str,
    outcome: TapOutcome,
    query: CallbackQuery,
    lang: str | None,
) -> str:
    """Say what the image is stored as, and in groups by whom."""
    who = outcome.labelled_by
    label = shown_name(outcome.label or "", lang)
    if chat_type == ChatType.PRIVATE or who is None:
        return t("fix.stored_line", lang, label=label)
    if who == query.from_user.id:
        name: str | None = query.from_user.full_name
    else:
        name = await context.bot_data.admins.name(context.bot, chat_id, who)
    # str: an id is no quantity, so t() must not group its thousands.
    name = shown(name) if name else t("stats.unknown_user", lang, id=str(who))
    return t("fix.stored_line_by", lang, label=label, name=name)


async def _show(query: CallbackQuery, line: str) -> None:
    """Put ``line`` under the prediction and remove the correction buttons, unless done already.

    The "Why?" button stays: what decided the prediction is worth seeing after it.
    """
    message = query.message
    if not isinstance(message, Message):
        return  # too old for Telegram to tell us what it says
    rows = message.reply_markup.inline_keyboard if message.reply_markup is not None else ()
    kept = [row for row in rows if all(is_why_button(button) for button in row)]
    if len(kept) == len(rows):
        return
    text = f"{message.text or ''}\n\n{line}".strip()
    try:
        await query.edit_message_text(
            text, reply_markup=InlineKeyboardMarkup(kept) if kept else None
        )
    except BadRequest as exc:
        # A concurrent tap on the same prediction already put up the same line.
        if "not modified" not in str(exc).lower():
            raise
