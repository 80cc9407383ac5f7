"""The sending side of distributed training: what the bot calls, with no TensorFlow.

A job is sent by name (`JOB_TASK`), so the sender never imports the task's module. Its
events, its stop and its heartbeat are Redis keys named in `model.job`; these helpers use
a synchronous Redis client (the bot may run them in a thread or use `redis.asyncio` with
the same keys).

A job sent again after its heartbeat lapsed (``attempt=2``, a new task id) keeps its job id
and so its keys: its events follow the lost attempt's on the same list, starting with a
new `Started`.
"""

from __future__ import annotations

from typing import Final

import redis
from celery import Celery
from celery.result import AsyncResult

from model.job import (
    JOB_QUEUE,
    JOB_TASK,
    Event,
    JobData,
    JobSpec,
    cancel_key,
    events_key,
    heartbeat_key,
    pack_job,
    parse_event,
)

__all__ = ["CANCEL_TTL_SECONDS", "is_alive", "read_events", "request_stop", "send_job", "task_id"]

# Long enough to reach a job that is still queued behind others, short enough to vanish.
CANCEL_TTL_SECONDS: Final = 24 * 3600


def task_id(job_id: str, attempt: int = 1) -> str:
    """Return the Celery task id of one attempt at a job (the bot re-sends a lost job)."""
    return f"{job_id}.{attempt}"


def send_job(
    app: Celery, job_id: str, spec: JobSpec, data: JobData, *, attempt: int = 1
) -> AsyncResult:
    """Queue a job for the workers; its result is `model.job.unpack_result`'s input."""
    return app.send_task(
        JOB_TASK,
        args=[pack_job(job_id, spec, data)],
        task_id=task_id(job_id, attempt),
        queue=JOB_QUEUE,
    )


def request_stop(client: redis.Redis, job_id: str) -> None:
    """Ask the job to stop: a running one ends at its next epoch, a queued one on arrival."""
    client.set(cancel_key(job_id), "1", ex=CANCEL_TTL_SECONDS)


def read_events(client: redis.Redis, job_id: str, start: int = 0) -> tuple[list[Event], int]:
    """Return the job's events from the ``start``-th line on, and where the next read starts."""
    lines = client.lrange(events_key(job_id), start, -1)
    events = [event for line in lines if (event := parse_event(line)) is not None]
    return events, start + len(lines)


def is_alive(client: redis.Redis, job_id: str) -> bool:
    """Tell whether a worker has beaten the job's heartbeat within its time to live."""
    return bool(client.exists(heartbeat_key(job_id)))
