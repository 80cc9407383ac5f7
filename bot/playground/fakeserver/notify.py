"""A tiny change signal that many coroutines can wait on."""

from __future__ import annotations

import asyncio


class Notifier:
    """Wake every waiter whenever something changed."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def changed(self) -> None:
        """Tell current waiters that something changed."""
        self._event.set()
        # A fresh event for the next round: waiters of this round hold the set one.
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the next change; return whether one came."""
        if seconds <= 0:
            return False
        try:
            await asyncio.wait_for(self._event.wait(), seconds)
        except TimeoutError:
            return False
        return True
