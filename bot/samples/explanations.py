"""'🔍 Why?' under a prediction: the drawing with the strokes that decided it, in red.

The button carries the sample's id only (``why:<sample id>``), like the correction buttons
beside it, so it keeps working after a restart and can never mean another drawing. The
picture is made from the stored model input by the model that answers the chat now.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.labels.built_in import shown_name
from bot.samples.predictor import Predictor
from bot.texts import t
from bot.texts.numbers import percent
from model.serving import heatmap_picture, input_array
from storage import Repository

__all__ = [
    "WHY_CALLBACK_PATTERN",
    "Explanation",
    "Explanations",
    "answered_sample",
    "decode_why",
    "is_why_button",
    "replied_sample",
    "with_why_button",
]

WHY_CALLBACK_PATTERN: Final = r"^why:\d+$"
SHOWN_LABELS: Final = 3
# A prediction's buttons all start with the sample's id: "why:<id>" and "fix:<id>:<label>".
_BUTTON = re.compile(r"(?:why|fix):(?P<sample>\d+)(?::.*)?")
_WHY = re.compile(r"why:(?P<sample>\d+)")


def with_why_button(
    keyboard: InlineKeyboardMarkup | None, sample_id: int, lang: str | None
) -> InlineKeyboardMarkup:
    """Return ``keyboard`` with a last row holding the "🔍 Why?" button of ``sample_id``."""
    rows = [list(row) for row in keyboard.inline_keyboard] if keyboard is not None else []
    button = InlineKeyboardButton(t("why.button", lang), callback_data=f"why:{sample_id}")
    return InlineKeyboardMarkup([*rows, [button]])


def decode_why(data: str) -> int:
    """Return the sample id of a "Why?" button's callback data.

    Raises:
        ValueError: ``data`` is not a "Why?" button's.
    """
    match = _WHY.fullmatch(data)
    if match is None:
        raise ValueError(f"not a why button: {data!r}")
    return int(match["sample"])


def is_why_button(button: InlineKeyboardButton) -> bool:
    """Whether ``button`` is a "Why?" button."""
    return str(button.callback_data or "").startswith("why:")


def answered_sample(message: Message) -> int | None:
    """Return the sample a prediction message answers, from its buttons; None if none."""
    markup = message.reply_markup
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            match = _BUTTON.fullmatch(str(button.callback_data or ""))
            if match is not None:
                return int(match["sample"])
    return None


async def replied_sample(repo: Repository, message: Message) -> int | None:
    """Return the sample ``message`` replies to: a drawing, or the bot's answer to one."""
    target = message.reply_to_message
    if target is None:
        return None
    answered = answered_sample(target)
    if answered is not None:
        return answered
    sample = await repo.samples.for_message(message.chat_id, target.message_id)
    return None if sample is None else sample.id


@dataclass(frozen=True)
class Explanation:
    """The picture of what decided a prediction, and its caption."""

    png: bytes
    caption: str


class Explanations:
    """Makes the "Why?" picture of a chat's stored drawing."""

    def __init__(self, repo: Repository, predictor: Predictor) -> None:
        self._repo = repo
        self._predictor = predictor

    async def explain(self, chat_id: int, sample_id: int, lang: str | None) -> Explanation | None:
        """Return the picture for the chat's sample; None when the sample is gone.

        Raises:
            NoModelYet: No model may answer the chat yet (/set builtin off).
        """
        pixels = await self._repo.samples.model_input(chat_id, sample_id)
        if pixels is None:
            return None
        size = int(len(pixels) ** 0.5)
        prediction, heat = await self._predictor.explain(chat_id, pixels, size)
        lines = [
            f"{shown_name(label, lang)} {percent(p, lang)}"
            for label, p in prediction.ranked[:SHOWN_LABELS]
        ]
        png = await asyncio.to_thread(heatmap_picture, input_array(pixels, size), heat, lines)
        best, probability = prediction.ranked[0]
        shown = shown_name(best, lang)
        caption = t("why.caption", lang, label=shown, percent=percent(probability, lang))
        return Explanation(png, caption)
