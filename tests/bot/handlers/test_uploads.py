"""End to end: what the bot accepts, what it refuses, and how it keeps to flood limits."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image

from bot.app import BotApplication
from bot.config import Config
from bot.playground.fakeserver import FakeTelegram
from tests.bot.conftest import (
    ALICE,
    BOB,
    GROUP,
    answer,
    answered,
    is_reaction_on,
    reaction,
    running,
    with_limits,
)

Smiley = Callable[..., bytes]


def png(width: int, height: int, mode: str = "L") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


async def test_photo_is_downloaded_at_the_smallest_size_of_at_least_320_px(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    photo = telegram.send_photo(
        ALICE, ALICE, smiley("smile", style="paper", fmt="JPEG", size=512), caption="/label smile"
    )
    await reaction(telegram, photo)
    sizes = {size["file_id"]: max(size["width"], size["height"]) for size in photo["photo"]}
    assert sorted(sizes.values())[-1] > 800  # the fake server made 90/320/800/1280 px sizes
    downloaded = [call.params["file_id"] for call in telegram.calls if call.method == "getFile"]
    assert [sizes[file_id] for file_id in downloaded] == [320]


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (("video",), "can't use a video"),
        (("animation", "document"), "can't use a GIF"),  # Telegram sends a GIF as both
        (("voice",), "can't use a voice message"),
        (("video_note",), "can't use a video message"),
        (("audio",), "can't use an audio file"),
    ],
)
async def test_other_media_gets_a_reply_naming_what_is_accepted(
    telegram: FakeTelegram, bot: BotApplication, kinds: tuple[str, ...], expected: str
) -> None:
    media = telegram.upload(b"\x00" * 64, kind=kinds[0], mime_type="video/mp4")
    ids = {"file_id": media.file_id, "file_unique_id": media.file_unique_id}
    shapes = {
        "video": {"width": 64, "height": 64, "duration": 1},
        "animation": {"width": 64, "height": 64, "duration": 1},
        "document": {"mime_type": "video/mp4"},
        "voice": {"duration": 1},
        "video_note": {"length": 64, "duration": 1},
        "audio": {"duration": 1},
    }
    sent = telegram.send_message(ALICE, ALICE, **{kind: {**ids, **shapes[kind]} for kind in kinds})
    text = await answer(telegram, sent)
    assert expected in text
    assert "photos, image files (PNG, JPEG, WebP, HEIC) and static stickers" in text


@pytest.mark.parametrize(
    ("file_name", "mime_type", "data", "expected"),
    [
        ("talk.pdf", "application/pdf", b"%PDF-1.4\n", "can't use a PDF"),
        ("notes.txt", "text/plain", b"hello", "can't use a .txt file"),
        ("fake.png", "image/png", b"this is not a png", "not an image I can read"),
        ("empty.png", "image/png", b"", "empty"),
        ("dot.png", "image/png", None, "too small"),
        ("bomb.png", "image/png", "bomb", "too large"),
        ("blank.png", "image/png", "blank", "can't find a drawing"),
    ],
)
async def test_bad_files_get_a_clear_reply(
    telegram: FakeTelegram,
    bot: BotApplication,
    file_name: str,
    mime_type: str,
    data: bytes | str | None,
    expected: str,
) -> None:
    if data is None:
        data = png(1, 1)
    elif data == "bomb":
        data = png(30_000, 30_000, mode="1")  # a few KB that would decode to 900 Mpx
    elif data == "blank":
        data = png(400, 300, mode="L")
    sent = telegram.send_document(
        ALICE, ALICE, data, file_name=file_name, mime_type=mime_type, caption="/label smile"
    )
    assert expected in await answer(telegram, sent)


async def test_animated_stickers_are_refused(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    for kind in ("is_animated", "is_video"):
        sticker = telegram.send_sticker(ALICE, ALICE, kind.encode(), **{kind: True})
        assert "can't use an animated sticker" in await answer(telegram, sticker)


async def test_the_bot_keeps_serving_after_bad_input(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    bad = telegram.send_document(
        ALICE, ALICE, b"\xff\xd8\xff garbage", file_name="x.jpg", mime_type="image/jpeg"
    )
    await answer(telegram, bad)
    good = telegram.send_photo(BOB, BOB, smiley("smile"), caption="/label smile")
    assert await reaction(telegram, good) == ["👍"]


async def test_download_limit_is_checked_before_downloading(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    async with running(with_limits(config, max_download_bytes=1000)):
        sent = telegram.send_document(
            ALICE, ALICE, smiley("smile", size=400), file_name="a.png", mime_type="image/png"
        )
        assert "too big: the limit is 0.001 MB" in await answer(telegram, sent)
    assert not [call for call in telegram.calls if call.method == "getFile"]


async def test_failed_download_asks_to_send_again(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.fail_next(
        "getFile",
        status=400,
        description="Bad Request: wrong file_id or the file is temporarily unavailable",
    )
    sent = telegram.send_photo(ALICE, ALICE, smiley("smile"))
    assert "Please send it again" in await answer(telegram, sent)


async def test_uploads_per_minute_are_limited_with_a_time_to_wait(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    async with running(with_limits(config, uploads_per_user_per_minute=2)):
        for _ in range(2):
            await answered(telegram, telegram.send_photo(ALICE, ALICE, smiley("smile")))
        third = telegram.send_photo(ALICE, ALICE, smiley("smile"))
        text = await answer(telegram, third, contains="Slow down")
        assert "at most 2 images a minute. Try again in" in text


async def test_samples_per_chat_are_limited(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    async with running(with_limits(config, max_samples_per_chat=1)):
        await reaction(
            telegram, telegram.send_photo(ALICE, ALICE, smiley("smile"), caption="/label smile")
        )
        second = telegram.send_photo(ALICE, ALICE, smiley("sad"), caption="/label sad")
        assert "reached its limit of 1 images" in await answer(telegram, second, contains="limit")


@pytest.mark.parametrize("chat_id", [ALICE, GROUP])
async def test_thirty_quick_photos_are_all_acknowledged_without_a_429(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley, chat_id: int
) -> None:
    if chat_id == GROUP:
        telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    images = [smiley(label) for label in ("smile", "sad", "neutral") for _ in range(10)]
    sent = [telegram.send_photo(chat_id, ALICE, image, caption="/label smile") for image in images]
    for message in sent:
        await telegram.wait_for(is_reaction_on(message), timeout=20)
        assert telegram.reactions(chat_id, message["message_id"]) == ["👍"]
    assert telegram.errors(429) == []
