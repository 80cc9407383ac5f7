"""Who may run the destructive or expensive commands in a group: its admins (getChatMember)."""

from __future__ import annotations

import logging
import time

from telegram import Bot, Message
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

__all__ = ["AdminCheck", "command_name"]

logger = logging.getLogger(__name__)

# Promotions and demotions show within this long; meanwhile a burst of commands costs one call.
CACHE_SECONDS = 60.0
CACHE_ENTRIES = 10_000  # past this, expired answers are dropped
_ADMIN_STATUSES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)


def command_name(message: Message, bot_username: str) -> str | None:
    """Return the command a message starts with (``/Train@Bot x`` -> ``train``), if it is ours.

    A command addressed to another bot (``/train@OtherBot``) is not ours: ``None``.
    """
    entities = message.entities
    text = message.text
    if not text or not entities or entities[0].type != "bot_command" or entities[0].offset:
        return None
    name, _, addressee = text[1 : entities[0].length].partition("@")
    if addressee and addressee.lower() != bot_username.lower():
        return None
    return name.lower()


class AdminCheck:
    """Tells whether a message's sender administers its group, asking Telegram once a minute."""

    def __init__(self, cache_seconds: float = CACHE_SECONDS) -> None:
        self._cache_seconds = cache_seconds
        self._known: dict[tuple[int, int], tuple[bool, float]] = {}

    async def may_administer(self, bot: Bot, message: Message) -> bool:
        """Return True in private chats and for the group's owner and admins."""
        chat = message.chat
        if chat.type not in _GROUPS:
            return True
        # An anonymous admin writes as the group itself; only admins can do that.
        if message.sender_chat is not None and message.sender_chat.id == chat.id:
            return True
        user = message.from_user
        if user is None:
            return False
        key = (chat.id, user.id)
        now = time.monotonic()
        known = self._known.get(key)
        if known is not None and now - known[1] < self._cache_seconds:
            return known[0]
        try:
            member = await bot.get_chat_member(chat.id, user.id)
        except TelegramError as exc:
            # Refuse rather than guess; the reply asks to try again.
            logger.warning("getChatMember in chat %s failed: %s", chat.id, exc)
            raise
        admin = member.status in _ADMIN_STATUSES
        if len(self._known) >= CACHE_ENTRIES:
            self._known = {k: v for k, v in self._known.items() if now - v[1] < self._cache_seconds}
        self._known[key] = (admin, now)
        return admin

    def forget_chat(self, chat_id: int) -> None:
        """Drop what is known about a chat (its id changed, or it is gone)."""
        for key in [key for key in self._known if key[0] == chat_id]:
            del self._known[key]
