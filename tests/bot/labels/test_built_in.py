"""The built-in model's labels: stored in English, shown in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.app import BotApplication
from bot.labels.built_in import shown_name, shown_names, stored_name
from bot.labels.corrections import DEFAULT_LABELS, LabelRef, encode_fix
from bot.labels.names import SUGGESTED_LABELS, normalise_label
from bot.playground.fakeserver import FakeTelegram
from bot.samples.answers import prediction_text
from bot.samples.predictor import Prediction
from bot.texts import LANGUAGES
from bot.texts.numbers import NO_BREAK_SPACE
from tests.bot.conftest import ALICE, GROUP, answer, reaction
from tests.bot.labels.test_corrections import buttons, edited, predicted, tap
from tests.bot.training.test_queue import command

Smiley = Callable[..., bytes]
GERMAN = {"smile": "fröhlich", "sad": "traurig", "neutral": "neutral", "upside-down": "kopfüber"}
DIETER = 1003

# --- unit -------------------------------------------------------------------------------------


def test_a_german_reader_sees_the_built_in_labels_in_german_an_english_one_as_stored() -> None:
    assert {label: shown_name(label, "de") for label in SUGGESTED_LABELS} == GERMAN
    assert shown_names(SUGGESTED_LABELS, "de-AT") == list(GERMAN.values())
    assert shown_names(SUGGESTED_LABELS, "en") == list(SUGGESTED_LABELS)
    assert shown_names(SUGGESTED_LABELS, "fr") == list(SUGGESTED_LABELS)  # English fallback


def test_a_chats_own_labels_show_as_typed() -> None:
    assert shown_name("frown", "de") == "frown"
    assert shown_name("fröhlich", "de") == "fröhlich"
    assert shown_name("smiley", "de") == "smiley"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shown_name_is_a_valid_label_and_means_one_built_in_label(language: str) -> None:
    names = shown_names(SUGGESTED_LABELS, language)
    assert [normalise_label(name) for name in names] == names
    assert len(set(names)) == len(names)
    assert [stored_name(name, ()) for name in names] == list(SUGGESTED_LABELS)


def test_typing_a_shown_name_means_the_built_in_label() -> None:
    assert stored_name(normalise_label("Fröhlich"), ()) == "smile"
    assert stored_name("kopfüber", ["smile"]) == "upside-down"
    assert stored_name("smile", ()) == "smile"
    assert stored_name("frown", ()) == "frown"


def test_a_chat_that_already_has_a_label_of_that_name_keeps_it() -> None:
    # Stored before the built-in labels had German names: it stays the chat's own.
    assert stored_name("traurig", ["traurig", "smile"]) == "traurig"


def test_the_prediction_text_shows_built_in_labels_in_german_and_own_labels_as_typed() -> None:
    prediction = Prediction([("smile", 0.91), ("frown", 0.06), ("sad", 0.03)], "default", False)
    lines = prediction_text(prediction, 0.5, "de").splitlines()
    assert lines[0] == "Ich glaube, das ist fröhlich."
    assert lines[1].startswith(f"fröhlich 91{NO_BREAK_SPACE}% ")
    assert lines[2].startswith(f"frown 6{NO_BREAK_SPACE}% ")
    assert lines[3].startswith(f"traurig 3{NO_BREAK_SPACE}% ")
    english = prediction_text(prediction, 0.5, "en").splitlines()
    assert english[0] == "I think this is smile." and english[1].startswith("smile 91% ")


# --- end to end -------------------------------------------------------------------------------


async def test_a_german_chat_sees_german_names_while_the_stored_label_stays_english(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_user(DIETER, "Dieter", language_code="de")
    prediction = await predicted(telegram, DIETER, DIETER, smiley("sad"))

    lines = prediction["text"].splitlines()
    ranked = [line.split()[0] for line in lines[1:4]]
    assert set(ranked) <= set(GERMAN.values())
    assert all(f"{NO_BREAK_SPACE}%" in line for line in lines[1:4])
    shown = buttons(prediction)
    texts = [text.removeprefix("✅ ") for text in shown]
    assert texts[0] == ranked[0]
    assert sorted(texts) == sorted(GERMAN.values())
    # The buttons carry the stored labels' ids only, whatever they show.
    sample = int(shown[next(iter(shown))].split(":")[1])
    sad = encode_fix(sample, LabelRef(default_index=DEFAULT_LABELS.index("sad")))
    assert shown.get("traurig", shown.get("✅ traurig")) == sad

    assert await tap(telegram, DIETER, DIETER, prediction, sad) == "Als traurig gespeichert."
    assert (await edited(telegram, prediction))["text"].endswith("✅ Als traurig gespeichert")
    assert "• traurig: 1" in await command(telegram, DIETER, "/labels")
    counts = await bot.bot_data.repo.labels.counts(DIETER)
    assert [(count.name, count.count) for count in counts] == [("sad", 1)]


async def test_a_group_labelling_in_german_and_english_builds_one_label(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_user(DIETER, "Dieter", language_code="de")
    telegram.add_chat(GROUP, type="group", title="Werkstatt", admins=[ALICE, telegram.bot_id])
    for user, caption in ((DIETER, "/label Fröhlich"), (ALICE, "/label smile")):
        await reaction(telegram, telegram.send_photo(GROUP, user, smiley("smile"), caption=caption))
    drawing = (await predicted(telegram, GROUP, DIETER, smiley("smile")))["reply_to_message"]
    labelled = telegram.send_text(GROUP, DIETER, "/label fröhlich", reply_to=drawing["message_id"])
    assert await answer(telegram, labelled) == "Als fröhlich beschriftet. fröhlich hat jetzt 3."

    counts = await bot.bot_data.repo.labels.counts(GROUP)
    assert [(count.name, count.count) for count in counts] == [("smile", 3)]
    english = await answer(telegram, telegram.send_text(GROUP, ALICE, "/labels"))
    german = await answer(telegram, telegram.send_text(GROUP, DIETER, "/labels"))
    assert "• smile: 3" in english and "• fröhlich: 3" in german
