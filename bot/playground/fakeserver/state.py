"""What the fake Telegram knows: users, chats, their messages, files and pending updates.

Nothing here speaks HTTP: the Bot API handlers and the user-side actions both change this
state, so a browser UI can later show the same chats the bot talks in.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

from .error_replies import ApiError, bad_request, forbidden
from .files import FileStore
from .notify import Notifier
from .updates import UpdateQueue

PRIVATE = "private"
GROUP = "group"
SUPERGROUP = "supergroup"
CHANNEL = "channel"
CHAT_TYPES = frozenset({PRIVATE, GROUP, SUPERGROUP, CHANNEL})
DEFAULT_USER_NAME = "Ada"
BOT_FIRST_NAME = "Smiley Bot"
MAX_REACTIONS_PER_MESSAGE = 11  # what getChat reports as max_reaction_count


def now() -> int:
    """Return the current unix time, the unit of every Bot API date."""
    return int(time.time())


@dataclass
class StoredMessage:
    """One message in a chat, as the Bot API shows it, with edits applied."""

    data: dict[str, Any]
    sender: str  # "bot", "user", "channel" or "service"
    deleted: bool = False
    bot_reactions: list[str] = field(default_factory=list)
    # A reply keyboard (not part of the Message object, but what the user now sees).
    reply_keyboard: dict[str, Any] | None = None

    @property
    def message_id(self) -> int:
        """Return the message's id within its chat."""
        return int(self.data["message_id"])

    @property
    def from_bot(self) -> bool:
        """Whether the bot sent this message."""
        return self.sender == "bot"

    def snapshot(self) -> dict[str, Any]:
        """Return a deep copy of the Message object."""
        return copy.deepcopy(self.data)


@dataclass
class ChatRecord:
    """One chat: private (id == user id), group, supergroup or channel."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    reactions_enabled: bool = True
    admins: list[int] = field(default_factory=list)  # the first one created the chat
    members: set[int] = field(default_factory=set)
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    migrated_to: int | None = None
    last_action: str | None = None
    bot_gone: str | None = None  # "left" or "kicked" once a user removed (or blocked) the bot
    _next_message_id: int = 1

    def take_message_id(self) -> int:
        """Return the next message id; ids are shared by everyone in the chat."""
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def as_chat(self) -> dict[str, Any]:
        """Return the Bot API ``Chat`` object."""
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        optional = {
            "title": self.title,
            "username": self.username,
            "first_name": self.first_name,
            "last_name": self.last_name,
        }
        chat.update({key: value for key, value in optional.items() if value is not None})
        return chat

    def full_info(self) -> dict[str, Any]:
        """Return the Bot API ``ChatFullInfo`` object (getChat)."""
        info = self.as_chat()
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": MAX_REACTIONS_PER_MESSAGE,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        if not self.reactions_enabled:
            info["available_reactions"] = []  # an empty list: no reactions allowed
        return info

    def message(self, message_id: int) -> StoredMessage | None:
        """Return a message that exists and is not deleted, or None."""
        stored = self.messages.get(message_id)
        return None if stored is None or stored.deleted else stored


@dataclass
class CallbackRecord:
    """A button press, and the bot's answer once it gives one."""

    id: str
    chat_id: int
    message_id: int
    user_id: int
    data: str
    answer: dict[str, Any] | None = None


class World:
    """All state of the fake Telegram, shared by the Bot API and the user side."""

    def __init__(
        self,
        *,
        bot_id: int,
        bot_username: str,
        can_read_all_group_messages: bool = False,
    ) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.can_read_all_group_messages = can_read_all_group_messages
        self.users: dict[int, dict[str, Any]] = {}
        self.blocked_by: set[int] = set()
        self.chats: dict[int, ChatRecord] = {}
        self.files = FileStore()
        self.updates = UpdateQueue()
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.changes = Notifier()

    # --- users and the bot ---------------------------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        """Return the bot as the ``User`` that sends its messages."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": self.bot_username,
        }

    def me(self) -> dict[str, Any]:
        """Return the bot's ``User`` object as getMe does."""
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def add_user(
        self,
        user_id: int,
        first_name: str = DEFAULT_USER_NAME,
        *,
        language_code: str | None = "en",
        username: str | None = None,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        """Create or replace a user and return its ``User`` object."""
        if user_id <= 0:
            raise ValueError(f"user ids are positive, got {user_id}")
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self.users[user_id] = user
        return copy.deepcopy(user)

    def user(self, user_id: int) -> dict[str, Any]:
        """Return a user's ``User`` object, creating the user on first use."""
        if user_id not in self.users:
            self.add_user(user_id)
        return copy.deepcopy(self.users[user_id])

    # --- chats ---------------------------------------------------------------------------

    def add_chat(
        self,
        chat_id: int,
        *,
        type: str = PRIVATE,
        title: str | None = None,
        username: str | None = None,
        reactions_enabled: bool = True,
        admins: list[int] | None = None,
    ) -> ChatRecord:
        """Create or replace a chat; private chat ids equal their user's id."""
        if chat_id in self.chats:
            raise ValueError(f"chat {chat_id} already exists")
        if type not in CHAT_TYPES:
            raise ValueError(f"unknown chat type {type!r}")
        if (type == PRIVATE) != (chat_id > 0):
            sign = "positive" if type == PRIVATE else "negative"
            raise ValueError(f"{type} chat ids must be {sign}")
        chat = ChatRecord(
            id=chat_id,
            type=type,
            title=title if type != PRIVATE else None,
            username=username,
            reactions_enabled=reactions_enabled,
            admins=list(admins or ()),
        )
        if type == PRIVATE:
            user = self.user(chat_id)
            chat.first_name = user["first_name"]
            chat.last_name = user.get("last_name")
            chat.username = user.get("username")
            chat.members.add(chat_id)
        elif chat.title is None:
            chat.title = f"Chat {chat_id}"
        chat.members.update(chat.admins)
        self.chats[chat_id] = chat
        self.changes.changed()
        return chat

    def chat_for_user(self, chat_id: int) -> ChatRecord:
        """Return the chat a user acts in: private chats appear on first use, migrated
        groups lead to their supergroup, other unknown chats are a mistake in the caller."""
        chat = self.chats.get(chat_id)
        while chat is not None and chat.migrated_to is not None:
            chat = self.chats.get(chat.migrated_to)
        if chat is not None:
            return chat
        if chat_id > 0:
            return self.add_chat(chat_id)
        raise ValueError(f"unknown chat {chat_id}: add it with add_chat() first")

    def chat_for_bot(self, chat_ref: int | str) -> ChatRecord:
        """Return the chat a Bot API request names, failing like Telegram does."""
        chat = self._find_chat(chat_ref)
        if chat is None:
            if isinstance(chat_ref, int) and chat_ref in self.users:
                raise forbidden("bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=chat.migrated_to,
            )
        if chat.type == PRIVATE and chat.id in self.blocked_by:
            raise forbidden("bot was blocked by the user")
        return chat

    def _find_chat(self, chat_ref: int | str) -> ChatRecord | None:
        if isinstance(chat_ref, int):
            return self.chats.get(chat_ref)
        if chat_ref.lstrip("-").isdigit():
            return self.chats.get(int(chat_ref))
        username = chat_ref.removeprefix("@").lower()
        return next(
            (c for c in self.chats.values() if c.username and c.username.lower() == username),
            None,
        )

    def is_admin(self, chat: ChatRecord, user_id: int) -> bool:
        """Whether ``user_id`` (the bot included) administers ``chat``."""
        return user_id in chat.admins

    # --- messages ------------------------------------------------------------------------

    def add_message(
        self,
        chat: ChatRecord,
        *,
        sender: str,
        from_user: dict[str, Any] | None,
        fields: dict[str, Any],
    ) -> StoredMessage:
        """Store a new message in ``chat`` and return it."""
        message_id = chat.take_message_id()
        data: dict[str, Any] = {"message_id": message_id}
        if from_user is not None:
            data["from"] = from_user
        data["chat"] = chat.as_chat()
        data["date"] = now()
        data.update(fields)
        stored = StoredMessage(data=data, sender=sender)
        chat.messages[message_id] = stored
        if from_user is not None and not from_user.get("is_bot"):
            chat.members.add(int(from_user["id"]))
        self.changes.changed()
        return stored

    def reply_target(self, chat: ChatRecord, message_id: int) -> dict[str, Any] | None:
        """Return the message a new one replies to, as ``reply_to_message`` shows it."""
        stored = chat.message(message_id)
        if stored is None:
            return None
        target = stored.snapshot()
        # Telegram does not nest replies: the replied-to message carries no reply itself.
        target.pop("reply_to_message", None)
        return target

    def bot_messages(self, chat_id: int) -> list[StoredMessage]:
        """Return the bot's live messages in a chat, oldest first."""
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        return [m for m in chat.messages.values() if m.from_bot and not m.deleted]

    def push_update(self, kind: str, payload: dict[str, Any]) -> None:
        """Queue an update for the bot."""
        self.updates.push(kind, copy.deepcopy(payload))
        self.changes.changed()

    # --- commands ------------------------------------------------------------------------

    def set_commands(self, scope: str, language_code: str, commands: list[dict[str, Any]]) -> None:
        """Set (or, with an empty list, delete) the commands of a scope and language."""
        if commands:
            self.commands[(scope, language_code)] = copy.deepcopy(commands)
        else:
            self.commands.pop((scope, language_code), None)
        self.changes.changed()

    def get_commands(self, scope: str, language_code: str) -> list[dict[str, Any]]:
        """Return the commands set for exactly this scope and language."""
        return copy.deepcopy(self.commands.get((scope, language_code), []))
