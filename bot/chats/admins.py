"""Who may run the destructive or expensive commands in a group: its admins (getChatMember).

The same getChatMember answers also give members' names, for /stats.
"""

from __future__ import annotations

import logging
import time

from telegram import Bot, Chat, ChatMember, Message
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.texts import t

__all__ = ["AdminCheck", "command_name"]

logger = logging.getLogger(__name__)

# Promotions and demotions show within this long; meanwhile a burst of commands costs one call.
CACHE_SECONDS = 60.0
CACHE_ENTRIES = 10_000  # past this, expired answers are dropped
# Names change rarely and only show in /stats: an hour-old name is fine.
NAME_CACHE_SECONDS = 3600.0
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
    """Tells whether a message's sender administers its group, asking Telegram once a minute.

    ``admin_commands`` are the commands only a group's admins may run ([access]).
    """

    def __init__(
        self, admin_commands: frozenset[str], cache_seconds: float = CACHE_SECONDS
    ) -> None:
        self.admin_commands = admin_commands
        self._cache_seconds = cache_seconds
        self._known: dict[tuple[int, int], tuple[bool, float]] = {}
        self._names: dict[tuple[int, int], tuple[str, float]] = {}

    async def refusal(
        self, bot: Bot, message: Message, command: str, lang: str | None
    ) -> str | None:
        """Return why ``message``'s sender may not run ``command`` here, None if they may.

        Also for commands a guard cannot see, such as /import in a document's caption.
        """
        if command not in self.admin_commands:
            return None
        try:
            allowed = await self.may_administer(bot, message)
        except TelegramError:
            return t("admin.check_failed", lang)
        return None if allowed else t("admin.only", lang, command=command)

    async def refusal_to_user(
        self, bot: Bot, chat: Chat, user_id: int, command: str, lang: str | None
    ) -> str | None:
        """Return why a user may not run ``command`` by a button tap, None if they may."""
        if command not in self.admin_commands:
            return None
        try:
            allowed = await self.user_may_administer(bot, chat, user_id)
        except TelegramError:
            return t("admin.check_failed", lang)
        return None if allowed else t("admin.only", lang, command=command)

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
        return await self.user_may_administer(bot, chat, user.id)

    async def user_may_administer(self, bot: Bot, chat: Chat, user_id: int) -> bool:
        """Return True in private chats and for the group's owner and admins.

        For updates without a message of the user, such as a tap on an inline button.
        """
        if chat.type not in _GROUPS:
            return True
        key = (chat.id, user_id)
        now = time.monotonic()
        known = self._known.get(key)
        if known is not None and now - known[1] < self._cache_seconds:
            return known[0]
        try:
            member = await bot.get_chat_member(chat.id, user_id)
        except TelegramError as exc:
            # Refuse rather than guess; the reply asks to try again.
            logger.warning("getChatMember in chat %s failed: %s", chat.id, exc)
            raise
        return self._remember(key, member, now)

    async def name(self, bot: Bot, chat_id: int, user_id: int) -> str | None:
        """Return a member's full name, or None when Telegram cannot say (e.g. they left)."""
        key = (chat_id, user_id)
        now = time.monotonic()
        known = self._names.get(key)
        if known is not None and now - known[1] < NAME_CACHE_SECONDS:
            return known[0]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramError as exc:
            logger.info("no name for user %s in chat %s: %s", user_id, chat_id, exc)
            return None
        self._remember(key, member, now)
        return member.user.full_name

    def _remember(self, key: tuple[int, int], member: ChatMember, now: float) -> bool:
        """Cache what a getChatMember answer says: admin or not, and the name."""
        admin = member.status in _ADMIN_STATUSES
        if len(self._known) >= CACHE_ENTRIES:
            self._known = {k: v for k, v in self._known.items() if now - v[1] < self._cache_seconds}
        if len(self._names) >= CACHE_ENTRIES:
            self._names = {k: v for k, v in self._names.items() if now - v[1] < NAME_CACHE_SECONDS}
        self._known[key] = (admin, now)
        self._names[key] = (member.user.full_name, now)
        return admin

    def forget_chat(self, chat_id: int) -> None:
        """Drop what is known about a chat (its id changed, or it is gone)."""
        for key in [key for key in self._known if key[0] == chat_id]:
            del self._known[key]
        for key in [key for key in self._names if key[0] == chat_id]:
            del self._names[key]
