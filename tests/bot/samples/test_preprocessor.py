"""Uploads are preprocessed in a helper process; a crash there costs one upload, not the bot."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable

import pytest

from bot.app import BotApplication
from bot.playground.fakeserver import FakeTelegram
from bot.samples.preprocessor import Preprocessor
from model.serving import ImageRejected, PreparedSample, RejectReason, prepare_sample
from tests.bot.conftest import ALICE, answer

MAX_PIXELS = 40_000_000
CRASH = b"crash the decoder"


def crash_on_marker(data: bytes, max_pixels: int) -> PreparedSample:
    """Stand in for a decoder that a hostile file kills outright."""
    if data == CRASH:
        os._exit(1)
    return prepare_sample(data, max_pixels=max_pixels)


async def test_the_helper_process_gives_what_prepare_sample_gives(
    smiley: Callable[..., bytes],
) -> None:
    preprocessor = Preprocessor(max_pixels=MAX_PIXELS)
    try:
        for style in ("paper", "digital"):
            data = smiley("sad", style=style, fmt="JPEG")
            assert await preprocessor.prepare(data) == prepare_sample(data, max_pixels=MAX_PIXELS)
        with pytest.raises(ImageRejected) as refused:
            await preprocessor.prepare(b"")
        assert refused.value.reason is RejectReason.EMPTY
    finally:
        await preprocessor.close()


async def test_an_upload_that_kills_the_helper_is_refused_and_the_next_one_works(
    smiley: Callable[..., bytes],
) -> None:
    preprocessor = Preprocessor(max_pixels=MAX_PIXELS, function=crash_on_marker)
    good = smiley("smile", style="paper", fmt="JPEG")
    try:
        # The innocent upload waits in the same pool when the helper dies: it is retried.
        crashed, prepared = await asyncio.gather(
            preprocessor.prepare(CRASH), preprocessor.prepare(good), return_exceptions=True
        )
        assert isinstance(crashed, ImageRejected)
        assert crashed.reason is RejectReason.CORRUPT
        assert prepared == prepare_sample(good, max_pixels=MAX_PIXELS)
        assert await preprocessor.prepare(good) == prepared
    finally:
        await preprocessor.close()


async def test_background_work_runs_in_a_helper_of_idle_priority_until_stopped(
    smiley: Callable[..., bytes],
) -> None:
    preprocessor = Preprocessor(max_pixels=MAX_PIXELS)
    data = smiley("smile", style="paper", fmt="JPEG")
    try:
        assert await preprocessor.prepare(data, background=True) == prepare_sample(
            data, max_pixels=MAX_PIXELS
        )
        await preprocessor.prepare(data)
        assert preprocessor._background_pool is not None and preprocessor._pool is not None
        [helper] = list(preprocessor._background_pool._processes)
        [uploads_helper] = list(preprocessor._pool._processes)
        assert os.getpriority(os.PRIO_PROCESS, helper) == 19
        assert os.getpriority(os.PRIO_PROCESS, uploads_helper) < 19
        if hasattr(os, "SCHED_IDLE"):
            assert os.sched_getscheduler(helper) == os.SCHED_IDLE
            assert os.sched_getscheduler(uploads_helper) != os.SCHED_IDLE

        await preprocessor.stop_background()

        assert preprocessor._background_pool is None
        with pytest.raises(ProcessLookupError):
            os.kill(helper, 0)
        assert await preprocessor.prepare(data) == prepare_sample(data, max_pixels=MAX_PIXELS)
    finally:
        await preprocessor.close()


async def test_the_bot_answers_photos_after_its_helper_process_was_killed(
    telegram: FakeTelegram, bot: BotApplication, smiley: Callable[..., bytes]
) -> None:
    first = telegram.send_photo(ALICE, ALICE, smiley("smile", style="paper", fmt="JPEG"))
    await answer(telegram, first, contains="%")
    pool = bot.bot_data.preprocessor._pool
    assert pool is not None
    for pid in list(pool._processes):  # the pool's own record of its helper processes
        os.kill(pid, signal.SIGKILL)
    second = telegram.send_photo(ALICE, ALICE, smiley("sad", style="paper", fmt="JPEG"))
    await answer(telegram, second, contains="%")
