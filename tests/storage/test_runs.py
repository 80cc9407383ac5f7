"""Training records: each chat's parameters and its training runs."""

from __future__ import annotations

import pytest

from storage import Repository
from tests.storage.conftest import CHAT, OTHER_CHAT, run


async def test_params_are_per_chat_and_overwrite(repo: Repository) -> None:
    assert await repo.runs.params(CHAT) == {}
    await repo.runs.set_param(CHAT, "epochs", 20)
    await repo.runs.set_param(CHAT, "epochs", 30)
    await repo.runs.set_param(CHAT, "architecture", "dense")
    await repo.runs.set_param(OTHER_CHAT, "learning_rate", 0.01)
    assert await repo.runs.params(CHAT) == {"epochs": 30, "architecture": "dense"}
    assert await repo.runs.params(OTHER_CHAT) == {"learning_rate": 0.01}


async def test_a_run_goes_from_queued_to_finished_and_then_serves(repo: Repository) -> None:
    run_id = await run(repo)
    assert await repo.runs.serving(CHAT) is None
    started = await repo.runs.start(run_id, now=101.0)
    assert (started.status, started.started_at) == ("running", 101.0)
    await repo.runs.set_message(run_id, 77)
    finished = await repo.runs.finish(
        run_id, metrics={"validation_accuracy": 0.9}, model_prefix="/m/1", now=110.0
    )
    assert finished.status == "finished"
    assert finished.message_id == 77
    assert finished.labels == ["sad", "smile"] and finished.sample_ids == [1, 2, 3]
    serving = await repo.runs.serving(CHAT)
    assert serving is not None and serving.id == run_id
    assert await repo.runs.serving(OTHER_CHAT) is None


async def test_a_failed_or_stopped_run_does_not_replace_the_serving_model(
    repo: Repository,
) -> None:
    good = await run(repo)
    await repo.runs.start(good)
    await repo.runs.finish(good, metrics={}, model_prefix="/m/good")
    for status in ("failed", "stopped"):
        bad = await run(repo)
        await repo.runs.start(bad)
        ended = await repo.runs.end(bad, status, error="boom")
        assert (ended.status, ended.error) == (status, "boom")
    serving = await repo.runs.serving(CHAT)
    assert serving is not None and serving.id == good
    with pytest.raises(ValueError, match="unsuccessful"):
        await repo.runs.end(good, "finished")


async def test_runs_left_running_by_a_crash_are_marked_interrupted(repo: Repository) -> None:
    running = await run(repo)
    await repo.runs.start(running)
    queued = await run(repo, OTHER_CHAT)
    interrupted = await repo.runs.interrupt_unfinished(now=200.0)
    assert [r.id for r in interrupted] == [running, queued]
    assert all(r.status == "interrupted" and r.finished_at == 200.0 for r in interrupted)
    assert await repo.runs.interrupt_unfinished() == []
