"""Class projects: a group's class, its pupils, and the samples they draw for it."""

from __future__ import annotations

import pytest

from storage import ClassRunning, LabelCount, Repository
from tests.storage.conftest import ALICE, BOB, add, sample

GROUP = -500
ALICES_CHAT = ALICE  # a private chat's id is its user's
BOBS_CHAT = BOB
CODE = "c0de-Unguessable"


async def test_a_group_runs_one_class_at_a_time(repo: Repository) -> None:
    created = await repo.classes.create(GROUP, CODE, created_by=ALICE, now=10.0)
    assert created.joining_open and created.ended_at is None
    assert await repo.classes.running(GROUP) == created
    assert await repo.classes.by_code(CODE) == created
    with pytest.raises(ClassRunning) as raised:
        await repo.classes.create(GROUP, "another-code-123", created_by=ALICE)
    assert raised.value.running == created
    await repo.classes.end(created.id, delete=False)
    assert await repo.classes.running(GROUP) is None
    again = await repo.classes.create(GROUP, "another-code-123", created_by=ALICE)
    assert again.id != created.id


async def test_a_pupils_drawings_feed_the_group_and_stay_in_their_chat(repo: Repository) -> None:
    project = await repo.classes.create(GROUP, CODE, created_by=None)
    before = await repo.samples.data_version(GROUP)
    await add(repo, sample("own", chat_id=GROUP, label="smile"))
    await add(repo, sample("early", chat_id=ALICES_CHAT, label="sad"))  # before joining
    await repo.classes.join(project.id, ALICES_CHAT, ALICE, "Alice")
    await repo.classes.join(project.id, BOBS_CHAT, BOB, "Bob")
    assert (await repo.classes.of_pupil(ALICES_CHAT)) == project
    assert await repo.classes.learning_chat(ALICES_CHAT) == GROUP
    assert await repo.classes.learning_chat(GROUP) == GROUP
    drawn = await add(repo, sample("a1", chat_id=ALICES_CHAT, label="smile"))
    await add(repo, sample("b1", chat_id=BOBS_CHAT, user_id=BOB, label="sad"))
    await add(repo, sample("b2", chat_id=BOBS_CHAT, user_id=BOB))  # unlabelled

    assert await repo.labels.counts(GROUP) == [LabelCount("sad", 1), LabelCount("smile", 2)]
    inputs = await repo.samples.labelled_inputs(GROUP)
    assert sorted(i.label for i in inputs) == ["sad", "smile", "smile"]
    assert await repo.samples.data_version(GROUP) > before
    assert await repo.classes.pupils(project.id) == {ALICE: 1, BOB: 1}
    # The group reads a pupil's images; the pupil's chat keeps its own dataset.
    assert await repo.samples.model_input(GROUP, drawn.id) is not None
    assert await repo.labels.counts(ALICES_CHAT) == [LabelCount("sad", 1), LabelCount("smile", 1)]
    assert [m.first_name for m in await repo.classes.members(project.id)] == ["Alice", "Bob"]


async def test_leaving_with_the_drawings_takes_them_out_of_the_class(repo: Repository) -> None:
    project = await repo.classes.create(GROUP, CODE, created_by=None)
    await repo.classes.join(project.id, ALICES_CHAT, ALICE, "Alice")
    await add(repo, sample("a1", chat_id=ALICES_CHAT, label="smile"))
    version = await repo.samples.data_version(GROUP)
    assert await repo.classes.leave(ALICES_CHAT, take_drawings=True) == 1
    assert await repo.labels.counts(GROUP) == []
    assert await repo.samples.data_version(GROUP) != version
    assert await repo.labels.counts(ALICES_CHAT) == [LabelCount("smile", 1)]
    assert await repo.classes.of_pupil(ALICES_CHAT) is None
    # Drawn after leaving: the pupil's own again.
    await add(repo, sample("a2", chat_id=ALICES_CHAT, label="smile"))
    assert await repo.labels.counts(GROUP) == []


async def test_leaving_without_them_and_removing_a_pupil(repo: Repository) -> None:
    project = await repo.classes.create(GROUP, CODE, created_by=None)
    await repo.classes.join(project.id, ALICES_CHAT, ALICE, "Alice")
    await repo.classes.join(project.id, BOBS_CHAT, BOB, "Bob")
    await add(repo, sample("a1", chat_id=ALICES_CHAT, label="smile"))
    await add(repo, sample("b1", chat_id=BOBS_CHAT, user_id=BOB, label="sad"))
    assert await repo.classes.leave(ALICES_CHAT, take_drawings=False) == 0
    assert await repo.labels.counts(GROUP) == [LabelCount("sad", 1), LabelCount("smile", 1)]
    assert await repo.classes.remove_pupil_samples(project.id, BOB) == 1
    assert await repo.labels.counts(GROUP) == [LabelCount("smile", 1)]


async def test_ending_a_class_keeps_or_deletes_its_data(repo: Repository) -> None:
    kept = await repo.classes.create(GROUP, CODE, created_by=None)
    await repo.classes.join(kept.id, ALICES_CHAT, ALICE, "Alice")
    await add(repo, sample("a1", chat_id=ALICES_CHAT, label="smile"))
    assert await repo.classes.end(kept.id, delete=False) == 0
    assert await repo.labels.counts(GROUP) == [LabelCount("smile", 1)]
    assert await repo.classes.of_pupil(ALICES_CHAT) is None

    deleted = await repo.classes.create(GROUP, "second-code-456", created_by=None)
    await repo.classes.join(deleted.id, ALICES_CHAT, ALICE, "Alice")
    await add(repo, sample("a2", chat_id=ALICES_CHAT, label="sad"))
    assert await repo.classes.end(deleted.id, delete=True) == 1
    assert await repo.labels.counts(GROUP) == [LabelCount("smile", 1)]
    assert await repo.labels.counts(ALICES_CHAT) == [LabelCount("smile", 1)]


async def test_joining_another_class_leaves_the_first(repo: Repository) -> None:
    first = await repo.classes.create(GROUP, CODE, created_by=None)
    second = await repo.classes.create(-600, "second-code-456", created_by=None)
    await repo.classes.join(first.id, ALICES_CHAT, ALICE, "Alice")
    await repo.classes.join(second.id, ALICES_CHAT, ALICE, "Alice")
    assert await repo.classes.of_pupil(ALICES_CHAT) == second
    assert await repo.classes.members(first.id) == []


async def test_a_reset_group_loses_its_classs_drawings_and_a_purged_one_its_class(
    repo: Repository,
) -> None:
    project = await repo.classes.create(GROUP, CODE, created_by=None)
    await repo.classes.join(project.id, ALICES_CHAT, ALICE, "Alice")
    await add(repo, sample("a1", chat_id=ALICES_CHAT, label="smile"))
    await repo.chats.reset(GROUP)
    assert await repo.labels.counts(GROUP) == []
    assert await repo.labels.counts(ALICES_CHAT) == [LabelCount("smile", 1)]
    assert await repo.classes.running(GROUP) == project  # a /reset keeps the class going
    await repo.chats.reset(GROUP, keep_params=False)  # the bot left the group for good
    assert await repo.classes.running(GROUP) is None
    assert await repo.classes.of_pupil(ALICES_CHAT) is None
