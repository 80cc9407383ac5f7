"""The guards every update passes before and after the handlers, each in a group of its own.

Before: an update handled already (Telegram delivers again after a crash) stops; so does
one from outside the allow-lists, and an admin-only command from a member who is no admin.
After: the update is remembered as handled.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.chats.admins import command_name
from bot.services import BotContext
from bot.telegram.replies import language, reply
from bot.texts import t

__all__ = ["guard_access", "guard_admin_commands", "mark_handled", "skip_handled"]


async def skip_handled(update: Update, context: BotContext) -> None:
    """Stop an update the bot has handled before."""
    if await context.bot_data.repo.handled_updates.contains(update.update_id):
        raise ApplicationHandlerStop


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
    if name is None:
        return
    refusal = await context.bot_data.admins.refusal(context.bot, message, name, language(update))
    if refusal is not None:
        await reply(update, refusal)
        raise ApplicationHandlerStop


async def mark_handled(update: Update, context: BotContext) -> None:
    """Remember that this update has been handled (runs after every other handler)."""
    # Written after the reply went out, so it costs the user no time. A crash between the
    # two can still repeat an update; the handlers themselves are idempotent where it counts.
    await context.bot_data.repo.handled_updates.add(update.update_id)
