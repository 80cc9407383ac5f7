"""End to end: /stats in a group says how the last validation did on each person's drawings."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import BotApplication
from bot.playground.fakeserver import FakeTelegram
from tests.bot.conftest import ALICE, BOB, GROUP, answer
from tests.bot.training.test_data_health import send

Smiley = Callable[..., bytes]


async def test_stats_in_a_group_says_how_validation_did_on_each_persons_drawings(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    for user, label in ((ALICE, "smile"), (BOB, "sad")) * 3:
        await send(telegram, GROUP, user, smiley(label), label)
    repo = bot.bot_data.repo
    inputs = await repo.samples.labelled_inputs(GROUP)
    senders = await repo.samples.senders(GROUP)
    bobs = [i.sample_id for i in inputs if senders[i.sample_id] == BOB]
    # What a finished training leaves: all six judged, one of Bob's three wrong.
    run = await repo.runs.create(
        GROUP,
        requested_by=ALICE,
        params={},
        labels=["sad", "smile"],
        sample_ids=[i.sample_id for i in inputs],
        data_version=await repo.samples.data_version(GROUP),
    )
    wrong = {
        "sample_id": bobs[0],
        "true": 0,
        "predicted": 1,
        "true_label": "sad",
        "predicted_label": "smile",
        "confidence": 0.6,
    }
    metrics = {
        "misclassified": [wrong],
        "validated_ids": [i.sample_id for i in inputs],
        "validation_accuracy": 5 / 6,
    }
    await repo.runs.finish(run.id, metrics=metrics, model_prefix="gone")

    text = await answer(telegram, telegram.send_text(GROUP, ALICE, "/stats"), contains="Alice")
    assert "• Alice: 3 (validation: 3 of 3 right)" in text
    assert "• Bob: 3 (validation: 2 of 3 right)" in text
    assert "learned the others' style" in text
