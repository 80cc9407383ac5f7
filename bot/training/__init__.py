"""Trainings and comparisons, run off the event loop and reported in the chat.

`queue` takes /train and /compare (one per chat, queued across chats) and sees each
through; `dataset` checks and stacks a chat's samples, `worker_process` runs a job of the
contract (`model.job`) in a worker process, `serving_models` puts a new model in place,
and `recovery` reports what a restart cut short. `progress` edits the progress message,
`reports` and `pictures` say and show how it went, and `parameters` are /set's rules.
"""

__all__ = [
    "dataset",
    "parameters",
    "pictures",
    "progress",
    "queue",
    "recovery",
    "reports",
    "serving_models",
    "worker_process",
]
