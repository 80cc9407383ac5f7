"""End to end: a catalogue of broken, hostile and unusual input, each with the one outcome it gets.

Every row sends one bad input through the real Application and names what must follow: a
specific reply, a reaction (stored), or silence on purpose. After every row the same checks
run: the fake server saw no failed call and no spec violation, nothing reached the error
handler (no ERROR log, no "something went wrong" reply), no control or direction character
was echoed, and the bot still answers a bystander in another chat.

One server and one bot serve the whole table, each row in chats of its own: a bad input
must not hurt the rows that come after it, and the table runs in seconds rather than paying
a bot start and stop per row.
"""

from __future__ import annotations

import functools
import io
import logging
import unicodedata
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pytest
import pytest_asyncio
from PIL import Image, ImageDraw

from bot.app import BotApplication
from bot.config import Config, StorageConfig, TelegramConfig
from bot.playground.fakeserver import SPEC_PATH, ApiCall, FakeTelegram
from bot.texts import t
from model.serving import prepare_sample
from model.synthetic import draw_smiley
from model.synthetic.faces import random_face
from model.synthetic.rendering import render_face
from tests.bot.conftest import TEST_TRAINING, is_reaction_on, running
from tests.model.conftest import grey_png, png_bomb

pytestmark = pytest.mark.asyncio(loop_scope="module")

Message = dict[str, Any]

LABEL = "/label smile"
MAX_PIXELS = 40_000_000  # the bot's default limit
EN = "en"  # every user of the table writes in English


# --- images ---------------------------------------------------------------------------------


@functools.cache
def drawing() -> Image.Image:
    """Return one fixed smiley drawing, RGB."""
    return draw_smiley("smile", np.random.default_rng(42), "digital", 160)


def encoded(image: Image.Image, fmt: str = "PNG", **params: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def smiley_png() -> bytes:
    return encoded(drawing())


def truncated(fmt: str) -> bytes:
    whole = encoded(drawing(), fmt)
    return whole[: len(whole) * 6 // 10]


def damaged_png() -> bytes:
    data = bytearray(smiley_png())
    start = data.index(b"IDAT") + 4
    data[start + 10 : start + 60] = bytes(50)  # garbage in the deflate stream, CRC now wrong
    return bytes(data)


def blank(width: int, height: int) -> bytes:
    return encoded(Image.new("L", (width, height), 255))


def faint_drawing() -> bytes:
    """The fixed drawing at a twenty-fifth of its darkness: a pencil pressed too lightly."""
    grey = np.asarray(drawing().convert("L"), dtype=np.float32)
    return encoded(Image.fromarray(np.round(255 - (255 - grey) * 0.04).astype(np.uint8)))


def empty_sheet_photo() -> bytes:
    """A photo of a sheet of paper on a table, nothing drawn on it."""
    rng = np.random.default_rng(42)
    empty = replace(random_face("smile", rng), strokes=())
    return encoded(render_face(empty, rng, "paper", 256).convert("RGB"), "JPEG", quality=90)


def animation(fmt: str) -> bytes:
    frames = [Image.new("RGB", (64, 64), (60 * index, 100, 200)) for index in range(3)]
    return encoded(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)


def cmyk_jpeg() -> bytes:
    return encoded(drawing().convert("CMYK"), "JPEG", quality=95)


def sixteen_bit_png() -> bytes:
    return encoded(Image.fromarray(np.asarray(drawing().convert("L"), dtype=np.uint16) * 257))


def palette_png() -> bytes:
    """Return a palette smiley whose background is transparent."""
    image = Image.new("P", (96, 96), 0)
    image.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 86, 86), outline=1, width=4)
    draw.ellipse((30, 32, 38, 40), fill=1)
    draw.ellipse((58, 32, 66, 40), fill=1)
    draw.arc((28, 40, 68, 72), 20, 160, fill=1, width=4)
    return encoded(image, transparency=0)


EXIF_ORIENTATION = 0x0112
ROTATE_90_CW = 6  # the stored pixels must be turned 90 degrees clockwise to be upright


def sideways() -> Image.Image:
    return drawing().transpose(Image.Transpose.ROTATE_90)


def exif_rotated_jpeg() -> bytes:
    """Return the drawing as a camera stores it: pixels sideways, an EXIF tag to fix them."""
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = ROTATE_90_CW
    return encoded(sideways(), "JPEG", quality=95, exif=exif.tobytes())


# --- where a row plays ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scene:
    """A row's own people and chats, so that no row sees another's data."""

    telegram: FakeTelegram
    user: int  # sends the bad input; their private chat has the same id
    friend: int  # another member of the groups
    bystander: int  # must still be answered in their private chat afterwards
    privacy_group: int  # the bot is a plain member: privacy mode hides plain messages
    admin_group: int  # the bot is an admin: it sees every message
    channel: int

    @classmethod
    def create(cls, telegram: FakeTelegram, number: int) -> Scene:
        base = 100_000 + 10 * number
        scene = cls(telegram, base, base + 1, base + 2, -base, -base - 1, -1_000_000_000 - base)
        for user_id, name in ((scene.user, "Alice"), (scene.friend, "Bob")):
            telegram.add_user(user_id, name)
        telegram.add_user(scene.bystander, "Carol")
        bot = telegram.bot_id
        telegram.add_chat(scene.privacy_group, type="group", title="Class", admins=[scene.user])
        telegram.add_chat(scene.admin_group, type="group", title="Club", admins=[scene.user, bot])
        telegram.add_chat(scene.channel, type="channel", title="News", admins=[scene.user, bot])
        return scene

    def chat(self, where: str) -> int:
        """Return the chat named "private" (the user's), "privacy_group" or "admin_group"."""
        return self.user if where == "private" else int(getattr(self, where))


Prepare = Callable[[Scene], Awaitable[Message]]
Act = Callable[[Scene, Message | None], Message]


def doc(make: Callable[[], bytes], name: str, mime: str | None, caption: str | None = LABEL) -> Act:
    """The user sends ``make()`` as a file in their private chat."""
    return lambda s, _: s.telegram.send_document(
        s.user, s.user, make(), file_name=name, mime_type=mime, caption=caption
    )


def photo(make: Callable[[], bytes], caption: str | None = LABEL) -> Act:
    """The user sends ``make()`` as a photo (Telegram re-encodes it as JPEG sizes)."""
    return lambda s, _: s.telegram.send_photo(s.user, s.user, make(), caption=caption)


def sticker(make: Callable[[], bytes]) -> Act:
    """The user sends ``make()`` as a static sticker."""
    return lambda s, _: s.telegram.send_sticker(s.user, s.user, make())


def say(body: str, where: str = "private") -> Act:
    """The user sends text in their private chat, "privacy_group" or "admin_group"."""

    def act(s: Scene, _: Message | None) -> Message:
        return s.telegram.send_text(s.chat(where), s.user, body)

    return act


def anonymous(body: str, where: str = "private") -> Act:
    """A text without any sender reaches the user's private chat or one of the groups."""

    def act(s: Scene, _: Message | None) -> Message:
        return s.telegram.send_message(s.chat(where), None, text=body)

    return act


def reply(body: str) -> Act:
    """The user replies ``body`` to the prepared message, in its chat."""

    def act(s: Scene, earlier: Message | None) -> Message:
        assert earlier is not None
        chat_id = earlier["chat"]["id"]
        return s.telegram.send_text(chat_id, s.user, body, reply_to=earlier["message_id"])

    return act


def edit(body: str) -> Act:
    """The prepared message is edited to ``body``."""

    def act(s: Scene, earlier: Message | None) -> Message:
        assert earlier is not None
        return s.telegram.edit_user_message(earlier["chat"]["id"], earlier["message_id"], body)

    return act


def post(s: Scene, _: Message | None) -> Message:
    """The channel posts a command."""
    return s.telegram.post_in_channel(s.channel, "/help")


def forward_from_user(s: Scene, original: Message | None) -> Message:
    """The user forwards the friend's photo from the group to the bot."""
    assert original is not None
    origin = {"type": "user", "date": original["date"], "sender_user": original["from"]}
    return s.telegram.send_message(s.user, s.user, photo=original["photo"], forward_origin=origin)


def forward_from_channel(s: Scene, _: Message | None) -> Message:
    """The user forwards a channel's image file, captioned /label smile, to the bot."""
    stored = s.telegram.upload(smiley_png(), file_name="smile.png", mime_type="image/png")
    file = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": "smile.png",
        "mime_type": "image/png",
        "file_size": stored.size,
    }
    channel = s.telegram.world.chats[s.channel].as_chat()
    origin = {"type": "channel", "date": 1_700_000_000, "chat": channel, "message_id": 7}
    return s.telegram.send_message(
        s.user, s.user, document=file, caption=LABEL, forward_origin=origin
    )


def photo_without_sender(s: Scene, original: Message | None) -> Message:
    """A photo reaches the admin group with no sender at all."""
    assert original is not None
    return s.telegram.send_message(s.admin_group, None, photo=original["photo"])


def gif_as_animation(s: Scene, _: Message | None) -> Message:
    """An animated GIF as Telegram delivers it: an animation and a document."""
    stored = s.telegram.upload(animation("GIF"), kind="animation", mime_type="image/gif")
    ids = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    return s.telegram.send_message(
        s.user,
        s.user,
        animation={**ids, "width": 64, "height": 64, "duration": 1},
        document={**ids, "file_name": "smile.gif", "mime_type": "image/gif"},
    )


async def answered_text(s: Scene) -> Message:
    """Prepare: the user's plain text, already answered with the hint."""
    sent = s.telegram.send_text(s.user, s.user, "hello")
    await s.telegram.wait_for_message(s.user, after_message_id=sent["message_id"])
    return sent


async def channel_post(s: Scene) -> Message:
    """Prepare: a post in the channel, which the bot ignores."""
    return s.telegram.post_in_channel(s.channel, "/labels")


async def unseen_group_photo(s: Scene) -> Message:
    """Prepare: the friend's photo in the privacy-mode group, hidden from the bot."""
    return s.telegram.send_photo(s.privacy_group, s.friend, encoded(drawing(), "JPEG"))


# --- what must follow -----------------------------------------------------------------------


class Outcome(Protocol):
    async def check(self, telegram: FakeTelegram, bot: BotApplication, sent: Message) -> None:
        """Wait for the outcome of ``sent`` and check it."""


@dataclass(frozen=True)
class Reply:
    """The bot answers in the same chat with a message containing ``text``."""

    text: str

    async def check(self, telegram: FakeTelegram, bot: BotApplication, sent: Message) -> None:
        await telegram.wait_for_message(
            sent["chat"]["id"], after_message_id=sent["message_id"], contains=self.text
        )


@dataclass(frozen=True)
class Reaction:
    """The bot reacts to the message with ``emoji``: it is stored as a sample."""

    emoji: str

    async def check(self, telegram: FakeTelegram, bot: BotApplication, sent: Message) -> None:
        await telegram.wait_for(is_reaction_on(sent))
        assert telegram.reactions(sent["chat"]["id"], sent["message_id"]) == [self.emoji]


@dataclass(frozen=True)
class Ignored:
    """No reply on purpose; the driver proves the silence against a bystander's answer."""

    async def check(self, telegram: FakeTelegram, bot: BotApplication, sent: Message) -> None:
        return None


@dataclass(frozen=True)
class StoredUpright:
    """Labelled, and the stored model input is the upright drawing's: EXIF was honoured."""

    async def check(self, telegram: FakeTelegram, bot: BotApplication, sent: Message) -> None:
        await LABELLED.check(telegram, bot, sent)
        repo = bot.bot_data.repo
        chat_id = sent["chat"]["id"]
        sample = await repo.samples.for_message(chat_id, sent["message_id"])
        assert sample is not None
        stored = await repo.samples.model_input(chat_id, sample.id)
        assert stored is not None
        upright = prepare_sample(smiley_png(), max_pixels=MAX_PIXELS).model_input
        as_stored = prepare_sample(encoded(sideways()), max_pixels=MAX_PIXELS).model_input
        assert similarity(stored, upright) > 0.9
        assert similarity(stored, upright) > similarity(stored, as_stored) + 0.2


def similarity(first: bytes, second: bytes) -> float:
    a, b = (np.frombuffer(pixels, np.uint8).astype(np.float64) for pixels in (first, second))
    return float(np.corrcoef(a, b)[0, 1])


def said(key: str, **values: Any) -> Reply:
    """Expect the catalogue's text ``key``, filled in."""
    return Reply(t(key, EN, **values))


def kept(problem: str) -> Reply:
    """Expect a caption's label problem, and that the image was kept without a label."""
    return Reply(problem + "\n" + t("label.kept_unlabelled", EN))


LABELLED = Reaction("👍")
IGNORED = Ignored()
GIF = t("media.gif", EN)
HOSTILE_EXTENSION = "\ufffdgnp" + "x" * 36 + "…"  # the direction mark shown, the rest cut
PARAMETERS = "one of epochs, learning_rate, batch_size, architecture, validation, start, builtin"


@dataclass(frozen=True)
class Case:
    name: str
    act: Act
    outcome: Outcome
    prepare: Prepare | None = None


# fmt: off
CASES = [
    # broken or hostile images
    Case("truncated-jpeg", doc(lambda: truncated("JPEG"), "a.jpg", "image/jpeg"),
         said("reject.corrupt")),
    Case("truncated-png", doc(lambda: truncated("PNG"), "a.png", "image/png"),
         said("reject.corrupt")),
    Case("truncated-webp", doc(lambda: truncated("WEBP"), "a.webp", "image/webp"),
         said("reject.corrupt")),
    Case("jpeg-signature-then-garbage",
         doc(lambda: b"\xff\xd8\xff" + bytes(range(256)) * 4, "a.jpg", "image/jpeg"),
         said("reject.corrupt")),
    Case("png-with-damaged-pixel-data", doc(damaged_png, "a.png", "image/png"),
         said("reject.corrupt")),
    Case("webp-header-then-garbage",
         doc(lambda: b"RIFF\x40\0\0\0WEBPVP8 " + b"\x13" * 60, "a.webp", "image/webp"),
         said("reject.corrupt")),
    Case("truncated-webp-sticker", sticker(lambda: truncated("WEBP")), said("reject.corrupt")),
    Case("0-byte-png", doc(lambda: b"", "a.png", "image/png"), said("reject.empty")),
    Case("0-byte-jpeg-uncaptioned", doc(lambda: b"", "a.jpg", "image/jpeg", None),
         said("reject.empty")),
    Case("0-byte-sticker", sticker(lambda: b""), said("reject.empty")),
    Case("png-bomb-30000x30000", doc(png_bomb, "bomb.png", "image/png"),
         said("reject.too_many_pixels", detail="900000000")),
    Case("pixel-limit-read-from-the-header",
         doc(lambda: grey_png(8000, 6000, b"junk"), "a.png", "image/png"),
         said("reject.too_many_pixels", detail="8000x6000")),
    Case("1x1-png", doc(lambda: blank(1, 1), "dot.png", "image/png"),
         said("reject.too_small", detail="1x1")),
    Case("1x1-photo", photo(lambda: blank(1, 1)), said("reject.too_small", detail="1x1")),
    Case("5000x3-png", doc(lambda: blank(5000, 3), "line.png", "image/png"),
         said("reject.too_small", detail="5000x3")),
    Case("2000x40-png", doc(lambda: blank(2000, 40), "strip.png", "image/png"),
         said("reject.extreme_aspect", detail="2000x40")),
    Case("blank-page", doc(lambda: blank(400, 300), "a.png", "image/png"), said("reject.blank")),
    Case("faint-drawing", doc(faint_drawing, "a.png", "image/png"), said("reject.faint")),
    Case("photo-of-an-empty-sheet", doc(empty_sheet_photo, "a.jpg", "image/jpeg"),
         said("reject.paper_only")),
    Case("text-named-png", doc(lambda: b"just some text\n" * 20, "smile.png", "image/png"),
         said("reject.not_an_image")),
    Case("pdf-sent-as-image-jpeg", doc(lambda: b"%PDF-1.4\n" + b"0" * 500, "scan", "image/jpeg"),
         said("reject.not_an_image")),
    Case("gif-renamed-png", doc(lambda: encoded(drawing(), "GIF"), "smile.png", "image/png"),
         said("reject.unsupported_format", detail="GIF")),
    Case("file-with-a-hostile-name", doc(smiley_png, "a.\u202egnp" + "x" * 200, None),
         said("intake.unsupported", what=t("media.file_ext", EN, ext=HOSTILE_EXTENSION))),
    Case("animated-gif-file", doc(lambda: animation("GIF"), "a.gif", "image/gif"),
         said("intake.unsupported", what=GIF)),
    Case("animated-gif-as-animation", gif_as_animation, said("intake.unsupported", what=GIF)),
    Case("animated-webp-file", doc(lambda: animation("WEBP"), "a.webp", "image/webp"),
         said("reject.animated")),
    Case("animated-webp-as-static-sticker", sticker(lambda: animation("WEBP")),
         said("reject.animated")),
    Case("animated-png", doc(lambda: animation("PNG"), "a.png", "image/png"),
         said("reject.animated")),
    Case("cmyk-jpeg", doc(cmyk_jpeg, "a.jpg", "image/jpeg"), LABELLED),
    Case("16-bit-png", doc(sixteen_bit_png, "a.png", "image/png"), LABELLED),
    Case("palette-png-with-transparency", doc(palette_png, "a.png", "image/png"), LABELLED),
    Case("exif-rotated-jpeg", doc(exif_rotated_jpeg, "a.jpg", "image/jpeg"), StoredUpright()),
    # hostile text
    Case("label-with-sql", say("/label smile'; DROP TABLE samples; --"),
         said("label.invalid", raw="smile'; DROP TABLE samples; --")),
    Case("valid-label-that-looks-like-sql",
         doc(smiley_png, "a.png", "image/png", "/label drop_table--"), LABELLED),
    Case("label-with-nul", say("/label smi\x00le"), said("label.invalid", raw="smi\ufffdle")),
    Case("label-with-bell", say("/label smi\x07le"), said("label.invalid", raw="smi\ufffdle")),
    Case("label-with-line-break", say("/label smi\nle"),
         said("label.invalid_hint", raw="smi le", hint="smi-le")),
    Case("label-with-right-to-left-override", say("/label \u202eelims"),
         said("label.invalid", raw="\ufffdelims")),
    Case("caption-label-with-right-to-left-mark",
         doc(smiley_png, "a.png", "image/png", "/label smile\u200f"),
         kept(t("label.invalid", EN, raw="smile\ufffd"))),
    Case("label-with-zero-width-space", say("/label smi\u200ble"),
         said("label.invalid", raw="smi\ufffdle")),
    Case("label-emoji", say("/label 😀"), said("label.invalid", raw="😀")),
    Case("label-with-an-invisible-variation-selector", say("/label smile\ufe0f"),
         said("label.invalid", raw="smile\ufe0f")),
    Case("label-of-an-invisible-hangul-filler", say("/label \u3164"),
         said("label.invalid", raw="\u3164")),
    Case("label-emoji-with-zero-width-joiners", say("/label 👩\u200d👩\u200d👧"),
         said("label.invalid", raw="👩\ufffd👩\ufffd👧")),
    Case("label-of-10000-characters", say("/label " + "x" * 10_000),
         said("label.invalid", raw="x" * 40 + "…")),
    Case("label-in-a-4096-character-message", say("/label " + "y" * 4089),
         said("label.invalid", raw="y" * 40 + "…")),
    Case("label-in-a-1024-character-caption",
         doc(smiley_png, "a.png", "image/png", "/label " + "c" * 1017),
         kept(t("label.invalid", EN, raw="c" * 40 + "…"))),
    Case("text-of-4096-characters", say("z" * 4096), said("text_hint")),
    Case("delete-with-hostile-label", say("/delete \u202e'; DROP TABLE labels; --"),
         said("delete.unknown", label="\ufffd'; DROP TABLE labels; --")),
    Case("set-with-a-direction-mark", say("/set \u202eepochs 5"),
         said("set.unknown", name="\ufffdepochs", rule=PARAMETERS)),
    Case("set-nan", say("/set learning_rate nan"),
         said("set.invalid", name="learning_rate", rule="a number from 0.00001 to 1")),
    Case("set-with-a-point-and-a-comma", say("/set learning_rate 0,000.1"),
         said("set.invalid", name="learning_rate", rule="a number from 0.00001 to 1")),
    Case("set-5000-digits", say("/set epochs " + "9" * 5000),
         said("set.invalid", name="epochs", rule="a whole number from 1 to 200")),
    # unusual messages
    Case("unknown-command", say("/frobnicate now"),
         said("unknown_command", command="/frobnicate")),
    Case("unknown-command-with-a-direction-override", say("/frob\u202eevil"),
         said("unknown_command", command="/frob")),
    Case("unaddressed-command-with-a-zero-width-space-in-a-group",
         say("/frob\u200b@SmileyBot", "privacy_group"), IGNORED),
    Case("train-addressed-to-the-bot", say("/train@SmileyBot", "privacy_group"),
         said("train.too_few_labels", minimum=5)),
    Case("unknown-command-addressed-to-the-bot", say("/juggle@SmileyBot", "privacy_group"),
         said("unknown_command", command="/juggle")),
    Case("label-addressed-to-the-bot-in-a-reply", reply("/label@SmileyBot smile"),
         said("label.done", label="smile", count=1), unseen_group_photo),
    Case("caption-label-addressed-to-the-bot-without-a-name",
         doc(smiley_png, "a.png", "image/png", "/label@SmileyBot"), kept(t("label.usage", EN))),
    Case("train-addressed-to-another-bot", say("/train@OtherBot", "admin_group"), IGNORED),
    Case("unaddressed-unknown-command-in-a-group", say("/frobnicate", "admin_group"), IGNORED),
    Case("plain-text-in-a-group", say("hello everyone", "admin_group"), IGNORED),
    Case("edited-message", edit("/help"), IGNORED, answered_text),
    Case("channel-post", post, IGNORED),
    Case("edited-channel-post", edit("/status"), IGNORED, channel_post),
    Case("undo-without-a-sender", anonymous("/undo"), IGNORED),
    Case("label-without-a-sender", anonymous(LABEL),
         said("label.nothing", window="10", label="smile")),
    Case("train-without-a-sender-in-a-group", anonymous("/train@SmileyBot", "privacy_group"),
         said("admin.only", command="train")),
    Case("photo-without-a-sender", photo_without_sender, said("predict.teach"),
         unseen_group_photo),
    Case("photo-forwarded-from-a-user", forward_from_user, said("predict.teach"),
         unseen_group_photo),
    Case("file-forwarded-from-a-channel", forward_from_channel, LABELLED),
    Case("label-replying-to-text", reply(LABEL), said("label.not_an_image"), answered_text),
    Case("label-without-a-name", say("/label"), said("label.usage")),
    Case("debug-not-as-a-reply", say("/debug"), said("debug.usage")),
]
# fmt: on


# --- the driver -----------------------------------------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server() -> AsyncIterator[FakeTelegram]:
    """One fake Bot API server for the whole table."""
    async with FakeTelegram(spec_path=SPEC_PATH) as telegram:
        yield telegram
        assert telegram.violations == []


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_bot(
    server: FakeTelegram, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotApplication]:
    """One bot for the whole table, so that each row also proves the bot survived the last."""
    data: Path = tmp_path_factory.mktemp("bad-input")
    config = Config(
        telegram=TelegramConfig(
            token=server.token, base_url=server.base_url, base_file_url=server.base_file_url
        ),
        storage=StorageConfig(database=data / "smiley.sqlite3", models_dir=data / "models"),
        training=TEST_TRAINING,
        source=data / "config.toml",
    )
    async with running(config) as application:
        yield application


def call_chat(call: ApiCall) -> int | None:
    chat_id = call.params.get("chat_id")
    return None if chat_id is None else int(chat_id)


def echoes_control_characters(message: Message) -> bool:
    shown = message.get("text") or message.get("caption") or ""
    return any(unicodedata.category(char) in ("Cc", "Cf") and char != "\n" for char in shown)


async def still_serves(telegram: FakeTelegram, chat_id: int) -> None:
    sent = telegram.send_text(chat_id, chat_id, "/labels")
    await telegram.wait_for_message(
        chat_id, after_message_id=sent["message_id"], contains=t("labels.empty", EN)
    )


@pytest.mark.parametrize(
    ("number", "case"), list(enumerate(CASES)), ids=[case.name for case in CASES]
)
async def test_bad_input(
    server: FakeTelegram,
    shared_bot: BotApplication,
    caplog: pytest.LogCaptureFixture,
    number: int,
    case: Case,
) -> None:
    caplog.set_level(logging.WARNING)
    scene = Scene.create(server, number)
    earlier = await case.prepare(scene) if case.prepare else None
    errors, violations = len(server.errors()), len(server.violations)
    since = len(server.calls)

    sent = case.act(scene, earlier)
    await case.outcome.check(server, shared_bot, sent)
    await still_serves(server, scene.bystander)
    # Silence must last long enough to be meant; after an answer, a short lull suffices.
    ignored = isinstance(case.outcome, Ignored)
    await server.wait_idle(quiet=0.3 if ignored else 0.1)

    if ignored:
        later = [call for call in server.calls[since:] if call.method != "getUpdates"]
        touched = [call.summary() for call in later if call_chat(call) != scene.bystander]
        assert touched == [], "the bot acted on input it should ignore"
    assert [call.summary() for call in server.errors()[errors:]] == []
    assert server.violations[violations:] == []
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert failures == [], [r.getMessage() for r in failures]
    sorry = t("error", EN)
    chats = (scene.user, scene.privacy_group, scene.admin_group, scene.bystander)
    for message in (m for chat_id in chats for m in server.bot_messages(chat_id)):
        assert sorry not in (message.get("text") or "")
        assert not echoes_control_characters(message), message
