"""Distributed training: jobs of `model.job` run by Celery workers on any machine.

`[training] engine = "celery"` sends every training and /compare to workers that share no
disk with the bot: a job travels as JSON (`model.job.pack_job`), with Redis as the broker
and the result store, and its result brings the model files and charts back
(`model.job.unpack_result`). Progress, /stop and liveness go through Redis keys named in
`model.job`.

- `model.distributed.app`: the Celery app built from a broker URL, the same on both sides.
- `model.distributed.task`: the task the workers run (TensorFlow, never the bot's import).

`app` is the app of `celery -A model.distributed -b redis://HOST:6379/0 worker --pool solo`;
`python -m model.worker --broker URL` starts the same worker with fitting options.
"""

from model.distributed.app import make_app, redacted_url

__all__ = ["app", "make_app", "redacted_url"]

# For Celery's own command line, which takes the broker from its --broker option.
app = make_app()
