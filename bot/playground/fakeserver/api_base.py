"""Shared pieces of the Bot API handlers: their context and common parameter handling."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .entities import utf16_len
from .error_replies import bad_request
from .error_replies import required as missing_parameter
from .flood import FloodControl
from .formatting import parse_formatted
from .params import Params
from .state import ChatRecord, StoredMessage, World

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


@dataclass
class ApiContext:
    """What a Bot API handler works on."""

    world: World
    flood: FloodControl


Handler = Callable[[ApiContext, Params], Awaitable[Any]]


def target_chat(ctx: ApiContext, p: Params) -> ChatRecord:
    """Return the chat named by ``chat_id``."""
    chat_ref = p.require("chat_id")
    if not isinstance(chat_ref, int | str) or isinstance(chat_ref, bool):
        raise bad_request("chat not found")
    return ctx.world.chat_for_bot(chat_ref)


def formatted_text(
    p: Params, text_key: str, entities_key: str, *, max_length: int, required: bool
) -> dict[str, Any]:
    """Return ``{text_key: ..., entities_key: [...]}`` after applying ``parse_mode``."""
    raw = p.opt_str(text_key)
    if raw is None:
        if required:
            raise missing_parameter(text_key)
        return {}
    parse_mode = p.opt_str("parse_mode")
    if parse_mode:
        text, entities = parse_formatted(raw, parse_mode)
    else:
        text, entities = raw, list(p.json_value(entities_key) or [])
    if required and not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > max_length:
        raise bad_request("message is too long" if required else "message caption is too long")
    fields: dict[str, Any] = {text_key: text} if text or required else {}
    if entities:
        fields[entities_key] = entities
    return fields


def message_text(p: Params) -> dict[str, Any]:
    """Return the ``text``/``entities`` fields of a text message request."""
    return formatted_text(p, "text", "entities", max_length=MAX_TEXT_LENGTH, required=True)


def caption(p: Params) -> dict[str, Any]:
    """Return the ``caption``/``caption_entities`` fields of a media request."""
    return formatted_text(
        p, "caption", "caption_entities", max_length=MAX_CAPTION_LENGTH, required=False
    )


def reply_markup(p: Params) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Return (inline keyboard for the Message, reply keyboard for the user) from the request."""
    markup = p.json_value("reply_markup")
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return _checked_inline_keyboard(markup), None
    return None, copy.deepcopy(markup)


def _checked_inline_keyboard(markup: dict[str, Any]) -> dict[str, Any]:
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")
    return {"inline_keyboard": copy.deepcopy(rows)}


def reply_to(ctx: ApiContext, chat: ChatRecord, p: Params) -> dict[str, Any]:
    """Return the ``reply_to_message`` field from ``reply_parameters``."""
    parameters = p.json_value("reply_parameters")
    if not parameters:
        return {}
    if not isinstance(parameters, dict) or "message_id" not in parameters:
        raise bad_request("can't parse reply parameters JSON object")
    reply_chat = chat
    if parameters.get("chat_id") not in (None, chat.id):
        reply_chat = ctx.world.chat_for_bot(parameters["chat_id"])
    target = ctx.world.reply_target(reply_chat, int(parameters["message_id"]))
    if target is None:
        if parameters.get("allow_sending_without_reply"):
            return {}
        raise bad_request("message to be replied not found")
    return {"reply_to_message": target}


def post_bot_message(
    ctx: ApiContext,
    chat: ChatRecord,
    fields: dict[str, Any],
    *,
    inline_keyboard: dict[str, Any] | None = None,
    reply_keyboard: dict[str, Any] | None = None,
) -> StoredMessage:
    """Store a message the bot sends in ``chat`` (flood control is the caller's job)."""
    if inline_keyboard is not None:
        fields = {**fields, "reply_markup": inline_keyboard}
    stored = ctx.world.add_message(
        chat, sender="bot", from_user=ctx.world.bot_user(), fields=fields
    )
    stored.reply_keyboard = reply_keyboard
    return stored


def editable_message(ctx: ApiContext, p: Params) -> tuple[ChatRecord, StoredMessage]:
    """Return the bot message an edit request names."""
    if "inline_message_id" in p:
        raise bad_request("MESSAGE_ID_INVALID")  # the fake has no inline messages
    chat = target_chat(ctx, p)
    stored = chat.message(p.req_int("message_id"))
    if stored is None:
        raise bad_request("message to edit not found")
    if not stored.from_bot:
        raise bad_request("message can't be edited")
    return chat, stored
