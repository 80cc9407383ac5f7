"""/draw opens the drawing canvas as a Telegram Mini App; the drawings it sends come here."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup, Update, WebAppInfo
from telegram.constants import ChatType

from bot.labels.built_in import shown_name
from bot.labels.names import SUGGESTED_LABELS
from bot.refusals import answer_refusal, drawing_problem_text
from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t
from bot.webapp import DrawingRejected, decode_drawing
from bot.webapp.links import canvas_url
from storage import AddResult, AddStatus

__all__ = ["draw", "drawing"]


async def draw(update: Update, context: BotContext) -> None:
    """Offer the keyboard button that opens the canvas, where Telegram allows one."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    lang = language(update)
    page = context.bot_data.config.webapp.url
    if not page:
        await reply(update, t("draw.not_configured", lang))
        return
    if chat.type != ChatType.PRIVATE:
        await reply(update, t("draw.private_only", lang, bot=context.bot.username))
        return
    labels = list(await context.bot_data.repo.labels.ids(chat.id)) or SUGGESTED_LABELS
    button = KeyboardButton(
        t("draw.button", lang), web_app=WebAppInfo(canvas_url(page, labels, lang))
    )
    keyboard = ReplyKeyboardMarkup([[button]], resize_keyboard=True)
    await message.reply_text(t("draw.open", lang), reply_markup=keyboard)


async def drawing(update: Update, context: BotContext) -> None:
    """Store a drawing from the canvas and answer it like an uploaded image."""
    message = update.effective_message
    if message is None or message.web_app_data is None:
        return
    services = context.bot_data
    lang = language(update)
    try:
        picture = decode_drawing(message.web_app_data.data)
        stored = await services.intake.ingest_bytes(
            message, picture.png(), unique_id=picture.unique_id(), label=picture.label
        )
    except DrawingRejected as exc:
        services.acknowledger.notify(message, drawing_problem_text(exc, lang))
        return
    except Exception as exc:  # every failure a user can cause gets an answer
        limit = services.config.limits.max_download_bytes
        answer_refusal(exc, message, services.acknowledger, limit, lang)
        return
    if not await services.prediction_reply.send(message, stored, lang):
        services.acknowledger.notify(message, _stored_text(stored.result, lang))


def _stored_text(result: AddResult, lang: str | None) -> str:
    # A text, not the reaction an upload gets: the drawing arrives as a service message
    # ("Data from the button was transferred to the bot"), which is no place for a reaction.
    label = shown_name(result.sample.label, lang) if result.sample.label else None
    if result.status is AddStatus.DUPLICATE:
        return t("ack.duplicate" if label else "ack.duplicate_unlabelled", lang, label=label)
    if label is None:
        return t("ack.unlabelled", lang)
    return t("draw.stored", lang, label=label)
