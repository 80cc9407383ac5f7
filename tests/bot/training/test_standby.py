"""A training runs in the worker that waited for it, with TensorFlow loaded; the pool that
keeps such workers fills once however often asked, and starts nothing once closed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pytest

from bot.config import Config
from bot.playground.fakeserver import FakeTelegram
from bot.training import standby
from bot.training.standby import StandbyWorkers
from model.job import STANDBY_FLAG
from tests.bot.conftest import ALICE, running
from tests.bot.training.test_queue import command, final_report, label_samples

Smiley = Callable[..., bytes]
WAIT = 60.0


def standby_workers(jobs: Path) -> set[int]:
    """Return the pids of the standby workers whose jobs would go to ``jobs``."""
    pids = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            arguments = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if STANDBY_FLAG.encode() in arguments and str(jobs).encode() in arguments:
            pids.add(int(cmdline.parent.name))
    return pids


async def wait_until(check: Callable[[], bool]) -> None:
    for _ in range(int(WAIT / 0.1)):
        if check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{check} never held")


async def test_a_training_takes_the_waiting_worker_and_another_takes_its_place(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    config = replace(config, training=replace(config.training, standby_workers=1))
    jobs = config.storage.models_dir / "jobs"
    async with running(config):
        # One worker waits from the start, before anyone asked for a training.
        await wait_until(lambda: len(standby_workers(jobs)) == 1)
        (waiting,) = standby_workers(jobs)
        await label_samples(telegram, ALICE, smiley, {"smile": 5, "sad": 5})
        await command(telegram, ALICE, "/set epochs 2")
        await command(telegram, ALICE, "/train")
        assert "Training finished" in await final_report(telegram, ALICE, "Training finished")
        # The waiting worker ran the job and is gone; a new one waits for the next.
        assert waiting not in standby_workers(jobs)
        await wait_until(lambda: len(standby_workers(jobs)) == 1)
    # The bot stopped: no worker is left waiting for a job that will never come.
    await wait_until(lambda: not standby_workers(jobs))


class FakeWorker:
    """Stands in for a worker process: starting one costs an event-loop turn."""

    started: ClassVar[list[FakeWorker]] = []

    def __init__(self) -> None:
        self.alive = True

    @classmethod
    async def start(cls, jobs_dir: Path, threads: int) -> FakeWorker:
        await asyncio.sleep(0)
        worker = cls()
        cls.started.append(worker)
        return worker

    async def terminate(self) -> None:
        self.alive = False


@pytest.fixture
def fake_workers(monkeypatch: pytest.MonkeyPatch) -> list[FakeWorker]:
    FakeWorker.started = []
    monkeypatch.setattr(standby, "WorkerProcess", FakeWorker)
    return FakeWorker.started


async def test_fills_asked_at_once_start_count_workers_not_more(
    tmp_path: Path, fake_workers: list[FakeWorker]
) -> None:
    pool = StandbyWorkers(tmp_path, threads=1, count=1)
    await asyncio.gather(pool.fill(), pool.fill(), pool.fill())
    assert len(fake_workers) == 1
    assert await pool.take() is fake_workers[0]


async def test_a_worker_that_starts_while_the_pool_closes_is_stopped(
    tmp_path: Path, fake_workers: list[FakeWorker]
) -> None:
    pool = StandbyWorkers(tmp_path, threads=1, count=1)
    filling = asyncio.create_task(pool.fill())
    await asyncio.sleep(0)  # the worker is starting
    await pool.close()
    await filling
    assert len(fake_workers) == 1 and not fake_workers[0].alive
