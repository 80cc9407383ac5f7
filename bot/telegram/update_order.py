"""Process updates concurrently across chats but in order within each chat."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.telegram.chat_activity import ChatActivity

__all__ = ["PerChatUpdateProcessor"]


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Run one update per chat at a time, many chats at once.

    Order within a chat matters ("/label happy" right after a photo must see that
    photo stored), while a slow download in one chat must not hold up the others.
    """

    def __init__(self, max_concurrent_updates: int, activity: ChatActivity | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self._activity = activity or ChatActivity()
        self._locks: dict[int | None, asyncio.Lock] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await ``coroutine`` while holding the lock of the update's chat."""
        key = _chat_id(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            # In hand from the moment it arrives: the chat's notices wait for its answer.
            with self._activity.handling(key):
                async with lock:
                    await coroutine
        finally:
            # Drop the lock once no update of this chat is waiting, so memory stays flat.
            if not self._activity.busy(key):
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _chat_id(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None
