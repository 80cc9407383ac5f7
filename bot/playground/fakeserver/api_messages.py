"""Bot API methods that send, edit, delete and react to messages."""

from __future__ import annotations

import copy
from typing import Any

from .api_base import (
    NOT_MODIFIED,
    ApiContext,
    Handler,
    caption,
    editable_message,
    message_text,
    post_bot_message,
    reply_markup,
    reply_to,
    target_chat,
)
from .error_replies import bad_request
from .params import Params
from .reactions import is_reaction_emoji
from .state import CHANNEL, PRIVATE, now

MAX_BOT_REACTIONS = 1  # bots, like non-premium users, set at most one reaction
CALLBACK_ANSWER_MAX_LENGTH = 200
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


async def send_message(ctx: ApiContext, p: Params) -> Any:
    """sendMessage."""
    chat = target_chat(ctx, p)
    fields = {**reply_to(ctx, chat, p), **message_text(p)}
    inline, keyboard = reply_markup(p)
    ctx.flood.acquire(chat.id, chat.type)
    stored = post_bot_message(ctx, chat, fields, inline_keyboard=inline, reply_keyboard=keyboard)
    return stored.snapshot()


async def edit_message_text(ctx: ApiContext, p: Params) -> Any:
    """editMessageText: an identical edit is refused as "message is not modified"."""
    _, stored = editable_message(ctx, p)
    if "text" not in stored.data:
        raise bad_request("there is no text in the message to edit")
    new = message_text(p)
    inline, _ = reply_markup(p)
    old = {key: stored.data.get(key) for key in ("text", "entities", "reply_markup")}
    if old == {"text": new["text"], "entities": new.get("entities"), "reply_markup": inline}:
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(ctx, stored.data, {**new, "reply_markup": inline}, ("entities",))


async def edit_message_caption(ctx: ApiContext, p: Params) -> Any:
    """editMessageCaption."""
    _, stored = editable_message(ctx, p)
    if not any(key in stored.data for key in ("photo", "document", "video", "animation")):
        raise bad_request("there is no caption in the message to edit")
    new = caption(p)
    inline, _ = reply_markup(p)
    keys = ("caption", "caption_entities", "reply_markup")
    old = {key: stored.data.get(key) for key in keys}
    wanted = {"caption": new.get("caption"), "caption_entities": new.get("caption_entities")}
    if old == {**wanted, "reply_markup": inline}:
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(ctx, stored.data, {**wanted, "reply_markup": inline}, ())


async def edit_message_reply_markup(ctx: ApiContext, p: Params) -> Any:
    """editMessageReplyMarkup."""
    _, stored = editable_message(ctx, p)
    inline, _ = reply_markup(p)
    if stored.data.get("reply_markup") == inline:
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(ctx, stored.data, {"reply_markup": inline}, ())


def _apply_edit(
    ctx: ApiContext, data: dict[str, Any], changes: dict[str, Any], cleared: tuple[str, ...]
) -> dict[str, Any]:
    for key in cleared:
        data.pop(key, None)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    data["edit_date"] = now()
    ctx.world.changes.changed()
    return copy.deepcopy(data)


async def delete_message(ctx: ApiContext, p: Params) -> Any:
    """deleteMessage: the bot's own messages, users' in private chats, any as a group admin."""
    chat = target_chat(ctx, p)
    stored = chat.message(p.req_int("message_id"))
    if stored is None:
        raise bad_request("message to delete not found")
    may_delete = (
        stored.from_bot or chat.type == PRIVATE or ctx.world.is_admin(chat, ctx.world.bot_id)
    )
    if not may_delete:
        raise bad_request("message can't be deleted")
    stored.deleted = True
    ctx.world.changes.changed()
    return True


async def set_message_reaction(ctx: ApiContext, p: Params) -> Any:
    """setMessageReaction: one emoji from Telegram's list, where the chat allows reactions."""
    chat = target_chat(ctx, p)
    stored = chat.message(p.req_int("message_id"))
    if stored is None:
        raise bad_request("MESSAGE_ID_INVALID")
    reactions = p.json_value("reaction") or []
    if not isinstance(reactions, list):
        raise bad_request("can't parse reaction types JSON object")
    emoji: list[str] = []
    for reaction in reactions:
        if not isinstance(reaction, dict) or reaction.get("type") != "emoji":
            raise bad_request("REACTION_INVALID")
        if not chat.reactions_enabled or not is_reaction_emoji(str(reaction.get("emoji"))):
            raise bad_request("REACTION_INVALID")
        emoji.append(str(reaction["emoji"]))
    if len(emoji) > MAX_BOT_REACTIONS:
        raise bad_request("REACTIONS_TOO_MUCH")
    stored.bot_reactions = emoji
    ctx.world.changes.changed()
    return True


async def answer_callback_query(ctx: ApiContext, p: Params) -> Any:
    """answerCallbackQuery: each query can be answered once."""
    record = ctx.world.callbacks.get(p.req_str("callback_query_id"))
    if record is None or record.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.opt_str("text") or ""
    if len(text) > CALLBACK_ANSWER_MAX_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answer = {
        "text": text,
        "show_alert": p.flag("show_alert"),
        "url": p.opt_str("url"),
    }
    ctx.world.changes.changed()
    return True


async def send_chat_action(ctx: ApiContext, p: Params) -> Any:
    """sendChatAction: remembered as the chat's last action."""
    chat = target_chat(ctx, p)
    action = p.req_str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    if chat.type == CHANNEL:
        raise bad_request("chat not found")
    chat.last_action = action
    ctx.world.changes.changed()
    return True


async def forward_message(ctx: ApiContext, p: Params) -> Any:
    """forwardMessage."""
    chat = target_chat(ctx, p)
    source_chat = ctx.world.chat_for_bot(p.require("from_chat_id"))
    source = source_chat.message(p.req_int("message_id"))
    if source is None:
        raise bad_request("message to forward not found")
    ctx.flood.acquire(chat.id, chat.type)
    fields = _content(source.data)
    fields["forward_origin"] = _origin(source.data)
    return post_bot_message(ctx, chat, fields).snapshot()


async def copy_message(ctx: ApiContext, p: Params) -> Any:
    """copyMessage: returns only the new MessageId."""
    chat = target_chat(ctx, p)
    source_chat = ctx.world.chat_for_bot(p.require("from_chat_id"))
    source = source_chat.message(p.req_int("message_id"))
    if source is None:
        raise bad_request("message to copy not found")
    fields = {**reply_to(ctx, chat, p), **_content(source.data)}
    if "caption" in p:
        fields.pop("caption_entities", None)
        fields.update(caption(p))
    inline, keyboard = reply_markup(p)
    ctx.flood.acquire(chat.id, chat.type)
    stored = post_bot_message(ctx, chat, fields, inline_keyboard=inline, reply_keyboard=keyboard)
    return {"message_id": stored.message_id}


_CONTENT_KEYS = (
    "text",
    "entities",
    "caption",
    "caption_entities",
    "photo",
    "document",
    "sticker",
    "video",
    "animation",
    "voice",
    "audio",
)


def _content(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in _CONTENT_KEYS if key in data}


def _origin(data: dict[str, Any]) -> dict[str, Any]:
    if "from" in data:
        return {"type": "user", "date": data["date"], "sender_user": data["from"]}
    chat = data["chat"]
    return {"type": "channel", "date": data["date"], "chat": chat, "message_id": data["message_id"]}


HANDLERS: dict[str, Handler] = {
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "setMessageReaction": set_message_reaction,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": send_chat_action,
    "forwardMessage": forward_message,
    "copyMessage": copy_message,
}
