"""The bot added to or removed from a chat, and a group that became a supergroup."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus

from bot.services import BotContext

__all__ = ["bot_membership", "migrate"]

# The bot is gone from a chat once it left or was banned (blocked, in a private chat).
_GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)

logger = logging.getLogger(__name__)


async def bot_membership(update: Update, context: BotContext) -> None:
    """Start or cancel the grace period before a chat's data is deleted."""
    change = update.my_chat_member
    if change is None:
        return
    repo = context.bot_data.repo
    if change.new_chat_member.status in _GONE:
        await repo.chats.mark_removed(change.chat.id)
        logger.info("removed from chat %s; its data goes after the grace period", change.chat.id)
    elif change.old_chat_member.status in _GONE:
        await repo.chats.mark_present(change.chat.id)


async def migrate(update: Update, context: BotContext) -> None:
    """Move a group's data to its new supergroup id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old, new = message.chat_id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat_id
    else:
        return
    # Telegram sends both service messages; migrate_chat is idempotent.
    await context.bot_data.repo.chats.migrate(old, new)
    context.bot_data.admins.forget_chat(old)
    logger.info("chat %s migrated to %s", old, new)
