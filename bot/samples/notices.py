"""Short chat notices that merge when they come in bursts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any

from telegram import ReplyParameters
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ExtBot

from bot.telegram.rate_limiter import NOTICE
from bot.texts import t

__all__ = ["Notices"]

logger = logging.getLogger(__name__)

MAX_LINES = 8
# After a notice, wait this long before the next one to the same chat, merging what
# arrives meanwhile: one message per burst instead of one per photo.
PRIVATE_COOLDOWN = 1.0
GROUP_COOLDOWN = 3.0  # Telegram allows about 20 messages a minute in a group


@dataclass(frozen=True)
class _Notice:
    reply_to: int | None
    text: str
    language: str | None = None


class Notices:
    """Sends per-image notices (refusals, fallbacks) without flooding a chat.

    The first notice to a chat goes out at once; notices that arrive while one is
    being sent or during the cooldown after it are merged into a single summary
    that replies to the latest image.
    """

    def __init__(self, bot: ExtBot[Any]) -> None:
        self._bot = bot
        self._queues: dict[int, deque[_Notice]] = {}
        self._writers: dict[int, asyncio.Task[None]] = {}
        self._closing = asyncio.Event()

    def post(
        self, chat_id: int, text: str, *, reply_to: int | None = None, language: str | None = None
    ) -> None:
        """Queue ``text`` for ``chat_id``; it is sent soon, possibly merged with others.

        ``language`` is the addressee's language code, for the words a merge adds.
        """
        self._queues.setdefault(chat_id, deque()).append(_Notice(reply_to, text, language))
        if chat_id not in self._writers:
            self._writers[chat_id] = asyncio.create_task(
                self._write(chat_id), name=f"notices-{chat_id}"
            )

    async def flush(self) -> None:
        """Wait until every queued notice has been sent (or given up on)."""
        while self._writers:
            await asyncio.gather(*self._writers.values(), return_exceptions=True)

    async def close(self) -> None:
        """Send what is queued at once, without waiting out the cooldowns, then stop."""
        self._closing.set()
        await self.flush()

    async def _write(self, chat_id: int) -> None:
        cooldown = GROUP_COOLDOWN if chat_id < 0 else PRIVATE_COOLDOWN
        try:
            while queue := self._queues.get(chat_id):
                batch = list(queue)
                queue.clear()
                await self._send(chat_id, batch)
                # The cooldown merges what comes next; when the bot stops, nothing more comes
                # (the rate limiter still paces what is left).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), cooldown)
        finally:
            self._queues.pop(chat_id, None)
            self._writers.pop(chat_id, None)

    async def _send(self, chat_id: int, batch: list[_Notice]) -> None:
        reply_to = next((n.reply_to for n in reversed(batch) if n.reply_to is not None), None)
        try:
            await self._bot.send_message(
                chat_id,
                _merge(batch),
                reply_parameters=(
                    ReplyParameters(reply_to, allow_sending_without_reply=True)
                    if reply_to is not None
                    else None
                ),
                rate_limit_args=NOTICE,
            )
        except (BadRequest, Forbidden) as exc:
            # The chat is gone or the bot was removed: nobody is left to tell.
            logger.warning("notice to chat %s dropped: %s", chat_id, exc.message)
        except TelegramError:
            logger.exception("notice to chat %s failed", chat_id)


def _merge(batch: list[_Notice]) -> str:
    counts = Counter(notice.text for notice in batch)
    lines = [text if n == 1 else f"{text} (×{n})" for text, n in counts.items()]
    if len(lines) > MAX_LINES:
        hidden = sum(list(counts.values())[MAX_LINES - 1 :])
        # The summary replies to the latest image: speak its sender's language.
        language = next((n.language for n in reversed(batch) if n.language), None)
        lines = [*lines[: MAX_LINES - 1], t("notices.more", language, n=hidden)]
    return "\n".join(lines)
