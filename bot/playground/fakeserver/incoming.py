"""What users do: send messages, edit them, press buttons; each queues an update."""

from __future__ import annotations

import copy
import hashlib
import secrets
from typing import Any

from .api_chats import member
from .attachments import store_document, store_photo, store_sticker
from .entities import command_of, find_entities
from .error_replies import ApiError
from .state import CHANNEL, GROUP, PRIVATE, SUPERGROUP, CallbackRecord, ChatRecord, World, now

WEB_APP_DATA_LIMIT = 4096  # bytes Telegram.WebApp.sendData accepts

SERVICE_FIELDS = frozenset(
    {
        "migrate_to_chat_id",
        "migrate_from_chat_id",
        "new_chat_members",
        "left_chat_member",
        "new_chat_title",
        "new_chat_photo",
        "delete_chat_photo",
        "group_chat_created",
        "supergroup_chat_created",
        "channel_chat_created",
        "pinned_message",
    }
)


class UserSide:
    """Actions of users (and channels) that the bot learns about through updates."""

    def __init__(self, world: World) -> None:
        self.world = world

    def send_text(
        self, chat_id: int, user_id: int, text: str, *, reply_to: int | None = None
    ) -> dict[str, Any]:
        """Send a text message; commands in it get ``bot_command`` entities."""
        if not text:
            raise ValueError("a text message needs text")
        return self.send_message(chat_id, user_id, text=text, **self._reply(chat_id, reply_to))

    def send_photo(
        self,
        chat_id: int,
        user_id: int,
        image: bytes,
        *,
        caption: str | None = None,
        media_group_id: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """Send a photo; Telegram keeps it as several JPEG sizes."""
        try:
            sizes = store_photo(self.world.files, image)
        except ApiError as exc:
            raise ValueError(f"Telegram would not take this photo: {exc.description}") from exc
        fields: dict[str, Any] = {"photo": sizes, **self._reply(chat_id, reply_to)}
        return self.send_message(
            chat_id, user_id, **fields, **_caption(caption), **_group(media_group_id)
        )

    def send_document(
        self,
        chat_id: int,
        user_id: int,
        data: bytes,
        *,
        file_name: str,
        mime_type: str | None,
        caption: str | None = None,
        media_group_id: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """Send a file as a document (e.g. an uncompressed picture)."""
        document = store_document(self.world.files, data, file_name=file_name, mime_type=mime_type)
        fields: dict[str, Any] = {"document": document, **self._reply(chat_id, reply_to)}
        return self.send_message(
            chat_id, user_id, **fields, **_caption(caption), **_group(media_group_id)
        )

    def send_sticker(
        self,
        chat_id: int,
        user_id: int,
        data: bytes,
        *,
        is_animated: bool = False,
        is_video: bool = False,
        emoji: str = "🙂",
    ) -> dict[str, Any]:
        """Send a sticker."""
        sticker = store_sticker(
            self.world.files, data, is_animated=is_animated, is_video=is_video, emoji=emoji
        )
        return self.send_message(chat_id, user_id, sticker=sticker)

    def send_message(self, chat_id: int, user_id: int | None, **fields: Any) -> dict[str, Any]:
        """Send a message with any Message fields; ``user_id`` None sends it without ``from``.

        Text and caption get their command, mention and hashtag entities unless given.
        """
        chat = self.world.chat_for_user(chat_id)
        fields = _with_entities(fields)
        from_user = None if user_id is None else self.world.user(user_id)
        sender = "channel" if chat.type == CHANNEL else "user"
        stored = self.world.add_message(chat, sender=sender, from_user=from_user, fields=fields)
        kind = "channel_post" if chat.type == CHANNEL else "message"
        self._deliver(chat, kind, stored.data)
        return stored.snapshot()

    def send_web_app_data(
        self, chat_id: int, user_id: int, data: str, button_text: str
    ) -> dict[str, Any]:
        """Send what a Web App gave ``Telegram.WebApp.sendData``: a ``web_app_data`` message.

        Telegram sends it only from a keyboard button in a private chat, with at most 4096
        bytes of data; the message has no text.
        """
        chat = self.world.chat_for_user(chat_id)
        if chat.type != PRIVATE:
            raise ValueError(f"web_app_data comes only in private chats, not in a {chat.type}")
        if not data or len(data.encode()) > WEB_APP_DATA_LIMIT:
            raise ValueError(f"web_app_data must be 1-{WEB_APP_DATA_LIMIT} bytes")
        if not button_text:
            raise ValueError("web_app_data needs the text of the button that opened the app")
        return self.send_message(
            chat_id, user_id, web_app_data={"data": data, "button_text": button_text}
        )

    def edit_user_message(self, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
        """Edit a user's text message; the bot gets an ``edited_message`` update."""
        chat = self.world.chat_for_user(chat_id)
        stored = chat.message(message_id)
        if stored is None or stored.from_bot or "text" not in stored.data:
            raise ValueError(f"no user text message {message_id} in chat {chat.id}")
        stored.data["text"] = text
        stored.data.pop("entities", None)
        stored.data.update(_with_entities({"text": text}))
        stored.data["edit_date"] = now()
        self.world.changes.changed()
        kind = "edited_channel_post" if chat.type == CHANNEL else "edited_message"
        self._deliver(chat, kind, stored.data)
        return stored.snapshot()

    def post_in_channel(self, chat_id: int, text: str) -> dict[str, Any]:
        """Post in a channel (made with ``add_chat(type="channel")``): a channel_post."""
        chat = self.world.chat_for_user(chat_id)
        if chat.type != CHANNEL:
            raise ValueError(f"chat {chat_id} is a {chat.type}, not a channel")
        return self.send_message(chat.id, None, sender_chat=chat.as_chat(), text=text)

    def set_bot_status(self, chat_id: int, user_id: int, status: str) -> dict[str, Any]:
        """A user adds the bot to a chat ("member") or removes it ("left", "kicked").

        The bot gets a ``my_chat_member`` update; returns its ChatMemberUpdated.
        """
        if status not in ("member", "left", "kicked"):
            raise ValueError(f"unknown status {status!r}")
        chat = self.world.chat_for_user(chat_id)
        bot_id = self.world.bot_id
        old = member(self.world, chat, bot_id)
        if bot_id in chat.admins:
            chat.admins.remove(bot_id)
        chat.bot_gone = None if status == "member" else status
        if status == "member":
            chat.members.add(bot_id)
        else:
            chat.members.discard(bot_id)
        update = {
            "chat": chat.as_chat(),
            "from": self.world.user(user_id),
            "date": now(),
            "old_chat_member": old,
            "new_chat_member": member(self.world, chat, bot_id),
        }
        self.world.push_update("my_chat_member", update)
        return copy.deepcopy(update)

    def press_button(self, chat_id: int, user_id: int, message_id: int, data: str) -> str:
        """Press an inline button of a bot message; return the callback query's id."""
        chat = self.world.chat_for_user(chat_id)
        stored = chat.message(message_id)
        if stored is None or not stored.from_bot:
            raise ValueError(f"no bot message {message_id} in chat {chat.id}")
        keyboard = stored.data.get("reply_markup", {}).get("inline_keyboard", [])
        if not any(button.get("callback_data") == data for row in keyboard for button in row):
            raise ValueError(f"message {message_id} has no button with callback_data {data!r}")
        query_id = str(secrets.randbits(63))
        self.world.callbacks[query_id] = CallbackRecord(
            query_id, chat.id, message_id, user_id, data
        )
        self.world.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": self.world.user(user_id),
                "message": stored.snapshot(),
                "chat_instance": _chat_instance(chat.id),
                "data": data,
            },
        )
        return query_id

    def migrate_to_supergroup(self, chat_id: int, new_chat_id: int) -> None:
        """Upgrade a group to a supergroup with a new id, with Telegram's service messages."""
        old = self.world.chats.get(chat_id)
        if old is None or old.type != GROUP:
            raise ValueError(f"chat {chat_id} is not a known basic group")
        if new_chat_id >= 0 or new_chat_id in self.world.chats:
            raise ValueError(f"{new_chat_id} must be a new, negative chat id")
        new = self.world.add_chat(
            new_chat_id,
            type=SUPERGROUP,
            title=old.title,
            reactions_enabled=old.reactions_enabled,
            admins=old.admins,
        )
        new.members.update(old.members)
        creator = self.world.user(old.admins[0]) if old.admins else None
        moved = self.world.add_message(
            old, sender="service", from_user=creator, fields={"migrate_to_chat_id": new.id}
        )
        old.migrated_to = new.id
        self._deliver(old, "message", moved.data)
        arrived = self.world.add_message(
            new, sender="service", from_user=creator, fields={"migrate_from_chat_id": old.id}
        )
        self._deliver(new, "message", arrived.data)

    def _reply(self, chat_id: int, reply_to: int | None) -> dict[str, Any]:
        if reply_to is None:
            return {}
        chat = self.world.chat_for_user(chat_id)
        target = self.world.reply_target(chat, reply_to)
        if target is None:
            raise ValueError(f"no message {reply_to} in chat {chat.id} to reply to")
        return {"reply_to_message": target}

    def _deliver(self, chat: ChatRecord, kind: str, message: dict[str, Any]) -> None:
        if self.bot_receives(chat, message):
            self.world.push_update(kind, copy.deepcopy(message))

    def bot_receives(self, chat: ChatRecord, message: dict[str, Any]) -> bool:
        """Whether Telegram delivers this message to the bot (privacy mode in groups)."""
        if chat.type == PRIVATE or chat.type == CHANNEL:
            return True
        if self.world.can_read_all_group_messages or self.world.is_admin(chat, self.world.bot_id):
            return True
        if SERVICE_FIELDS & message.keys():
            return True
        replied = message.get("reply_to_message") or {}
        if replied.get("from", {}).get("id") == self.world.bot_id:
            return True
        command = command_of(message.get("text") or message.get("caption"))
        if command is None:
            return False
        addressed_to = command[1]
        return addressed_to is None or addressed_to.lower() == self.world.bot_username.lower()


def _with_entities(fields: dict[str, Any]) -> dict[str, Any]:
    result = dict(fields)
    for text_key, entities_key in (("text", "entities"), ("caption", "caption_entities")):
        text = result.get(text_key)
        if isinstance(text, str) and entities_key not in result:
            entities = find_entities(text)
            if entities:
                result[entities_key] = entities
    return result


def _caption(caption: str | None) -> dict[str, Any]:
    return {} if caption is None else {"caption": caption}


def _group(media_group_id: str | None) -> dict[str, Any]:
    return {} if media_group_id is None else {"media_group_id": media_group_id}


def _chat_instance(chat_id: int) -> str:
    """Return a stable opaque id for the chat, like CallbackQuery.chat_instance."""
    return str(int.from_bytes(hashlib.sha256(str(chat_id).encode()).digest()[:7], "big"))
