"""The answer to a new unlabelled image: the predicted labels with percentages, and the buttons."""

from __future__ import annotations

import logging

from telegram import Message

from bot.labels.built_in import shown_name
from bot.labels.corrections import Corrections
from bot.samples.explanations import with_why_button
from bot.samples.intake import Stored
from bot.samples.predictor import NoModelYet, Prediction, Predictor
from bot.texts import t
from bot.texts.formats import bar
from bot.texts.numbers import percent
from storage import AddStatus

__all__ = ["TOP_LABELS", "PredictionReply", "prediction_text"]

logger = logging.getLogger(__name__)

TOP_LABELS = 3
PREDICTION_BAR_WIDTH = 10


class PredictionReply:
    """Answers a new unlabelled image with the prediction and the correction buttons."""

    def __init__(
        self, predictor: Predictor, corrections: Corrections, low_confidence: float
    ) -> None:
        self._predictor = predictor
        self._corrections = corrections
        self._low_confidence = low_confidence

    async def send(self, message: Message, stored: Stored, lang: str | None) -> bool:
        """Answer ``message``'s stored image, if it is new and unlabelled; return whether it did.

        Otherwise (labelled, a duplicate, no model can answer) the caller acknowledges it.
        """
        result = stored.result
        if result.status is not AddStatus.CREATED or result.sample.label is not None:
            return False
        prepared = stored.prepared
        try:
            prediction = await self._predictor.predict(
                message.chat_id, prepared.model_input, prepared.input_size
            )
        except NoModelYet:
            # A lesson that starts from nothing: no guess, but the buttons to label it.
            keyboard = await self._corrections.keyboard(message.chat_id, result.sample.id, [], lang)
            await message.reply_text(
                t("predict.no_model_yet", lang), do_quote=True, reply_markup=keyboard
            )
            return True
        except Exception:
            # The image is stored; say so even if no model can answer right now.
            logger.exception("prediction in chat %s failed", message.chat_id)
            return False
        keyboard = await self._corrections.keyboard(
            message.chat_id,
            result.sample.id,
            [label for label, _ in prediction.ranked],
            lang,
            prediction.run_id,
        )
        keyboard = with_why_button(keyboard, result.sample.id, lang)
        text = prediction_text(prediction, self._low_confidence, lang)
        await message.reply_text(text, do_quote=True, reply_markup=keyboard)
        return True


def prediction_text(prediction: Prediction, low_confidence: float, lang: str | None) -> str:
    """Describe a prediction: the top labels with percentages and bars."""
    best_label, best = prediction.ranked[0]
    if best < low_confidence:
        lines = [t("predict.not_sure", lang)]
    else:
        lines = [t("predict.sure", lang, label=shown_name(best_label, lang))]
    for label, probability in prediction.ranked[:TOP_LABELS]:
        lines.append(
            f"{shown_name(label, lang)} {percent(probability, lang)}"
            f" {bar(probability, PREDICTION_BAR_WIDTH)}"
        )
    if prediction.source == "default":
        lines.append(t("predict.default_model", lang))
    elif prediction.outdated:
        lines.append(t("predict.outdated", lang))
    lines.append(t("predict.teach", lang))
    return "\n".join(lines)
