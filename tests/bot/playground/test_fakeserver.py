"""Tests of the fake Telegram Bot API server, driven by raw HTTP and by python-telegram-bot."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from PIL import Image
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    ReactionTypeEmoji,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, RetryAfter, TimedOut
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from bot.playground.fakeserver import SPEC_PATH, FakeTelegram, FloodPolicy
from bot.playground.fakeserver.flood import FloodControl
from bot.playground.fakeserver.formatting import parse_formatted

USER = 1001
OTHER_USER = 1002
GROUP = -4001
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    """Return a generated picture (gradients, so sizes really differ) as PNG bytes."""
    across = Image.linear_gradient("L").rotate(90).resize((width, height))
    down = Image.linear_gradient("L").resize((width, height))
    flat = Image.new("L", (width, height), 128)
    bands = [across, down, flat, Image.new("L", (width, height), 200)][: len(mode)]
    out = io.BytesIO()
    Image.merge(mode, bands).save(out, format="PNG")
    return out.getvalue()


def jpeg_size(data: bytes | bytearray) -> tuple[str | None, tuple[int, int]]:
    """Return the format and size of an image."""
    with Image.open(io.BytesIO(bytes(data))) as image:
        return image.format, image.size


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    """A fake Telegram with the Bot API spec and flood control off (tests enable it)."""
    async with FakeTelegram(spec_path=SPEC_PATH, flood=FloodPolicy.disabled()) as fake:
        yield fake
        assert fake.violations == [], "requests or results broke the Bot API spec"


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    """A real python-telegram-bot Bot pointed at the fake server."""
    async with Bot(
        server.token, base_url=server.base_url, base_file_url=server.base_file_url
    ) as telegram_bot:
        yield telegram_bot


@pytest.fixture
async def http(server: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    """A raw HTTP client for the fake's Bot API URLs."""
    async with httpx.AsyncClient(base_url=f"{server.base_url}{server.token}/") as client:
        yield client


# --- HTTP surface ------------------------------------------------------------------------


async def test_get_me_over_raw_http_and_with_ptb(
    server: FakeTelegram, http: httpx.AsyncClient, bot: Bot
) -> None:
    response = await http.get("getMe")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["result"]["username"] == "SmileyBot"
    assert body["result"]["id"] == server.bot_id == 123456
    assert body["result"]["can_read_all_group_messages"] is False
    assert body["result"]["supports_inline_queries"] is False
    assert bot.username == "SmileyBot"  # Bot.initialize() called getMe
    assert (await bot.get_me()).can_join_groups is True


async def test_get_me_reports_configured_privacy_mode() -> None:
    fake = FakeTelegram(can_read_all_group_messages=True, bot_username="OtherBot")
    async with fake, Bot(fake.token, base_url=fake.base_url) as telegram_bot:
        me = await telegram_bot.get_me()
    assert me.can_read_all_group_messages is True
    assert me.username == "OtherBot"


async def test_wrong_token_is_unauthorized(server: FakeTelegram) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{server.base_url}999:WRONG/getMe")
        download = await client.get(f"{server.base_file_url}999:WRONG/photos/file_1.jpg")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert download.status_code == 401
    assert server.errors(401)[0].method == "getMe"


async def test_unknown_method_is_not_found(http: httpx.AsyncClient) -> None:
    response = await http.post("sendTelepathy", data={"chat_id": "1"})
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_without_spec_only_implemented_methods_are_accepted() -> None:
    async with FakeTelegram() as fake, httpx.AsyncClient() as client:
        known = await client.post(f"{fake.base_url}{fake.token}/getme")  # case-insensitive
        spec_only = await client.post(f"{fake.base_url}{fake.token}/sendDice", data={})
    assert known.status_code == 200
    assert spec_only.status_code == 404


async def test_spec_method_the_fake_lacks_is_a_loud_failure(
    server: FakeTelegram, http: httpx.AsyncClient
) -> None:
    response = await http.post("sendDice", data={"chat_id": str(USER)})
    assert response.status_code == 500
    assert server.violations == ["sendDice: not implemented by the fake Telegram server"]
    server.violations.clear()


async def test_form_json_multipart_and_query_requests_are_decoded_alike(
    server: FakeTelegram, http: httpx.AsyncClient
) -> None:
    server.send_text(USER, USER, "hi")
    markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}
    form = await http.post(
        "sendMessage",
        data={"chat_id": str(USER), "text": "123", "reply_markup": json.dumps(markup)},
    )
    as_json = await http.post(
        "sendMessage", json={"chat_id": USER, "text": "true", "reply_markup": markup}
    )
    multipart = await http.post(
        "sendMessage",
        data={"chat_id": str(USER), "text": "multi"},
        files={"unused": ("x.txt", b"x", "text/plain")},
    )
    query = await http.get("sendMessage", params={"chat_id": str(USER), "text": "via query"})
    assert [r.status_code for r in (form, as_json, multipart, query)] == [200, 200, 200, 200]
    texts = [m["text"] for m in server.bot_messages(USER)]
    # Numbers and booleans stay text where the spec says the parameter is a String.
    assert texts == ["123", "true", "multi", "via query"]
    assert server.bot_messages(USER)[0]["reply_markup"] == markup
    assert server.calls[0].params["chat_id"] == USER  # decoded as Integer per the spec
    # The stray multipart field is not a sendMessage parameter: reported, not fatal.
    assert server.violations == ["sendMessage: unknown parameter 'unused'"]
    server.violations.clear()


async def test_missing_required_parameter_is_refused(
    server: FakeTelegram, http: httpx.AsyncClient
) -> None:
    server.send_text(USER, USER, "hi")
    response = await http.post("sendMessage", data={"chat_id": str(USER)})
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error_code": 400,
        "description": 'Bad Request: parameter "text" is required',
    }
    assert server.bot_messages(USER) == []


async def test_unknown_parameter_and_wrong_type_are_violations(
    server: FakeTelegram, http: httpx.AsyncClient
) -> None:
    server.send_text(USER, USER, "hi")
    response = await http.post(
        "sendMessage",
        json={"chat_id": USER, "text": "x", "colour": "red", "disable_notification": "often"},
    )
    assert response.status_code == 200
    assert server.violations == [
        "sendMessage: unknown parameter 'colour'",
        "sendMessage.disable_notification: expected Boolean, got str",
    ]
    server.violations.clear()


# --- updates ------------------------------------------------------------------------------


async def test_long_poll_waits_for_an_update_and_offset_confirms_it(
    server: FakeTelegram, bot: Bot
) -> None:
    async def user_writes_later() -> None:
        await asyncio.sleep(0.2)
        server.send_text(USER, USER, "/start now")

    started = time.monotonic()
    writer = asyncio.create_task(user_writes_later())
    updates = await bot.get_updates(timeout=5)
    waited = time.monotonic() - started
    await writer
    assert 0.15 < waited < 2
    assert len(updates) == 1
    message = updates[0].message
    assert message is not None
    assert message.text == "/start now"
    assert message.chat.id == USER
    assert message.from_user is not None and message.from_user.id == USER
    assert message.entities[0].type == "bot_command"
    assert (message.entities[0].offset, message.entities[0].length) == (0, 6)

    again = await bot.get_updates(timeout=0)  # not confirmed yet
    assert [u.update_id for u in again] == [updates[0].update_id]
    confirmed = await bot.get_updates(offset=updates[0].update_id + 1, timeout=0)
    assert confirmed == ()
    assert server.pending_updates == []


async def test_long_poll_returns_empty_after_timeout(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 3


async def test_limit_negative_offset_and_allowed_updates(server: FakeTelegram, bot: Bot) -> None:
    for number in range(3):
        server.send_text(USER, USER, f"message {number}")
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["message 0", "message 1"]
    last = await bot.get_updates(offset=-1)
    assert [u.message.text for u in last if u.message] == ["message 2"]
    assert len(server.pending_updates) == 1  # a negative offset forgets the earlier ones

    sent = await bot.send_message(
        USER,
        "pick",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    server.press_button(USER, USER, sent.message_id, "a")
    only_messages = await bot.get_updates(
        offset=last[-1].update_id + 1, allowed_updates=["message"]
    )
    assert only_messages == ()  # the callback query is not wanted
    server.press_button(USER, USER, sent.message_id, "a")
    everything = await bot.get_updates(allowed_updates=[])
    assert everything[0].callback_query is not None


async def test_a_second_poller_terminates_the_first_with_conflict(server: FakeTelegram) -> None:
    async with (
        Bot(server.token, base_url=server.base_url) as first,
        Bot(server.token, base_url=server.base_url) as second,
    ):
        waiting = asyncio.create_task(first.get_updates(timeout=5, read_timeout=10))
        await server.wait_polling(timeout=2)
        assert await second.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await waiting
    assert server.errors(409)


async def test_webhook_blocks_polling_until_deleted(server: FakeTelegram, bot: Bot) -> None:
    assert await bot.set_webhook("https://example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    server.send_text(USER, USER, "old news")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
    assert (await bot.get_webhook_info()).url == ""


# --- sending and editing ------------------------------------------------------------------


async def test_ptb_send_message_with_keyboard_and_reply(server: FakeTelegram, bot: Bot) -> None:
    asked = server.send_text(USER, USER, "hello")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("👍", callback_data="vote:up")]])
    sent = await bot.send_message(
        USER, "Vote?", reply_markup=keyboard, reply_to_message_id=asked["message_id"]
    )
    assert sent.message_id == asked["message_id"] + 1  # ids are shared per chat
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.message_id == asked["message_id"]
    assert sent.reply_markup == keyboard
    [stored] = server.bot_messages(USER)
    assert stored["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "vote:up"
    assert stored["from"]["id"] == server.bot_id


async def test_bot_messages_apply_edits_and_deletes(server: FakeTelegram, bot: Bot) -> None:
    server.send_text(USER, USER, "hi")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    first = await bot.send_message(USER, "first", reply_markup=keyboard)
    second = await bot.send_message(USER, "second")
    await bot.edit_message_text("first, edited", chat_id=USER, message_id=first.message_id)
    await bot.edit_message_reply_markup(USER, second.message_id, reply_markup=keyboard)
    messages = server.bot_messages(USER)
    assert [m["text"] for m in messages] == ["first, edited", "second"]
    assert "reply_markup" not in messages[0]  # an edit without reply_markup removes it
    assert messages[1]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
    assert "edit_date" in messages[0]
    assert await bot.delete_message(USER, first.message_id)
    assert [m["text"] for m in server.bot_messages(USER)] == ["second"]
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(USER, first.message_id)


async def test_identical_edit_is_not_modified(server: FakeTelegram, bot: Bot) -> None:
    server.send_text(USER, USER, "hi")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    sent = await bot.send_message(USER, "same", reply_markup=keyboard)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("same", USER, sent.message_id, reply_markup=keyboard)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard)
    [error_call, _] = server.errors(400)
    assert error_call.description == NOT_MODIFIED
    # Changing only the markup is a real change.
    await bot.edit_message_text("same", USER, sent.message_id)
    assert "reply_markup" not in server.bot_messages(USER)[0]


async def test_parse_mode_is_applied_and_bad_markup_refused(server: FakeTelegram, bot: Bot) -> None:
    server.send_text(USER, USER, "hi")
    sent = await bot.send_message(USER, "<b>Smile</b> &lt;3", parse_mode="HTML")
    assert sent.text == "Smile <3"
    assert sent.entities[0].type == "bold"
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(USER, "1 < 2", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)character '\.' is reserved"):
        await bot.send_message(USER, "Done.", parse_mode="MarkdownV2")
    assert [m["text"] for m in server.bot_messages(USER)] == ["Smile <3"]


def test_parse_formatted_entities_use_utf16_offsets() -> None:
    text, entities = parse_formatted("🙂 *bold* \\. [link](https://example.org)", "MarkdownV2")
    assert text == "🙂 bold . link"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "text_link", "offset": 10, "length": 4, "url": "https://example.org"},
    ]
    html_text, html_entities = parse_formatted(
        '<pre><code class="language-python">x = 1</code></pre>', "HTML"
    )
    assert html_text == "x = 1"
    assert html_entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]


async def test_sending_to_unknown_blocked_and_unstarted_chats_fails(
    server: FakeTelegram, bot: Bot
) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(555, "hello?")
    server.add_user(OTHER_USER, "Bo")
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(OTHER_USER, "hello?")
    server.send_text(USER, USER, "hi")
    server.block_bot(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hello?")


async def test_too_long_text_and_empty_text_are_refused(server: FakeTelegram, bot: Bot) -> None:
    server.send_text(USER, USER, "hi")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "<b> </b>", parse_mode="HTML")
    assert (await bot.send_message(USER, "x" * 4096)).text == "x" * 4096


# --- reactions, callbacks, chat actions ---------------------------------------------------


async def test_set_message_reaction_is_recorded(server: FakeTelegram, bot: Bot) -> None:
    message = server.send_text(USER, USER, "look at my smiley")
    assert await bot.set_message_reaction(USER, message["message_id"], ReactionTypeEmoji("👍"))
    assert server.reactions(USER, message["message_id"]) == ["👍"]
    assert await bot.set_message_reaction(USER, message["message_id"], [])
    assert server.reactions(USER, message["message_id"]) == []


async def test_reactions_refused_like_telegram(server: FakeTelegram, bot: Bot) -> None:
    server.add_chat(GROUP, type="group", title="No reactions", reactions_enabled=False)
    in_group = server.send_text(GROUP, USER, "/add")
    with pytest.raises(BadRequest, match="Reaction_invalid"):
        await bot.set_message_reaction(GROUP, in_group["message_id"], "👍")
    in_private = server.send_text(USER, USER, "hi")
    with pytest.raises(BadRequest, match="Reaction_invalid"):
        await bot.set_message_reaction(USER, in_private["message_id"], "🙂")  # not allowed
    with pytest.raises(BadRequest, match="Reactions_too_much"):
        await bot.set_message_reaction(USER, in_private["message_id"], ["👍", "🔥"])
    assert server.reactions(USER, in_private["message_id"]) == []
    assert [c.description for c in server.errors(400)] == [
        "Bad Request: REACTION_INVALID",
        "Bad Request: REACTION_INVALID",
        "Bad Request: REACTIONS_TOO_MUCH",
    ]


async def test_button_press_and_answer(server: FakeTelegram, bot: Bot) -> None:
    server.send_text(USER, USER, "hi")
    sent = await bot.send_message(
        USER,
        "Label?",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Happy", callback_data="happy")]]),
    )
    await bot.get_updates(offset=-1)
    with pytest.raises(ValueError, match="no button"):
        server.press_button(USER, USER, sent.message_id, "sad")
    query_id = server.press_button(USER, USER, sent.message_id, "happy")
    [update] = await bot.get_updates(offset=-1)
    assert update.callback_query is not None
    assert update.callback_query.id == query_id
    assert update.callback_query.data == "happy"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query_id, text="Saved")
    assert server.callback_answer(query_id) == {"text": "Saved", "show_alert": False, "url": None}
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)


async def test_chat_action_is_remembered(server: FakeTelegram, bot: Bot) -> None:
    server.send_text(USER, USER, "hi")
    assert await bot.send_chat_action(USER, "upload_photo")
    assert server.chat_action(USER) == "upload_photo"
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(USER, "dancing")


# --- photos and files ---------------------------------------------------------------------


async def test_user_photo_sizes_are_jpeg_and_downloadable(server: FakeTelegram, bot: Bot) -> None:
    original = png(1600, 1000)
    server.send_photo(USER, USER, original, caption="/add happy")
    [update] = await bot.get_updates()
    message = update.message
    assert message is not None
    assert message.caption == "/add happy"
    assert message.caption_entities[0].type == "bot_command"
    sizes = message.photo
    assert [(p.width, p.height) for p in sizes] == [(90, 56), (320, 200), (800, 500), (1280, 800)]
    assert len({p.file_id for p in sizes}) == 4
    assert len({p.file_unique_id for p in sizes}) == 4
    for size in sizes:
        file = await bot.get_file(size.file_id)
        data = await file.download_as_bytearray()
        assert jpeg_size(data) == ("JPEG", (size.width, size.height))
        assert len(data) == size.file_size == file.file_size


async def test_small_photos_are_not_upscaled(server: FakeTelegram) -> None:
    medium = server.send_photo(USER, USER, png(500, 300))
    assert [(p["width"], p["height"]) for p in medium["photo"]] == [
        (90, 54),
        (320, 192),
        (500, 300),
    ]
    tiny = server.send_photo(USER, USER, png(60, 40, "RGBA"))
    [only] = tiny["photo"]
    assert (only["width"], only["height"]) == (60, 40)
    assert jpeg_size(server.file_bytes(only["file_id"])) == ("JPEG", (60, 40))
    exact = server.send_photo(USER, USER, png(800, 800))
    assert [p["width"] for p in exact["photo"]] == [90, 320, 800]


async def test_exif_orientation_is_applied_before_sizing(server: FakeTelegram) -> None:
    image = Image.new("RGB", (200, 100), (250, 200, 0))
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display", as phones write it
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    sizes = server.send_photo(USER, USER, out.getvalue())["photo"]
    assert [(p["width"], p["height"]) for p in sizes] == [(45, 90), (100, 200)]


async def test_file_unique_id_follows_content(server: FakeTelegram) -> None:
    image = png(120, 80)
    first = server.send_photo(USER, USER, image)["photo"]
    again = server.send_photo(USER, USER, image)["photo"]
    other = server.send_photo(USER, USER, png(121, 80))["photo"]
    assert [p["file_unique_id"] for p in first] == [p["file_unique_id"] for p in again]
    assert {p["file_id"] for p in first}.isdisjoint(p["file_id"] for p in again)
    assert first[-1]["file_unique_id"] != other[-1]["file_unique_id"]


async def test_get_file_refuses_files_over_20_mb(server: FakeTelegram, bot: Bot) -> None:
    big = server.send_document(
        USER, USER, bytes(20 * 1024 * 1024 + 1), file_name="huge.bin", mime_type=None
    )
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.get_file(big["document"]["file_id"])
    small = server.send_document(USER, USER, b"abc", file_name="notes.txt", mime_type=None)
    assert small["document"]["mime_type"] == "text/plain"
    file = await bot.get_file(small["document"]["file_id"])
    assert bytes(await file.download_as_bytearray()) == b"abc"
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nonsense")


async def test_bot_uploads_photo_document_and_album(server: FakeTelegram, bot: Bot) -> None:
    server.send_text(USER, USER, "show me")
    photo = await bot.send_photo(USER, png(1000, 500), caption="big")
    assert [(p.width, p.height) for p in photo.photo] == [
        (90, 45),
        (320, 160),
        (800, 400),
        (1000, 500),
    ]
    document = await bot.send_document(USER, b"label,count\nhappy,3\n", filename="stats.csv")
    assert document.document is not None
    assert document.document.file_name == "stats.csv"
    album = await bot.send_media_group(
        USER, [InputMediaPhoto(png(50, 50)), InputMediaPhoto(photo.photo[0].file_id)]
    )
    assert len(album) == 2
    assert album[0].media_group_id == album[1].media_group_id is not None
    assert album[1].photo[0].file_unique_id == photo.photo[0].file_unique_id  # resent by id

    messages = server.bot_messages(USER)
    assert [m.get("caption") for m in messages] == ["big", None, None, None]
    assert server.media_bytes(messages[1]) == b"label,count\nhappy,3\n"
    assert jpeg_size(server.media_bytes(messages[0])) == ("JPEG", (1000, 500))
    assert jpeg_size(server.media_bytes(messages[2])) == ("JPEG", (50, 50))
    sent_photo = server.calls[-3].params["photo"]  # the multipart upload, as recorded
    assert sent_photo.data[:8] == b"\x89PNG\r\n\x1a\n"


async def test_files_can_be_sent_again_by_file_id(server: FakeTelegram, bot: Bot) -> None:
    document = server.send_document(USER, USER, b"csv", file_name="a.csv", mime_type="text/csv")
    sticker = server.send_sticker(USER, USER, png(64, 64))
    file_id = document["document"]["file_id"]
    resent = await bot.send_document(USER, file_id)
    assert resent.document is not None
    assert resent.document.file_unique_id == document["document"]["file_unique_id"]
    assert resent.document.file_name == "a.csv"
    again = await bot.send_sticker(USER, sticker["sticker"]["file_id"])
    assert again.sticker is not None and again.sticker.emoji == "🙂"
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type document as photo"):
        await bot.send_photo(USER, file_id)
    with pytest.raises(BadRequest, match=r"(?i)failed to get http url content"):
        await bot.send_photo(USER, "https://example.invalid/smiley.png")
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(USER, "no-such-file")


async def test_invalid_image_upload_is_refused(server: FakeTelegram, bot: Bot) -> None:
    server.send_text(USER, USER, "hi")
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(USER, b"definitely not an image")
    with pytest.raises(ValueError, match="IMAGE_PROCESS_FAILED"):
        server.send_photo(USER, USER, b"not an image either")


# --- flood control ------------------------------------------------------------------------


async def test_burst_then_429_then_recovery() -> None:
    policy = FloodPolicy(burst=2, per_second=2.0, group_per_minute=0)
    async with (
        FakeTelegram(spec_path=SPEC_PATH, flood=policy) as fake,
        httpx.AsyncClient(base_url=f"{fake.base_url}{fake.token}/") as client,
    ):
        fake.send_text(USER, USER, "spam me")
        statuses = [
            (await client.post("sendMessage", data={"chat_id": USER, "text": str(n)})).status_code
            for n in range(2)
        ]
        refused = await client.post("sendMessage", data={"chat_id": USER, "text": "too fast"})
        assert statuses == [200, 200]
        assert refused.status_code == 429
        assert refused.json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        await asyncio.sleep(0.6)  # refill of 2 per second: one token is back
        recovered = await client.post("sendMessage", data={"chat_id": USER, "text": "later"})
        assert recovered.status_code == 200
        assert len(fake.errors(429)) == 1
        assert [m["text"] for m in fake.bot_messages(USER)] == ["0", "1", "later"]
        assert fake.violations == []


async def test_ptb_sees_retry_after() -> None:
    async with FakeTelegram(flood=FloodPolicy(burst=1, per_second=0.5)) as fake:
        fake.send_text(USER, USER, "hi")
        async with Bot(fake.token, base_url=fake.base_url) as telegram_bot:
            await telegram_bot.send_message(USER, "one")
            with pytest.raises(RetryAfter) as caught:
                await telegram_bot.send_message(USER, "two")
    assert "Retry in 2 seconds" in str(caught.value)


async def test_group_per_minute_limit() -> None:
    policy = FloodPolicy(burst=100, per_second=100.0, group_per_minute=3)
    async with FakeTelegram(flood=policy) as fake:
        fake.add_chat(GROUP, type="group", title="Smileys")
        fake.send_text(GROUP, USER, "/start")
        fake.send_text(USER, USER, "/start")
        async with Bot(fake.token, base_url=fake.base_url) as telegram_bot:
            for number in range(3):
                await telegram_bot.send_message(GROUP, f"group {number}")
            with pytest.raises(RetryAfter) as caught:
                await telegram_bot.send_message(GROUP, "one too many")
            for number in range(5):  # the private chat has no per-minute limit
                await telegram_bot.send_message(USER, f"private {number}")
    [refusal] = fake.errors(429)
    assert refusal.method == "sendMessage"
    assert "Retry in 60 seconds" in str(caught.value)
    assert len(fake.bot_messages(GROUP)) == 3
    assert len(fake.bot_messages(USER)) == 5


def test_flood_control_token_bucket_with_a_fake_clock() -> None:
    clock = [100.0]
    control = FloodControl(FloodPolicy(burst=3, per_second=1.0), clock=lambda: clock[0])
    for _ in range(3):
        control.acquire(USER, "private")
    with pytest.raises(Exception, match="retry after 1") as refused:
        control.acquire(USER, "private")
    assert getattr(refused.value, "retry_after", None) == 1
    control.acquire(OTHER_USER, "private")  # limits are per chat
    clock[0] += 1.0
    control.acquire(USER, "private")
    # An album of 3 needs a full bucket and then leaves the chat in debt.
    clock[0] += 3.0
    control.acquire(USER, "private", cost=3)
    with pytest.raises(Exception, match="retry after 1"):
        control.acquire(USER, "private")
    FloodControl(FloodPolicy.disabled()).acquire(GROUP, "group", cost=1000)


def test_flood_group_window_slides() -> None:
    clock = [0.0]
    control = FloodControl(
        FloodPolicy(burst=100, per_second=100.0, group_per_minute=2), clock=lambda: clock[0]
    )
    control.acquire(GROUP, "supergroup")
    clock[0] = 10.0
    control.acquire(GROUP, "supergroup")
    clock[0] = 20.0
    with pytest.raises(Exception, match="retry after 40"):
        control.acquire(GROUP, "supergroup")
    clock[0] = 60.5
    control.acquire(GROUP, "supergroup")  # the first send aged out


# --- fault injection ----------------------------------------------------------------------


async def test_fail_next_errors_then_recovers(server: FakeTelegram, bot: Bot) -> None:
    server.send_text(USER, USER, "hi")
    server.fail_next("sendMessage", status=502, description="Bad Gateway", times=2)
    server.fail_next("getChat", status=429, retry_after=7)
    for _ in range(2):
        with pytest.raises(Exception, match="Bad Gateway"):
            await bot.send_message(USER, "x")
    assert (await bot.send_message(USER, "third time")).text == "third time"
    with pytest.raises(RetryAfter) as caught:
        await bot.get_chat(USER)
    assert "Retry in 7 seconds" in str(caught.value)
    assert [c.error_code for c in server.errors()] == [502, 502, 429]
    assert [m["text"] for m in server.bot_messages(USER)] == ["third time"]


async def test_fail_next_delay_times_out_the_client_but_still_sends(
    server: FakeTelegram,
) -> None:
    server.send_text(USER, USER, "hi")
    server.fail_next("sendMessage", delay=0.5)
    request = HTTPXRequest(read_timeout=0.1)
    async with Bot(server.token, base_url=server.base_url, request=request) as impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(USER, "slow")
    message = await server.wait_for_message(USER, contains="slow", timeout=2)
    assert message["text"] == "slow"
    call = await server.wait_for(lambda c: c.method == "sendMessage")
    assert call.finished_at - call.at >= 0.5


# --- chats, members, migration, privacy ---------------------------------------------------


async def test_chat_members_from_configured_admins(server: FakeTelegram, bot: Bot) -> None:
    server.add_user(OTHER_USER, "Bo")
    server.add_chat(GROUP, type="group", title="Smileys", admins=[USER, server.bot_id])
    server.send_text(GROUP, OTHER_USER, "hello")
    chat = await bot.get_chat(GROUP)
    assert (chat.type, chat.title) == ("group", "Smileys")
    assert (await bot.get_chat_member(GROUP, USER)).status == "creator"
    assert (await bot.get_chat_member(GROUP, server.bot_id)).status == "administrator"
    assert (await bot.get_chat_member(GROUP, OTHER_USER)).status == "member"
    admins = await bot.get_chat_administrators(GROUP)
    assert [a.user.id for a in admins] == [USER, server.bot_id]
    server.send_text(OTHER_USER, OTHER_USER, "hi")
    with pytest.raises(BadRequest, match="no administrators in the private chat"):
        await bot.get_chat_administrators(OTHER_USER)


async def test_migrate_to_supergroup(server: FakeTelegram, bot: Bot) -> None:
    new_id = -1001234567890
    server.add_chat(GROUP, type="group", title="Smileys", admins=[USER])
    server.send_text(GROUP, USER, "/start")
    server.migrate_to_supergroup(GROUP, new_id)
    later = server.send_text(GROUP, USER, "/add")  # users keep typing in "the same" group
    updates = await bot.get_updates()
    messages = [u.message for u in updates if u.message]
    assert [m.chat.id for m in messages] == [GROUP, GROUP, new_id, new_id]
    assert messages[1].migrate_to_chat_id == new_id
    assert messages[2].migrate_from_chat_id == GROUP
    assert messages[2].chat.type == "supergroup"
    assert later["chat"]["id"] == new_id and later["message_id"] == 2
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(GROUP, "still there?")
    assert caught.value.new_chat_id == new_id
    assert (await bot.send_message(new_id, "moved")).chat.id == new_id


async def test_privacy_mode_in_groups(server: FakeTelegram, bot: Bot) -> None:
    server.add_chat(GROUP, type="group", title="Smileys")
    server.send_text(GROUP, USER, "just chatting")
    server.send_text(GROUP, USER, "/add@SomeOtherBot")
    command = server.send_text(GROUP, USER, "/add@SmileyBot happy")
    server.send_photo(GROUP, USER, png(40, 40), caption="/add sad")
    server.send_photo(GROUP, USER, png(40, 40))
    reply = await bot.send_message(GROUP, "Send a smiley")
    server.send_text(GROUP, USER, "here", reply_to=reply.message_id)
    updates = await bot.get_updates()
    seen = [u.message.text or u.message.caption for u in updates if u.message]
    assert seen == ["/add@SmileyBot happy", "/add sad", "here"]
    assert command["entities"] == [{"type": "bot_command", "offset": 0, "length": 14}]


async def test_bot_reading_all_group_messages_sees_everything() -> None:
    async with FakeTelegram(can_read_all_group_messages=True) as fake:
        fake.add_chat(GROUP, type="supergroup", title="Smileys")
        fake.send_text(GROUP, USER, "just chatting")
        fake.send_photo(GROUP, USER, png(40, 40))
        assert len(fake.pending_updates) == 2
        fake.add_chat(GROUP - 1, type="group", admins=[USER, fake.bot_id])
        fake.send_text(GROUP - 1, USER, "admins see all")
        assert len(fake.pending_updates) == 3


async def test_user_side_events_reach_ptb_as_valid_updates(server: FakeTelegram, bot: Bot) -> None:
    server.add_chat(-100777, type="channel", title="News")
    text = server.send_text(USER, USER, "hi #smiley @someone")
    server.edit_user_message(USER, text["message_id"], "hi again /help")
    server.post_in_channel(-100777, "channel news")
    server.send_sticker(USER, USER, png(64, 64), emoji="😀")
    server.send_document(USER, USER, png(30, 30), file_name="smile.png", mime_type="image/png")
    server.send_photo(USER, USER, png(30, 30), media_group_id="album1")
    server.send_photo(USER, USER, png(31, 30), media_group_id="album1")
    server.send_message(
        USER,
        USER,
        text="forwarded",
        forward_origin={"type": "hidden_user", "date": 1, "sender_user_name": "Someone"},
    )
    server.send_message(USER, USER, voice={"file_id": "v", "file_unique_id": "v", "duration": 3})
    updates = await bot.get_updates()
    kinds = [
        next(k for k in ("message", "edited_message", "channel_post") if getattr(u, k))
        for u in updates
    ]
    assert kinds == ["message", "edited_message", "channel_post"] + ["message"] * 6
    assert updates[0].message is not None
    assert [e.type for e in updates[0].message.entities] == ["hashtag", "mention"]
    assert updates[1].edited_message is not None
    assert updates[1].edited_message.text == "hi again /help"
    assert updates[2].channel_post is not None
    assert updates[2].channel_post.sender_chat is not None
    assert updates[3].message is not None and updates[3].message.sticker is not None
    assert updates[3].message.sticker.emoji == "😀"
    assert updates[4].message is not None and updates[4].message.document is not None
    assert updates[4].message.document.mime_type == "image/png"
    album = [u.message.media_group_id for u in updates[5:7] if u.message]
    assert album == ["album1", "album1"]
    assert updates[7].message is not None and updates[7].message.forward_origin is not None
    assert updates[8].message is not None and updates[8].message.voice is not None
    # server.violations is checked by the fixture: every update matched the spec's types.


async def test_user_actions_refuse_impossible_things(server: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(ValueError, match="unknown chat"):
        server.send_text(GROUP, USER, "hello?")
    server.add_chat(GROUP, type="group")
    with pytest.raises(ValueError, match="already exists"):
        server.add_chat(GROUP, type="group")
    with pytest.raises(ValueError, match="ids must be negative"):
        server.add_chat(5, type="supergroup")
    mine = server.send_text(USER, USER, "hi")
    with pytest.raises(ValueError, match="no bot message"):
        server.press_button(USER, USER, mine["message_id"], "x")
    with pytest.raises(ValueError, match="no message 99"):
        server.send_text(USER, USER, "re", reply_to=99)
    assert len(server.pending_updates) == 1


async def test_commands_per_scope_and_language(server: FakeTelegram, bot: Bot) -> None:
    english = [BotCommand("add", "Add a smiley"), BotCommand("stats", "Show counts")]
    german = [BotCommand("add", "Smiley hinzufügen")]
    assert await bot.set_my_commands(english)
    assert await bot.set_my_commands(german, language_code="de")
    assert await bot.set_my_commands(german, scope=BotCommandScopeChat(GROUP))
    assert [c["command"] for c in server.commands()] == ["add", "stats"]
    assert server.commands(language_code="de") == [
        {"command": "add", "description": "Smiley hinzufügen"}
    ]
    assert server.commands(scope=f"chat:{GROUP}") == server.commands(language_code="de")
    assert await bot.get_my_commands(language_code="de") == tuple(german)
    assert await bot.get_my_commands(language_code="fr") == ()  # no fallback, like Telegram
    assert await bot.delete_my_commands(language_code="de")
    assert server.commands(language_code="de") == []
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Add-Smiley", "bad name")])


# --- observation helpers ------------------------------------------------------------------


async def test_wait_for_times_out_with_a_dump(server: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(AssertionError, match=r"recent calls:\n  getMe"):
        await server.wait_for(lambda c: c.method == "sendMessage", timeout=0.2)
    with pytest.raises(AssertionError, match="no bot message containing 'x'"):
        await server.wait_for_message(USER, contains="x", timeout=0.1)


async def test_wait_idle_waits_for_quiet(server: FakeTelegram, bot: Bot) -> None:
    server.send_text(USER, USER, "hi")

    async def chatter() -> None:
        for number in range(3):
            await bot.send_message(USER, str(number))
            await asyncio.sleep(0.1)

    task = asyncio.create_task(chatter())
    await asyncio.sleep(0.05)
    await server.wait_idle(quiet=0.4, timeout=3)
    assert task.done()
    assert len(server.bot_messages(USER)) == 3


# --- the whole Application ----------------------------------------------------------------


async def test_ptb_application_polls_and_replies() -> None:
    async def add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"added {' '.join(context.args or [])}")

    async with FakeTelegram(spec_path=SPEC_PATH) as fake:
        application: Application[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(fake.base_url)
            .base_file_url(fake.base_file_url)
            .build()
        )
        application.add_handler(CommandHandler("add", add))
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(timeout=5)
            await fake.wait_polling()
            asked = fake.send_text(USER, USER, "/add happy")
            reply = await fake.wait_for_message(USER, after_message_id=asked["message_id"])
            await fake.wait_idle()
            await application.updater.stop()
            await application.stop()
        assert reply["text"] == "added happy"
        assert fake.errors() == []
        assert fake.violations == []
        assert fake.pending_updates == []  # PTB confirmed the update on the way out
