"""What could mislead a chat's model: few or unbalanced labels, one person's style, copies."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image

from bot.app import BotApplication
from bot.playground.fakeserver import FakeTelegram
from bot.training.data_health import (
    Mislabelled,
    findings,
    health_lines,
    maybe_mislabelled,
    near_copies,
)
from storage import LabelledInput, LabelProfile, TrainingRun
from tests.bot.conftest import ALICE, BOB, GROUP, answer, reaction
from tests.bot.labels.test_corrections import answered_query
from tests.bot.training.test_queue import command

Smiley = Callable[..., bytes]


def profile(
    name: str, count: int, people: int = 1, *, photos: int = 0, screen: int = 0
) -> LabelProfile:
    return LabelProfile(name, count, people, photographed=photos, on_screen=screen)


def test_few_and_unbalanced_labels_are_named_with_their_counts() -> None:
    found = findings(
        [profile("sad", 5), profile("smile", 16), profile("cool", 3)], 0, minimum=5, group=False
    )
    # cool is below the minimum: /status asks for more of it already.
    assert found.few == [("sad", 5)]
    assert found.unbalanced == ("smile", 3, "sad")
    assert found.one_person == [] and found.near_copies == 0
    lines = health_lines(found, 5, "en")
    assert lines[0] == "⚠️ What could mislead the model:"
    assert "sad has only 5 drawings" in lines[1] and "10 or more" in lines[1]
    assert lines[2].startswith("• smile has 3 times as many drawings as sad")
    # In German the built-in labels read as a German reader calls them; cool is the chat's.
    german = health_lines(found, 5, "de")
    assert "traurig" in german[1] and "fröhlich" in german[2] and "sad" not in german[2]
    assert (
        health_lines(
            findings([profile("a", 12), profile("b", 20)], 0, minimum=5, group=False), 5, "en"
        )
        == []
    )


def test_one_persons_label_counts_only_in_a_group_where_others_drew() -> None:
    labels = [profile("sad", 10, people=1), profile("smile", 10, people=3)]
    assert findings(labels, 0, minimum=5, group=True).one_person == ["sad"]
    assert findings(labels, 0, minimum=5, group=False).one_person == []
    alone = [profile("sad", 10), profile("smile", 10)]  # one person drew everything
    assert findings(alone, 0, minimum=5, group=True).one_person == []


def test_a_label_all_photos_beside_one_all_drawn_on_a_screen_is_named() -> None:
    labels = [
        profile("happy", 12, photos=12),
        profile("sad", 12, photos=3, screen=4, people=1),  # mixed, with 5 unknown
        profile("cool", 3, screen=2),  # known kind for 2: enough to count
        profile("wink", 1, screen=1),  # too few of known kind to say anything
    ]
    found = findings(labels, 0, minimum=5, group=False)
    assert (found.photos_only, found.screen_only) == (["happy"], ["cool"])
    lines = health_lines(found, 5, "en")
    assert lines == [
        "⚠️ What could mislead the model:",
        "• All of happy are photos and all of cool are drawn on a screen: the model may learn"
        " to tell photos from screens instead of looking at the face. Give each label photos"
        " and screen drawings.",
    ]
    [_, german] = health_lines(found, 5, "de")
    assert german.startswith("• Alle Bilder von happy sind Fotos, alle von cool sind am Bildschirm")


def test_photos_and_screen_drawings_mixed_or_on_one_side_only_are_no_threat() -> None:
    for labels in (
        [profile("happy", 10, photos=10), profile("sad", 10, photos=10)],  # all photos
        [profile("happy", 10, photos=9, screen=1), profile("sad", 10, screen=10)],
        [profile("happy", 10, photos=1), profile("sad", 10, screen=10)],  # 1 known: unsure
        [profile("happy", 10), profile("sad", 10)],  # stored before the bot knew
    ):
        found = findings(labels, 0, minimum=5, group=False)
        assert (found.photos_only, found.screen_only) == ([], [])
        assert health_lines(found, 5, "en") == []


def labelled(sample_id: int, pixels: np.ndarray) -> LabelledInput:
    return LabelledInput(sample_id, "smile", pixels.astype(np.uint8).tobytes(), 28, 2)


def test_near_copies_are_counted_once_per_copy_and_look_alikes_are_not() -> None:
    rng = np.random.default_rng(3)
    first = (rng.random((28, 28)) > 0.8) * 255
    copy = np.clip(first + rng.integers(-3, 4, size=(28, 28)), 0, 255)  # re-encoded
    other = (rng.random((28, 28)) > 0.8) * 255
    inputs = [labelled(1, first), labelled(2, other), labelled(3, copy), labelled(4, first)]
    assert near_copies(inputs) == 2  # 3 and 4 copy 1
    assert near_copies(inputs[:2]) == 0
    assert near_copies([]) == 0


async def send(
    telegram: FakeTelegram, chat_id: int, user_id: int, image: bytes, label: str
) -> None:
    sent = telegram.send_photo(chat_id, user_id, image, caption=f"/label {label}")
    await reaction(telegram, sent)


def reencoded(png: bytes) -> bytes:
    """The same drawing sent again: another file, the same picture."""
    buffer = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


async def test_status_in_a_group_names_one_persons_label_and_a_copy(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    for user in (ALICE, BOB, ALICE, BOB, ALICE):
        await send(telegram, GROUP, user, smiley("smile"), "smile")
    drawing = smiley("sad")
    await send(telegram, GROUP, ALICE, drawing, "sad")
    for _ in range(4):
        await send(telegram, GROUP, ALICE, smiley("sad"), "sad")
    await send(telegram, GROUP, ALICE, reencoded(drawing), "sad")

    text = await answer(telegram, telegram.send_text(GROUP, ALICE, "/status"), contains="mislead")
    assert "⚠️ What could mislead the model:" in text
    assert "• All drawings of sad are by one person" in text
    assert "All drawings of smile" not in text
    assert "• 1 drawing is a near copy of another" in text
    assert "• smile has only 5 drawings" in text


async def test_status_names_a_label_of_photos_beside_one_drawn_on_a_screen(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    for _ in range(3):
        await send(telegram, ALICE, ALICE, smiley("smile", style="paper", fmt="JPEG"), "happy")
        await send(telegram, ALICE, ALICE, smiley("sad"), "sad")

    text = await answer(telegram, telegram.send_text(ALICE, ALICE, "/status"), contains="mislead")
    assert (
        "• All of happy are photos and all of sad are drawn on a screen: the model may learn"
        " to tell photos from screens instead of looking at the face." in text
    )
    # One photo of a sad face on paper, and the labels are no longer one kind each.
    await send(telegram, ALICE, ALICE, smiley("sad", style="paper", fmt="JPEG"), "sad")
    assert "drawn on a screen" not in await command(telegram, ALICE, "/status")


async def test_train_says_what_could_mislead_the_model_in_german(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    dieter = 1003
    telegram.add_user(dieter, "Dieter", language_code="de")
    for label, count in (("smile", 15), ("sad", 5)):
        for _ in range(count):
            await send(telegram, dieter, dieter, smiley(label), label)
    await command(telegram, dieter, "/set epochs 1")
    sent = telegram.send_text(dieter, dieter, "/train")
    text = await answer(telegram, sent, contains="in die Irre")
    assert "• fröhlich hat 3-mal so viele Zeichnungen wie traurig" in text
    assert "Gib jedem Label etwa gleich viele." in text


def test_only_confident_mistakes_whose_label_stands_are_maybe_mislabelled() -> None:
    run = TrainingRun(
        id=1,
        chat_id=ALICE,
        requested_by=None,
        status="finished",
        params={},
        labels=["sad", "smile"],
        sample_ids=[1, 2, 3, 4],
        data_version=1,
        metrics={
            "misclassified": [
                {
                    "sample_id": 1,
                    "true_label": "sad",
                    "predicted_label": "smile",
                    "confidence": 0.97,
                },
                {
                    "sample_id": 2,
                    "true_label": "sad",
                    "predicted_label": "smile",
                    "confidence": 0.6,
                },
                {
                    "sample_id": 3,
                    "true_label": "smile",
                    "predicted_label": "sad",
                    "confidence": 0.99,
                },
                {"sample_id": 4, "true_label": "sad", "predicted_label": "smile"},  # an old run
            ]
        },
        model_prefix="m",
        error=None,
        message_id=None,
        created_at=0.0,
        started_at=0.0,
        finished_at=0.0,
    )
    # Sample 3 was relabelled since: its mistake no longer says anything.
    now = {1: "sad", 2: "sad", 3: "sad", 4: "sad"}
    assert maybe_mislabelled(run, now) == [Mislabelled(1, "sad", "smile")]
    assert maybe_mislabelled(None, now) == []


async def test_a_drawing_the_validation_was_sure_about_moves_in_one_tap(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    for label in ("smile", "sad"):
        for _ in range(5):
            await send(telegram, ALICE, ALICE, smiley(label), label)
    repo = bot.bot_data.repo
    inputs = await repo.samples.labelled_inputs(ALICE)
    slip = next(i for i in inputs if i.label == "sad")
    # What a finished training leaves: its validation was sure this "sad" is a smile.
    run = await repo.runs.create(
        ALICE,
        requested_by=ALICE,
        params={},
        labels=["sad", "smile"],
        sample_ids=[i.sample_id for i in inputs],
        data_version=await repo.samples.data_version(ALICE),
    )
    item = {
        "sample_id": slip.sample_id,
        "true": 0,
        "predicted": 1,
        "true_label": "sad",
        "predicted_label": "smile",
        "confidence": 0.98,
    }
    await repo.runs.finish(
        run.id, metrics={"misclassified": [item], "validation_accuracy": 0.9}, model_prefix="gone"
    )

    status = telegram.send_text(ALICE, ALICE, "/status")
    await answer(telegram, status, contains="wrong label")
    shown = telegram.bot_messages(ALICE)[-1]
    assert f"drawing {slip.sample_id}: labelled sad, looks like smile" in shown["text"]
    [[button]] = shown["reply_markup"]["inline_keyboard"]
    assert button["text"] == f"Move drawing {slip.sample_id} to smile"
    query = telegram.press_button(ALICE, ALICE, shown["message_id"], button["callback_data"])
    await telegram.wait_for(answered_query(query))
    assert (telegram.callback_answer(query) or {})["text"] == "Moved to smile."
    assert "• smile: 6" in await command(telegram, ALICE, "/labels")
    # Moved, it is no longer a suspect.
    assert "wrong label" not in await command(telegram, ALICE, "/status")
