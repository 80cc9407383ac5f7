"""A real Redis on a free port and real training workers, started per test module and stopped after.

Nothing is mocked: the workers are `python -m model.worker --broker URL` processes, as on
another machine, and the tests talk to them as the bot will, through Celery and Redis.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import redis

from model.job import JobData
from tests.model.conftest import synthetic_inputs

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "s3cret-Pa55word"  # the worker's log must never show it
START_TIMEOUT = 60.0


def free_port() -> int:
    """Return a TCP port nobody listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: object, timeout: float, what: str, step: float = 0.05) -> float:
    """Wait until ``condition()`` is true; return the seconds it took (fails after ``timeout``)."""
    assert callable(condition)
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)
    return time.monotonic() - started


@pytest.fixture(scope="module")
def broker_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start a password-protected redis-server on a free port; yield its URL; stop it after."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail(
            "redis-server is missing: install Debian's redis-server (the README's test"
            " command does) to run the distributed-training tests"
        )
    port = free_port()
    directory = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            *(server, "--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no"),  # nothing on disk
            *("--requirepass", PASSWORD, "--dir", str(directory)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://:{PASSWORD}@127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            assert process.poll() is None, "redis-server exited at start"
            return False

    try:
        wait_for(answers, 10, "redis-server to answer PING")
        yield url
    finally:
        client.close()
        process.terminate()
        process.wait(10)


@pytest.fixture
def redis_client(broker_url: str) -> Iterator[redis.Redis]:
    """A client of the test's Redis."""
    client = redis.Redis.from_url(broker_url)
    yield client
    client.close()


@dataclass
class Worker:
    """A training worker process of its own session (its group is the whole tree) and its log."""

    process: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        """Return what the worker has logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Stop the worker's whole process group, gently first."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def start_worker(broker_url: str, log: Path, *extra: str, ready: int = 1) -> Worker:
    """Start `python -m model.worker --broker URL` and wait until ``ready`` workers say so."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "model.worker", "--broker", broker_url, *extra],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so that a test can kill the whole tree at once
        )
    worker = Worker(process, log)

    def is_ready() -> bool:
        assert process.poll() is None, f"the worker exited at start:\n{worker.text()}"
        return worker.text().count(" ready.") >= ready

    try:
        wait_for(is_ready, START_TIMEOUT, "the worker to be ready", step=0.1)
    except BaseException:
        worker.stop()
        raise
    return worker


@pytest.fixture(scope="module")
def worker(broker_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    """One training worker for the module's tests."""
    started = start_worker(broker_url, tmp_path_factory.mktemp("worker") / "worker.log")
    yield started
    started.stop()


def job_data(per_label: int, labels: tuple[str, ...]) -> JobData:
    """Return a job's data of synthetic drawings, as the bot stores them."""
    x, y = synthetic_inputs(per_label, seed=5, labels=labels)
    return JobData(np.round(x * 255).astype(np.uint8), y, np.arange(len(y), dtype=np.int64) + 100)
