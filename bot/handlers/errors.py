"""One place that handles errors no handler caught."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.services import BotContext
from bot.telegram.replies import language
from bot.texts import t
from storage import StorageFull

__all__ = ["on_error"]

logger = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the error with its traceback and tell the user something went wrong."""
    if isinstance(context.error, StorageFull):
        # Not a bug: the disk is full. Nothing was stored; it works again once space is free.
        logger.warning("disk full while handling an update: %s", context.error)
        key = "storage.full"
    else:
        logger.error("error while handling an update", exc_info=context.error)
        key = "error"
    if not isinstance(update, Update) or update.effective_message is None:
        return
    try:
        await update.effective_message.reply_text(t(key, language(update)))
    except TelegramError:
        logger.warning("could not tell chat %s about the error", update.effective_chat)
