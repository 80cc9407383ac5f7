"""Bot API methods for files: getFile and sending photos, documents, stickers, albums."""

from __future__ import annotations

import secrets
from typing import Any

from .api_base import (
    ApiContext,
    Handler,
    caption,
    formatted_text,
    post_bot_message,
    reply_markup,
    reply_to,
    target_chat,
)
from .attachments import store_document, store_photo, store_sticker
from .error_replies import HTTP_TOO_LARGE, ApiError, bad_request, required
from .files import MAX_DOWNLOAD_BYTES
from .params import Params, Upload
from .state import World

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_PHOTO_UPLOAD_BYTES = 10 * 1024 * 1024
MEDIA_GROUP_SIZES = range(2, 11)
MAX_CAPTION_LENGTH = 1024
_KIND_NAMES = {"photo": "Photo", "document": "Document", "sticker": "Sticker"}


async def get_file(ctx: ApiContext, p: Params) -> Any:
    """getFile: the download path; bots cannot download files over 20 MB."""
    stored = ctx.world.files.get(p.req_str("file_id"))
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return stored.as_file()


def _checked_upload(upload: Upload, limit: int) -> bytes:
    if not upload.data:
        raise bad_request("file must be non-empty")
    if len(upload.data) > limit:
        raise ApiError(HTTP_TOO_LARGE, "Request Entity Too Large")
    return upload.data


def _existing(world: World, reference: str, kind: str) -> Any:
    """Return the Bot API object of a file sent again by file_id, or fail like Telegram."""
    if reference.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")  # the fake has no network
    stored = world.files.get(reference)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != kind:
        raise bad_request(
            f"can't use file of type {_KIND_NAMES.get(stored.kind, stored.kind)} "
            f"as {_KIND_NAMES.get(kind, kind)}"
        )
    described = world.files.description(stored.file_id)
    if described is None:  # a file stored without a message, e.g. by FakeTelegram.upload
        raise bad_request("wrong file identifier/HTTP URL specified")
    return described


def photo_field(world: World, media: Upload | str) -> list[dict[str, Any]]:
    """Return the ``photo`` field for an uploaded photo or one sent again by file_id."""
    if isinstance(media, Upload):
        return store_photo(world.files, _checked_upload(media, MAX_PHOTO_UPLOAD_BYTES))
    sizes: list[dict[str, Any]] = _existing(world, media, "photo")
    return sizes


def document_field(world: World, media: Upload | str) -> dict[str, Any]:
    """Return the ``document`` field for an uploaded file or one sent again by file_id."""
    if isinstance(media, Upload):
        data = _checked_upload(media, MAX_UPLOAD_BYTES)
        mime = media.content_type if media.content_type != "application/octet-stream" else None
        return store_document(world.files, data, file_name=media.filename, mime_type=mime)
    document: dict[str, Any] = _existing(world, media, "document")
    return document


def _required_file(p: Params, name: str) -> Upload | str:
    media = p.file(name)
    if media is None or media == "":
        raise required(name)
    return media


async def send_photo(ctx: ApiContext, p: Params) -> Any:
    """sendPhoto: uploads are re-encoded into Telegram's JPEG sizes."""
    chat = target_chat(ctx, p)
    fields = {**reply_to(ctx, chat, p), **caption(p)}
    sizes = photo_field(ctx.world, _required_file(p, "photo"))
    inline, keyboard = reply_markup(p)
    ctx.flood.acquire(chat.id, chat.type)
    fields["photo"] = sizes
    stored = post_bot_message(ctx, chat, fields, inline_keyboard=inline, reply_keyboard=keyboard)
    return stored.snapshot()


async def send_document(ctx: ApiContext, p: Params) -> Any:
    """sendDocument."""
    chat = target_chat(ctx, p)
    fields = {**reply_to(ctx, chat, p), **caption(p)}
    fields["document"] = document_field(ctx.world, _required_file(p, "document"))
    inline, keyboard = reply_markup(p)
    ctx.flood.acquire(chat.id, chat.type)
    stored = post_bot_message(ctx, chat, fields, inline_keyboard=inline, reply_keyboard=keyboard)
    return stored.snapshot()


async def send_sticker(ctx: ApiContext, p: Params) -> Any:
    """sendSticker."""
    chat = target_chat(ctx, p)
    media = _required_file(p, "sticker")
    if isinstance(media, Upload):
        sticker = store_sticker(
            ctx.world.files,
            _checked_upload(media, MAX_PHOTO_UPLOAD_BYTES),
            is_animated=(media.filename or "").endswith(".tgs"),
            is_video=(media.filename or "").endswith(".webm"),
            emoji=p.opt_str("emoji"),
        )
    else:
        sticker = _existing(ctx.world, media, "sticker")
    fields = {**reply_to(ctx, chat, p), "sticker": sticker}
    inline, keyboard = reply_markup(p)
    ctx.flood.acquire(chat.id, chat.type)
    stored = post_bot_message(ctx, chat, fields, inline_keyboard=inline, reply_keyboard=keyboard)
    return stored.snapshot()


async def send_media_group(ctx: ApiContext, p: Params) -> Any:
    """sendMediaGroup: 2-10 photos or 2-10 documents sharing one media_group_id."""
    chat = target_chat(ctx, p)
    items = p.json_value("media")
    if not isinstance(items, list) or len(items) not in MEDIA_GROUP_SIZES:
        raise bad_request(
            "MEDIA_GROUP_INVALID" if isinstance(items, list) else "can't parse media JSON object"
        )
    kinds = {item.get("type") if isinstance(item, dict) else None for item in items}
    if not kinds <= {"photo", "document"} or len(kinds) != 1:
        raise bad_request("MEDIA_GROUP_INVALID")
    replied = reply_to(ctx, chat, p)
    contents = [_group_item(ctx.world, p, item) for item in items]
    ctx.flood.acquire(chat.id, chat.type, cost=len(contents))
    group_id = str(secrets.randbits(60))
    messages = []
    for content in contents:
        fields = {**replied, **content, "media_group_id": group_id}
        messages.append(post_bot_message(ctx, chat, fields).snapshot())
    return messages


def _group_item(world: World, p: Params, item: dict[str, Any]) -> dict[str, Any]:
    reference = item.get("media")
    if not isinstance(reference, str) or not reference:
        raise bad_request("MEDIA_EMPTY")
    media = p.resolve_attachment(reference)
    item_params = Params(
        {key: item.get(key) for key in ("caption", "parse_mode", "caption_entities")}, {}
    )
    fields = formatted_text(
        item_params, "caption", "caption_entities", max_length=MAX_CAPTION_LENGTH, required=False
    )
    if item["type"] == "photo":
        sizes = photo_field(world, media)
        fields["photo"] = sizes
    else:
        fields["document"] = document_field(world, media)
    return fields


HANDLERS: dict[str, Handler] = {
    "getFile": get_file,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "sendSticker": send_sticker,
    "sendMediaGroup": send_media_group,
}
