"""The queue of updates waiting for the bot, served by long polling like getUpdates."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .error_replies import HTTP_CONFLICT, ApiError
from .notify import Notifier

FIRST_UPDATE_ID = 700_000_001
MAX_LIMIT = 100
MAX_TIMEOUT_SECONDS = 50  # Telegram caps long polling
# Telegram leaves these out unless the bot asks for them in allowed_updates.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass(frozen=True)
class QueuedUpdate:
    """One update: its id, its kind (the Update field it fills) and that field's value."""

    update_id: int
    kind: str
    payload: dict[str, Any]

    def as_update(self) -> dict[str, Any]:
        """Return the Bot API ``Update`` object."""
        return {"update_id": self.update_id, self.kind: self.payload}


class _Poll:
    superseded = False


def conflict(detail: str) -> ApiError:
    """Build a 409 error."""
    return ApiError(HTTP_CONFLICT, f"Conflict: {detail}")


class UpdateQueue:
    """Pending updates; an update is forgotten once a later offset confirms it."""

    def __init__(self) -> None:
        self._pending: list[QueuedUpdate] = []
        self._history: list[QueuedUpdate] = []  # everything ever queued, for redeliver()
        self._ids = itertools.count(FIRST_UPDATE_ID)
        self._allowed: frozenset[str] | None = None
        self._arrived = Notifier()
        self.poll_started = Notifier()
        self._current: _Poll | None = None
        self._closed = False

    @property
    def pending(self) -> list[QueuedUpdate]:
        """Return the updates not yet confirmed, oldest first."""
        return list(self._pending)

    @property
    def polling(self) -> bool:
        """Whether a getUpdates request is waiting right now (the bot is online)."""
        return self._current is not None

    @property
    def allowed_updates(self) -> list[str]:
        """Return the update kinds the bot last asked for (empty: the default set)."""
        return sorted(self._allowed or ())

    def push(self, kind: str, payload: dict[str, Any]) -> QueuedUpdate:
        """Queue an update of ``kind`` (e.g. "message") and wake a waiting poll."""
        update = QueuedUpdate(next(self._ids), kind, payload)
        self._pending.append(update)
        self._history.append(update)
        self._arrived.changed()
        return update

    def redeliver(self, chat_id: int, message_id: int) -> QueuedUpdate:
        """Queue a message's update again, same update_id, as if it was never confirmed.

        Telegram does this after a bot crashed before its next getUpdates confirmed the
        offset. The bot sees it only if its next poll's offset does not skip it (a restart).
        """
        for update in self._history:
            chat = update.payload.get("chat") or {}
            if chat.get("id") == chat_id and update.payload.get("message_id") == message_id:
                self._pending.append(update)
                self._pending.sort(key=lambda queued: queued.update_id)
                self._arrived.changed()
                return update
        raise ValueError(f"no update for message {message_id} in chat {chat_id}")

    def drop_pending(self) -> None:
        """Forget all pending updates (deleteWebhook with drop_pending_updates)."""
        self._pending.clear()

    def set_allowed(self, kinds: Iterable[str] | None) -> None:
        """Remember which update kinds to deliver; None keeps the previous choice."""
        if kinds is not None:
            chosen = frozenset(kinds)
            self._allowed = chosen or None

    def open(self) -> None:
        """Serve polls again after ``close``."""
        self._closed = False

    def close(self) -> None:
        """Release waiting polls with no updates (the server is stopping)."""
        self._closed = True
        self._arrived.changed()

    async def poll(
        self, *, offset: int | None, limit: int, wait_seconds: float
    ) -> list[dict[str, Any]]:
        """Return pending updates, waiting up to ``wait_seconds`` when there are none.

        Raises:
            ApiError: 409 when a newer getUpdates request replaced this one, like Telegram.
        """
        if self._current is not None:
            self._current.superseded = True
            self._arrived.changed()
        poll = self._current = _Poll()
        self.poll_started.changed()
        try:
            self._confirm(offset)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + min(max(wait_seconds, 0.0), MAX_TIMEOUT_SECONDS)
            while True:
                if poll.superseded:
                    raise conflict(
                        "terminated by other getUpdates request; "
                        "make sure that only one bot instance is running"
                    )
                selected = self._select(max(1, min(limit, MAX_LIMIT)))
                if selected or self._closed:
                    return [u.as_update() for u in selected]
                if not await self._arrived.wait(deadline - loop.time()):
                    return []
        finally:
            if self._current is poll:
                self._current = None

    def _confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset > 0:
            self._pending = [u for u in self._pending if u.update_id >= offset]
        else:
            self._pending = self._pending[offset:]

    def _select(self, limit: int) -> list[QueuedUpdate]:
        # Telegram never creates updates of kinds the bot did not ask for: drop them.
        self._pending = [u for u in self._pending if self._wanted(u.kind)]
        return self._pending[:limit]

    def _wanted(self, kind: str) -> bool:
        if self._allowed is None:
            return kind not in OPT_IN_UPDATES
        return kind in self._allowed
