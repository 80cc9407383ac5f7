"""Training records: parameters, data versions and training runs."""

from __future__ import annotations

import pytest

from storage import Repository
from tests.storage.test_repository import ALICE, CHAT, MAX_LABELS, OTHER_CHAT, add, sample


async def test_params_are_per_chat_and_overwrite(repo: Repository) -> None:
    assert await repo.params(CHAT) == {}
    await repo.set_param(CHAT, "epochs", 20)
    await repo.set_param(CHAT, "epochs", 30)
    await repo.set_param(CHAT, "architecture", "dense")
    await repo.set_param(OTHER_CHAT, "learning_rate", 0.01)
    assert await repo.params(CHAT) == {"epochs": 30, "architecture": "dense"}
    assert await repo.params(OTHER_CHAT) == {"learning_rate": 0.01}


async def test_data_version_changes_only_with_labelled_data(repo: Repository) -> None:
    assert await repo.data_version(CHAT) == 0
    unlabelled = await add(repo, sample("u1"))
    assert await repo.data_version(CHAT) == 0  # unlabelled images are not training data
    await add(repo, sample("s1", label="smile"))
    after_add = await repo.data_version(CHAT)
    assert after_add > 0
    await repo.set_label(CHAT, unlabelled.id, "sad", labelled_by=ALICE, max_labels=MAX_LABELS)
    after_label = await repo.data_version(CHAT)
    assert after_label > after_add
    await repo.set_label(CHAT, unlabelled.id, "sad", labelled_by=ALICE, max_labels=MAX_LABELS)
    assert await repo.data_version(CHAT) == after_label  # no change, no bump
    await repo.undo_last_labelled(CHAT, ALICE)
    assert await repo.data_version(CHAT) > after_label
    assert await repo.data_version(OTHER_CHAT) == 0


async def test_labelled_inputs_give_ids_labels_and_pixels(repo: Repository) -> None:
    smile = await add(repo, sample("s1", label="smile"))
    await add(repo, sample("u1"))
    await add(repo, sample("o1", chat_id=OTHER_CHAT, label="sad"))
    [only] = await repo.labelled_inputs(CHAT)
    assert (only.sample_id, only.label, only.input_size) == (smile.id, "smile", 8)
    assert await repo.model_input(CHAT, smile.id) == only.model_input
    assert await repo.model_input(OTHER_CHAT, smile.id) is None


async def run(repo: Repository, chat_id: int = CHAT) -> int:
    created = await repo.create_run(
        chat_id,
        requested_by=ALICE,
        params={"epochs": 3},
        labels=["sad", "smile"],
        sample_ids=[1, 2, 3],
        data_version=4,
        now=100.0,
    )
    assert created.status == "queued"
    return created.id


async def test_a_run_goes_from_queued_to_finished_and_then_serves(repo: Repository) -> None:
    run_id = await run(repo)
    assert await repo.serving_run(CHAT) is None
    started = await repo.start_run(run_id, now=101.0)
    assert (started.status, started.started_at) == ("running", 101.0)
    await repo.set_run_message(run_id, 77)
    finished = await repo.finish_run(
        run_id, metrics={"validation_accuracy": 0.9}, model_prefix="/m/1", now=110.0
    )
    assert finished.status == "finished"
    assert finished.message_id == 77
    assert finished.labels == ["sad", "smile"] and finished.sample_ids == [1, 2, 3]
    serving = await repo.serving_run(CHAT)
    assert serving is not None and serving.id == run_id
    assert await repo.serving_run(OTHER_CHAT) is None


async def test_a_failed_or_stopped_run_does_not_replace_the_serving_model(
    repo: Repository,
) -> None:
    good = await run(repo)
    await repo.start_run(good)
    await repo.finish_run(good, metrics={}, model_prefix="/m/good")
    for status in ("failed", "stopped"):
        bad = await run(repo)
        await repo.start_run(bad)
        ended = await repo.end_run(bad, status, error="boom")
        assert (ended.status, ended.error) == (status, "boom")
    serving = await repo.serving_run(CHAT)
    assert serving is not None and serving.id == good
    with pytest.raises(ValueError, match="unsuccessful"):
        await repo.end_run(good, "finished")


async def test_runs_left_running_by_a_crash_are_marked_interrupted(repo: Repository) -> None:
    running = await run(repo)
    await repo.start_run(running)
    queued = await run(repo, OTHER_CHAT)
    interrupted = await repo.interrupt_unfinished_runs(now=200.0)
    assert [r.id for r in interrupted] == [running, queued]
    assert all(r.status == "interrupted" and r.finished_at == 200.0 for r in interrupted)
    assert await repo.interrupt_unfinished_runs() == []


async def test_migrate_chat_moves_runs_and_params(repo: Repository) -> None:
    run_id = await run(repo)
    await repo.start_run(run_id)
    await repo.finish_run(run_id, metrics={}, model_prefix="/m/1")
    await repo.set_param(CHAT, "epochs", 5)
    await repo.migrate_chat(CHAT, OTHER_CHAT)
    serving = await repo.serving_run(OTHER_CHAT)
    assert serving is not None and serving.id == run_id
    assert await repo.params(OTHER_CHAT) == {"epochs": 5}
    assert await repo.params(CHAT) == {}
    assert await repo.serving_run(CHAT) is None


async def test_reset_chat_clears_one_chat_and_keeps_its_params_if_asked(
    repo: Repository,
) -> None:
    for chat in (CHAT, OTHER_CHAT):
        await add(repo, sample(f"a{chat}", chat_id=chat, label="smile"))
        await add(repo, sample(f"b{chat}", chat_id=chat))
        run_id = await run(repo, chat)
        await repo.start_run(run_id)
        await repo.finish_run(run_id, metrics={}, model_prefix=f"/m/{chat}")
        await repo.set_param(chat, "epochs", 5)

    cleared = await repo.reset_chat(CHAT)
    assert (cleared.samples, cleared.labels, cleared.runs) == (2, 1, 1)
    assert cleared.model_prefixes == (f"/m/{CHAT}",)
    assert await repo.sample_count(CHAT) == 0 and await repo.label_counts(CHAT) == []
    assert await repo.serving_run(CHAT) is None
    assert await repo.params(CHAT) == {"epochs": 5}
    assert await repo.sample_count(OTHER_CHAT) == 2  # the other chat is untouched
    assert await repo.serving_run(OTHER_CHAT) is not None

    everything = await repo.reset_chat(OTHER_CHAT, keep_params=False)
    assert everything.samples == 2 and await repo.params(OTHER_CHAT) == {}
    # A cleared chat starts over: a label name can come back.
    await add(repo, sample("c", chat_id=CHAT, label="smile"))
    assert [c.name for c in await repo.label_counts(CHAT)] == ["smile"]


async def test_removals_keep_their_first_time_until_the_chat_is_back_or_cleared(
    repo: Repository,
) -> None:
    await repo.mark_removed(CHAT, now=100.0)
    await repo.mark_removed(CHAT, now=500.0)  # removed again: the grace period does not restart
    await repo.mark_removed(OTHER_CHAT, now=300.0)
    assert await repo.removed_before(200.0) == [CHAT]
    assert await repo.removed_before(1000.0) == sorted([CHAT, OTHER_CHAT])
    await repo.mark_present(OTHER_CHAT)
    assert await repo.removed_before(1000.0) == [CHAT]
    await repo.reset_chat(CHAT, keep_params=False)
    assert await repo.removed_before(1000.0) == []
