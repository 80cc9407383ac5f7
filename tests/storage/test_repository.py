"""Tests of the Repository: statuses, per-chat isolation, limits, albums, undo, moves, crashes."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from storage import (
    AddStatus,
    ChatFull,
    LabelCount,
    NewSample,
    Repository,
    Sample,
    SampleNotFound,
    StorageLimitError,
    TooManyLabels,
)
from storage.repository import HANDLED_UPDATES_KEPT

CHAT = -100
OTHER_CHAT = -200
ALICE = 11
BOB = 22
INPUT_SIZE = 8
PREPROCESS_VERSION = 1
MAX_SAMPLES = 50
MAX_LABELS = 4
REPO_ROOT = Path(__file__).resolve().parents[2]

_message_ids = itertools.count(1000)


def _pixels(file_unique_id: str) -> bytes:
    """Return deterministic fake model input for a file."""
    digest = hashlib.sha256(file_unique_id.encode()).digest()
    return (digest * 2)[: INPUT_SIZE * INPUT_SIZE]


def _png(file_unique_id: str) -> bytes:
    """Return deterministic stand-in bytes for the stored PNG (storage treats it as opaque)."""
    return b"\x89PNG" + hashlib.sha256(b"png" + file_unique_id.encode()).digest()


def sample(
    file_unique_id: str,
    *,
    chat_id: int = CHAT,
    user_id: int | None = ALICE,
    label: str | None = None,
    album: str | None = None,
    message_id: int | None = None,
) -> NewSample:
    """Build a NewSample with small fake image data."""
    return NewSample(
        chat_id=chat_id,
        message_id=next(_message_ids) if message_id is None else message_id,
        user_id=user_id,
        file_unique_id=file_unique_id,
        media_group_id=album,
        source_kind="photo",
        model_input=_pixels(file_unique_id),
        input_size=INPUT_SIZE,
        preprocess_version=PREPROCESS_VERSION,
        source_png=_png(file_unique_id),
        label=label,
    )


async def add(
    repo: Repository,
    new: NewSample,
    *,
    now: float | None = None,
    max_samples: int = MAX_SAMPLES,
    max_labels: int = MAX_LABELS,
) -> Sample:
    """Store a sample that must be new and return it."""
    result = await repo.add_sample(new, max_samples=max_samples, max_labels=max_labels, now=now)
    assert result.status is AddStatus.CREATED
    return result.sample


async def snapshot(repo: Repository, chat_id: int, sample_ids: list[int]) -> dict[str, Any]:
    """Return everything the read API shows of one chat."""
    return {
        "labels": await repo.label_counts(chat_id),
        "unlabelled": await repo.unlabelled_count(chat_id),
        "count": await repo.sample_count(chat_id),
        "inputs": await repo.model_inputs(chat_id),
        "pngs": [await repo.source_png(chat_id, sample_id) for sample_id in sample_ids],
    }


# --- add_sample statuses -------------------------------------------------------------------


async def test_add_creates_then_dedupes_then_relabels(repo: Repository) -> None:
    created = await repo.add_sample(
        sample("f1", label="smile"), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS, now=10.0
    )
    assert created.status is AddStatus.CREATED
    assert created.sample.label == "smile"
    assert created.sample.labelled_by == ALICE
    assert created.sample.created_at == created.sample.labelled_at == 10.0

    again = await repo.add_sample(
        sample("f1", label="smile", user_id=BOB), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
    )
    assert again.status is AddStatus.DUPLICATE
    assert again.sample == created.sample

    unlabelled_again = await repo.add_sample(
        sample("f1", user_id=BOB), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
    )
    assert unlabelled_again.status is AddStatus.DUPLICATE
    assert unlabelled_again.sample.label == "smile"

    relabelled = await repo.add_sample(
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
    assert await repo.label_counts(CHAT) == [LabelCount("frown", 1)]
    assert await repo.sample_count(CHAT) == 1


async def test_unlabelled_sample_gets_label_when_resent_with_caption(repo: Repository) -> None:
    first = await add(repo, sample("f1"))
    assert first.label is None and first.labelled_at is None
    assert await repo.unlabelled_count(CHAT) == 1

    result = await repo.add_sample(
        sample("f1", label="smile"), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
    )

    assert result.status is AddStatus.RELABELLED
    assert result.sample.label == "smile"
    assert await repo.unlabelled_count(CHAT) == 0


async def test_same_file_in_two_chats_is_two_samples(repo: Repository) -> None:
    mine = await add(repo, sample("f1", label="smile"))
    theirs = await add(repo, sample("f1", chat_id=OTHER_CHAT, label="frown"))

    assert mine.id != theirs.id
    assert await repo.label_counts(CHAT) == [LabelCount("smile", 1)]
    assert await repo.label_counts(OTHER_CHAT) == [LabelCount("frown", 1)]


async def test_sample_for_message_finds_original_and_resent_messages(repo: Repository) -> None:
    original = await add(repo, sample("f1", message_id=1))
    await repo.add_sample(
        sample("f1", message_id=2), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
    )

    assert await repo.sample_for_message(CHAT, 1) == original
    assert await repo.sample_for_message(CHAT, 2) == original
    assert await repo.sample_for_message(CHAT, 3) is None


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

    assert await repo.source_png(CHAT, smile.id) == _png("f1")
    assert await repo.source_png(CHAT, 10_000) is None
    # Only labelled samples are training data, oldest first.
    assert await repo.model_inputs(CHAT) == [("smile", _pixels("f1")), ("frown", _pixels("f3"))]
    assert frown.id > smile.id


# --- isolation -----------------------------------------------------------------------------


async def test_another_chat_can_neither_see_nor_change_a_chat(repo: Repository) -> None:
    labelled = await add(repo, sample("f1", label="smile", message_id=1), now=100.0)
    unlabelled = await add(repo, sample("f2", message_id=2), now=101.0)
    album = await add(repo, sample("f3", album="album-1", message_id=3), now=102.0)
    ids = [labelled.id, unlabelled.id, album.id]
    before = await snapshot(repo, CHAT, ids)

    other = OTHER_CHAT
    assert await repo.sample_for_message(other, 1) is None
    assert await repo.latest_unlabelled(other, ALICE, since=0.0) is None
    assert await repo.label_counts(other) == []
    assert await repo.unlabelled_count(other) == 0
    assert await repo.sample_count(other) == 0
    assert await repo.model_inputs(other) == []
    assert [await repo.source_png(other, sample_id) for sample_id in ids] == [None] * 3
    assert await repo.undo_last_labelled(other, ALICE) is None
    assert await repo.delete_label(other, "smile") == 0
    with pytest.raises(SampleNotFound):
        await repo.set_label(other, unlabelled.id, "frown", labelled_by=BOB, max_labels=MAX_LABELS)
    assert (
        await repo.label_media_group(
            other, "album-1", "frown", labelled_by=BOB, max_labels=MAX_LABELS
        )
        == []
    )
    await repo.migrate_chat(other, -300)
    # The same file and the same album id arriving in the other chat stay the other chat's.
    copy = await repo.add_sample(
        sample("f2", chat_id=other, label="wink", album="album-1", message_id=2),
        max_samples=MAX_SAMPLES,
        max_labels=MAX_LABELS,
    )
    assert copy.status is AddStatus.CREATED

    assert await snapshot(repo, CHAT, ids) == before
    assert await repo.sample_for_message(CHAT, 2) == unlabelled
    assert await repo.sample_for_message(other, 2) == copy.sample
    assert await repo.latest_unlabelled(CHAT, ALICE, since=0.0) == album


async def test_limits_are_counted_per_chat(repo: Repository) -> None:
    await add(repo, sample("f1", label="a"), max_samples=1, max_labels=1)
    with pytest.raises(ChatFull):
        await add(repo, sample("f2"), max_samples=1, max_labels=1)

    other = await add(
        repo, sample("f2", chat_id=OTHER_CHAT, label="b"), max_samples=1, max_labels=1
    )
    assert other.label == "b"


# --- limits --------------------------------------------------------------------------------


async def test_chat_full_rejects_new_files_but_not_known_ones(repo: Repository) -> None:
    await add(repo, sample("f1"), max_samples=2)
    await add(repo, sample("f2", label="smile"), max_samples=2)

    with pytest.raises(ChatFull) as raised:
        await add(repo, sample("f3", label="smile"), max_samples=2)
    assert raised.value.limit == 2
    assert isinstance(raised.value, StorageLimitError)
    assert await repo.sample_count(CHAT) == 2

    # A known file is still recognised and may be relabelled while the chat is full.
    result = await repo.add_sample(
        sample("f1", label="smile"), max_samples=2, max_labels=MAX_LABELS
    )
    assert result.status is AddStatus.RELABELLED

    # Undo frees a slot.
    assert await repo.undo_last_labelled(CHAT, ALICE) is not None
    await add(repo, sample("f3"), max_samples=2)


async def test_too_many_labels_rejects_new_label_and_changes_nothing(repo: Repository) -> None:
    for name in ("a", "b"):
        await add(repo, sample(f"file-{name}", label=name), max_labels=2)
    unlabelled = await add(repo, sample("plain"), max_labels=2)
    await add(repo, sample("album-member", album="g1"), max_labels=2)
    before = await snapshot(repo, CHAT, [unlabelled.id])

    with pytest.raises(TooManyLabels) as raised:
        await add(repo, sample("new-file", label="c"), max_labels=2)
    assert raised.value.limit == 2
    with pytest.raises(TooManyLabels):
        await repo.set_label(CHAT, unlabelled.id, "c", labelled_by=ALICE, max_labels=2)
    with pytest.raises(TooManyLabels):
        await repo.label_media_group(CHAT, "g1", "c", labelled_by=ALICE, max_labels=2)
    with pytest.raises(TooManyLabels):
        # Even an album none of whose pictures arrived yet may not introduce a label.
        await repo.label_media_group(CHAT, "g2", "c", labelled_by=ALICE, max_labels=2)
    assert await snapshot(repo, CHAT, [unlabelled.id]) == before

    # Existing labels are still fine.
    await repo.set_label(CHAT, unlabelled.id, "a", labelled_by=ALICE, max_labels=2)
    await add(repo, sample("another-b", label="b"), max_labels=2)


async def test_removing_a_labels_last_sample_frees_its_slot(repo: Repository) -> None:
    a = await add(repo, sample("file-a", label="a"), max_labels=2)
    await add(repo, sample("file-b", label="b", user_id=BOB), max_labels=2)

    # Relabelling a's only sample to a new label leaves two labels: allowed.
    moved = await repo.set_label(CHAT, a.id, "c", labelled_by=ALICE, max_labels=2)
    assert moved.label == "c"
    assert await repo.label_counts(CHAT) == [LabelCount("b", 1), LabelCount("c", 1)]

    # Undo removes c's last sample, so a new label fits.
    assert await repo.undo_last_labelled(CHAT, ALICE) == moved
    await add(repo, sample("file-d", label="d"), max_labels=2)

    # Deleting a label frees its slot too.
    with pytest.raises(TooManyLabels):
        await add(repo, sample("file-e", label="e"), max_labels=2)
    assert await repo.delete_label(CHAT, "b") == 1
    await add(repo, sample("file-e", label="e"), max_labels=2)
    assert await repo.label_counts(CHAT) == [LabelCount("d", 1), LabelCount("e", 1)]


async def test_set_label_unknown_sample_is_a_key_error(repo: Repository) -> None:
    with pytest.raises(KeyError):
        await repo.set_label(CHAT, 123, "smile", labelled_by=ALICE, max_labels=MAX_LABELS)


async def test_set_label_same_label_changes_nothing(repo: Repository) -> None:
    first = await add(repo, sample("f1", label="smile"), now=1.0)
    again = await repo.set_label(
        CHAT, first.id, "smile", labelled_by=BOB, max_labels=MAX_LABELS, now=2.0
    )
    assert again == first


# --- albums --------------------------------------------------------------------------------


async def test_album_caption_first_labels_later_arrivals(repo: Repository) -> None:
    captioned = await add(repo, sample("p1", album="g", label="smile", user_id=ALICE), now=1.0)
    later = await add(repo, sample("p2", album="g", user_id=BOB), now=2.0)
    outside = await add(repo, sample("p3", album="other-album"), now=3.0)

    assert captioned.label == "smile"
    assert later.label == "smile"
    assert later.labelled_by == ALICE  # the caption's author labelled it
    assert outside.label is None
    assert await repo.label_counts(CHAT) == [LabelCount("smile", 2)]


async def test_album_caption_last_labels_earlier_arrivals(repo: Repository) -> None:
    early = [await add(repo, sample(f"p{i}", album="g", user_id=BOB), now=i) for i in (1, 2)]
    duplicate = await add(repo, sample("known"), now=3.0)
    # The album also contains a picture the chat already had.
    resent = await repo.add_sample(
        sample("known", album="g"), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
    )
    assert resent.status is AddStatus.DUPLICATE
    assert all(member.label is None for member in early)

    result = await repo.add_sample(
        sample("p3", album="g", label="smile", user_id=ALICE),
        max_samples=MAX_SAMPLES,
        max_labels=MAX_LABELS,
        now=10.0,
    )

    assert result.status is AddStatus.CREATED
    for member in [*early, duplicate, result.sample]:
        stored = await repo.sample_for_message(CHAT, member.message_id)
        assert stored is not None
        assert stored.label == "smile"
        assert stored.labelled_by == ALICE
        assert stored.labelled_at == 10.0
    assert await repo.unlabelled_count(CHAT) == 0


async def test_label_media_group_labels_stored_and_future_members(repo: Repository) -> None:
    first = await add(repo, sample("p1", album="g"), now=1.0)

    labelled = await repo.label_media_group(
        CHAT, "g", "wink", labelled_by=BOB, max_labels=MAX_LABELS, now=5.0
    )
    assert [member.id for member in labelled] == [first.id]
    assert labelled[0].label == "wink" and labelled[0].labelled_by == BOB

    later = await add(repo, sample("p2", album="g", user_id=ALICE), now=6.0)
    assert later.label == "wink" and later.labelled_by == BOB

    # A remembered album label also applies to a member that is a known duplicate.
    known = await add(repo, sample("known"), now=7.0)
    resent = await repo.add_sample(
        sample("known", album="g"), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS, now=8.0
    )
    assert resent.status is AddStatus.RELABELLED
    assert resent.sample.id == known.id and resent.sample.label == "wink"


async def test_album_label_is_not_remembered_forever(repo: Repository) -> None:
    await repo.label_media_group(CHAT, "g", "wink", labelled_by=BOB, max_labels=MAX_LABELS, now=0.0)
    a_week_later = 7 * 24 * 3600.0
    stray = await add(repo, sample("p1", album="g"), now=a_week_later)
    assert stray.label is None


async def test_remembered_album_label_over_limit_still_stores_picture(repo: Repository) -> None:
    await repo.label_media_group(CHAT, "g", "wink", labelled_by=BOB, max_labels=1)
    # The limit (1) is reached by another label before the album's pictures arrive.
    await add(repo, sample("other", label="smile"), max_labels=1)

    late = await add(repo, sample("p1", album="g"), max_labels=1)

    assert late.label is None
    assert await repo.sample_count(CHAT) == 2
    assert await repo.label_counts(CHAT) == [LabelCount("smile", 1)]


# --- latest_unlabelled and undo --------------------------------------------------------------


async def test_latest_unlabelled_respects_user_and_since(repo: Repository) -> None:
    old = await add(repo, sample("old", user_id=ALICE), now=10.0)
    newer = await add(repo, sample("newer", user_id=ALICE), now=20.0)
    await add(repo, sample("bobs", user_id=BOB), now=30.0)
    await add(repo, sample("labelled", user_id=ALICE, label="smile"), now=40.0)

    assert await repo.latest_unlabelled(CHAT, ALICE, since=0.0) == newer
    assert await repo.latest_unlabelled(CHAT, ALICE, since=20.0) == newer
    assert await repo.latest_unlabelled(CHAT, ALICE, since=20.5) is None

    await repo.set_label(CHAT, newer.id, "smile", labelled_by=ALICE, max_labels=MAX_LABELS)
    assert await repo.latest_unlabelled(CHAT, ALICE, since=0.0) == old
    assert await repo.latest_unlabelled(CHAT, 999, since=0.0) is None


async def test_undo_is_repeatable_and_per_user(repo: Repository) -> None:
    a1 = await add(repo, sample("a1", label="smile", user_id=ALICE), now=1.0)
    # Bob labels Alice's upload: the labelling counts as Bob's.
    upload = await add(repo, sample("a2", user_id=ALICE), now=2.0)
    b1 = await repo.set_label(CHAT, upload.id, "frown", labelled_by=BOB, max_labels=4, now=3.0)
    a2 = await add(repo, sample("a3", label="smile", user_id=ALICE), now=4.0)
    # Same labelled_at: the higher id is the later one.
    a3 = await add(repo, sample("a4", label="wink", user_id=ALICE), now=4.0)
    await add(repo, sample("unlabelled", user_id=ALICE), now=5.0)

    assert await repo.undo_last_labelled(CHAT, ALICE) == a3
    assert await repo.undo_last_labelled(CHAT, ALICE) == a2
    assert await repo.undo_last_labelled(CHAT, ALICE) == a1
    assert await repo.undo_last_labelled(CHAT, ALICE) is None

    assert await repo.label_counts(CHAT) == [LabelCount("frown", 1)]
    assert await repo.sample_count(CHAT) == 2
    assert await repo.undo_last_labelled(CHAT, BOB) == b1
    assert await repo.undo_last_labelled(CHAT, BOB) is None
    assert await repo.label_counts(CHAT) == []
    assert await repo.source_png(CHAT, a1.id) is None


# --- delete_label --------------------------------------------------------------------------


async def test_delete_label_removes_label_and_its_samples(repo: Repository) -> None:
    smiles = [await add(repo, sample(f"s{i}", label="smile")) for i in range(3)]
    await add(repo, sample("f1", label="frown"))
    await add(repo, sample("u1"))
    await repo.label_media_group(CHAT, "g", "smile", labelled_by=ALICE, max_labels=MAX_LABELS)

    assert await repo.delete_label(CHAT, "smile") == 3

    assert await repo.label_counts(CHAT) == [LabelCount("frown", 1)]
    assert await repo.sample_count(CHAT) == 2
    assert await repo.sample_for_message(CHAT, smiles[0].message_id) is None
    assert await repo.delete_label(CHAT, "smile") == 0
    assert await repo.delete_label(CHAT, "never-existed") == 0
    # The album's remembered label went with it.
    late = await add(repo, sample("p1", album="g"))
    assert late.label is None
    # The file can be stored again as a new sample.
    again = await add(repo, sample("s0", label="smile"))
    assert again.id not in {member.id for member in smiles}


async def test_label_ids_are_stable_per_chat_and_never_reused(repo: Repository) -> None:
    await add(repo, sample("s1", label="smile"))
    await add(repo, sample("o1", chat_id=OTHER_CHAT, label="smile"))
    smile_id = await repo.label_id(CHAT, "smile")
    assert smile_id is not None
    assert await repo.label_name(CHAT, smile_id) == "smile"
    # Another chat's label of the same name has its own id, invisible from here.
    other_id = await repo.label_id(OTHER_CHAT, "smile")
    assert other_id is not None and other_id != smile_id
    assert await repo.label_name(CHAT, other_id) is None
    assert await repo.label_id(CHAT, "frown") is None

    await repo.delete_label(CHAT, "smile")
    assert await repo.label_name(CHAT, smile_id) is None
    await add(repo, sample("s2", label="smile"))
    assert await repo.label_id(CHAT, "smile") not in (None, smile_id)


# --- migrate_chat --------------------------------------------------------------------------


async def test_migrate_chat_moves_everything(repo: Repository) -> None:
    group, supergroup = -1, -1001
    smile = await add(repo, sample("f1", chat_id=group, label="smile", message_id=1))
    plain = await add(repo, sample("f2", chat_id=group, message_id=2))
    await repo.label_media_group(group, "g", "wink", labelled_by=ALICE, max_labels=MAX_LABELS)

    await repo.migrate_chat(group, supergroup)

    assert await repo.sample_count(group) == 0
    assert await repo.label_counts(group) == []
    assert await repo.label_counts(supergroup) == [LabelCount("smile", 1)]
    assert await repo.unlabelled_count(supergroup) == 1
    assert await repo.sample_for_message(supergroup, 1) == replace(smile, chat_id=supergroup)
    assert await repo.source_png(supergroup, plain.id) == _png("f2")
    assert await repo.source_png(group, plain.id) is None
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

    await repo.migrate_chat(group, supergroup)

    assert await repo.label_counts(supergroup) == [
        LabelCount("frown", 1),
        LabelCount("smile", 2),
        LabelCount("wink", 1),
    ]
    assert await repo.sample_count(supergroup) == 5
    assert await repo.unlabelled_count(supergroup) == 1
    # The duplicate's message now leads to the sample the supergroup already had.
    assert await repo.sample_for_message(supergroup, 1) == kept
    assert await repo.sample_count(group) == 0

    state = await snapshot(repo, supergroup, [kept.id])
    await repo.migrate_chat(group, supergroup)
    assert await snapshot(repo, supergroup, [kept.id]) == state
    await repo.migrate_chat(supergroup, supergroup)
    assert await snapshot(repo, supergroup, [kept.id]) == state


# --- durability and concurrency ------------------------------------------------------------


async def test_data_survives_a_restart(db_path: Path) -> None:
    async with Repository(db_path) as repo:
        labelled = await add(repo, sample("f1", label="smile", message_id=1), now=1.0)
        await add(repo, sample("f2", message_id=2), now=2.0)
        await repo.label_media_group(CHAT, "g", "wink", labelled_by=BOB, max_labels=MAX_LABELS)

    repo = Repository(db_path)
    await repo.open()
    try:
        assert await repo.sample_for_message(CHAT, 1) == labelled
        assert await repo.label_counts(CHAT) == [LabelCount("smile", 1)]
        assert await repo.unlabelled_count(CHAT) == 1
        assert await repo.model_inputs(CHAT) == [("smile", _pixels("f1"))]
        late = await add(repo, sample("p1", album="g"))
        assert late.label == "wink"
    finally:
        await repo.close()
    await repo.close()  # closing twice is harmless


async def test_closed_repository_refuses_work(db_path: Path) -> None:
    repo = Repository(db_path)
    with pytest.raises(RuntimeError, match="not open"):
        await repo.sample_count(CHAT)
    async with repo:
        with pytest.raises(RuntimeError, match="already open"):
            await repo.open()
    with pytest.raises(RuntimeError, match="not open"):
        await repo.sample_count(CHAT)


async def test_concurrent_writes_do_not_interleave(repo: Repository) -> None:
    files = [f"f{i}" for i in range(20)]
    results = await asyncio.gather(
        *(
            repo.add_sample(
                sample(name, label=f"l{i % 3}"), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
            )
            for i, name in enumerate(files)
        ),
        # Racing duplicates of the same file: exactly one of them creates it.
        *(
            repo.add_sample(sample("same"), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS)
            for _ in range(5)
        ),
    )
    statuses = [result.status for result in results]
    assert statuses.count(AddStatus.CREATED) == len(files) + 1
    assert statuses.count(AddStatus.DUPLICATE) == 4
    assert await repo.sample_count(CHAT) == len(files) + 1
    assert sum(label.count for label in await repo.label_counts(CHAT)) == len(files)


async def test_cancelled_write_is_all_or_nothing(repo: Repository) -> None:
    for attempt in range(5):
        new = sample(f"c{attempt}", label="smile")
        task = asyncio.create_task(
            repo.add_sample(new, max_samples=MAX_SAMPLES, max_labels=MAX_LABELS)
        )
        # Cancel at a different point of the transaction each time.
        for _ in range(attempt):
            await asyncio.sleep(0)
        task.cancel()
        cancelled = False
        try:
            await task
        except asyncio.CancelledError:
            cancelled = True
        stored = await repo.sample_for_message(CHAT, new.message_id)
        assert cancelled or stored is not None
        if stored is not None:
            assert stored.label == "smile"
            assert await repo.source_png(CHAT, stored.id) == _png(new.file_unique_id)
        # Every stored sample is complete: labelled and with its images.
        assert len(await repo.model_inputs(CHAT)) == await repo.sample_count(CHAT)
    # The connection is still usable and no transaction was left open.
    await add(repo, sample("after"))
    assert not repo._connection().in_transaction  # white-box


_CRASH_CHILD = """
import asyncio, sys
from storage import NewSample, Repository

async def main(path: str, first: int) -> None:
    async with Repository(path) as repo:
        for number in range(first, first + 1_000_000):
            new = NewSample(
                chat_id=-100, message_id=number, user_id=1, file_unique_id=f"crash-{number}",
                media_group_id=None, source_kind="photo", model_input=bytes(64), input_size=8,
                preprocess_version=1, source_png=bytes(range(256)) * 16,
                label=f"label-{number % 3}",
            )
            result = await repo.add_sample(new, max_samples=10**9, max_labels=10)
            sys.stdout.write(f"{result.sample.id}\\n")
            sys.stdout.flush()

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""
CRASH_RUNS = 3
FIRST_ACK_TIMEOUT_SECONDS = 20.0


def _run_and_kill(db_path: Path, first: int, delay: float) -> list[int]:
    """Run the writer child, SIGKILL it after its first ack plus delay; return acked ids."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CRASH_CHILD, str(db_path), str(first)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert child.stdout is not None
        first_line = child.stdout.readline()  # blocks until the child has committed once
        assert first_line.endswith(b"\n"), child.stderr.read() if child.stderr else b""
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate(timeout=FIRST_ACK_TIMEOUT_SECONDS)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    output = first_line + rest
    # A line cut off by the kill was never fully acknowledged.
    complete = output[: output.rfind(b"\n") + 1]
    return [int(line) for line in complete.split()]


async def test_kill_9_never_loses_an_acknowledged_sample(db_path: Path) -> None:
    rng = random.Random()
    acknowledged: list[int] = []
    for run in range(CRASH_RUNS):
        ids = await asyncio.to_thread(
            _run_and_kill, db_path, run * 1_000_000, rng.uniform(0.05, 0.3)
        )
        assert ids, "the child acknowledged nothing"
        acknowledged.extend(ids)

    async with Repository(db_path) as repo:
        count = await repo.sample_count(CHAT)
        inputs = await repo.model_inputs(CHAT)
    with sqlite3.connect(db_path) as plain:
        assert plain.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert plain.execute("PRAGMA foreign_key_check").fetchall() == []
        stored = {row[0] for row in plain.execute("SELECT id FROM samples")}
        # No half-written sample: every sample has its images and its message.
        assert plain.execute(
            "SELECT count(*) FROM samples AS s JOIN sample_images AS i ON i.sample_id = s.id"
            " JOIN sample_messages AS m ON m.sample_id = s.id"
        ).fetchone() == (len(stored),)
    plain.close()
    assert set(acknowledged) <= stored
    # At most the one sample in flight per kill was committed but not acknowledged.
    assert len(stored) - len(acknowledged) <= CRASH_RUNS
    assert count == len(stored) == len(inputs)


async def test_the_latest_handled_updates_are_remembered(repo: Repository) -> None:
    assert not await repo.update_handled(7)
    await repo.mark_update_handled(7)
    await repo.mark_update_handled(7)  # twice is fine
    assert await repo.update_handled(7)
    await repo.mark_update_handled(7 + HANDLED_UPDATES_KEPT)  # 7 is still among the latest
    assert await repo.update_handled(7)
    await repo.mark_update_handled(8 + HANDLED_UPDATES_KEPT)  # now it is not
    assert not await repo.update_handled(7)
    assert await repo.update_handled(8 + HANDLED_UPDATES_KEPT)
