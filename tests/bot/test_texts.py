"""The text catalogue covers every reason the bot can give."""

from __future__ import annotations

import string

from bot.app import COMMANDS
from bot.texts import CATALOGUE, DEFAULT_LANGUAGE, t
from model import RejectReason

MEDIA_KINDS = ("video", "gif", "animated_sticker", "pdf", "voice", "video_note", "audio", "file")


def test_every_reject_reason_media_kind_and_command_has_a_text() -> None:
    keys = CATALOGUE[DEFAULT_LANGUAGE]
    missing = [
        key
        for key in (
            [f"reject.{reason.value}" for reason in RejectReason]
            + [f"media.{kind}" for kind in MEDIA_KINDS]
            + [f"cmd.{command}" for command in COMMANDS]
        )
        if key not in keys
    ]
    assert missing == []


def test_every_text_formats_with_its_own_placeholders() -> None:
    for key, template in CATALOGUE[DEFAULT_LANGUAGE].items():
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        text = t(key, None, **{name: "X" for name in fields})
        assert "{" not in text, key


def test_unknown_languages_fall_back_to_english() -> None:
    assert t("help", "xx-YY", window="10", suggested="smile", max_labels=10) == t(
        "help", "en", window="10", suggested="smile", max_labels=10
    )
