"""Replying in a chat: the sender's language, an answer that quotes in groups, Yes/No buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

__all__ = ["language", "reply", "yes_no"]


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
