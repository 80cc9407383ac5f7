"""The record of every Bot API request, and ways to wait for the bot to do something."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .notify import Notifier

POLLING_METHOD = "getUpdates"
DUMP_LAST_CALLS = 20


@dataclass(frozen=True)
class ApiCall:
    """One request the bot made, and how the fake answered it."""

    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None
    description: str | None
    result: Any
    at: float  # time.monotonic() when the request arrived
    finished_at: float
    delivered: bool = True  # False when the client had hung up before the answer

    def summary(self) -> str:
        """Return a one-line description for failure messages."""
        outcome = "ok" if self.ok else f"{self.error_code} {self.description}"
        shown = {k: v for k, v in self.params.items() if k not in ("timeout", "allowed_updates")}
        return f"{self.method}({shown}) -> {outcome}"


class CallLog:
    """All calls in arrival order of their answers; lets tests wait for calls and quiet."""

    def __init__(self) -> None:
        self.calls: list[ApiCall] = []
        self._recorded = Notifier()
        self._in_flight = 0
        self._last_activity = time.monotonic()

    def started(self, method: str) -> None:
        """Note that a request began (long polls do not count as activity)."""
        if method != POLLING_METHOD:
            self._in_flight += 1
            self._last_activity = time.monotonic()

    def record(self, call: ApiCall) -> None:
        """Add a finished call."""
        if call.method != POLLING_METHOD:
            self._in_flight = max(0, self._in_flight - 1)
            self._last_activity = time.monotonic()
        self.calls.append(call)
        self._recorded.changed()

    def errors(self, code: int | None = None) -> list[ApiCall]:
        """Return the failed calls the bot saw, optionally only those with ``code``."""
        return [
            c
            for c in self.calls
            if not c.ok and c.delivered and (code is None or c.error_code == code)
        ]

    async def wait_for(
        self,
        predicate: Callable[[ApiCall], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the whole wait, by design
    ) -> ApiCall:
        """Return the first call, past or future, matching ``predicate``."""
        deadline = time.monotonic() + timeout
        checked = 0
        while True:
            for call in self.calls[checked:]:
                if predicate(call):
                    return call
            checked = len(self.calls)
            if not await self._recorded.wait(deadline - time.monotonic()):
                if any(predicate(c) for c in self.calls[checked:]):
                    continue
                raise AssertionError(f"no matching Bot API call within {timeout}s; {self.dump()}")

    async def wait_idle(
        self,
        *,
        quiet: float = 0.3,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the whole wait, by design
    ) -> None:
        """Wait until no request other than getUpdates came or ran for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            idle_for = now - self._last_activity
            if self._in_flight == 0 and idle_for >= quiet:
                return
            if now >= deadline:
                raise AssertionError(
                    f"the bot was not idle for {quiet}s within {timeout}s; {self.dump()}"
                )
            await self._recorded.wait(min(deadline - now, max(quiet - idle_for, 0.01)))

    def dump(self, last: int = DUMP_LAST_CALLS) -> str:
        """Return the last calls other than empty long polls, one per line."""
        interesting = [
            c for c in self.calls if not (c.method == POLLING_METHOD and c.ok and not c.result)
        ]
        lines = [c.summary() for c in interesting[-last:]]
        return "recent calls:\n  " + ("\n  ".join(lines) if lines else "(none)")
