"""Which chats have a person's update in hand, so that notices can wait for the answer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["ChatActivity"]


class ChatActivity:
    """Counts the updates of each chat that are waiting or being handled.

    The update processor marks them; the rate limiter holds a chat's notices (pictures
    after a training, merged refusals) while one is in hand, so that the answer to what
    a person just sent goes out first.
    """

    def __init__(self) -> None:
        # None: updates without a chat, counted so that the update processor can ask too.
        self._pending: dict[int | None, int] = {}
        self._quiet: dict[int | None, asyncio.Event] = {}

    @contextmanager
    def handling(self, chat_id: int | None) -> Iterator[None]:
        """Mark one update of ``chat_id`` (None: of no chat) as in hand for the block."""
        self._pending[chat_id] = self._pending.get(chat_id, 0) + 1
        self._quiet.setdefault(chat_id, asyncio.Event())
        try:
            yield
        finally:
            self._pending[chat_id] -= 1
            if not self._pending[chat_id]:
                # Forget the chat once it is quiet, so memory stays flat.
                del self._pending[chat_id]
                self._quiet.pop(chat_id).set()

    def busy(self, chat_id: int | None) -> bool:
        """Whether an update of ``chat_id`` is waiting or being handled."""
        return chat_id in self._pending

    async def quiet(self, chat_id: int, longest: float) -> None:
        """Return once no update of ``chat_id`` is in hand, or after ``longest`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + longest
        while (event := self._quiet.get(chat_id)) is not None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return
