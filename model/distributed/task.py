"""The Celery task that runs one job of `model.job` on a worker, anywhere.

The task unpacks the payload into a temporary job directory and runs it through
`model.worker.execute`, the very code a local worker process runs, then packs the summary
and the files back into its JSON result. The bot stays the only writer of the database and
of the models: the worker's directory is gone once the task returns.

While the job runs the worker speaks through Redis, the broker's own server:

- every event line goes onto the job's `events_key` list (RPUSH), in order, so the bot
  shows the same progress as for a local training;
- before each epoch's event it reads `cancel_key`: /stop sets it, and the job ends at the
  next epoch (tens of milliseconds on a chat's drawings) with the result STOPPED. Celery's
  `revoke(task_id)` also drops a job still waiting in the queue, but a running job in the
  solo pool cannot be interrupted by Celery, and `revoke(terminate=True)` would kill the
  whole worker: the cancel key is how a running job stops;
- a thread sets `heartbeat_key` every HEARTBEAT_SECONDS with a time to live of
  HEARTBEAT_TTL_SECONDS.

Why a heartbeat, and not Redis' redelivery: Celery with Redis redelivers an unacknowledged
message only after the transport's visibility timeout, an hour by default. A short timeout
with ``acks_late`` would also redeliver every training that merely runs longer than it, to a
second worker, while the first is still busy; Redis has no way to extend a message's lease
while the task runs. So the task is acknowledged as it starts (``task_acks_late=False``),
and liveness is the heartbeat key instead: the bot, seeing it lapse before a result came,
sends the job again, and takes only the first result per job id (a worker cut off from
Redis but still alive may finish too). A killed worker's job is then lost for at most
HEARTBEAT_TTL_SECONDS plus the bot's polling, well within a minute. The price: the bot
must tell a queued job (no heartbeat yet: it waits, however long) from a lost one (a
heartbeat seen, then lapsed); a worker that dies in the milliseconds between taking a job
and its first beat loses it without a trace, and only a time limit on the bot's side
(queued for long while workers sit idle) catches that.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import tempfile
import threading
from pathlib import Path
from typing import Any, Final

import redis
from celery import shared_task

from model.job import (
    FAILED,
    FINISHED,
    HEARTBEAT_SECONDS,
    HEARTBEAT_TTL_SECONDS,
    JOB_TASK,
    RESULT_FILE,
    STOPPED,
    EpochProgress,
    Event,
    Failed,
    cancel_key,
    event_line,
    events_key,
    heartbeat_key,
    pack_result,
    read_spec,
    unpack_job,
)

__all__ = ["EVENTS_TTL_SECONDS", "Heartbeat", "JobStopped", "RedisEmitter", "run_job"]

logger = logging.getLogger(__name__)

# Events outlive the job long enough for a bot restarted meanwhile to read how it ended.
EVENTS_TTL_SECONDS: Final = 24 * 3600


class JobStopped(Exception):
    """The job's cancel key was set: raised from the epoch callback to end the training."""


class RedisEmitter:
    """Push a job's event lines onto its Redis list, and stop the job when asked to.

    The same interface as `model.worker.Emitter`, so `execute` cannot tell the difference.
    """

    def __init__(self, client: redis.Redis, job_id: str) -> None:
        """Report the events of ``job_id`` through ``client``."""
        self._client = client
        self._events = events_key(job_id)
        self._cancel = cancel_key(job_id)
        self.stopped = False
        self.failure: Failed | None = None  # the job's Failed event, for the result

    def cancelled(self) -> bool:
        """Tell whether the bot asked this job to stop."""
        return bool(self._client.exists(self._cancel))

    def event(self, event: Event) -> None:
        """Push one event line; before an epoch's, stop the job if its cancel key is set.

        Raises:
            JobStopped: The cancel key is set (caught by `execute`, which reports a failure
                that this emitter then keeps off the list: the result says STOPPED).
        """
        if self.stopped:  # the Failed that execute reports for JobStopped: not a failure
            return
        if isinstance(event, EpochProgress) and self.cancelled():
            self.stopped = True
            raise JobStopped("stopped on request")
        if isinstance(event, Failed):
            self.failure = event
        with self._client.pipeline() as pipe:
            pipe.rpush(self._events, event_line(event).rstrip("\n"))
            pipe.expire(self._events, EVENTS_TTL_SECONDS)
            pipe.execute()


class Heartbeat:
    """A thread that keeps the job's heartbeat key alive while the job runs."""

    def __init__(self, client: redis.Redis, job_id: str) -> None:
        """Beat for ``job_id`` through ``client``, once started."""
        self._client = client
        self._key = heartbeat_key(job_id)
        # Who holds the job, for a person looking into Redis.
        self._holder = f"{socket.gethostname()}:{os.getpid()}"
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def _beat(self) -> None:
        while not self._done.is_set():
            try:
                self._client.set(self._key, self._holder, ex=HEARTBEAT_TTL_SECONDS)
            except redis.RedisError:
                # Redis away for a moment: the key may lapse and the job run twice, which
                # the bot tolerates; a crash here would not help.
                logger.warning("could not refresh the heartbeat of %s", self._key)
            self._done.wait(HEARTBEAT_SECONDS)

    def __enter__(self) -> Heartbeat:
        """Set the key and keep it alive."""
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop beating; the key lapses by itself, after the result is stored."""
        self._done.set()
        self._thread.join()


_limited = False


def _limit_once(threads: int) -> None:
    """Cap this worker process to the first job's threads and lower its priority, once.

    TensorFlow takes its thread counts when it starts and refuses to change them after, so
    a worker that runs many jobs keeps the first one's; `execute` then runs with
    ``own_process=False``, which leaves the process as it is.
    """
    global _limited
    if _limited:
        return
    from model.worker import limit_resources

    # Niced but not in the idle class: starved of CPU by other work, the heartbeat thread
    # would stop and the bot would take a busy worker for a dead one.
    limit_resources(threads, idle=False)
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    _limited = True


def run_job(payload: dict[str, Any], client: redis.Redis) -> dict[str, Any]:
    """Run a packed job with its events, cancel key and heartbeat in ``client``'s Redis.

    Returns the packed result (`model.job.pack_result`): FINISHED, FAILED (a job that
    failed as a local one would, or whose files exceed MAX_RESULT_BYTES) or STOPPED. A
    payload too malformed to name its job raises ValueError, which Celery records as the
    task's FAILURE (the sender's ``get()`` raises it).
    """
    from model.worker import execute

    with tempfile.TemporaryDirectory(prefix="smiley-job-") as directory:
        job_dir = Path(directory)
        job_id = unpack_job(payload, job_dir)
        emit = RedisEmitter(client, job_id)
        if emit.cancelled():  # stopped while it waited in the queue
            return pack_result(job_id, STOPPED)
        with Heartbeat(client, job_id):
            with contextlib.suppress(ValueError, OSError):
                _limit_once(read_spec(job_dir).threads)  # a bad spec fails in execute, reported
            code = execute(job_dir, emit, own_process=False)
        if emit.stopped:
            return pack_result(job_id, STOPPED)
        if code != 0:
            failure = emit.failure or Failed("the job failed")
            return pack_result(job_id, FAILED, error=failure.error, reason=failure.reason)
        summary = json.loads((job_dir / RESULT_FILE).read_text(encoding="utf-8"))
        try:
            return pack_result(job_id, FINISHED, job_dir, summary)
        except ValueError as error:  # files too large to send back
            return pack_result(job_id, FAILED, error=str(error))


@shared_task(name=JOB_TASK, bind=True, ignore_result=False)
def run_job_task(self: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """Run one training or /compare job sent by the bot; return its packed result."""
    client = redis.Redis.from_url(self.app.conf.broker_url)
    try:
        return run_job(payload, client)
    finally:
        client.close()
