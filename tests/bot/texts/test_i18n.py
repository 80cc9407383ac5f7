"""End to end: replies in German or English by the user's language_code; menus in both."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.app import COMMANDS, BotApplication
from bot.playground.fakeserver import ApiCall, FakeTelegram
from bot.samples.notices import Notices
from bot.texts import CATALOGUE
from tests.bot.conftest import ALICE, answer, reaction

Smiley = Callable[..., bytes]
CARL = 1003  # language_code "de"
ANNA = 1004  # language_code "de-AT"
FRANCOIS = 1005  # language_code "fr": no French texts, so English
TRAINING_TIMEOUT = 120.0
SETTLE_TIMEOUT = 30.0  # replies may wait for Telegram's flood limits


def edited_to(chat_id: int, text: str) -> Callable[[ApiCall], bool]:
    return lambda call: (
        call.method == "editMessageText"
        and int(call.params["chat_id"]) == chat_id
        and text in call.params["text"]
    )


async def command(telegram: FakeTelegram, user: int, text: str, contains: str | None = None) -> str:
    return await answer(telegram, telegram.send_text(user, user, text), contains=contains)


async def test_the_command_menu_is_registered_in_english_and_german(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    english = {c["command"]: c["description"] for c in telegram.commands()}
    german = {c["command"]: c["description"] for c in telegram.commands(language_code="de")}
    assert list(english) == list(german) == [command.name for command in COMMANDS]
    assert english["train"] == CATALOGUE["en"]["cmd.train"] == "Train this chat's model"
    assert german["train"] == CATALOGUE["de"]["cmd.train"] == "Das Modell dieses Chats trainieren"
    assert "/export model" in english["export"] and "/export model" in german["export"]


async def test_a_german_user_is_greeted_helped_and_answered_in_german(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_user(CARL, "Carl", language_code="de")
    start = await command(telegram, CARL, "/start")
    assert start.startswith("Hallo Carl! Ich lerne, Smileys")
    assert "/label fröhlich" in start and "mindestens 2 Sorten mit je 5 Zeichnungen" in start
    first_steps = await command(telegram, CARL, "/help")
    assert first_steps.startswith("So lerne ich, in vier Schritten")
    assert "/help more zeigt alles andere" in first_steps
    help_text = await command(telegram, CARL, "/help mehr")
    assert "So kannst du ein Bild beschriften" in help_text
    assert "/export model – das trainierte Modell" in help_text
    assert "Ich nehme Fotos, Bilddateien" in help_text

    # A prediction from the built-in model, then labelling it with a reply.
    photo = telegram.send_photo(CARL, CARL, smiley("smile"))
    prediction = await answer(telegram, photo, contains="%")
    first_line = prediction.splitlines()[0]
    assert first_line.startswith(("Ich glaube, das ist ", "Ich bin mir nicht sicher"))
    assert "(das eingebaute Modell" in prediction
    labelled = telegram.send_text(CARL, CARL, "/label smile", reply_to=photo["message_id"])
    # The built-in label "smile" reads "fröhlich" in German, however it was typed.
    assert await answer(telegram, labelled) == "Als fröhlich beschriftet. fröhlich hat jetzt 1."

    # Refusals: a label with a space, and a command the bot does not know.
    refused = await command(telegram, CARL, "/label big smile")
    assert (
        refused
        == "„big smile“ ist kein gültiges Label (keine Leerzeichen). Probier /label big-smile"
    )
    assert await command(telegram, CARL, "/fly") == (
        "/fly kenne ich nicht. /help zeigt, was ich kann."
    )
    assert "von höchstens 10" in await command(telegram, CARL, "/status")


async def test_a_regional_german_variant_gets_german(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    telegram.add_user(ANNA, "Anna", language_code="de-AT")
    assert (await command(telegram, ANNA, "/start")).startswith("Hallo Anna!")
    assert await command(telegram, ANNA, "/stop") == "Hier läuft kein Training."


async def test_english_and_unsupported_languages_get_english(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    telegram.add_user(FRANCOIS, "François", language_code="fr")
    for user, name in ((ALICE, "Alice"), (FRANCOIS, "François")):
        start = await command(telegram, user, "/start")
        assert start.startswith(f"Hi {name}! I learn to recognise smileys")
        assert "How I learn, in four steps" in await command(telegram, user, "/help")
        assert await command(telegram, user, "/stop") == "No training is running here."
        assert "no trained model" in await command(telegram, user, "/export model")


async def test_training_reports_progress_and_result_and_exports_in_german(
    telegram: FakeTelegram, bot: BotApplication, smiley: Smiley
) -> None:
    telegram.add_user(CARL, "Carl", language_code="de")
    assert "zuerst eins mit /train" in await command(telegram, CARL, "/export model")
    assert "mindestens 2 Labels" in await command(telegram, CARL, "/train")
    for label in ("smile", "sad"):
        for _ in range(5):
            sent = telegram.send_photo(CARL, CARL, smiley(label), caption=f"/label {label}")
            await reaction(telegram, sent)
    assert "epochs ist jetzt 2" in await command(telegram, CARL, "/set epochs 2")
    assert (await command(telegram, CARL, "/train")).startswith("Das Training beginnt")
    report = str(
        (
            await telegram.wait_for(
                edited_to(CARL, "Training fertig nach"), timeout=TRAINING_TIMEOUT
            )
        ).params["text"]
    )
    # The report's charts follow; under the flood limits they may hold later replies back.
    await telegram.wait_idle(quiet=1.0, timeout=SETTLE_TIMEOUT)
    assert "Validierungsgenauigkeit:" in report and "5-fache Kreuzvalidierung" in report
    assert "• traurig:" in report and "von 5" in report  # the built-in "sad", in German
    assert "Ab jetzt antwortet das neue Modell." in report
    # German numbers: a decimal comma, a no-break space before the per cent sign.
    assert re.search(r"^Training fertig nach \d+,\d s\.$", report, re.MULTILINE), report
    assert re.search(r"^Validierungsgenauigkeit: \d{1,3}\u00a0% \(", report, re.MULTILINE)
    assert re.search(r"^• traurig: \d{1,3}\u00a0% von 5$", report, re.MULTILINE), report
    assert not re.search(r"\d%|\d\.\d", report), report
    progress = [
        call.params["text"]
        for call in telegram.calls
        if call.method == "editMessageText" and "Epoche" in call.params["text"]
    ]
    assert progress, "no German progress edit"
    assert "Training mit 10 Beispielen: traurig, fröhlich" in progress[0]
    assert "Validierungslauf 1/5, Epoche 1/2" in progress[0]
    assert re.search(
        r"^▓*░* \d{1,3}\u00a0%\nTrainingsgenauigkeit \d{1,3}\u00a0% \(Loss \d+,\d{3}\)$",
        progress[-1],
        re.MULTILINE,
    ), progress[-1]

    photo = telegram.send_photo(CARL, CARL, smiley("sad"))
    prediction = (
        await telegram.wait_for_message(
            CARL, after_message_id=photo["message_id"], contains="%", timeout=SETTLE_TIMEOUT
        )
    )["text"]
    assert "eingebaute" not in prediction
    assert prediction.startswith(("Ich glaube, das ist ", "Ich bin mir nicht sicher"))
    top = prediction.splitlines()[1]
    assert re.match(r"^(fröhlich|traurig) \d{1,3}\u00a0% ▓*░*$", top), prediction
    status = await command(telegram, CARL, "/status", contains="Modell")
    assert re.search(
        r"Modell: trainiert mit 10 Beispielen, Validierungsgenauigkeit \d{1,3}\u00a0%\.", status
    )

    sent = telegram.send_text(CARL, CARL, "/export model")
    howto = await telegram.wait_for_message(
        CARL, after_message_id=sent["message_id"], contains="LABELS", timeout=SETTLE_TIMEOUT
    )
    assert howto["text"].startswith("Um damit eine Zeichnung genau wie ich zu erkennen")
    assert "2. Erkenne sie mit Keras (smileys-model.keras):" in howto["text"]
    documents = [m for m in telegram.bot_messages(CARL) if "document" in m]
    assert "trainiert mit 10 Beispielen" in documents[-2]["caption"]


class RecordingBot:
    """Stands in for the Bot: records what Notices sends."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_message(self, chat_id: int, text: str, **_: object) -> None:
        self.sent.append(text)


async def test_a_merged_burst_of_notices_speaks_the_senders_language() -> None:
    recorder = RecordingBot()
    notices = Notices(recorder)  # type: ignore[arg-type]
    for n in range(10):
        notices.post(CARL, f"Hinweis {n}", reply_to=n, language="de")
    await notices.flush()
    (merged,) = recorder.sent
    assert merged.splitlines()[-1] == "… und 3 weitere."
    assert merged.splitlines()[:7] == [f"Hinweis {n}" for n in range(7)]


async def test_parameter_rules_are_explained_in_the_users_language(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    telegram.add_user(CARL, "Carl", language_code="de")
    assert await command(telegram, CARL, "/set epochs 0") == (
        "Ungültiger Wert für epochs: Nimm eine ganze Zahl von 1 bis 200."
    )
    assert await command(telegram, CARL, "/set start sometimes") == (
        "Ungültiger Wert für start: Nimm pretrained oder scratch."
    )
    assert "• learning_rate = 0,001 (eine Zahl von 0,00001 bis 1)" in await command(
        telegram, CARL, "/params"
    )
    unknown = await command(telegram, CARL, "/set speed 3")
    assert unknown.startswith("Es gibt keinen Parameter „speed“: Nimm einen von epochs, ")
    assert await command(telegram, ALICE, "/set start sometimes") == (
        "Invalid value for start: use pretrained or scratch."
    )
    assert "• learning_rate = 0.001 (a number from 0.00001 to 1)" in await command(
        telegram, ALICE, "/params"
    )


async def test_a_decimal_comma_is_accepted_and_numbers_are_shown_in_the_users_language(
    telegram: FakeTelegram, bot: BotApplication
) -> None:
    telegram.add_user(CARL, "Carl", language_code="de")
    assert await command(telegram, CARL, "/set learning_rate 0,001") == (
        "learning_rate ist jetzt 0,001. Das gilt ab dem nächsten /train."
    )
    assert await command(telegram, CARL, "/set validation 0,25") == (
        "validation ist jetzt 0,25. Das gilt ab dem nächsten /train."
    )
    german = await command(telegram, CARL, "/params")
    assert "• learning_rate = 0,001 (eine Zahl von 0,00001 bis 1)" in german
    assert "• validation = 0,25 (eine Zahl von 0,05 bis 0,5)" in german
    assert await command(telegram, CARL, "/set learning_rate 0,0,1") == (
        "Ungültiger Wert für learning_rate: Nimm eine Zahl von 0,00001 bis 1."
    )

    # English chats write a point, but a comma from a German keyboard is understood too.
    assert await command(telegram, ALICE, "/set learning_rate 0,002") == (
        "learning_rate is now 0.002. It applies to the next /train."
    )
    assert await command(telegram, ALICE, "/set validation 0.3") == (
        "validation is now 0.3. It applies to the next /train."
    )
    english = await command(telegram, ALICE, "/params")
    assert "• learning_rate = 0.002 (a number from 0.00001 to 1)" in english
    assert "• validation = 0.3 (a number from 0.05 to 0.5)" in english
    assert await command(telegram, ALICE, "/set learning_rate 1.000,5") == (
        "Invalid value for learning_rate: use a number from 0.00001 to 1."
    )
