"""End to end: a class in a group, pupils who join by link from their private chats."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.app import BotApplication
from bot.playground.fakeserver import ApiCall, FakeTelegram
from storage import LabelCount
from tests.bot.conftest import ALICE, BOB, GROUP, answer
from tests.bot.labels.test_corrections import buttons, predicted, store, tap
from tests.bot.training.test_queue import TRAINING_TIMEOUT

Smiley = Callable[..., bytes]
TEACHER = ALICE
PUPILS = {BOB: "Bob", 1003: "Carla"}
LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]{16})")


async def start_class(telegram: FakeTelegram) -> str:
    """Create the group, send /classroom as its admin; return the join code."""
    telegram.add_chat(GROUP, type="group", title="5b", admins=[TEACHER, telegram.bot_id])
    request = telegram.send_text(GROUP, TEACHER, "/classroom")
    photo = await telegram.wait_for_message(
        GROUP, after_message_id=request["message_id"], contains="The class has started"
    )
    assert "photo" in photo  # the QR code
    match = LINK.search(photo["caption"])
    assert match is not None, photo["caption"]
    return match.group(2)


def edited(chat_id: int, text: str) -> Callable[[ApiCall], bool]:
    return lambda call: (
        call.method == "editMessageText"
        and int(call.params["chat_id"]) == chat_id
        and text in call.params["text"]
    )


async def join(telegram: FakeTelegram, user_id: int, code: str) -> str:
    telegram.add_user(user_id, PUPILS.get(user_id, "Pupil"))
    return await answer(telegram, telegram.send_text(user_id, user_id, f"/start {code}"))


async def test_pupils_join_draw_and_are_answered_by_the_class_model(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    code = await start_class(telegram)
    tally = await telegram.wait_for_message(GROUP, contains="🏫 The class · pupils who joined: 0 ")
    assert "No labelled drawings yet" in tally["text"]
    for pupil in PUPILS:
        assert (await join(telegram, pupil, code)).startswith(
            f"Welcome to the class, {PUPILS[pupil]}!"
        )
    assert "already" in await join(telegram, BOB, code)

    # Each pupil draws in their own chat; the group's live message counts it all.
    for pupil, label in ((BOB, "smile"), (1003, "cool")):
        for _ in range(5):
            await store(telegram, pupil, smiley(label), label, user_id=pupil)
    call = await telegram.wait_for(edited(GROUP, "Ready: an admin can send /train."), timeout=15)
    text = call.params["text"]
    assert "pupils who joined: 2 · who have drawn: 2" in text
    assert "• cool: 5" in text and "• smile: 5" in text
    assert int(call.params["message_id"]) == tally["message_id"]

    stats = await answer(telegram, telegram.send_text(GROUP, TEACHER, "/stats"))
    assert "• Bob: 5" in stats and "• Carla: 5" in stats
    status = await answer(telegram, telegram.send_text(GROUP, TEACHER, "/status"))
    assert "• cool: 5 ✓" in status and "• smile: 5 ✓" in status
    await answer(telegram, telegram.send_text(GROUP, TEACHER, "/set epochs 2"))
    telegram.send_text(GROUP, TEACHER, "/train")
    report = await telegram.wait_for(edited(GROUP, "Training finished"), timeout=TRAINING_TIMEOUT)
    assert "10 samples" in report.params["text"]

    # A pupil's next drawing gets the class model's answer, privately.
    prediction = await predicted(telegram, BOB, BOB, smiley("smile"))
    assert "built-in" not in prediction["text"]
    bars = prediction["text"].splitlines()[1:3]
    assert {line.split()[0] for line in bars} == {"smile", "cool"}
    # Bob only drew smiles: Carla's "cool" is still a button under his answers.
    shown = buttons(prediction)
    cool = shown.get("cool") or shown["✅ cool"]
    assert re.fullmatch(r"fix:\d+:r\d+\.\d+", cool), cool
    await tap(telegram, BOB, BOB, prediction, cool)
    assert LabelCount("cool", 1) in await bot.bot_data.repo.labels.counts(BOB)


async def test_a_wrong_closed_or_ended_code_gets_a_clear_answer(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    code = await start_class(telegram)
    assert "I don't know this class code" in await join(telegram, BOB, "x" * 16)
    assert "I don't know this class code" in await join(telegram, BOB, "not-a-code")
    closed = await answer(telegram, telegram.send_text(GROUP, TEACHER, "/classroom close"))
    assert closed.startswith("Joining is closed")
    assert "Joining this class is closed" in await join(telegram, BOB, code)
    await answer(telegram, telegram.send_text(GROUP, TEACHER, "/classroom open"))
    assert "Welcome to the class" in await join(telegram, BOB, code)
    ended = await answer(telegram, telegram.send_text(GROUP, TEACHER, "/classroom end keep"))
    assert ended.startswith("The class has ended.")
    assert "This class has ended" in await join(telegram, 1003, code)


async def test_only_an_admin_runs_the_class(telegram: FakeTelegram, bot: BotApplication) -> None:
    await start_class(telegram)
    telegram.add_user(BOB, "Bob")
    refused = await answer(telegram, telegram.send_text(GROUP, BOB, "/classroom close"))
    assert "admin" in refused.lower()


async def test_leave_and_remove_take_drawings_out_of_the_class(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    code = await start_class(telegram)
    for pupil in PUPILS:
        await join(telegram, pupil, code)
        await store(telegram, pupil, smiley("smile"), "smile", user_id=pupil)
    repo = bot.bot_data.repo
    assert [c.count for c in await repo.labels.counts(GROUP)] == [2]

    removed = await answer(telegram, telegram.send_text(GROUP, TEACHER, "/classroom remove carla"))
    assert removed.startswith("Carla's drawings (1) are no longer in the class's dataset.")
    assert [c.count for c in await repo.labels.counts(GROUP)] == [1]
    assert "No pupil of this class is called Zoe" in await answer(
        telegram, telegram.send_text(GROUP, TEACHER, "/classroom remove Zoe")
    )

    ask = telegram.send_text(BOB, BOB, "/leave")
    question = await telegram.wait_for_message(BOB, after_message_id=ask["message_id"])
    take = question["reply_markup"]["inline_keyboard"][1][0]
    assert take["text"] == "Leave and take my drawings with me"
    telegram.press_button(BOB, BOB, question["message_id"], take["callback_data"])
    await telegram.wait_for(edited(BOB, "took your drawings with you (1)"))
    assert await repo.labels.counts(GROUP) == []
    assert [c.count for c in await repo.labels.counts(BOB)] == [1]  # still Bob's own
    assert "You are not in a class" in await answer(
        telegram, telegram.send_text(BOB, BOB, "/leave")
    )


async def test_a_class_can_start_from_a_model_that_knows_nothing(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    code = await start_class(telegram)
    assert "builtin is now off" in await answer(
        telegram, telegram.send_text(GROUP, TEACHER, "/set builtin off")
    )
    await join(telegram, BOB, code)
    silent = await answer(telegram, telegram.send_photo(BOB, BOB, smiley("smile")))
    assert silent.startswith("I know nothing yet")
    assert "Reply /why" not in silent
    # A chat in no class keeps its built-in answers.
    telegram.add_user(1003, "Carla")
    answered = await answer(telegram, telegram.send_photo(1003, 1003, smiley("smile")))
    assert "built-in smiley model" in answered
