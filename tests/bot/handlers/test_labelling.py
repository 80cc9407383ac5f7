"""End to end: the three labelling flows, albums, files and stickers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.app import BotApplication
from bot.config import Config
from bot.playground.fakeserver import FakeTelegram
from tests.bot.conftest import ALICE, BOB, GROUP, answer, answered, reaction, running, with_limits

Smiley = Callable[..., bytes]


async def labels_text(telegram: FakeTelegram, chat_id: int, user_id: int = ALICE) -> str:
    sent = telegram.send_text(chat_id, user_id, "/labels")
    return await answer(telegram, sent, contains="")


async def test_photo_captioned_label_is_stored_and_acknowledged(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    photo = telegram.send_photo(
        ALICE, ALICE, smiley("smile", style="paper", fmt="JPEG"), caption="/label Smile"
    )
    assert await reaction(telegram, photo) == ["👍"]
    assert "• smile: 1" in await labels_text(telegram, ALICE)


async def test_reply_labels_an_earlier_image_and_relabels_it(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    photo = telegram.send_photo(ALICE, ALICE, smiley("sad"))
    assert "Tap the right label below, or reply /label <name>." in await answer(telegram, photo)

    first = telegram.send_text(ALICE, ALICE, "/label sad", reply_to=photo["message_id"])
    assert "Labelled as sad" in await answer(telegram, first)
    second = telegram.send_text(ALICE, ALICE, "/label smile", reply_to=photo["message_id"])
    assert "Relabelled from sad to smile" in await answer(telegram, second)
    text = await labels_text(telegram, ALICE)
    assert "• smile: 1" in text and "sad" not in text


async def test_label_right_after_labels_that_users_latest_image(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    # An admin bot sees every message, privacy mode or not.
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    alices = telegram.send_photo(GROUP, ALICE, smiley("neutral"))
    await answered(telegram, alices)
    bobs = telegram.send_photo(GROUP, BOB, smiley("smile"))
    await answered(telegram, bobs)

    command = telegram.send_text(GROUP, ALICE, "/label neutral")
    assert "Labelled as neutral" in await answer(telegram, command)
    # Bob's image is still unlabelled: Alice's /label took Alice's image.
    text = await labels_text(telegram, GROUP)
    assert "• neutral: 1" in text and "Unlabelled images: 1" in text


async def test_label_with_nothing_recent_explains_what_to_do(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    async with running(with_limits(config, label_window_minutes=0.002)):
        photo = telegram.send_photo(ALICE, ALICE, smiley("sad"))
        await answered(telegram, photo)
        await asyncio.sleep(0.3)  # past the 0.12 s window
        command = telegram.send_text(ALICE, ALICE, "/label sad")
        assert "no unlabelled image of yours" in await answer(telegram, command)


async def test_album_caption_labels_every_image(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    album = [
        telegram.send_photo(
            ALICE, ALICE, smiley("smile"), media_group_id="album-1", caption=caption
        )
        for caption in ("/label smile", None, None)
    ]
    for message in album:
        assert await reaction(telegram, message) == ["👍"]
    assert "• smile: 3" in await labels_text(telegram, ALICE)


async def test_label_after_an_album_labels_the_whole_album(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    album = [
        telegram.send_photo(ALICE, ALICE, smiley("sad"), media_group_id="a2") for _ in range(3)
    ]
    for message in album:
        await answered(telegram, message)
    command = telegram.send_text(ALICE, ALICE, "/label sad")
    assert "Labelled 3 images as sad" in await answer(telegram, command)


async def test_image_files_and_static_stickers_are_samples(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    png = telegram.send_document(
        ALICE,
        ALICE,
        smiley("smile"),
        file_name="smile.png",
        mime_type="image/png",
        caption="/label smile",
    )
    assert await reaction(telegram, png) == ["👍"]
    webp = telegram.send_document(
        ALICE,
        ALICE,
        smiley("sad", style="transparent", fmt="WEBP"),
        file_name="sad.webp",
        mime_type="image/webp",
        caption="/label sad",
    )
    assert await reaction(telegram, webp) == ["👍"]
    sticker = telegram.send_sticker(ALICE, ALICE, smiley("neutral", fmt="WEBP", size=512))
    assert "%" in await answer(telegram, sticker)  # an unlabelled image gets a prediction
    command = telegram.send_text(ALICE, ALICE, "/label neutral", reply_to=sticker["message_id"])
    assert "Labelled as neutral" in await answer(telegram, command, contains="Labelled")
    text = await labels_text(telegram, ALICE)
    assert all(f"• {name}: 1" in text for name in ("smile", "sad", "neutral"))


async def test_reply_to_an_image_the_bot_never_saw_stores_it(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    # Privacy mode (the default) hides plain photos in groups from the bot.
    telegram.add_chat(GROUP, type="group", title="Class 4b")
    photo = telegram.send_photo(GROUP, ALICE, smiley("smile"))
    command = telegram.send_text(GROUP, BOB, "/label smile", reply_to=photo["message_id"])
    assert "Labelled as smile" in await answer(telegram, command)
    assert "• smile: 1" in await labels_text(telegram, GROUP)


async def test_invalid_caption_label_keeps_the_image_unlabelled_and_states_the_rule(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    photo = telegram.send_photo(ALICE, ALICE, smiley("smile"), caption="/label happy face")
    text = await answer(telegram, photo, contains="not a valid label")
    assert "/label happy-face" in text
    assert "saved without a label" in text
    command = telegram.send_text(ALICE, ALICE, "/label " + "x" * 40)
    assert "1–32 letters, digits, - or _" in await answer(telegram, command, contains="1–32")
    assert "Unlabelled images: 1" in await labels_text(telegram, ALICE)


async def test_resending_the_same_image_is_not_stored_twice(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    image = smiley("smile")
    first = telegram.send_photo(ALICE, ALICE, image, caption="/label smile")
    await reaction(telegram, first)
    again = telegram.send_photo(ALICE, ALICE, image, caption="/label smile")
    assert "already have this image" in await answer(telegram, again)
    assert "• smile: 1" in await labels_text(telegram, ALICE)


async def test_too_many_labels_is_refused_with_the_limit(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    async with running(with_limits(config, max_labels_per_chat=2)):
        for name in ("smile", "sad"):
            await reaction(
                telegram, telegram.send_photo(ALICE, ALICE, smiley(name), caption=f"/label {name}")
            )
        third = telegram.send_photo(ALICE, ALICE, smiley("neutral"), caption="/label neutral")
        assert "already has 2 labels" in await answer(telegram, third)


async def test_notices_still_waiting_when_the_bot_stops_are_sent(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    telegram.add_chat(
        GROUP,
        type="group",
        title="No reactions",
        admins=[ALICE, telegram.bot_id],
        reactions_enabled=False,
    )
    async with running(config):
        first = telegram.send_photo(GROUP, ALICE, smiley("smile"), caption="/label smile")
        await telegram.wait_for_message(GROUP, after_message_id=first["message_id"])
        telegram.send_photo(GROUP, ALICE, smiley("sad"), caption="/label sad")
        # Stored at once; its notice waits out the group's cooldown when the bot stops.
        await asyncio.sleep(0.5)
    texts = [message["text"] for message in telegram.bot_messages(GROUP)]
    assert any("sad" in text for text in texts), texts
