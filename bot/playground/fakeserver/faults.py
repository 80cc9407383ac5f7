"""Errors and delays injected into the next calls of a method."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .error_replies import HTTP_TOO_MANY_REQUESTS, ApiError


@dataclass(frozen=True)
class Fault:
    """What happens to one call: a delay before it is handled, or an error instead."""

    status: int
    description: str
    retry_after: int | None
    delay: float

    def error(self) -> ApiError | None:
        """Return the error to answer with, or None when the fault is only a delay."""
        if self.delay > 0:
            return None
        description = self.description
        if (
            self.status == HTTP_TOO_MANY_REQUESTS
            and self.retry_after is not None
            and description == DEFAULT_DESCRIPTION
        ):
            description = f"Too Many Requests: retry after {self.retry_after}"
        return ApiError(self.status, description, retry_after=self.retry_after)


DEFAULT_DESCRIPTION = "Internal Server Error"
# The faults of file downloads (GET /file/bot<token>/<path>) queue under this name.
DOWNLOAD = "(file download)"


class FaultInjector:
    """Queues of faults per method (method names compared without case, like Telegram)."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[Fault]] = {}

    def add(self, method: str, fault: Fault, times: int) -> None:
        """Make the next ``times`` calls of ``method`` meet ``fault``."""
        if times < 1:
            raise ValueError("times must be at least 1")
        self._queues.setdefault(method.lower(), deque()).extend([fault] * times)

    def take(self, method: str) -> Fault | None:
        """Return the fault for this call of ``method``, if one is queued."""
        queue = self._queues.get(method.lower())
        return queue.popleft() if queue else None
