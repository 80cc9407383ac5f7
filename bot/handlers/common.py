"""Small helpers shared by the handlers."""

from __future__ import annotations

import unicodedata

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.labels import InvalidLabel
from bot.texts import t

__all__ = ["invalid_label_text", "language", "reply", "shown", "yes_no"]

SHOWN_MAX_CHARACTERS = 40


def language(update: Update) -> str | None:
    """Return the sender's Telegram language code, if any."""
    user = update.effective_user
    return user.language_code if user else None


async def reply(update: Update, text: str) -> None:
    """Answer the update's message with ``text``, quoting it in groups."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, do_quote=message.chat.type != "private")


def shown(raw: str) -> str:
    """Return user text safe to echo: short, without control or direction characters."""
    visible = "".join("�" if unicodedata.category(c) in ("Cc", "Cf") else c for c in raw)
    if len(visible) > SHOWN_MAX_CHARACTERS:
        return visible[:SHOWN_MAX_CHARACTERS] + "…"
    return visible


def invalid_label_text(exc: InvalidLabel, lang: str | None) -> str:
    """Explain the label rule, with a suggested fix when there is one."""
    if exc.hint:
        return t("label.invalid_hint", lang, raw=shown(exc.raw), hint=exc.hint)
    return t("label.invalid", lang, raw=shown(exc.raw))


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
