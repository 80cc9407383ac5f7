"""Chat-level events: access control, admin-only commands and group-to-supergroup migration."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.admins import command_name
from bot.handlers.common import language, reply
from bot.services import BotContext
from bot.texts import t

__all__ = [
    "bot_membership",
    "guard_access",
    "guard_admin_commands",
    "migrate",
    "refused_as_non_admin",
]

# The bot is gone from a chat once it left or was banned (blocked, in a private chat).
_GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)

logger = logging.getLogger(__name__)


async def guard_access(update: Update, context: BotContext) -> None:
    """Stop updates from users or chats outside the configured allow-lists."""
    if update.my_chat_member is not None:
        return  # the bot's own membership: recorded for every chat, whoever changed it
    access = context.bot_data.config.access
    user = update.effective_user
    chat = update.effective_chat
    user_ok = not access.user_ids or (user is not None and user.id in access.user_ids)
    chat_ok = not access.chat_ids or (chat is not None and chat.id in access.chat_ids)
    if user_ok and chat_ok:
        return
    if chat is not None and chat.type == ChatType.PRIVATE and update.message is not None:
        await reply(update, t("not_allowed", language(update)))
    raise ApplicationHandlerStop


async def guard_admin_commands(update: Update, context: BotContext) -> None:
    """Stop group members who are not admins from running the admin-only commands."""
    message = update.message
    if message is None:
        return
    name = command_name(message, context.bot.username)
    if name is not None and await refused_as_non_admin(update, context, name):
        raise ApplicationHandlerStop


async def refused_as_non_admin(update: Update, context: BotContext, command: str) -> bool:
    """Tell a group member that ``command`` is for admins; return whether they were refused.

    Also for commands the guard cannot see, such as /import in a document's caption.
    """
    services = context.bot_data
    message = update.effective_message
    if message is None or command not in services.config.access.admin_commands:
        return False
    lang = language(update)
    try:
        allowed = await services.admins.may_administer(context.bot, message)
    except TelegramError:
        await reply(update, t("admin.check_failed", lang))
        return True
    if not allowed:
        await reply(update, t("admin.only", lang, command=command))
    return not allowed


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
