"""One-tap corrections under a prediction: the buttons, their callback data, and a tap.

A button's ``callback_data`` may hold 64 bytes, but a label can take 128 bytes of UTF-8,
so buttons carry ids that the database resolves: ``fix:<sample id>:<label id>`` for a
label the chat has, ``fix:<sample id>:d<index>`` for a label of the bundled default model
that the chat does not have yet (created on the tap). Sample and label ids are never reused
(storage/migrations/0001_init.sql), and nothing lives in memory, so old buttons keep
working after a restart and can never mean another sample or label.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import CorrectionsConfig, LimitsConfig
from bot.labels.built_in import shown_name
from bot.labels.names import SUGGESTED_LABELS
from storage import Repository, TooManyLabels

__all__ = [
    "CALLBACK_DATA_MAX_BYTES",
    "DEFAULT_LABELS",
    "FIX_CALLBACK_PATTERN",
    "RETRAIN_CALLBACK",
    "RETRAIN_CALLBACK_PATTERN",
    "Corrections",
    "LabelRef",
    "TapOutcome",
    "TapStatus",
    "decode_fix",
    "encode_fix",
]

CALLBACK_DATA_MAX_BYTES: Final = 64  # Telegram's limit for an inline button's data
# The labels of the bundled default model, in its output order: ``d<index>`` points here.
# They are the talk's four categories, which the default model was trained on; a fixed
# tuple, not the loaded model's, so a ``d`` button means the same label after a restart.
DEFAULT_LABELS: Final = SUGGESTED_LABELS
BUTTONS_PER_ROW: Final = 3
FIX_CALLBACK_PATTERN: Final = r"^fix:\d+:(?:d?\d+|r\d+\.\d+)$"
RETRAIN_CALLBACK: Final = "retrain"
RETRAIN_CALLBACK_PATTERN: Final = rf"^{RETRAIN_CALLBACK}$"
_FIX = re.compile(
    r"fix:(?P<sample>\d+):(?:(?P<default>d?)(?P<ref>\d+)|r(?P<run>\d+)\.(?P<index>\d+))"
)


@dataclass(frozen=True)
class LabelRef:
    """A label a button stands for: the chat's label id, an index into DEFAULT_LABELS, or
    the index of an output of the training that answered (``run``: a class's model answers
    a pupil with labels the pupil's own chat may not have yet)."""

    label_id: int | None = None
    default_index: int | None = None
    run: tuple[int, int] | None = None  # (run id, output index)


def encode_fix(sample_id: int, ref: LabelRef) -> str:
    """Return the callback data of the button that stores ``sample_id`` under ``ref``."""
    if ref.label_id is not None:
        return f"fix:{sample_id}:{ref.label_id}"
    if ref.run is not None:
        return f"fix:{sample_id}:r{ref.run[0]}.{ref.run[1]}"
    return f"fix:{sample_id}:d{ref.default_index}"


def decode_fix(data: str) -> tuple[int, LabelRef]:
    """Return (sample id, label reference) of a button's callback data.

    Raises:
        ValueError: ``data`` is not a correction button's.
    """
    match = _FIX.fullmatch(data)
    if match is None:
        raise ValueError(f"not a correction button: {data!r}")
    if match["run"] is not None:
        return int(match["sample"]), LabelRef(run=(int(match["run"]), int(match["index"])))
    ref = int(match["ref"])
    label = LabelRef(default_index=ref) if match["default"] else LabelRef(label_id=ref)
    return int(match["sample"]), label


class TapStatus(enum.Enum):
    """What a tap on a correction button did."""

    STORED = "stored"  # this tap labelled the image
    ALREADY = "already"  # the image had a label already: nothing changed
    GONE = "gone"  # the image was deleted (/undo, /delete, /reset)
    LABEL_GONE = "label_gone"  # the button's label was deleted meanwhile
    TOO_MANY_LABELS = "too_many_labels"  # the label is new and the chat is at its limit


@dataclass(frozen=True)
class TapOutcome:
    """The result of a tap: the image's label now, who gave it, and whether to offer training."""

    status: TapStatus
    label: str | None = None
    labelled_by: int | None = None
    offer_retrain: bool = False
    taps: int = 0  # taps that stored a label since the last training, this one included


class Corrections:
    """Builds the buttons under a prediction and carries out a tap on one of them."""

    def __init__(
        self, repo: Repository, limits: LimitsConfig, corrections: CorrectionsConfig
    ) -> None:
        self._repo = repo
        self._max_labels = limits.max_labels_per_chat
        self._offer_after = corrections.retrain_offer_after

    async def keyboard(
        self,
        chat_id: int,
        sample_id: int,
        ranked: Sequence[str],
        lang: str | None,
        run_id: int | None = None,
    ) -> InlineKeyboardMarkup | None:
        """Return ✅ for the predicted label, then one button per other label.

        ``ranked`` is the model's labels, best first; the chat's labels the model does not
        know follow. A button shows its label as ``lang``'s reader sees it (``shown_name``)
        and carries the stored label's id. A label the chat has not got and cannot
        reference is left out, as is a new one when the chat is at its label limit (the
        tap could only be refused). ``run_id``, the training whose model answered, lets a
        button name an output label the chat has not got (a pupil's class's).
        """
        known = await self._repo.labels.ids(chat_id)
        run = None if run_id is None else await self._repo.runs.get(run_id)
        outputs = [] if run is None else list(run.labels)
        names = list(dict.fromkeys([*ranked, *known]))
        buttons: list[InlineKeyboardButton] = []
        for position, name in enumerate(names):
            ref = _reference(name, known, self._max_labels)
            if (
                ref is None
                and name in outputs
                and run is not None
                and len(known) < self._max_labels
            ):
                ref = LabelRef(run=(run.id, outputs.index(name)))
            if ref is None:
                continue
            shown = shown_name(name, lang)
            text = f"✅ {shown}" if position == 0 else shown
            buttons.append(InlineKeyboardButton(text, callback_data=encode_fix(sample_id, ref)))
            if len(buttons) == self._max_labels:
                break
        if not buttons:
            return None
        rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
        return InlineKeyboardMarkup(rows)

    async def tap(self, chat_id: int, data: str, user_id: int) -> TapOutcome:
        """Store the button's sample under its label, unless the sample has a label already.

        Raises:
            ValueError: ``data`` is not a correction button's.
        """
        sample_id, ref = decode_fix(data)
        name = await self._resolve(chat_id, ref)
        if name is None:
            return TapOutcome(TapStatus.LABEL_GONE)
        try:
            correction = await self._repo.labels.assign_by_tap(
                chat_id, sample_id, name, user_id=user_id, max_labels=self._max_labels
            )
        except TooManyLabels:
            return TapOutcome(TapStatus.TOO_MANY_LABELS, label=name)
        sample = correction.sample
        if sample is None:
            return TapOutcome(TapStatus.GONE)
        if not correction.stored:
            return TapOutcome(TapStatus.ALREADY, sample.label, sample.labelled_by)
        taps = correction.taps_since_training
        # Exactly one tap reaches each multiple: the count only grows, one per stored tap.
        offer = self._offer_after > 0 and taps % self._offer_after == 0
        return TapOutcome(TapStatus.STORED, sample.label, sample.labelled_by, offer, taps)

    async def _resolve(self, chat_id: int, ref: LabelRef) -> str | None:
        if ref.label_id is not None:
            return await self._repo.labels.name_of(chat_id, ref.label_id)
        if ref.run is not None:
            return await self._run_label(chat_id, *ref.run)
        index = ref.default_index
        if index is None or not 0 <= index < len(DEFAULT_LABELS):
            return None
        return DEFAULT_LABELS[index]

    async def _run_label(self, chat_id: int, run_id: int, index: int) -> str | None:
        """Return output ``index`` of a training of this chat, or of the class it is in."""
        run = await self._repo.runs.get(run_id)
        if run is None or not 0 <= index < len(run.labels):
            return None
        owners = {chat_id, await self._repo.classes.learning_chat(chat_id)}
        return run.labels[index] if run.chat_id in owners else None


def _reference(name: str, known: dict[str, int], max_labels: int) -> LabelRef | None:
    """Return how a button refers to ``name``, or None when it cannot."""
    if name in known:
        return LabelRef(label_id=known[name])
    if name in DEFAULT_LABELS and len(known) < max_labels:
        return LabelRef(default_index=DEFAULT_LABELS.index(name))
    return None
