"""Samples: adding (created, duplicate, relabelled), finding, images, undo, training inputs,
and making stale inputs again after the preprocessing changed."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from storage import (
    AddStatus,
    ChatFull,
    LabelCount,
    RefusedSource,
    Repository,
    RepreparedInput,
    StaleInput,
    StorageLimitError,
)
from tests.storage.conftest import (
    ALICE,
    BOB,
    CHAT,
    INPUT_SIZE,
    MAX_LABELS,
    MAX_SAMPLES,
    OTHER_CHAT,
    PREPROCESS_VERSION,
    add,
    labelled_pixels,
    pixels,
    png,
    sample,
)

NEWER = PREPROCESS_VERSION + 1  # "today's" preprocessing in these tests


async def test_add_creates_then_dedupes_then_relabels(repo: Repository) -> None:
    created = await repo.samples.add(
        sample("f1", label="smile"), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS, now=10.0
    )
    assert created.status is AddStatus.CREATED
    assert created.sample.label == "smile"
    assert created.sample.labelled_by == ALICE
    assert created.sample.created_at == created.sample.labelled_at == 10.0

    again = await repo.samples.add(
        sample("f1", label="smile", user_id=BOB), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
    )
    assert again.status is AddStatus.DUPLICATE
    assert again.sample == created.sample

    unlabelled_again = await repo.samples.add(
        sample("f1", user_id=BOB), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
    )
    assert unlabelled_again.status is AddStatus.DUPLICATE
    assert unlabelled_again.sample.label == "smile"

    relabelled = await repo.samples.add(
        sample("f1", label="frown", user_id=BOB),
        max_samples=MAX_SAMPLES,
        max_labels=MAX_LABELS,
        now=20.0,
    )
    assert relabelled.status is AddStatus.RELABELLED
    assert relabelled.sample.id == created.sample.id
    assert relabelled.sample.label == "frown"
    assert relabelled.sample.labelled_by == BOB
    assert relabelled.sample.labelled_at == 20.0
    assert relabelled.sample.created_at == 10.0
    # The emptied label is gone, not listed with count 0.
    assert await repo.labels.counts(CHAT) == [LabelCount("frown", 1)]
    assert await repo.samples.count(CHAT) == 1


async def test_unlabelled_sample_gets_label_when_resent_with_caption(repo: Repository) -> None:
    first = await add(repo, sample("f1"))
    assert first.label is None and first.labelled_at is None
    assert await repo.samples.unlabelled_count(CHAT) == 1

    result = await repo.samples.add(
        sample("f1", label="smile"), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
    )

    assert result.status is AddStatus.RELABELLED
    assert result.sample.label == "smile"
    assert await repo.samples.unlabelled_count(CHAT) == 0


async def test_same_file_in_two_chats_is_two_samples(repo: Repository) -> None:
    mine = await add(repo, sample("f1", label="smile"))
    theirs = await add(repo, sample("f1", chat_id=OTHER_CHAT, label="frown"))

    assert mine.id != theirs.id
    assert await repo.labels.counts(CHAT) == [LabelCount("smile", 1)]
    assert await repo.labels.counts(OTHER_CHAT) == [LabelCount("frown", 1)]


async def test_sample_for_message_finds_original_and_resent_messages(repo: Repository) -> None:
    original = await add(repo, sample("f1", message_id=1))
    await repo.samples.add(
        sample("f1", message_id=2), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
    )

    assert await repo.samples.for_message(CHAT, 1) == original
    assert await repo.samples.for_message(CHAT, 2) == original
    assert await repo.samples.for_message(CHAT, 3) is None


def test_new_sample_rejects_inconsistent_input() -> None:
    good = sample("f1")
    with pytest.raises(ValueError, match="model_input"):
        replace(good, model_input=b"\x00" * 3)
    with pytest.raises(ValueError, match="source_kind"):
        replace(good, source_kind="video")
    with pytest.raises(ValueError, match="label"):
        replace(good, label="")


async def test_images_round_trip(repo: Repository) -> None:
    smile = await add(repo, sample("f1", label="smile"))
    await add(repo, sample("f2"))
    frown = await add(repo, sample("f3", label="frown"))

    assert await repo.samples.source_png(CHAT, smile.id) == png("f1")
    assert await repo.samples.source_png(CHAT, 10_000) is None
    # Only labelled samples are training data, oldest first.
    assert await labelled_pixels(repo, CHAT) == [("smile", pixels("f1")), ("frown", pixels("f3"))]
    assert frown.id > smile.id


async def test_chat_full_rejects_new_files_but_not_known_ones(repo: Repository) -> None:
    await add(repo, sample("f1"), max_samples=2)
    await add(repo, sample("f2", label="smile"), max_samples=2)

    with pytest.raises(ChatFull) as raised:
        await add(repo, sample("f3", label="smile"), max_samples=2)
    assert raised.value.limit == 2
    assert isinstance(raised.value, StorageLimitError)
    assert await repo.samples.count(CHAT) == 2

    # A known file is still recognised and may be relabelled while the chat is full.
    result = await repo.samples.add(
        sample("f1", label="smile"), max_samples=2, max_labels=MAX_LABELS
    )
    assert result.status is AddStatus.RELABELLED

    # Undo frees a slot.
    assert await repo.samples.undo_last_labelled(CHAT, ALICE) is not None
    await add(repo, sample("f3"), max_samples=2)


async def test_latest_unlabelled_respects_user_and_since(repo: Repository) -> None:
    old = await add(repo, sample("old", user_id=ALICE), now=10.0)
    newer = await add(repo, sample("newer", user_id=ALICE), now=20.0)
    await add(repo, sample("bobs", user_id=BOB), now=30.0)
    await add(repo, sample("labelled", user_id=ALICE, label="smile"), now=40.0)

    assert await repo.samples.latest_unlabelled(CHAT, ALICE, since=0.0) == newer
    assert await repo.samples.latest_unlabelled(CHAT, ALICE, since=20.0) == newer
    assert await repo.samples.latest_unlabelled(CHAT, ALICE, since=20.5) is None

    await repo.labels.assign(CHAT, newer.id, "smile", labelled_by=ALICE, max_labels=MAX_LABELS)
    assert await repo.samples.latest_unlabelled(CHAT, ALICE, since=0.0) == old
    assert await repo.samples.latest_unlabelled(CHAT, 999, since=0.0) is None


async def test_undo_is_repeatable_and_per_user(repo: Repository) -> None:
    a1 = await add(repo, sample("a1", label="smile", user_id=ALICE), now=1.0)
    # Bob labels Alice's upload: the labelling counts as Bob's.
    upload = await add(repo, sample("a2", user_id=ALICE), now=2.0)
    b1 = await repo.labels.assign(CHAT, upload.id, "frown", labelled_by=BOB, max_labels=4, now=3.0)
    a2 = await add(repo, sample("a3", label="smile", user_id=ALICE), now=4.0)
    # Same labelled_at: the higher id is the later one.
    a3 = await add(repo, sample("a4", label="wink", user_id=ALICE), now=4.0)
    await add(repo, sample("unlabelled", user_id=ALICE), now=5.0)

    assert await repo.samples.undo_last_labelled(CHAT, ALICE) == a3
    assert await repo.samples.undo_last_labelled(CHAT, ALICE) == a2
    assert await repo.samples.undo_last_labelled(CHAT, ALICE) == a1
    assert await repo.samples.undo_last_labelled(CHAT, ALICE) is None

    assert await repo.labels.counts(CHAT) == [LabelCount("frown", 1)]
    assert await repo.samples.count(CHAT) == 2
    assert await repo.samples.undo_last_labelled(CHAT, BOB) == b1
    assert await repo.samples.undo_last_labelled(CHAT, BOB) is None
    assert await repo.labels.counts(CHAT) == []
    assert await repo.samples.source_png(CHAT, a1.id) is None


async def test_data_version_changes_only_with_labelled_data(repo: Repository) -> None:
    assert await repo.samples.data_version(CHAT) == 0
    unlabelled = await add(repo, sample("u1"))
    assert await repo.samples.data_version(CHAT) == 0  # unlabelled images are not training data
    await add(repo, sample("s1", label="smile"))
    after_add = await repo.samples.data_version(CHAT)
    assert after_add > 0
    await repo.labels.assign(CHAT, unlabelled.id, "sad", labelled_by=ALICE, max_labels=MAX_LABELS)
    after_label = await repo.samples.data_version(CHAT)
    assert after_label > after_add
    await repo.labels.assign(CHAT, unlabelled.id, "sad", labelled_by=ALICE, max_labels=MAX_LABELS)
    assert await repo.samples.data_version(CHAT) == after_label  # no change, no bump
    await repo.samples.undo_last_labelled(CHAT, ALICE)
    assert await repo.samples.data_version(CHAT) > after_label
    assert await repo.samples.data_version(OTHER_CHAT) == 0


async def test_labelled_inputs_give_ids_labels_and_pixels(repo: Repository) -> None:
    smile = await add(repo, sample("s1", label="smile"))
    await add(repo, sample("u1"))
    await add(repo, sample("o1", chat_id=OTHER_CHAT, label="sad"))
    [only] = await repo.samples.labelled_inputs(CHAT)
    assert (only.sample_id, only.label, only.input_size) == (smile.id, "smile", 8)
    assert only.preprocess_version == PREPROCESS_VERSION
    assert await repo.samples.model_input(CHAT, smile.id) == only.model_input
    assert await repo.samples.model_input(OTHER_CHAT, smile.id) is None


def remade(
    chat_id: int, sample_id: int, fill: int, version: int = NEWER, *, photographed: bool = False
) -> RepreparedInput:
    """A stale sample's input as a newer preprocessing made it: every pixel ``fill``."""
    return RepreparedInput(
        chat_id, sample_id, bytes([fill]) * INPUT_SIZE**2, INPUT_SIZE, version, photographed
    )


def refusal_rows(db_path: Path) -> list[tuple[int, int, str]]:
    """Return (sample_id, preprocess_version, reason) of every recorded refusal."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT sample_id, preprocess_version, reason FROM preprocess_refusals ORDER BY 1"
        ).fetchall()
    return [(int(a), int(b), str(c)) for a, b, c in rows]


async def test_stale_inputs_page_by_id_over_every_chat_or_one(repo: Repository) -> None:
    first = await add(repo, sample("s1", label="smile"))
    other = await add(repo, sample("o1", chat_id=OTHER_CHAT))
    last = await add(repo, sample("s2"))

    everything = await repo.samples.stale_inputs(NEWER, limit=10)
    assert everything == [
        StaleInput(CHAT, first.id, PREPROCESS_VERSION, png("s1")),
        StaleInput(OTHER_CHAT, other.id, PREPROCESS_VERSION, png("o1")),
        StaleInput(CHAT, last.id, PREPROCESS_VERSION, png("s2")),
    ]
    assert await repo.samples.stale_inputs(NEWER, limit=2) == everything[:2]
    assert await repo.samples.stale_inputs(NEWER, limit=2, after_id=other.id) == everything[2:]
    assert await repo.samples.stale_inputs(NEWER, limit=10, chat_id=CHAT) == [
        everything[0],
        everything[2],
    ]
    # Inputs made by today's preprocessing are not stale.
    assert await repo.samples.stale_inputs(PREPROCESS_VERSION, limit=10) == []


async def test_replace_inputs_swaps_input_and_version_and_keeps_the_rest(
    repo: Repository,
) -> None:
    smile = await add(repo, sample("s1", label="smile"))
    versions = await repo.samples.data_version(CHAT)

    assert await repo.samples.replace_inputs([remade(CHAT, smile.id, 7)]) == 1

    [stored] = await repo.samples.labelled_inputs(CHAT)
    assert (stored.label, stored.preprocess_version) == ("smile", NEWER)
    assert stored.model_input == bytes([7]) * INPUT_SIZE**2
    assert await repo.samples.source_png(CHAT, smile.id) == png("s1")
    assert await repo.samples.data_version(CHAT) == versions  # same drawings, same labels
    assert await repo.samples.stale_inputs(NEWER, limit=10) == []
    # Once more (a restart, or the sweep after a /train did it): nothing changes.
    assert await repo.samples.replace_inputs([remade(CHAT, smile.id, 9)]) == 0
    assert (await repo.samples.labelled_inputs(CHAT))[0].model_input == stored.model_input


async def test_replace_inputs_skips_what_went_meanwhile_and_keeps_a_relabel(
    repo: Repository,
) -> None:
    kept = await add(repo, sample("k1", label="smile"))
    gone = await add(repo, sample("g1", label="sad"))
    await add(repo, sample("x1", label="sad"))
    batch = await repo.samples.stale_inputs(NEWER, limit=10)
    assert len(batch) == 3
    # Between reading the batch and storing it: a /delete and a relabel.
    assert await repo.labels.delete(CHAT, "sad") == 2
    relabelled = await repo.samples.add(
        sample("k1", label="happy"), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
    )
    assert relabelled.status is AddStatus.RELABELLED

    replaced = await repo.samples.replace_inputs(
        [remade(CHAT, item.sample_id, 5) for item in batch]
        + [remade(OTHER_CHAT, kept.id, 6)]  # not that chat's sample
    )

    assert replaced == 1
    assert await labelled_pixels(repo, CHAT) == [("happy", bytes([5]) * INPUT_SIZE**2)]
    assert await repo.samples.model_input(CHAT, gone.id) is None
    assert await repo.samples.count(CHAT) == 1


async def test_a_refused_source_is_skipped_by_that_version_only(
    repo: Repository, db_path: Path
) -> None:
    smile = await add(repo, sample("s1", label="smile"))
    refused = RefusedSource(CHAT, smile.id, NEWER, "faint")

    assert await repo.samples.record_refusals([refused], now=5.0) == 1

    assert await repo.samples.stale_inputs(NEWER, limit=10) == []
    [still] = await repo.samples.labelled_inputs(CHAT)
    assert (still.preprocess_version, still.model_input) == (PREPROCESS_VERSION, pixels("s1"))
    assert [item.sample_id for item in await repo.samples.stale_inputs(NEWER + 1, limit=10)] == [
        smile.id
    ]
    assert refusal_rows(db_path) == [(smile.id, NEWER, "faint")]
    # A later version refuses it too: the row says so. Then one that can read it.
    later = replace(refused, preprocess_version=NEWER + 1, reason="blank")
    assert await repo.samples.record_refusals([later]) == 1
    assert refusal_rows(db_path) == [(smile.id, NEWER + 1, "blank")]
    assert await repo.samples.replace_inputs([remade(CHAT, smile.id, 3, NEWER + 2)]) == 1
    assert refusal_rows(db_path) == []


async def test_a_refusal_is_not_recorded_for_a_sample_gone_or_current(
    repo: Repository, db_path: Path
) -> None:
    gone = await add(repo, sample("g1", label="sad"))
    current = await add(repo, sample("c1"))
    await repo.samples.replace_inputs([remade(CHAT, current.id, 1)])
    await repo.labels.delete(CHAT, "sad")

    recorded = await repo.samples.record_refusals(
        [RefusedSource(CHAT, gone.id, NEWER, "faint"), RefusedSource(CHAT, current.id, NEWER, "x")]
    )

    assert recorded == 0
    assert refusal_rows(db_path) == []


async def test_a_refusal_goes_with_its_sample(repo: Repository, db_path: Path) -> None:
    smile = await add(repo, sample("s1", label="smile"))
    await add(repo, sample("o1", chat_id=OTHER_CHAT))
    await repo.samples.record_refusals([RefusedSource(CHAT, smile.id, NEWER, "faint")])
    assert len(refusal_rows(db_path)) == 1

    await repo.chats.reset(CHAT)

    assert refusal_rows(db_path) == []


def photographed_rows(db_path: Path) -> dict[int, int | None]:
    """Return every sample's stored ``photographed`` (1, 0 or None), by id."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT id, photographed FROM samples").fetchall()
    conn.close()
    return {int(sample_id): flag for sample_id, flag in rows}


async def test_a_sample_keeps_whether_it_was_photographed(repo: Repository, db_path: Path) -> None:
    photo = await add(repo, sample("p1", photographed=True))
    drawn = await add(repo, sample("d1", photographed=False))
    unknown = await add(repo, sample("u1"))

    assert photographed_rows(db_path) == {photo.id: 1, drawn.id: 0, unknown.id: None}


async def test_samples_of_unknown_kind_are_stale_only_when_asked_and_get_the_flag_alone(
    repo: Repository, db_path: Path
) -> None:
    known = await add(repo, sample("k1", label="smile", photographed=False))
    unknown = await add(repo, sample("u1", label="smile"))
    # Today's inputs both: stale for the sweep that fills in the kind, not for a training.
    assert await repo.samples.stale_inputs(PREPROCESS_VERSION, limit=10) == []
    filling = await repo.samples.stale_inputs(
        PREPROCESS_VERSION, limit=10, photographed_unknown=True
    )
    assert [item.sample_id for item in filling] == [unknown.id]

    made = remade(CHAT, unknown.id, 9, PREPROCESS_VERSION, photographed=True)
    assert await repo.samples.replace_inputs([made]) == 1

    # The input made by today's preprocessing stays as it was; only the flag is new.
    assert await repo.samples.model_input(CHAT, unknown.id) == pixels("u1")
    assert photographed_rows(db_path) == {known.id: 0, unknown.id: 1}
    assert (
        await repo.samples.stale_inputs(PREPROCESS_VERSION, limit=10, photographed_unknown=True)
        == []
    )
    # Once known, the flag is not overwritten.
    again = remade(CHAT, unknown.id, 9, PREPROCESS_VERSION, photographed=False)
    assert await repo.samples.replace_inputs([again]) == 0
    assert photographed_rows(db_path)[unknown.id] == 1


async def test_an_input_made_again_brings_its_flag(repo: Repository, db_path: Path) -> None:
    old = await add(repo, sample("o1", label="smile", photographed=False))

    assert await repo.samples.replace_inputs([remade(CHAT, old.id, 4, photographed=True)]) == 1

    assert photographed_rows(db_path) == {old.id: 1}
