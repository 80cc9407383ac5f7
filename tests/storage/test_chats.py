"""Chats: a group's move to its supergroup, clearing a chat, the bot's removal and return."""

from __future__ import annotations

from dataclasses import replace

from storage import (
    LabelCount,
    Repository,
)
from tests.storage.conftest import (
    ALICE,
    CHAT,
    MAX_LABELS,
    OTHER_CHAT,
    add,
    png,
    run,
    sample,
    snapshot,
)


async def test_migrate_chat_moves_everything(repo: Repository) -> None:
    group, supergroup = -1, -1001
    smile = await add(repo, sample("f1", chat_id=group, label="smile", message_id=1))
    plain = await add(repo, sample("f2", chat_id=group, message_id=2))
    await repo.labels.assign_album(group, "g", "wink", labelled_by=ALICE, max_labels=MAX_LABELS)

    await repo.chats.migrate(group, supergroup)

    assert await repo.samples.count(group) == 0
    assert await repo.labels.counts(group) == []
    assert await repo.labels.counts(supergroup) == [LabelCount("smile", 1)]
    assert await repo.samples.unlabelled_count(supergroup) == 1
    assert await repo.samples.for_message(supergroup, 1) == replace(smile, chat_id=supergroup)
    assert await repo.samples.source_png(supergroup, plain.id) == png("f2")
    assert await repo.samples.source_png(group, plain.id) is None
    late = await add(repo, sample("p1", chat_id=supergroup, album="g"))
    assert late.label == "wink"


async def test_migrate_chat_merges_and_is_idempotent(repo: Repository) -> None:
    group, supergroup = -1, -1001
    await add(repo, sample("shared", chat_id=group, label="smile", message_id=1))
    await add(repo, sample("g-smile", chat_id=group, label="smile", message_id=2))
    await add(repo, sample("g-frown", chat_id=group, label="frown", message_id=3))
    await add(repo, sample("g-plain", chat_id=group, message_id=4))
    # The supergroup already received some pictures, one of them the same file.
    kept = await add(repo, sample("shared", chat_id=supergroup, label="wink", message_id=50))
    await add(repo, sample("s-smile", chat_id=supergroup, label="smile", message_id=51))

    await repo.chats.migrate(group, supergroup)

    assert await repo.labels.counts(supergroup) == [
        LabelCount("frown", 1),
        LabelCount("smile", 2),
        LabelCount("wink", 1),
    ]
    assert await repo.samples.count(supergroup) == 5
    assert await repo.samples.unlabelled_count(supergroup) == 1
    # The duplicate's message now leads to the sample the supergroup already had.
    assert await repo.samples.for_message(supergroup, 1) == kept
    assert await repo.samples.count(group) == 0

    state = await snapshot(repo, supergroup, [kept.id])
    await repo.chats.migrate(group, supergroup)
    assert await snapshot(repo, supergroup, [kept.id]) == state
    await repo.chats.migrate(supergroup, supergroup)
    assert await snapshot(repo, supergroup, [kept.id]) == state


async def test_migrate_chat_moves_runs_and_params(repo: Repository) -> None:
    run_id = await run(repo)
    await repo.runs.start(run_id)
    await repo.runs.finish(run_id, metrics={}, model_prefix="/m/1")
    await repo.runs.set_param(CHAT, "epochs", 5)
    await repo.chats.migrate(CHAT, OTHER_CHAT)
    serving = await repo.runs.serving(OTHER_CHAT)
    assert serving is not None and serving.id == run_id
    assert await repo.runs.params(OTHER_CHAT) == {"epochs": 5}
    assert await repo.runs.params(CHAT) == {}
    assert await repo.runs.serving(CHAT) is None


async def test_reset_chat_clears_one_chat_and_keeps_its_params_if_asked(
    repo: Repository,
) -> None:
    for chat in (CHAT, OTHER_CHAT):
        await add(repo, sample(f"a{chat}", chat_id=chat, label="smile"))
        await add(repo, sample(f"b{chat}", chat_id=chat))
        run_id = await run(repo, chat)
        await repo.runs.start(run_id)
        await repo.runs.finish(run_id, metrics={}, model_prefix=f"/m/{chat}")
        await repo.runs.set_param(chat, "epochs", 5)

    cleared = await repo.chats.reset(CHAT)
    assert (cleared.samples, cleared.labels, cleared.runs) == (2, 1, 1)
    assert cleared.model_prefixes == (f"/m/{CHAT}",)
    assert await repo.samples.count(CHAT) == 0 and await repo.labels.counts(CHAT) == []
    assert await repo.runs.serving(CHAT) is None
    assert await repo.runs.params(CHAT) == {"epochs": 5}
    assert await repo.samples.count(OTHER_CHAT) == 2  # the other chat is untouched
    assert await repo.runs.serving(OTHER_CHAT) is not None

    everything = await repo.chats.reset(OTHER_CHAT, keep_params=False)
    assert everything.samples == 2 and await repo.runs.params(OTHER_CHAT) == {}
    # A cleared chat starts over: a label name can come back.
    await add(repo, sample("c", chat_id=CHAT, label="smile"))
    assert [c.name for c in await repo.labels.counts(CHAT)] == ["smile"]


async def test_removals_keep_their_first_time_until_the_chat_is_back_or_cleared(
    repo: Repository,
) -> None:
    await repo.chats.mark_removed(CHAT, now=100.0)
    # Removed again: the grace period does not restart.
    await repo.chats.mark_removed(CHAT, now=500.0)
    await repo.chats.mark_removed(OTHER_CHAT, now=300.0)
    assert await repo.chats.removed_before(200.0) == [CHAT]
    assert await repo.chats.removed_before(1000.0) == sorted([CHAT, OTHER_CHAT])
    await repo.chats.mark_present(OTHER_CHAT)
    assert await repo.chats.removed_before(1000.0) == [CHAT]
    await repo.chats.reset(CHAT, keep_params=False)
    assert await repo.chats.removed_before(1000.0) == []
