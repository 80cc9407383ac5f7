"""The text catalogue covers every reason the bot can give."""

from __future__ import annotations

import re
import string

import pytest

from bot.app import COMMANDS
from bot.texts import CATALOGUE, DEFAULT_LANGUAGE, t
from model.serving import RejectReason

COMMAND_WORD = re.compile(r"(?<![\w/])/[a-z]+\b")
MAX_COMMAND_DESCRIPTION = 256  # Telegram's limit for a BotCommand's description
MEDIA_KINDS = ("video", "gif", "animated_sticker", "pdf", "voice", "video_note", "audio", "file")


def test_every_reject_reason_media_kind_and_command_has_a_text() -> None:
    keys = CATALOGUE[DEFAULT_LANGUAGE]
    missing = [
        key
        for key in (
            [f"reject.{reason.value}" for reason in RejectReason]
            + [f"media.{kind}" for kind in MEDIA_KINDS]
            + [f"cmd.{command.name}" for command in COMMANDS]
        )
        if key not in keys
    ]
    assert missing == []


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_exists_in_every_language() -> None:
    keys = {language: set(texts) for language, texts in CATALOGUE.items()}
    every = set().union(*keys.values())
    missing = {language: sorted(every - own) for language, own in keys.items() if every - own}
    assert missing == {}


def test_every_translation_has_the_same_placeholders_as_english() -> None:
    english = CATALOGUE[DEFAULT_LANGUAGE]
    differing = [
        (language, key)
        for language, texts in CATALOGUE.items()
        for key, template in texts.items()
        if key in english and placeholders(template) != placeholders(english[key])
    ]
    assert differing == []


def test_every_text_formats_with_its_own_placeholders_in_every_language() -> None:
    for language, texts in CATALOGUE.items():
        for key, template in texts.items():
            text = t(key, language, **{name: "X" for name in placeholders(template)})
            assert "{" not in text and "}" not in text, (language, key)
            assert text.strip() == text and text, (language, key)


def test_translations_keep_commands_and_line_structure() -> None:
    english = CATALOGUE[DEFAULT_LANGUAGE]
    for language, texts in CATALOGUE.items():
        for key, template in texts.items():
            if key.startswith("cmd.") or key not in english:
                continue
            source = english[key]
            # The commands a text names are the same words in every language.
            assert sorted(COMMAND_WORD.findall(template)) == sorted(COMMAND_WORD.findall(source)), (
                language,
                key,
            )
            assert template.count("\n") == source.count("\n"), (language, key)
            assert template.count("•") == source.count("•"), (language, key)


def test_command_descriptions_fit_telegrams_limits() -> None:
    for language, texts in CATALOGUE.items():
        for command in (c.name for c in COMMANDS):
            description = texts.get(f"cmd.{command}", CATALOGUE[DEFAULT_LANGUAGE][f"cmd.{command}"])
            assert 1 <= len(description) <= MAX_COMMAND_DESCRIPTION, (language, command)


def test_german_speakers_get_german_and_everyone_else_english() -> None:
    german = t("stop.nothing", "de")
    english = t("stop.nothing", "en")
    assert german != english and german == CATALOGUE["de"]["stop.nothing"]
    for variant in ("de-AT", "de-CH", "DE", "de_de"):
        assert t("stop.nothing", variant) == german, variant
    for other in ("en", "en-GB", "fr", "xx-YY", "", None, "d"):
        assert t("stop.nothing", other) == english, other


def test_unknown_languages_fall_back_to_english() -> None:
    values = {"window": "10", "suggested": "smile", "max_labels": 10, "admin_commands": "/train"}
    assert t("help.more", "xx-YY", **values) == t("help.more", "en", **values)


def test_a_key_missing_in_german_falls_back_to_english_for_that_key_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    german = dict(CATALOGUE["de"])
    german.pop("stop.nothing", None)
    monkeypatch.setitem(CATALOGUE, "de", german)
    assert t("stop.nothing", "de") == CATALOGUE[DEFAULT_LANGUAGE]["stop.nothing"]
    assert t("stop.done", "de") == german["stop.done"]
    # The list of accepted formats fills in German, even where English is the fallback.
    assert german["accepts"] in t("reject.not_an_image", "de")


# One German word for one thing (issue 13): a guess is a "Vermutung", a tap is "tippen"
# ("Tipp" means both), the bundled model is "das eingebaute Modell", and one draws
# ("zeichnen", "Zeichnung"), as the rest of the texts say.
GERMAN_AVOIDED = re.compile(
    r"\bTipps?\b|Smiley-Modell|Vorwissen|(?<![Nn]och )(?<!-)\b[Mm]al(?:en)?\b|\bFolds\b"
)


def test_german_keeps_to_its_glossary() -> None:
    found = {
        key: GERMAN_AVOIDED.findall(text)
        for key, text in CATALOGUE["de"].items()
        if GERMAN_AVOIDED.search(text)
    }
    assert found == {}
