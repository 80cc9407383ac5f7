"""`python -m model.worker --broker URL [--concurrency N]`: Celery workers fit for TensorFlow.

A thin wrapper over Celery's own worker, which stays usable as it is
(`celery -A model.distributed -b URL worker --pool solo`). The wrapper only picks the
options that suit a training:

- the solo pool: the job runs in the worker's own process, one at a time, and nothing is
  forked after TensorFlow started (prefork forks its children from a parent that may have
  loaded it, and TensorFlow's threads do not survive a fork);
- ``--concurrency N`` starts N such workers as processes of their own, each a fresh
  interpreter with its own connection and prefetch of one, instead of one prefork pool: a
  worker that crashes takes only its own job, and the parent starts it again;
- no gossip and no mingle: the workers need not know of each other, and the bot finds a
  job's state in Redis, not by asking workers.

The broker URL is never logged with its password (Celery masks it in its banner, and this
module logs `redacted_url`), and the children get it in the environment, not on their
command line, where `ps` would show it.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Final

from model.distributed.app import make_app, redacted_url

__all__ = ["serve", "worker_options"]

logger = logging.getLogger(__name__)

BROKER_VARIABLE: Final = "CELERY_BROKER_URL"  # Celery's own: `celery -b` sets it too
RESTART_DELAY_SECONDS: Final = 1.0


def worker_options(name: str) -> list[str]:
    """Return the arguments of `celery worker` for one training worker called ``name``."""
    return [
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "--prefetch-multiplier=1",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
        f"--hostname={name}@%h",
    ]


def serve(broker_url: str, concurrency: int = 1) -> int:
    """Run ``concurrency`` training workers for ``broker_url`` until stopped; return the exit code.

    One worker runs in this process; more run as child processes that this one restarts.
    """
    logger.info("training worker for %s, %d at a time", redacted_url(broker_url), concurrency)
    if concurrency == 1:
        try:
            make_app(broker_url).worker_main(worker_options(f"smiley-{os.getpid()}"))
        except SystemExit as done:
            return int(done.code or 0)
        return 0
    return _supervise(broker_url, concurrency)


def _supervise(broker_url: str, concurrency: int) -> int:
    """Keep ``concurrency`` solo workers running, each a process of its own, until SIGTERM."""
    environment = {**os.environ, BROKER_VARIABLE: broker_url}
    command = [sys.executable, "-m", "celery", "-A", "model.distributed"]
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for child in children.values():
            child.send_signal(signal.SIGTERM)  # Celery's warm shutdown: the job finishes first

    def start(index: int) -> subprocess.Popen[bytes]:
        name = f"smiley-{os.getpid()}-{index}"
        return subprocess.Popen([*command, *worker_options(name)], env=environment)

    children = {index: start(index) for index in range(concurrency)}
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while children:
        for index, child in list(children.items()):
            if child.poll() is None:
                continue
            del children[index]
            if not stopping:
                logger.warning("worker %d exited (%s): starting it again", index, child.returncode)
                time.sleep(RESTART_DELAY_SECONDS)
                children[index] = start(index)
        time.sleep(0.2)
    return 0
