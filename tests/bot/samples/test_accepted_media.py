"""Choosing the file to download, and refusing media we don't accept."""

from __future__ import annotations

import datetime as dt

import pytest
from telegram import Animation, Chat, Document, Message, PhotoSize, Sticker, Video

from bot.samples.accepted_media import UnsupportedMedia, find_image, pick_photo_size

CHAT = Chat(1, "private")
DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def sizes(*dims: tuple[int, int]) -> list[PhotoSize]:
    return [PhotoSize(f"id{w}", f"u{w}", w, h) for w, h in dims]


@pytest.mark.parametrize(
    ("dims", "expected_width"),
    [
        (((90, 68), (320, 240), (800, 600), (1280, 960)), 320),
        (((68, 90), (240, 320), (600, 800), (960, 1280)), 240),  # portrait: longer side counts
        (((1280, 960), (90, 68), (800, 600), (320, 240)), 320),  # order does not matter
        (((90, 60), (300, 200)), 300),  # nothing reaches 320: the largest
        (((90, 40), (320, 142), (700, 311)), 320),
    ],
)
def test_smallest_size_of_at_least_320_px_else_the_largest(
    dims: tuple[tuple[int, int], ...], expected_width: int
) -> None:
    assert pick_photo_size(sizes(*dims)).width == expected_width


def message(**fields: object) -> Message:
    return Message(1, DATE, CHAT, **fields)  # type: ignore[arg-type]


def test_photo_document_and_static_sticker_are_images() -> None:
    assert find_image(message(photo=sizes((90, 90), (320, 320)))).kind == "photo"  # type: ignore[union-attr]
    png = Document("d", "ud", file_name="face.png", mime_type="image/png")
    assert find_image(message(document=png)).kind == "document"  # type: ignore[union-attr]
    nameless = Document("d", "ud", file_name="scan.HEIC")
    assert find_image(message(document=nameless)).kind == "document"  # type: ignore[union-attr]
    sticker = Sticker("s", "us", 512, 512, False, False, Sticker.REGULAR)
    assert find_image(message(sticker=sticker)).kind == "sticker"  # type: ignore[union-attr]


def test_plain_text_has_no_image() -> None:
    assert find_image(message(text="hello")) is None


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({"video": Video("v", "uv", 10, 10, 1)}, "video"),
        (
            {
                "animation": Animation("a", "ua", 10, 10, 1),
                "document": Document("a", "ua", mime_type="video/mp4"),
            },
            "gif",
        ),
        (
            {"sticker": Sticker("s", "us", 512, 512, True, False, Sticker.REGULAR)},
            "animated_sticker",
        ),
        (
            {"sticker": Sticker("s", "us", 512, 512, False, True, Sticker.REGULAR)},
            "animated_sticker",
        ),
        ({"document": Document("d", "ud", file_name="x.pdf", mime_type="application/pdf")}, "pdf"),
        ({"document": Document("d", "ud", file_name="notes.txt", mime_type="text/plain")}, "file"),
        ({"document": Document("d", "ud", file_name="a.gif", mime_type="image/gif")}, "gif"),
    ],
)
def test_other_media_is_refused_by_name(fields: dict[str, object], kind: str) -> None:
    with pytest.raises(UnsupportedMedia) as caught:
        find_image(message(**fields))
    assert caught.value.kind == kind
