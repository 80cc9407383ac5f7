"""The per-chat rate limiter: pacing, group limits, waiting out a 429 and retrying hiccups."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from telegram import InputMediaPhoto
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.app import BotApplication
from bot.playground.fakeserver import FakeTelegram
from bot.telegram.chat_activity import ChatActivity
from bot.telegram.rate_limiter import NOTICE, ChatRateLimiter, Pacing


class Recorder:
    """A Bot API call stand-in that records when it ran and can fail once with a 429."""

    def __init__(self, retry_after: int | None = None) -> None:
        self.times: list[float] = []
        self._retry_after = retry_after

    async def __call__(self) -> dict[str, Any]:
        self.times.append(time.monotonic())
        if self._retry_after is not None:
            retry_after, self._retry_after = self._retry_after, None
            raise RetryAfter(retry_after)
        return {"ok": True}


async def call(limiter: ChatRateLimiter, recorder: Recorder, chat_id: int, method: str) -> None:
    await limiter.process_request(recorder, (), {}, method, {"chat_id": chat_id}, None)


async def test_messages_to_one_chat_are_paced_after_a_burst() -> None:
    limiter = ChatRateLimiter(chat_burst=2, chat_per_second=10.0)
    recorder = Recorder()
    start = time.monotonic()
    for _ in range(6):
        await call(limiter, recorder, 42, "sendMessage")
    # 2 at once, then 4 more at 10 a second: at least ~0.3 s in all.
    assert recorder.times[-1] - start >= 0.3


async def test_reactions_and_other_chats_are_not_held_back_by_a_busy_chat() -> None:
    limiter = ChatRateLimiter(chat_burst=1, chat_per_second=0.5)
    busy = Recorder()
    await call(limiter, busy, 42, "sendMessage")  # uses chat 42's whole burst
    other = Recorder()
    start = time.monotonic()
    await call(limiter, other, 43, "sendMessage")
    await call(limiter, other, 42, "setMessageReaction")
    assert other.times[-1] - start < 0.5


async def test_a_429_pauses_that_chat_only_and_is_retried() -> None:
    limiter = ChatRateLimiter()
    failing = Recorder(retry_after=1)
    other = Recorder()
    task = asyncio.create_task(call(limiter, failing, 42, "sendMessage"))
    await asyncio.sleep(0.1)
    await call(limiter, other, 43, "sendMessage")
    assert not task.done()  # chat 42 still waits out its retry_after...
    assert len(other.times) == 1  # ...while chat 43 went ahead
    await task
    assert len(failing.times) == 2
    assert failing.times[1] - failing.times[0] >= 1.0


class Flaky:
    """A call stand-in that raises the given errors in turn, then succeeds."""

    def __init__(self, *errors: TelegramError) -> None:
        self.errors = list(errors)
        self.times: list[float] = []

    async def __call__(self) -> dict[str, Any]:
        self.times.append(time.monotonic())
        if self.errors:
            raise self.errors.pop(0)
        return {"ok": True}


async def test_server_errors_and_timeouts_are_retried_with_growing_pauses() -> None:
    limiter = ChatRateLimiter(first_backoff=0.05)
    flaky = Flaky(NetworkError("Bad Gateway"), TimedOut(), NetworkError("Internal Server Error"))
    result = await limiter.process_request(flaky, (), {}, "getFile", {}, None)
    assert result == {"ok": True}
    assert len(flaky.times) == 4
    gaps = np.diff(flaky.times)
    assert np.all(gaps >= np.array([0.05, 0.1, 0.2]) - 0.005)


@pytest.mark.parametrize(
    ("errors", "endpoint", "rate_limit_args", "calls"),
    [
        ((NetworkError("Bad Gateway"),) * 4, "sendMessage", None, 4),  # 3 retries, then up
        ((BadRequest("message is not modified"),), "editMessageText", None, 1),
        ((NetworkError("Bad Gateway"),), "getUpdates", None, 1),  # polling has its own loop
        ((TimedOut(),), "editMessageText", Pacing(retries=0), 1),  # asked for one try
    ],
)
async def test_what_is_not_retried_fails_at_once(
    errors: tuple[TelegramError, ...], endpoint: str, rate_limit_args: Pacing | None, calls: int
) -> None:
    limiter = ChatRateLimiter(first_backoff=0.01)
    flaky = Flaky(*errors)
    with pytest.raises(type(errors[0])):
        await limiter.process_request(flaky, (), {}, endpoint, {"chat_id": 1}, rate_limit_args)
    assert len(flaky.times) == calls


async def test_an_album_goes_out_with_a_burst_free_and_the_rest_delays_the_next_message() -> None:
    limiter = ChatRateLimiter(chat_burst=2, chat_per_second=10.0)
    recorder = Recorder()
    start = time.monotonic()
    album = {"chat_id": 42, "media": ["a", "b", "c", "d", "e"]}
    await limiter.process_request(recorder, (), {}, "sendMediaGroup", album, None)
    await call(limiter, recorder, 42, "sendMessage")
    assert recorder.times[0] - start < 0.1  # the album did not wait for all 5...
    # ...but the message after it waited for the album's 5, a margin of 1 and its own 1.
    assert recorder.times[1] - start >= 0.45


async def test_albums_and_messages_in_a_row_draw_no_429_from_telegram(
    bot: BotApplication, telegram: FakeTelegram, smiley: Callable[..., bytes]
) -> None:
    sent = telegram.send_text(7, 7, "/start")
    await telegram.wait_for_message(7, after_message_id=sent["message_id"])
    pictures = [InputMediaPhoto(smiley(label)) for label in ("smile", "sad", "neutral", "smile")]
    await bot.bot.send_media_group(7, pictures)
    await bot.bot.send_message(7, "after the album")
    await bot.bot.send_media_group(7, pictures[:2])
    assert telegram.errors(429) == []
    assert [c.method for c in telegram.calls if c.method.startswith("send")][-3:] == [
        "sendMediaGroup",
        "sendMessage",
        "sendMediaGroup",
    ]


async def notice(limiter: ChatRateLimiter, recorder: Recorder, chat_id: int) -> None:
    await limiter.process_request(recorder, (), {}, "sendPhoto", {"chat_id": chat_id}, NOTICE)


async def test_notices_leave_one_message_of_the_burst_for_an_answer() -> None:
    limiter = ChatRateLimiter(chat_burst=3, chat_per_second=2.0)
    pictures, answers = Recorder(), Recorder()
    start = time.monotonic()
    for _ in range(3):
        await notice(limiter, pictures, 42)
    # Two notices at once, the third waited for the reserve to be refilled...
    assert pictures.times[1] - start < 0.1 and pictures.times[2] - start >= 0.45
    # ...and with the burst's last message kept, an answer still goes out at once.
    answered = time.monotonic()
    await call(limiter, answers, 42, "sendMessage")
    assert answers.times[0] - answered < 0.1


async def test_an_answer_waiting_goes_before_a_notice_waiting() -> None:
    limiter = ChatRateLimiter(chat_burst=2, chat_per_second=4.0)
    order: list[str] = []
    first = Recorder()
    for _ in range(2):
        await call(limiter, first, 42, "sendMessage")  # the burst is spent

    async def send(name: str, pacing: Pacing | None) -> None:
        async def record() -> dict[str, Any]:
            order.append(name)
            return {"ok": True}

        await limiter.process_request(record, (), {}, "sendMessage", {"chat_id": 42}, pacing)

    waiting_notice = asyncio.create_task(send("notice", NOTICE))
    await asyncio.sleep(0.01)
    await asyncio.gather(waiting_notice, send("answer", None))
    assert order == ["answer", "notice"]


async def test_a_notice_waits_while_the_chat_has_an_update_in_hand() -> None:
    activity = ChatActivity()
    limiter = ChatRateLimiter(activity=activity)
    pictures = Recorder()
    with activity.handling(42):
        task = asyncio.create_task(notice(limiter, pictures, 42))
        await asyncio.sleep(0.2)
        assert pictures.times == []  # held while the drawing is being answered
        other = Recorder()
        await notice(limiter, other, 43)  # another chat's notice is not held
        assert len(other.times) == 1
    await task
    assert len(pictures.times) == 1
