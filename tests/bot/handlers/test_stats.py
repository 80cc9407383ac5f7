"""End to end: /stats shows the labelled samples per contributor and per label."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import BotApplication
from bot.playground.fakeserver import FakeTelegram
from tests.bot.conftest import ALICE, BOB, GROUP, answer
from tests.bot.labels.test_corrections import data_for, predicted, store, tap

Smiley = Callable[..., bytes]
DIETER = 1003


async def stats(telegram: FakeTelegram, chat_id: int, user_id: int) -> str:
    return await answer(telegram, telegram.send_text(chat_id, user_id, "/stats"))


def member_lookups(telegram: FakeTelegram) -> list[int]:
    return [int(c.params["user_id"]) for c in telegram.calls if c.method == "getChatMember"]


async def test_a_group_sees_its_contributors_by_name_and_its_labels(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    await store(telegram, GROUP, smiley("smile"), "smile", user_id=ALICE)
    await store(telegram, GROUP, smiley("sad"), "sad", user_id=ALICE)
    await store(telegram, GROUP, smiley("smile"), "smile", user_id=BOB)
    # Bob's unlabelled image that Alice sorts with a tap still counts as Bob's.
    prediction = await predicted(telegram, GROUP, BOB, smiley("smile"))
    await tap(telegram, GROUP, ALICE, prediction, data_for(prediction, "smile"))
    await predicted(telegram, GROUP, BOB, smiley("neutral"))  # unlabelled: not counted

    text = await stats(telegram, GROUP, BOB)  # not admin-only

    assert text == (
        "Samples per contributor:\n"
        "• Alice: 2\n"
        "• Bob: 2\n"
        "\n"
        "Samples per label:\n"
        "• smile: 3\n"
        "• sad: 1\n"
        "\n"
        "Labelled samples in all: 4"
    )
    assert sorted(member_lookups(telegram)) == [ALICE, BOB]
    await stats(telegram, GROUP, ALICE)
    assert len(member_lookups(telegram)) == 2  # the names are cached


async def test_a_name_telegram_cannot_give_shows_the_user_id(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    await store(telegram, GROUP, smiley("smile"), "smile", user_id=BOB)
    telegram.fail_next("getChatMember", status=400, description="Bad Request: user not found")

    text = await stats(telegram, GROUP, ALICE)

    assert f"• user {BOB}: 1" in text


async def test_more_than_ten_contributors_end_with_the_others(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    people = list(range(2001, 2013))
    for user_id in people:
        telegram.add_user(user_id, f"Kid{user_id - 2000}")
        await store(telegram, GROUP, smiley("smile"), "smile", user_id=user_id)
    await store(telegram, GROUP, smiley("sad"), "sad", user_id=people[-1])

    lines = (await stats(telegram, GROUP, ALICE)).splitlines()

    assert lines[:3] == ["Samples per contributor:", "• Kid12: 2", "• Kid1: 1"]
    assert lines[10] == "• Kid9: 1"
    assert lines[11] == "• 2 others: 2"
    assert lines[-1] == "Labelled samples in all: 13"


async def test_a_private_chat_sees_just_its_labels(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    assert "No labelled samples yet" in await stats(telegram, ALICE, ALICE)
    await store(telegram, ALICE, smiley("sad"), "sad", user_id=ALICE)
    await store(telegram, ALICE, smiley("smile"), "smile", user_id=ALICE)
    await store(telegram, ALICE, smiley("sad"), "sad", user_id=ALICE)

    text = await stats(telegram, ALICE, ALICE)

    assert text == "Samples per label:\n• sad: 2\n• smile: 1\n\nLabelled samples in all: 3"
    assert member_lookups(telegram) == []


async def test_stats_speak_german_to_german_users(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_user(DIETER, "Dieter", language_code="de")
    telegram.add_chat(GROUP, type="group", title="Werkstatt", admins=[ALICE, telegram.bot_id])
    await store(telegram, GROUP, smiley("smile"), "smile", user_id=DIETER)

    text = await stats(telegram, GROUP, DIETER)

    assert text == (
        "Beispiele pro Person:\n"
        "• Dieter: 1\n"
        "\n"
        "Beispiele pro Label:\n"
        "• smile: 1\n"
        "\n"
        "Beschriftete Beispiele insgesamt: 1"
    )
