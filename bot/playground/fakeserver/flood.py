"""Per-chat flood control: Telegram answers 429 when a bot sends too fast."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.telegram.flood_limits import CHAT_BURST, CHAT_PER_SECOND, GROUP_PER_MINUTE

from .error_replies import ApiError, too_many_requests

GROUP_WINDOW_SECONDS = 60.0
_CLOCK_NOISE = 1e-6
GROUP_CHAT_TYPES = frozenset({"group", "supergroup"})


@dataclass(frozen=True)
class FloodPolicy:
    """Limits per chat: a token bucket (``burst``, refilled ``per_second``) plus, for
    groups and supergroups, at most ``group_per_minute`` messages in any 60 seconds.

    A value of 0 turns that limit off.
    """

    burst: int = CHAT_BURST
    per_second: float = CHAT_PER_SECOND
    group_per_minute: int = GROUP_PER_MINUTE

    @classmethod
    def disabled(cls) -> FloodPolicy:
        """Return a policy that never answers 429."""
        return cls(burst=0, per_second=0.0, group_per_minute=0)

    @property
    def bucket_enabled(self) -> bool:
        """Whether the per-chat token bucket applies."""
        return self.burst > 0 and self.per_second > 0

    @property
    def group_limit_enabled(self) -> bool:
        """Whether the per-minute group limit applies."""
        return self.group_per_minute > 0


@dataclass
class _ChatBudget:
    tokens: float
    refilled_at: float
    group_sends: deque[float] = field(default_factory=deque)


class FloodControl:
    """Decide, per chat, whether the bot may send ``cost`` more messages now."""

    def __init__(self, policy: FloodPolicy, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        self._budgets: dict[int, _ChatBudget] = {}

    def acquire(self, chat_id: int, chat_type: str, cost: int = 1) -> None:
        """Spend ``cost`` sends in ``chat_id``, or raise a 429 ``ApiError`` and spend nothing."""
        now = self._clock()
        budget = self._budget(chat_id, now)
        waits = [self._bucket_wait(budget, cost)]
        if chat_type in GROUP_CHAT_TYPES:
            waits.append(self._group_wait(budget, cost, now))
        wait = max(waits)
        if wait > 0:
            raise self._refusal(wait)
        if self.policy.bucket_enabled:
            # An album may take the bucket below zero: later sends then wait longer.
            budget.tokens -= cost
        if self.policy.group_limit_enabled and chat_type in GROUP_CHAT_TYPES:
            budget.group_sends.extend([now] * cost)

    def _budget(self, chat_id: int, now: float) -> _ChatBudget:
        budget = self._budgets.get(chat_id)
        if budget is None:
            budget = _ChatBudget(tokens=float(self.policy.burst), refilled_at=now)
            self._budgets[chat_id] = budget
        if self.policy.bucket_enabled:
            elapsed = now - budget.refilled_at
            budget.tokens = min(
                float(self.policy.burst), budget.tokens + elapsed * self.policy.per_second
            )
        budget.refilled_at = now
        while budget.group_sends and budget.group_sends[0] <= now - GROUP_WINDOW_SECONDS:
            budget.group_sends.popleft()
        return budget

    def _bucket_wait(self, budget: _ChatBudget, cost: int) -> float:
        if not self.policy.bucket_enabled:
            return 0.0
        needed = min(cost, self.policy.burst)
        missing = needed - budget.tokens
        return missing / self.policy.per_second if missing > 0 else 0.0

    def _group_wait(self, budget: _ChatBudget, cost: int, now: float) -> float:
        limit = self.policy.group_per_minute
        if limit <= 0:
            return 0.0
        needed = min(cost, limit)
        excess = len(budget.group_sends) + needed - limit
        if excess <= 0:
            return 0.0
        # The window frees up once the `excess` oldest sends have aged out.
        freed_at = budget.group_sends[excess - 1] + GROUP_WINDOW_SECONDS
        return freed_at - now

    @staticmethod
    def _refusal(wait: float) -> ApiError:
        # Round up to whole seconds like Telegram, forgiving float noise in the clock sums.
        return too_many_requests(max(1, math.ceil(wait - _CLOCK_NOISE)))
