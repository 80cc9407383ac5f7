"""Retries of what fails for a moment: timeouts and 5xx again, a wrong request never."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from bot.telegram.retries import backoff, is_transient, retried


class Flaky:
    """Fails with the given errors, one per call, then answers "done"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


async def test_timeouts_and_server_errors_are_tried_again() -> None:
    flaky = Flaky(TimedOut(), NetworkError("Bad Gateway"), NetworkError("Internal Server Error"))
    assert await retried(flaky, "download", first_backoff=0.01) == "done"
    assert flaky.calls == 4


async def test_after_three_retries_the_error_goes_through() -> None:
    flaky = Flaky(*[NetworkError("Bad Gateway")] * 4)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await retried(flaky, "download", first_backoff=0.01)
    assert flaky.calls == 4


@pytest.mark.parametrize("error", [BadRequest("file is too big"), Forbidden("blocked")])
async def test_what_sending_again_cannot_mend_fails_at_once(error: Exception) -> None:
    flaky = Flaky(error)
    with pytest.raises(type(error)):
        await retried(flaky, "download", first_backoff=0.01)
    assert flaky.calls == 1
    assert not is_transient(error)


def test_the_waits_double() -> None:
    assert [backoff(n) for n in range(3)] == [0.5, 1.0, 2.0]
