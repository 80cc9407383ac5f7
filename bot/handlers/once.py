"""Handle each Telegram update once, even when Telegram delivers it again after a crash."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.services import BotContext

__all__ = ["mark_handled", "skip_handled"]


async def skip_handled(update: Update, context: BotContext) -> None:
    """Stop an update the bot has handled before."""
    if await context.bot_data.repo.handled_updates.contains(update.update_id):
        raise ApplicationHandlerStop


async def mark_handled(update: Update, context: BotContext) -> None:
    """Remember that this update has been handled (runs after every other handler)."""
    # Written after the reply went out, so it costs the user no time. A crash between the
    # two can still repeat an update; the handlers themselves are idempotent where it counts.
    await context.bot_data.repo.handled_updates.add(update.update_id)
