"""End to end: the buttons under a prediction store the image in one tap; the retrain offer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.app import BotApplication
from bot.config import Config, CorrectionsConfig
from bot.labels.corrections import CALLBACK_DATA_MAX_BYTES, DEFAULT_LABELS, LabelRef, encode_fix
from bot.labels.names import LABEL_MAX_LENGTH, normalise_label
from bot.playground.fakeserver import ApiCall, FakeTelegram
from tests.bot.conftest import ALICE, BOB, GROUP, answer, is_answer_to, reaction, running
from tests.bot.training.test_queue import command, final_report, label_samples

Smiley = Callable[..., bytes]
DIETER = 1003
SQLITE_MAX_ROWID = 2**63 - 1


async def predicted(
    telegram: FakeTelegram, chat_id: int, user_id: int, image: bytes
) -> dict[str, Any]:
    """Send an unlabelled image and return the bot's prediction message."""
    sent = telegram.send_photo(chat_id, user_id, image)
    replied = is_answer_to(sent)
    # Not the first attempt: a send refused by the flood limit is retried.
    call = await telegram.wait_for(lambda call: replied(call) and call.ok)
    prediction: dict[str, Any] = call.result
    assert prediction["reply_to_message"]["message_id"] == sent["message_id"]
    return prediction


def buttons(prediction: dict[str, Any]) -> dict[str, str]:
    """Return the prediction's correction buttons: text -> callback_data, in order."""
    keyboard = prediction["reply_markup"]["inline_keyboard"]
    return {
        button["text"]: button["callback_data"]
        for row in keyboard
        for button in row
        if not button["callback_data"].startswith("why:")
    }


def data_for(prediction: dict[str, Any], label: str) -> str:
    """Return the callback_data of the button for ``label`` (✅ or not)."""
    found = buttons(prediction)
    return found.get(label) or found[f"✅ {label}"]


def answered_query(query_id: str) -> Callable[[ApiCall], bool]:
    return lambda call: (
        call.method == "answerCallbackQuery" and call.params["callback_query_id"] == query_id
    )


async def tap(
    telegram: FakeTelegram, chat_id: int, user_id: int, message: dict[str, Any], data: str
) -> str:
    """Press a button of ``message`` and return the toast the bot answered with."""
    query = telegram.press_button(chat_id, user_id, message["message_id"], data)
    await telegram.wait_for(answered_query(query))
    return str((telegram.callback_answer(query) or {}).get("text", ""))


async def edited(telegram: FakeTelegram, message: dict[str, Any]) -> dict[str, Any]:
    """Wait until the bot edited ``message`` and return it as it is now."""
    chat_id, message_id = message["chat"]["id"], message["message_id"]
    await telegram.wait_for(
        lambda call: (
            call.method == "editMessageText"
            and int(call.params["chat_id"]) == chat_id
            and int(call.params["message_id"]) == message_id
        )
    )
    now = telegram.message(chat_id, message_id)
    assert now is not None
    return now


async def store(
    telegram: FakeTelegram, chat_id: int, image: bytes, label: str, user_id: int = ALICE
) -> None:
    """Send ``image`` with the caption /label ``label`` and wait until it is stored."""
    await reaction(
        telegram, telegram.send_photo(chat_id, user_id, image, caption=f"/label {label}")
    )


def with_offer_after(config: Config, taps: int) -> Config:
    return replace(config, corrections=CorrectionsConfig(retrain_offer_after=taps))


# --- buttons and taps ----------------------------------------------------------------------


async def test_the_tick_stores_the_image_under_the_predicted_label(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    prediction = await predicted(telegram, ALICE, ALICE, smiley("smile"))
    texts = list(buttons(prediction))
    assert texts[0].startswith("✅ ")
    best = texts[0].removeprefix("✅ ")
    assert prediction["text"].splitlines()[1].split()[0] == best  # the top bar
    assert sorted([best, *texts[1:]]) == sorted(DEFAULT_LABELS)
    *rows, [why] = prediction["reply_markup"]["inline_keyboard"]
    assert max(len(row) for row in rows) <= 3 and len(rows) == 2
    assert why["text"] == "🔍 Why?" and why["callback_data"].startswith("why:")

    toast = await tap(telegram, ALICE, ALICE, prediction, buttons(prediction)[texts[0]])

    assert toast == f"Stored as {best}."
    after = await edited(telegram, prediction)
    assert after["text"].startswith(prediction["text"])
    assert after["text"].endswith(f"✅ Stored as {best}")
    # The corrections are done; what decided the prediction can still be asked.
    assert after["reply_markup"]["inline_keyboard"] == [[why]]
    assert f"• {best}: 1" in await command(telegram, ALICE, "/labels")


async def test_another_label_stores_the_image_under_that_label(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    await store(telegram, ALICE, smiley("sad"), "frown")
    prediction = await predicted(telegram, ALICE, ALICE, smiley("sad"))
    # The chat's own label that the default model does not know gets a button too.
    assert "frown" in buttons(prediction)

    assert await tap(telegram, ALICE, ALICE, prediction, data_for(prediction, "frown")) == (
        "Stored as frown."
    )
    await edited(telegram, prediction)
    labels = await command(telegram, ALICE, "/labels")
    assert "• frown: 2" in labels and "Unlabelled" not in labels


async def test_a_second_tap_changes_nothing(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    prediction = await predicted(telegram, ALICE, ALICE, smiley("sad"))
    # Both taps are made before the bot handles the first: an old client, a fast finger.
    first = telegram.press_button(
        ALICE, ALICE, prediction["message_id"], data_for(prediction, "sad")
    )
    second = telegram.press_button(
        ALICE, ALICE, prediction["message_id"], data_for(prediction, "neutral")
    )
    await telegram.wait_for(answered_query(second))

    assert (telegram.callback_answer(first) or {})["text"] == "Stored as sad."
    assert (telegram.callback_answer(second) or {})["text"] == "Already stored as sad."
    labels = await command(telegram, ALICE, "/labels")
    assert "• sad: 1" in labels and "neutral" not in labels
    assert telegram.message(ALICE, prediction["message_id"])["text"].endswith("✅ Stored as sad")


async def test_in_a_group_anyone_may_tap_and_the_first_tap_counts(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    prediction = await predicted(telegram, GROUP, ALICE, smiley("smile"))
    bobs = telegram.press_button(GROUP, BOB, prediction["message_id"], data_for(prediction, "sad"))
    alices = telegram.press_button(
        GROUP, ALICE, prediction["message_id"], data_for(prediction, "smile")
    )
    await telegram.wait_for(answered_query(alices))

    assert (telegram.callback_answer(bobs) or {})["text"] == "Stored as sad."
    assert (telegram.callback_answer(alices) or {})["text"] == "Already stored as sad."
    shown = telegram.message(GROUP, prediction["message_id"])
    assert shown is not None and shown["text"].endswith("✅ Stored as sad by Bob")
    assert buttons(shown) == {}  # only "Why?" is left
    labels = await answer(telegram, telegram.send_text(GROUP, ALICE, "/labels"))
    assert "• sad: 1" in labels and "smile" not in labels


async def test_buttons_keep_working_after_a_restart(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    async with running(config):
        await store(telegram, ALICE, smiley("sad"), "frown")
        prediction = await predicted(telegram, ALICE, ALICE, smiley("sad"))
    async with running(config):
        toast = await tap(telegram, ALICE, ALICE, prediction, data_for(prediction, "frown"))
        assert toast == "Stored as frown."
        assert "• frown: 2" in await command(telegram, ALICE, "/labels")


async def test_a_tap_after_label_or_undo_says_what_happened(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    labelled = await predicted(telegram, ALICE, ALICE, smiley("smile"))
    await command(telegram, ALICE, "/label neutral")
    assert await tap(telegram, ALICE, ALICE, labelled, data_for(labelled, "sad")) == (
        "Already stored as neutral."
    )
    assert (await edited(telegram, labelled))["text"].endswith("✅ Stored as neutral")

    undone = await predicted(telegram, ALICE, ALICE, smiley("sad"))
    await command(telegram, ALICE, "/label sad")
    assert "Deleted your last labelled sample (sad)" in await command(telegram, ALICE, "/undo")
    assert await tap(telegram, ALICE, ALICE, undone, data_for(undone, "sad")) == (
        "This image is no longer stored."
    )
    assert (await edited(telegram, undone))["text"].endswith("🗑 This image was deleted.")
    labels = await command(telegram, ALICE, "/labels")
    assert "• neutral: 1" in labels and "sad" not in labels


async def test_a_tap_after_delete_finds_the_label_and_the_image_gone(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    await store(telegram, ALICE, smiley("sad"), "frown")
    prediction = await predicted(telegram, ALICE, ALICE, smiley("sad"))
    await command(telegram, ALICE, "/label frown")
    question = await telegram.wait_for_message(
        ALICE, after_message_id=telegram.send_text(ALICE, ALICE, "/delete frown")["message_id"]
    )
    [[yes, _]] = question["reply_markup"]["inline_keyboard"]
    await tap(telegram, ALICE, ALICE, question, yes["callback_data"])
    assert "Deleted" in (await edited(telegram, question))["text"]

    assert await tap(telegram, ALICE, ALICE, prediction, data_for(prediction, "frown")) == (
        "That label no longer exists here. Tap another one or use /label."
    )
    assert await tap(telegram, ALICE, ALICE, prediction, data_for(prediction, "sad")) == (
        "This image is no longer stored."
    )
    assert "No labelled samples yet" in await command(telegram, ALICE, "/labels")


async def test_the_longest_label_fits_in_the_callback_data(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    # 32 characters of 4 bytes each: the most UTF-8 a label can take.
    longest = normalise_label("\U00020000" * LABEL_MAX_LENGTH)
    assert len(longest.encode()) == 128
    await reaction(
        telegram, telegram.send_photo(ALICE, ALICE, smiley(), caption=f"/label {longest}")
    )
    prediction = await predicted(telegram, ALICE, ALICE, smiley("sad"))

    assert all(
        len(data.encode()) <= CALLBACK_DATA_MAX_BYTES for data in buttons(prediction).values()
    )
    assert await tap(telegram, ALICE, ALICE, prediction, data_for(prediction, longest)) == (
        f"Stored as {longest}."
    )
    # Whatever the ids grow to, the data stays within Telegram's limit.
    for ref in (LabelRef(label_id=SQLITE_MAX_ROWID), LabelRef(default_index=len(DEFAULT_LABELS))):
        assert len(encode_fix(SQLITE_MAX_ROWID, ref).encode()) <= CALLBACK_DATA_MAX_BYTES


async def test_buttons_respect_the_label_limit_and_a_tap_over_it_is_refused(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    async with running(replace(config, limits=replace(config.limits, max_labels_per_chat=2))):
        await store(telegram, ALICE, smiley("sad"), "frown")
        before = await predicted(telegram, ALICE, ALICE, smiley("sad"))
        assert len(buttons(before)) == 2  # as many as the chat may have labels
        await store(telegram, ALICE, smiley("smile"), "grin")
        at_limit = await predicted(telegram, ALICE, ALICE, smiley("smile"))
        # Only labels the image can still be stored under; none is the prediction.
        assert list(buttons(at_limit)) == ["frown", "grin"]

        new_label = next(iter(buttons(before).values()))
        assert await tap(telegram, ALICE, ALICE, before, new_label) == (
            "This chat already has 2 labels, the maximum. Tap one of them, or "
            "remove one with /delete <label>."
        )
        assert "Unlabelled images: 2" in await command(telegram, ALICE, "/labels")


async def test_tap_texts_follow_the_tappers_language(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_user(DIETER, "Dieter", language_code="de")
    telegram.add_chat(GROUP, type="group", title="Werkstatt", admins=[ALICE, telegram.bot_id])
    prediction = await predicted(telegram, GROUP, ALICE, smiley("sad"))

    assert await tap(telegram, GROUP, DIETER, prediction, data_for(prediction, "sad")) == (
        "Als traurig gespeichert."
    )
    assert (await edited(telegram, prediction))["text"].endswith(
        "✅ Von Dieter als traurig gespeichert"
    )


# --- the retrain offer ---------------------------------------------------------------------


async def test_after_n_taps_the_bot_offers_to_retrain_and_the_button_trains(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    async with running(with_offer_after(config, 2)):
        await label_samples(telegram, ALICE, smiley, {"smile": 4, "sad": 4})
        await command(telegram, ALICE, "/set epochs 1")
        first = await predicted(telegram, ALICE, ALICE, smiley("smile"))
        await tap(telegram, ALICE, ALICE, first, data_for(first, "smile"))
        second = await predicted(telegram, ALICE, ALICE, smiley("sad"))
        await tap(telegram, ALICE, ALICE, second, data_for(second, "sad"))

        offer = await telegram.wait_for_message(
            ALICE, after_message_id=second["message_id"], contains="Train again?"
        )
        assert offer["text"] == (
            "You added 2 samples by tapping since the last training. Train again?"
        )
        [[button]] = offer["reply_markup"]["inline_keyboard"]
        assert button["text"] == "Train now"
        await tap(telegram, ALICE, ALICE, offer, button["callback_data"])
        started = await telegram.wait_for_message(
            ALICE, after_message_id=offer["message_id"], contains="Training"
        )
        assert started["text"].startswith("Training starts")
        report = await final_report(telegram, ALICE, "Training finished")
        assert "10 samples" in report
        assert "reply_markup" not in (telegram.message(ALICE, offer["message_id"]) or {})

        # The count starts again at the training: one more tap is not enough for an offer.
        third = await predicted(telegram, ALICE, ALICE, smiley("smile"))
        await tap(telegram, ALICE, ALICE, third, data_for(third, "smile"))
        await edited(telegram, third)
        await telegram.wait_idle()
        offers = [m for m in telegram.bot_messages(ALICE) if "Train again?" in m.get("text", "")]
        assert len(offers) == 1


async def test_in_a_group_only_admins_may_train_from_the_offer(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    telegram.add_user(DIETER, "Dieter", language_code="de")
    telegram.add_chat(GROUP, type="group", title="Workshop", admins=[ALICE, telegram.bot_id])
    async with running(with_offer_after(config, 2)):
        for label in ("sad", "smile"):
            prediction = await predicted(telegram, GROUP, BOB, smiley(label))
            await tap(telegram, GROUP, DIETER, prediction, data_for(prediction, label))
        offer = await telegram.wait_for_message(
            GROUP, after_message_id=prediction["message_id"], contains="trainieren"
        )
        assert offer["text"] == (
            "Du hast seit dem letzten Training 2 Beispiele durch Antippen hinzugefügt. "
            "Noch mal trainieren?"
        )
        [[button]] = offer["reply_markup"]["inline_keyboard"]
        assert button["text"] == "Jetzt trainieren"

        refused = await tap(telegram, GROUP, BOB, offer, button["callback_data"])
        assert refused == "Only this group's admins can use /train here."

        # An admin's tap gets exactly /train's answers: here, that there is too little data.
        await tap(telegram, GROUP, ALICE, offer, button["callback_data"])
        reply = await telegram.wait_for_message(
            GROUP, after_message_id=offer["message_id"], contains="Not enough"
        )
        await telegram.wait_idle()
        refusals = [m for m in telegram.bot_messages(GROUP) if "Not enough" in m.get("text", "")]
        assert len(refusals) == 1  # Bob's tap started nothing
        assert reply["text"] == await answer(telegram, telegram.send_text(GROUP, ALICE, "/train"))
        assert "reply_markup" in (telegram.message(GROUP, offer["message_id"]) or {})


async def test_the_offer_counts_one_tap_right_and_can_be_turned_off(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    async with running(with_offer_after(config, 1)):
        for count, text in ((1, "You added 1 sample by"), (2, "You added 2 samples by")):
            prediction = await predicted(telegram, ALICE, ALICE, smiley("sad"))
            await tap(telegram, ALICE, ALICE, prediction, data_for(prediction, "sad"))
            offer = await telegram.wait_for_message(
                ALICE, after_message_id=prediction["message_id"], contains="Train again?"
            )
            assert offer["text"].startswith(text), count
    async with running(with_offer_after(config, 0)):
        prediction = await predicted(telegram, ALICE, ALICE, smiley("sad"))
        await tap(telegram, ALICE, ALICE, prediction, data_for(prediction, "sad"))
        await edited(telegram, prediction)
        await telegram.wait_idle()
        offers = [m for m in telegram.bot_messages(ALICE) if "Train again?" in m.get("text", "")]
        assert len(offers) == 2
