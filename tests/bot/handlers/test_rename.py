"""End to end: /rename gives a label a new name; its samples and the trained model keep it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.app import BotApplication
from bot.playground.fakeserver import FakeTelegram
from tests.bot.chats.test_admins import REFUSED, workshop
from tests.bot.conftest import (
    ALICE,
    BOB,
    GROUP,
    answer,
    answered,
    install_trained_model,
    next_message,
)
from tests.bot.labels.test_corrections import buttons, data_for, tap
from tests.bot.training.test_queue import command, label_samples

Smiley = Callable[..., bytes]


async def test_a_renamed_label_keeps_its_samples_and_the_model_answers_with_it(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley, trained_job: Path
) -> None:
    await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
    await install_trained_model(bot, ALICE, trained_job)

    done = await command(telegram, ALICE, "/rename smile Happy")
    assert done == (
        "Renamed smile to happy. Samples with this label: 5. The trained model answers with "
        "the new name too."
    )
    labels = await command(telegram, ALICE, "/labels")
    assert "• happy: 5" in labels and "smile" not in labels

    photo = telegram.send_photo(ALICE, ALICE, smiley("smile"))
    prediction = await next_message(telegram, photo)
    ranked = [line.split()[0] for line in prediction["text"].splitlines()[1:3]]
    assert sorted(ranked) == ["happy", "sad"]
    assert "built-in" not in prediction["text"] and "older than" not in prediction["text"]
    assert {name.removeprefix("✅ ") for name in buttons(prediction)} == {"happy", "sad"}
    # The button stores the image under the new name, as the renamed label.
    await tap(telegram, ALICE, ALICE, prediction, data_for(prediction, "happy"))
    assert "• happy: 6" in await command(telegram, ALICE, "/labels")


async def test_rename_explains_what_it_cannot_do(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    await label_samples(telegram, ALICE, smiley, {"smile": 1, "sad": 1})
    assert "/rename <old> <new>" in await command(telegram, ALICE, "/rename smile")
    assert "no label “wink” here" in await command(telegram, ALICE, "/rename wink blink")
    assert "label “sad” already" in await command(telegram, ALICE, "/rename smile sad")
    assert "its name already" in await command(telegram, ALICE, "/rename smile SMILE")
    invalid = await command(telegram, ALICE, "/rename smile a/b")
    assert "a/b" in invalid and "letters" in invalid
    labels = await command(telegram, ALICE, "/labels")
    assert "• smile: 1" in labels and "• sad: 1" in labels


async def test_in_a_group_only_admins_rename(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    workshop(telegram)
    for label in ("smile", "sad"):
        sent = telegram.send_photo(GROUP, ALICE, smiley(label), caption=f"/label {label}")
        await answered(telegram, sent)
    refused = await answer(telegram, telegram.send_text(GROUP, BOB, "/rename smile happy"))
    assert refused == REFUSED.format(command="rename")
    renamed = await answer(telegram, telegram.send_text(GROUP, ALICE, "/rename smile happy"))
    assert renamed.startswith("Renamed smile to happy")


async def test_german_users_get_german(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_user(1003, "Clara", language_code="de")
    sent = telegram.send_photo(1003, 1003, smiley("smile"), caption="/label froh")
    await answered(telegram, sent)
    text = await answer(telegram, telegram.send_text(1003, 1003, "/rename froh fröhlich"))
    assert text.startswith("froh heißt jetzt fröhlich. Beispiele mit diesem Label: 1.")
