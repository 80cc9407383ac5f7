"""One message per training, edited as it goes, never faster than Telegram allows."""

from __future__ import annotations

import logging
import time
from typing import Any

from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.telegram.rate_limiter import Pacing

__all__ = ["ProgressMessage"]

logger = logging.getLogger(__name__)

# Telegram tolerates roughly one edit every 2-3 seconds per chat.
MIN_EDIT_INTERVAL = 3.0


class ProgressMessage:
    """Edits one message; intermediate states are dropped rather than queued."""

    def __init__(self, bot: ExtBot[Any], chat_id: int, message_id: int, shown: str) -> None:
        self._bot = bot
        self.chat_id = chat_id
        self.message_id = message_id
        self._shown = shown  # the message's current text
        self._last_edit = 0.0  # so the first real progress shows at once

    async def show(self, text: str, *, final: bool = False) -> None:
        """Show ``text`` now if allowed; a final state is always shown.

        If the message cannot be edited any more (deleted, too old), a final state is
        sent as a new message, so the outcome of a training is never lost.
        """
        now = time.monotonic()
        if text == self._shown or (not final and now - self._last_edit < MIN_EDIT_INTERVAL):
            return
        try:
            # retries=0: on a 429, skip this state instead of queueing it; the
            # limiter still holds the chat back for retry_after.
            await self._bot.edit_message_text(
                text,
                chat_id=self.chat_id,
                message_id=self.message_id,
                rate_limit_args=Pacing(retries=0) if not final else None,
            )
        except RetryAfter:
            return
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                logger.warning("progress edit in chat %s failed: %s", self.chat_id, exc.message)
                if final:
                    await self._send_instead(text)
        except TelegramError as exc:
            logger.warning("progress edit in chat %s failed: %s", self.chat_id, exc)
            if final:
                await self._send_instead(text)
        self._shown = text
        self._last_edit = now

    async def _send_instead(self, text: str) -> None:
        try:
            message = await self._bot.send_message(self.chat_id, text)
        except TelegramError as exc:
            logger.error("could not report to chat %s: %s", self.chat_id, exc)
            return
        self.message_id = message.message_id
