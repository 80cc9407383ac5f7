"""Replying in a chat: the sender's language, an answer that quotes in groups, a picture for
a tap, Yes/No buttons."""

from __future__ import annotations

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType

__all__ = ["language", "photo_for_tap", "reply", "yes_no"]


def language(update: Update) -> str | None:
    """Return the sender's Telegram language code, if any."""
    user = update.effective_user
    return user.language_code if user else None


async def reply(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Answer the update's message with ``text`` (and buttons), quoting it in groups."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            text, do_quote=message.chat.type != ChatType.PRIVATE, reply_markup=keyboard
        )


async def photo_for_tap(query: CallbackQuery, png: bytes, caption: str) -> None:
    """Answer a button tap with a picture, sent as a reply to the message with the button."""
    await query.answer()
    message = query.message
    if message is None:
        return
    # Even too old for Telegram to show, the message keeps its id and chat.
    reply_to = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    await query.get_bot().send_photo(
        message.chat.id, png, caption=caption, reply_parameters=reply_to
    )


def yes_no(yes: str, no: str, callback_prefix: str) -> InlineKeyboardMarkup:
    """Return a confirmation keyboard whose buttons send ``<callback_prefix>:y`` or ``:n``."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(yes, callback_data=f"{callback_prefix}:y"),
                InlineKeyboardButton(no, callback_data=f"{callback_prefix}:n"),
            ]
        ]
    )
