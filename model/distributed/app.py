"""The Celery app of distributed training, built from a broker URL alone.

The bot and every worker build it the same way, so they agree on everything that is not
the task's code: JSON only, one job at a time, the queue, and Redis as the result store.
"""

from __future__ import annotations

from typing import Any, Final

from celery import Celery
from kombu.utils.url import maybe_sanitize_url

from model.job import JOB_QUEUE, JOB_TASK

__all__ = ["RESULT_EXPIRES_SECONDS", "TASK_MODULE", "make_app", "redacted_url"]

TASK_MODULE: Final = "model.distributed.task"  # imported by workers only: the bot sends by name
# A result the bot never fetched (it was down) is gone after a day; the job can be sent again.
RESULT_EXPIRES_SECONDS: Final = 24 * 3600


def redacted_url(url: str) -> str:
    """Return ``url`` with its password masked, as Celery prints its own broker URL."""
    return str(maybe_sanitize_url(url))


def _settings(broker_url: str | None) -> dict[str, Any]:
    return {
        "broker_url": broker_url,
        # The same Redis: one service to run, and a worker that reaches the broker can store.
        "result_backend": broker_url,
        # JSON only: a pickled message from whoever reaches the broker would run as code.
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "task_routes": {JOB_TASK: {"queue": JOB_QUEUE}},
        "task_default_queue": JOB_QUEUE,
        # One job a process and none reserved behind it: a second job waits in Redis, where an
        # idle worker can take it, not inside a busy one.
        "worker_prefetch_multiplier": 1,
        "worker_concurrency": 1,
        # Acknowledged when it starts (see model.distributed.task for why not acks_late): a job
        # lost with its worker is sent again by the bot when its heartbeat lapses.
        "task_acks_late": False,
        "result_expires": RESULT_EXPIRES_SECONDS,
        "broker_connection_retry_on_startup": True,
        # A worker restarted from a shell must not pick up a stale job's result name or start
        # sending monitoring events nobody reads.
        "worker_send_task_events": False,
        "include": [TASK_MODULE],
    }


def make_app(broker_url: str | None = None) -> Celery:
    """Return the Celery app for ``broker_url`` (a redis:// URL, the result store too).

    Without a URL the app takes Celery's own ``--broker`` option (or CELERY_BROKER_URL) when
    it is configured, and stores results there too: `celery -A model.distributed -b URL worker`.
    """
    settings = _settings(broker_url)
    include = settings.pop("include")
    app = Celery("smiley", include=include)
    app.conf.update(settings)
    if broker_url is None:

        @app.on_after_configure.connect(weak=False)
        def _results_beside_the_broker(sender: Celery, **kwargs: Any) -> None:
            if not sender.conf.result_backend:
                sender.conf.result_backend = sender.conf.broker_url

    return app
