"""Tests of the storage side of one-tap corrections and /stats."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage import ImportItem, Repository, TooManyLabels
from tests.storage.test_repository import ALICE, BOB, CHAT, MAX_LABELS, OTHER_CHAT, add, sample

CAROL = 33


async def test_a_tap_labels_an_unlabelled_sample_and_bumps_the_data_version(
    repo: Repository,
) -> None:
    stored = await add(repo, sample("f1"))
    before = await repo.data_version(CHAT)

    correction = await repo.label_by_tap(CHAT, stored.id, "sad", user_id=BOB, max_labels=MAX_LABELS)

    assert correction.stored and correction.taps_since_training == 1
    assert correction.sample is not None
    assert (correction.sample.label, correction.sample.labelled_by) == ("sad", BOB)
    assert await repo.data_version(CHAT) > before
    assert [(c.name, c.count) for c in await repo.label_counts(CHAT)] == [("sad", 1)]


async def test_a_second_tap_changes_nothing(repo: Repository) -> None:
    stored = await add(repo, sample("f1"))
    await repo.label_by_tap(CHAT, stored.id, "sad", user_id=ALICE, max_labels=MAX_LABELS)
    version = await repo.data_version(CHAT)

    again = await repo.label_by_tap(CHAT, stored.id, "smile", user_id=BOB, max_labels=MAX_LABELS)

    assert not again.stored and again.taps_since_training == 0
    assert again.sample is not None
    assert (again.sample.label, again.sample.labelled_by) == ("sad", ALICE)
    assert await repo.data_version(CHAT) == version
    assert [c.name for c in await repo.label_counts(CHAT)] == ["sad"]


async def test_concurrent_taps_on_one_connection_store_exactly_the_first(
    repo: Repository,
) -> None:
    stored = await add(repo, sample("f1"))
    taps = [
        repo.label_by_tap(CHAT, stored.id, label, user_id=user, max_labels=MAX_LABELS)
        for label, user in (("sad", ALICE), ("smile", BOB), ("neutral", CAROL))
    ]
    results = await asyncio.gather(*taps)

    winners = [r for r in results if r.stored]
    assert len(winners) == 1
    winner = winners[0].sample
    assert winner is not None
    for result in results:
        assert result.sample is not None and result.sample.label == winner.label
    assert [c.name for c in await repo.label_counts(CHAT)] == [winner.label]


async def test_concurrent_taps_from_two_connections_store_exactly_one(db_path: Path) -> None:
    # Two Repository objects share no asyncio lock: only the transaction keeps them apart.
    async with Repository(db_path) as first, Repository(db_path) as second:
        stored = await add(first, sample("f1"))
        for attempt in range(10):
            target = stored if attempt == 0 else await add(first, sample(f"g{attempt}"))
            results = await asyncio.gather(
                first.label_by_tap(CHAT, target.id, "sad", user_id=ALICE, max_labels=MAX_LABELS),
                second.label_by_tap(CHAT, target.id, "smile", user_id=BOB, max_labels=MAX_LABELS),
            )
            assert sorted(r.stored for r in results) == [False, True]
            labels = {r.sample.label for r in results if r.sample is not None}
            assert len(labels) == 1


async def test_a_tap_on_a_deleted_sample_finds_nothing(repo: Repository) -> None:
    stored = await add(repo, sample("f1", label="sad"))
    await repo.undo_last_labelled(CHAT, ALICE)

    correction = await repo.label_by_tap(
        CHAT, stored.id, "sad", user_id=ALICE, max_labels=MAX_LABELS
    )

    assert correction.sample is None and not correction.stored
    assert await repo.label_counts(CHAT) == []


async def test_a_tap_on_another_chats_sample_finds_nothing(repo: Repository) -> None:
    theirs = await add(repo, sample("f1", chat_id=OTHER_CHAT))

    correction = await repo.label_by_tap(CHAT, theirs.id, "sad", user_id=BOB, max_labels=MAX_LABELS)

    assert correction.sample is None
    assert await repo.label_counts(OTHER_CHAT) == []


async def test_a_new_label_over_the_limit_is_refused_and_not_counted(repo: Repository) -> None:
    for index in range(MAX_LABELS):
        await add(repo, sample(f"l{index}", label=f"label{index}"))
    stored = await add(repo, sample("f1"))

    with pytest.raises(TooManyLabels):
        await repo.label_by_tap(CHAT, stored.id, "new", user_id=BOB, max_labels=MAX_LABELS)

    assert await repo.unlabelled_count(CHAT) == 1
    existing = await repo.label_by_tap(
        CHAT, stored.id, "label0", user_id=BOB, max_labels=MAX_LABELS
    )
    assert existing.stored and existing.taps_since_training == 1


async def test_taps_are_counted_since_the_last_training_and_undo_does_not_uncount(
    repo: Repository,
) -> None:
    samples = [await add(repo, sample(f"f{i}")) for i in range(5)]

    async def tap(index: int, now: float) -> int:
        result = await repo.label_by_tap(
            CHAT, samples[index].id, "sad", user_id=ALICE, max_labels=MAX_LABELS, now=now
        )
        return result.taps_since_training

    assert [await tap(0, 100.0), await tap(1, 101.0)] == [1, 2]
    await repo.undo_last_labelled(CHAT, ALICE)
    assert await tap(2, 102.0) == 3
    await repo.create_run(
        CHAT, requested_by=ALICE, params={}, labels=[], sample_ids=[], data_version=1, now=103.0
    )
    assert await tap(3, 104.0) == 1
    other = await add(repo, sample("o1", chat_id=OTHER_CHAT))
    counted = await repo.label_by_tap(
        OTHER_CHAT, other.id, "sad", user_id=BOB, max_labels=MAX_LABELS, now=105.0
    )
    assert counted.taps_since_training == 1  # per chat
    assert await tap(4, 106.0) == 2


async def test_reset_forgets_the_taps_and_a_chat_move_keeps_them(repo: Repository) -> None:
    first = await add(repo, sample("f1"))
    await repo.label_by_tap(CHAT, first.id, "sad", user_id=ALICE, max_labels=MAX_LABELS)
    await repo.migrate_chat(CHAT, OTHER_CHAT)
    moved = await add(repo, sample("f2", chat_id=OTHER_CHAT))
    counted = await repo.label_by_tap(
        OTHER_CHAT, moved.id, "sad", user_id=ALICE, max_labels=MAX_LABELS
    )
    assert counted.taps_since_training == 2

    await repo.reset_chat(OTHER_CHAT)
    fresh = await add(repo, sample("f3", chat_id=OTHER_CHAT))
    counted = await repo.label_by_tap(
        OTHER_CHAT, fresh.id, "sad", user_id=ALICE, max_labels=MAX_LABELS
    )
    assert counted.taps_since_training == 1


async def test_label_ids_are_stable_and_per_chat(repo: Repository) -> None:
    await add(repo, sample("f1", label="sad"))
    await add(repo, sample("f2", label="smile"))
    await add(repo, sample("f3", chat_id=OTHER_CHAT, label="sad"))

    ids = await repo.label_ids(CHAT)

    assert sorted(ids) == ["sad", "smile"]
    assert ids["sad"] == await repo.label_id(CHAT, "sad")
    assert (await repo.label_ids(OTHER_CHAT))["sad"] != ids["sad"]


async def test_contributor_counts_count_labelled_samples_by_sender(repo: Repository) -> None:
    await add(repo, sample("a1", label="sad"))
    await add(repo, sample("a2", label="smile"))
    await add(repo, sample("a3"))  # unlabelled: not counted
    await add(repo, sample("b1", user_id=BOB, label="sad"))
    bobs = await add(repo, sample("b2", user_id=BOB))
    # Carol taps Bob's image: it still counts as Bob's.
    await repo.label_by_tap(CHAT, bobs.id, "sad", user_id=CAROL, max_labels=MAX_LABELS)
    await add(repo, sample("c1", user_id=CAROL, label="sad"))
    await add(repo, sample("x1", chat_id=OTHER_CHAT, label="sad"))
    png = b"\x89PNG imported"
    item = ImportItem("smile", "0" * 64, bytes(64), 8, 1, png)
    await repo.import_samples(CHAT, 1, [item], max_samples=50, max_labels=MAX_LABELS)

    counts = [(c.user_id, c.count) for c in await repo.contributor_counts(CHAT)]

    assert counts == [(ALICE, 2), (BOB, 2), (CAROL, 1), (None, 1)]
