"""Acknowledge stored samples: a reaction on the image, or a merged notice."""

from __future__ import annotations

import logging

from telegram import Message
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError

from bot.labels.built_in import shown_name
from bot.samples.notices import Notices
from bot.texts import t
from storage import AddResult, AddStatus

__all__ = ["Acknowledger"]

logger = logging.getLogger(__name__)

LABELLED = "👍"
UNLABELLED = "👀"
RELABELLED = "✍"


class Acknowledger:
    """Makes every stored sample visibly acknowledged without flooding the chat.

    Reactions are not messages, so they do not count towards Telegram's per-chat
    message limits; where a chat disallows them, the acknowledgement falls back to a
    notice, and notices of a burst merge into one message.
    """

    def __init__(self, notices: Notices) -> None:
        self._notices = notices
        self._no_reactions: set[int] = set()

    async def stored(self, message: Message, result: AddResult, language: str | None) -> None:
        """Acknowledge that ``message``'s image is stored as ``result`` says."""
        sample = result.sample
        label = shown_name(sample.label, language) if sample.label else None
        if result.status is AddStatus.DUPLICATE:
            key = "ack.duplicate" if label else "ack.duplicate_unlabelled"
            self.notify(message, t(key, language, label=label))
        elif result.status is AddStatus.RELABELLED:
            await self._react(message, RELABELLED, None)
            # The status does not say what the old label was; the new one is what matters.
            self.notify(message, t("ack.labelled", language, label=label))
        elif label is not None:
            await self._react(message, LABELLED, t("ack.labelled", language, label=label))
        else:
            # In a group, a hint under every unlabelled photo would be noise.
            private = message.chat.type == ChatType.PRIVATE
            hint = t("ack.unlabelled", language)
            await self._react(message, UNLABELLED, hint)
            if private and message.chat_id not in self._no_reactions:
                self.notify(message, hint)

    def notify(self, message: Message, text: str) -> None:
        """Queue a notice that replies to ``message``."""
        sender = message.from_user
        self._notices.post(
            message.chat_id,
            text,
            reply_to=message.message_id,
            language=sender.language_code if sender else None,
        )

    async def _react(self, message: Message, emoji: str, fallback: str | None) -> None:
        if message.chat_id not in self._no_reactions:
            try:
                await message.set_reaction(emoji)
                return
            except BadRequest as exc:
                # e.g. REACTION_INVALID: the chat allows no (or only some) reactions.
                logger.info("reactions unavailable in chat %s: %s", message.chat_id, exc.message)
                self._no_reactions.add(message.chat_id)
            except TelegramError as exc:
                logger.warning("reaction in chat %s failed: %s", message.chat_id, exc)
        if fallback is not None:
            self.notify(message, fallback)
