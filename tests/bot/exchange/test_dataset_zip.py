"""End to end: /export sends the chat's dataset as a zip, /import checks and merges one."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import stat
import struct
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from bot.app import BotApplication
from bot.config import Config, LimitsConfig
from bot.exchange.dataset_zip import ArchiveRejected, ImportLimits, read_archive
from bot.playground.fakeserver import FakeTelegram
from model.serving import PREPROCESS_VERSION
from tests.bot.conftest import ALICE, BOB, GROUP, answer, answered, reaction, running, with_limits

Smiley = Callable[..., bytes]
OTHER_GROUP = -5002


async def store(
    telegram: FakeTelegram, chat_id: int, smiley: Smiley, label: str | None, **style: Any
) -> None:
    caption = f"/label {label}" if label else None
    sent = telegram.send_photo(chat_id, ALICE, smiley(label or "neutral", **style), caption=caption)
    if label:
        await reaction(telegram, sent)
    else:
        await answered(telegram, sent)  # a prediction


async def export(telegram: FakeTelegram, chat_id: int) -> tuple[dict[str, Any], bytes]:
    """Send /export and return the bot's document message and the zip's bytes."""
    command = telegram.send_text(chat_id, ALICE, "/export")
    sent = await telegram.wait_for_message(chat_id, after_message_id=command["message_id"])
    assert "document" in sent, sent
    return sent, telegram.media_bytes(sent)


def send_zip(
    telegram: FakeTelegram,
    chat_id: int,
    data: bytes,
    *,
    user: int = ALICE,
    caption: str = "/import",
) -> dict[str, Any]:
    return telegram.send_document(
        chat_id, user, data, file_name="smileys.zip", mime_type="application/zip", caption=caption
    )


def make_zip(entries: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


async def sample_count(application: BotApplication, chat_id: int) -> int:
    return await application.bot_data.repo.samples.count(chat_id)


async def test_export_sends_one_folder_per_label_and_a_manifest_without_secrets(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_chat(
        GROUP, type="group", title="Smiley Workshop!", admins=[ALICE, telegram.bot_id]
    )
    empty = await answer(telegram, telegram.send_text(GROUP, ALICE, "/export"))
    assert "nothing to export" in empty
    for label in ("smile", "smile", "sad", None):
        await store(telegram, GROUP, smiley, label)

    message, data = await export(telegram, GROUP)

    assert message["document"]["file_name"].startswith("smileys-Smiley-Workshop-")
    assert "4 images, 2 labels" in message["caption"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        pngs = {name: archive.read(name) for name in names if name != "manifest.json"}
    assert sorted(name.split("/")[0] for name in pngs) == ["sad", "smile", "smile", "unlabelled"]
    assert manifest["format"] == "smiley-bot-dataset" and manifest["version"] == 1
    assert manifest["labels"] == {"sad": 1, "smile": 2} and manifest["unlabelled"] == 1
    described = {entry["path"]: entry for entry in manifest["images"]}
    assert set(described) == set(pngs)
    for path, png in pngs.items():
        entry = described[path]
        assert entry["sha256"] == hashlib.sha256(png).hexdigest()
        assert entry["label"] == (None if path.startswith("unlabelled/") else path.split("/")[0])
        assert entry["preprocess_version"] == PREPROCESS_VERSION
        assert entry["created_at"].endswith("Z")
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG" and image.mode == "L" and max(image.size) <= 256
    secret = telegram.token.split(":", 1)[1]
    assert secret.encode() not in data and str(ALICE).encode() not in manifest_bytes(data)


def manifest_bytes(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("manifest.json")


async def test_import_merges_an_export_into_another_chat_and_skips_it_the_second_time(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    for label in ("smile", "smile", "sad", None):
        await store(telegram, ALICE, smiley, label)
    _, data = await export(telegram, ALICE)
    telegram.add_chat(OTHER_GROUP, type="group", title="Other", admins=[ALICE])

    sent = send_zip(telegram, OTHER_GROUP, data)
    summary = await answer(telegram, sent)
    assert summary.startswith("Imported 4 images.")
    assert "• sad: 1" in summary and "• smile: 2" in summary
    assert "without a label: 1" in summary and "/train" in summary
    labels = await answer(telegram, telegram.send_text(OTHER_GROUP, ALICE, "/labels"))
    assert "• sad: 1" in labels and "• smile: 2" in labels and "Unlabelled images: 1" in labels

    # The same zip again, as /import replying to it: everything is already here.
    again = telegram.send_text(OTHER_GROUP, ALICE, "/import", reply_to=sent["message_id"])
    second = await answer(telegram, again)
    assert "No new images imported." in second and "Skipped 4 already" in second
    # Back into the chat it came from: the uploaded photos are recognised by their content.
    home = await answer(telegram, send_zip(telegram, ALICE, data))
    assert "Skipped 4 already" in home
    assert await sample_count(bot, OTHER_GROUP) == 4 and await sample_count(bot, ALICE) == 4


async def test_import_reads_any_folder_layout_and_lists_what_it_refused(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    entries = {
        "my-set/Smile/a.png": smiley("smile"),  # the folder's name is the label, normalised
        "my-set/Smile/b.jpg": smiley("smile", fmt="JPEG"),
        "top.png": smiley("sad"),  # no folder: no label
        "__MACOSX/my-set/._a.png": b"resource fork",
        "my-set/.DS_Store": b"junk",
        "manifest.json": b"{}",
        "bad label!/c.png": smiley("sad"),
        "sad/notes.png": b"not an image at all",
    }
    summary = await answer(telegram, send_zip(telegram, ALICE, make_zip(entries)))

    assert "Imported 3 images." in summary and "• smile: 2" in summary
    assert "without a label: 1" in summary
    assert "Refused 2:" in summary
    assert "bad label!/c.png: its folder is no valid label" in summary
    assert "sad/notes.png: not an image" in summary
    assert await sample_count(bot, ALICE) == 3


def _lie_about_size(data: bytes, size: int) -> bytes:
    """Rewrite the central directory's uncompressed size of the only entry."""
    at = data.rfind(b"PK\x01\x02")
    return data[: at + 24] + struct.pack("<I", size) + data[at + 28 :]


def _symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("smile/link.png")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


HOSTILE: dict[str, tuple[Callable[[Smiley], bytes], str]] = {
    "path traversal": (
        lambda smiley: make_zip({"smile/../../evil.png": smiley("smile")}),
        "contains “smile/../../evil.png”",
    ),
    "absolute path": (lambda smiley: make_zip({"/tmp/a.png": smiley()}), "contains “/tmp/a.png”"),
    "backslash": (
        lambda smiley: make_zip({"smile\\..\\a.png": smiley()}),
        "contains “smile\\..\\a.png”",
    ),
    "drive letter": (lambda smiley: make_zip({"C:/a.png": smiley()}), "contains “C:/a.png”"),
    "symlink": (lambda smiley: _symlink_zip(), "contains “smile/link.png”"),
    "zip bomb by ratio": (
        lambda smiley: make_zip({"smile/bomb.png": bytes(5_000_000)}),
        "zip bomb",
    ),
    "declared huge": (
        lambda smiley: _lie_about_size(make_zip({"smile/a.png": smiley()}), 2**31),
        "unpacks to too much",
    ),
    "declared small": (
        lambda smiley: _lie_about_size(make_zip({"smile/a.png": smiley()}), 100),
        "damaged, or packed in a way I can't read",
    ),
    "non-image named png": (
        lambda smiley: make_zip({"smile/a.png": b"\x89PNG but not really"}),
        "not an image",
    ),
    "too many entries": (
        lambda smiley: make_zip({f"smile/{n}.png": b"x" for n in range(6)}),
        "holds 6 files; at most 5",
    ),
    "not a zip": (lambda smiley: b"PK\x03\x04 this is not really a zip", "not a zip archive"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
async def test_a_hostile_zip_gets_a_clear_reply_and_stores_nothing(
    telegram: FakeTelegram, config: Config, smiley: Smiley, case: str
) -> None:
    build, expected = HOSTILE[case]
    async with running(with_limits(config, max_samples_per_chat=5)) as application:
        reply = await answer(telegram, send_zip(telegram, ALICE, build(smiley)))
        assert expected in reply
        assert await sample_count(application, ALICE) == 0
        assert telegram.token not in reply


async def test_only_group_admins_may_import_by_caption_or_reply(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE])
    data = make_zip({"smile/a.png": smiley("smile")})

    sent = send_zip(telegram, GROUP, data, user=BOB)
    assert "Only this group's admins can use /import" in await answer(telegram, sent)
    replied = telegram.send_text(GROUP, BOB, "/import", reply_to=sent["message_id"])
    assert "Only this group's admins can use /import" in await answer(telegram, replied)
    assert await sample_count(bot, GROUP) == 0

    admin = telegram.send_text(GROUP, ALICE, "/import", reply_to=sent["message_id"])
    assert "Imported 1 images." in await answer(telegram, admin)
    assert await sample_count(bot, GROUP) == 1


async def test_import_without_a_zip_explains_how(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    text = await answer(telegram, telegram.send_text(ALICE, ALICE, "/import"))
    assert "with the caption /import" in text
    # A zip sent without the caption is no image; the refusal says what to do instead.
    empty_zip = io.BytesIO()
    zipfile.ZipFile(empty_zip, "w").close()
    sent = telegram.send_document(
        ALICE, ALICE, empty_zip.getvalue(), file_name="smileys.zip", mime_type="application/zip"
    )
    text = await answer(telegram, sent)
    assert "a .zip file" in text and "send it with the caption /import" in text


async def test_a_too_large_or_lost_download_is_told_and_no_log_shows_the_token(
    telegram: FakeTelegram, config: Config, smiley: Smiley, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data = make_zip({"smile/a.png": smiley("smile")})
    async with running(with_limits(config, max_download_bytes=len(data) - 1)):
        too_big = await answer(telegram, send_zip(telegram, ALICE, data))
        assert "too big: the limit is" in too_big
    async with running(config) as application:
        telegram.fail_next("getFile", status=403, description="Forbidden: not for you")
        lost = await answer(telegram, send_zip(telegram, ALICE, data))
        assert "couldn't download that file" in lost
        bad = await answer(telegram, send_zip(telegram, ALICE, b"no zip"))
        assert "not a zip" in bad
        assert await sample_count(application, ALICE) == 0
    # Our own modules' records (httpx's are silenced by bot.logsetup in production).
    ours = [r for r in caplog.records if r.name.startswith(("bot.", "storage."))]
    assert any("download of" in r.getMessage() for r in ours)
    assert any("import refused (not_a_zip)" in r.getMessage() for r in ours)
    secret = telegram.token.split(":", 1)[1]
    assert not [r for r in ours if secret in r.getMessage() or secret in (r.exc_text or "")]


async def test_an_export_over_telegrams_upload_cap_is_explained_not_sent(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store(telegram, ALICE, smiley, "smile")
    stored = await bot.bot_data.repo.datasets.source_png_bytes(ALICE)
    # First the stored images alone are over the cap, then only the zip around them is.
    for cap in (stored - 1, stored):
        monkeypatch.setattr("bot.handlers.exporting.TELEGRAM_UPLOAD_CAP", cap)
        text = await answer(telegram, telegram.send_text(ALICE, ALICE, "/export"))
        assert "I can send at most" in text
    assert not [m for m in telegram.bot_messages(ALICE) if "document" in m]


def test_a_zip64_end_record_declaring_a_million_entries_is_refused_before_parsing() -> None:
    plain = make_zip({"smile/a.png": b"x"})
    end = plain.rfind(b"PK\x05\x06")
    directory_size, directory_offset = struct.unpack_from("<II", plain, end + 12)
    zip64_end = struct.pack(
        "<4sQHHIIQQQQ",
        b"PK\x06\x06",
        44,
        45,
        45,
        0,
        0,
        10**6,
        10**6,
        directory_size,
        directory_offset,
    )
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, end, 1)
    end_record = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0
    )
    data = plain[:end] + zip64_end + locator + end_record
    limits = ImportLimits.from_config(LimitsConfig())

    with pytest.raises(ArchiveRejected) as refused:
        read_archive(data, limits)
    assert (refused.value.reason, refused.value.detail) == ("too_many_entries", "1000000")
    # The same archive declaring its real single entry is read as usual.
    honest = data.replace(struct.pack("<QQ", 10**6, 10**6), struct.pack("<QQ", 1, 1))
    assert [r.reason for r in read_archive(honest, limits).refused] == ["not_an_image"]


def test_imported_images_say_whether_they_are_photos(smiley: Smiley) -> None:
    data = make_zip(
        {
            "happy/1.jpg": smiley("smile", style="paper", fmt="JPEG"),
            "sad/2.png": smiley("sad"),
        }
    )

    checked = read_archive(data, ImportLimits.from_config(LimitsConfig()))

    assert [(item.label, item.photographed) for item in checked.items] == [
        ("happy", True),
        ("sad", False),
    ]
