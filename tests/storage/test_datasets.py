"""Tests of the Repository's export and import: stored images, source hashes, import_samples."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from storage import ImportItem, LabelCount, NewSample, Repository, StorageFull

CHAT = -100
OTHER_CHAT = -200
ALICE = 11
INPUT_SIZE = 4
MAX_SAMPLES = 50
MAX_LABELS = 3


def _png(name: str) -> bytes:
    """Stand-in bytes for a stored PNG (storage treats it as opaque)."""
    return b"\x89PNG" + name.encode()


def item(name: str, label: str | None) -> ImportItem:
    png = _png(name)
    return ImportItem(
        label=label,
        source_sha256=hashlib.sha256(png).hexdigest(),
        model_input=bytes(range(INPUT_SIZE * INPUT_SIZE)),
        input_size=INPUT_SIZE,
        preprocess_version=1,
        source_png=png,
    )


async def upload(repo: Repository, name: str, label: str | None, chat_id: int = CHAT) -> None:
    """Store a sample the way the intake does, from a Telegram file."""
    await repo.samples.add(
        NewSample(
            chat_id=chat_id,
            message_id=len(name) + 10,
            user_id=ALICE,
            file_unique_id=f"tg-{name}",
            media_group_id=None,
            source_kind="photo",
            model_input=bytes(INPUT_SIZE * INPUT_SIZE),
            input_size=INPUT_SIZE,
            preprocess_version=1,
            source_png=_png(name),
            label=label,
        ),
        max_samples=MAX_SAMPLES,
        max_labels=MAX_LABELS,
    )


async def test_stored_images_lists_the_chats_pngs_with_labels_oldest_first(
    repo: Repository,
) -> None:
    await upload(repo, "a", "smile")
    await upload(repo, "b", None)
    await upload(repo, "c", "sad")
    await upload(repo, "elsewhere", "smile", chat_id=OTHER_CHAT)

    images = await repo.datasets.stored_images(CHAT)

    assert [(i.label, i.source_png) for i in images] == [
        ("smile", _png("a")),
        (None, _png("b")),
        ("sad", _png("c")),
    ]
    assert [i.sample_id for i in images] == sorted(i.sample_id for i in images)
    assert all(i.preprocess_version == 1 and i.created_at > 0 for i in images)
    assert await repo.datasets.stored_images(12345) == []


async def test_source_hashes_are_the_sha256_of_the_stored_pngs(repo: Repository) -> None:
    await upload(repo, "a", "smile")
    await upload(repo, "b", None)
    await upload(repo, "x", None, chat_id=OTHER_CHAT)
    expected = {hashlib.sha256(_png(name)).hexdigest() for name in ("a", "b")}
    assert await repo.datasets.source_hashes(CHAT) == expected


async def test_import_stores_new_items_with_labels_and_counts_them(repo: Repository) -> None:
    items = [item("a", "smile"), item("b", "smile"), item("c", "sad"), item("d", None)]

    result = await repo.datasets.import_samples(
        CHAT, 7, items, max_samples=MAX_SAMPLES, max_labels=MAX_LABELS, now=1000.0
    )

    assert result.imported == (LabelCount("sad", 1), LabelCount("smile", 2))
    assert (result.unlabelled, result.stored, result.already_here) == (1, 4, 0)
    assert await repo.labels.counts(CHAT) == [LabelCount("sad", 1), LabelCount("smile", 2)]
    assert await repo.samples.unlabelled_count(CHAT) == 1
    assert await repo.samples.data_version(CHAT) > 0  # labelled inserts make older models outdated
    stored = await repo.datasets.stored_images(CHAT)
    assert [i.source_png for i in stored] == [_png(n) for n in "abcd"]
    assert all(i.created_at == 1000.0 for i in stored)
    assert len(await repo.samples.labelled_inputs(CHAT)) == 3
    # No sender and no labeller: /undo of anyone must not delete an imported sample.
    assert await repo.samples.undo_last_labelled(CHAT, ALICE) is None
    assert await repo.samples.count(OTHER_CHAT) == 0


async def test_import_skips_what_the_chat_already_has_uploaded_or_imported(
    repo: Repository,
) -> None:
    await upload(repo, "a", "smile")
    first = await repo.datasets.import_samples(
        CHAT,
        7,
        [item("a", "sad"), item("b", "sad"), item("b", "sad")],
        max_samples=MAX_SAMPLES,
        max_labels=MAX_LABELS,
    )
    assert (first.stored, first.already_here) == (1, 2)  # "a" uploaded, "b" twice in one zip

    again = await repo.datasets.import_samples(
        CHAT, 8, [item("a", None), item("b", None)], max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
    )
    assert (again.stored, again.already_here) == (0, 2)
    # The uploaded sample keeps its label: an import never relabels.
    assert await repo.labels.counts(CHAT) == [LabelCount("sad", 1), LabelCount("smile", 1)]


async def test_import_leaves_out_what_exceeds_the_limits_and_keeps_the_rest(
    repo: Repository,
) -> None:
    await upload(repo, "old", "smile")
    items = [item("a", "sad"), item("b", "cool"), item("c", "smile"), item("d", "sad")]

    result = await repo.datasets.import_samples(CHAT, 7, items, max_samples=3, max_labels=2)

    # "cool" would be a third label; "d" would be the fourth sample.
    assert result.imported == (LabelCount("sad", 1), LabelCount("smile", 1))
    assert (result.over_label_limit, result.over_sample_limit) == (1, 1)
    assert await repo.samples.count(CHAT) == 3
    assert [c.name for c in await repo.labels.counts(CHAT)] == ["sad", "smile"]


async def test_import_is_all_or_nothing_when_the_write_fails(tmp_path: Path) -> None:
    path = tmp_path / "small.sqlite3"
    async with Repository(path) as repo:
        await upload(repo, "a", "smile")
        # A full disk, as in tests/bot/test_disk_full.py: room for about two of the five items.
        conn = repo._database._connection()
        async with conn.execute("PRAGMA page_count") as cursor:
            row = await cursor.fetchone()
        assert row is not None
        await conn.execute(f"PRAGMA max_page_count = {int(row[0]) + 12}")
        big = [
            ImportItem(
                label="sad",
                source_sha256=hashlib.sha256(bytes([n]) * 20_000).hexdigest(),
                model_input=bytes(INPUT_SIZE * INPUT_SIZE),
                input_size=INPUT_SIZE,
                preprocess_version=1,
                source_png=bytes([n]) * 20_000,
            )
            for n in range(5)
        ]
        with pytest.raises(StorageFull):
            await repo.datasets.import_samples(
                CHAT, 7, big, max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
            )
        assert await repo.samples.count(CHAT) == 1
        assert await repo.labels.counts(CHAT) == [LabelCount("smile", 1)]


def test_import_items_must_carry_a_real_hash_and_a_full_input() -> None:
    good = item("a", None)
    with pytest.raises(ValueError, match="sha256"):
        ImportItem(None, "abc", good.model_input, INPUT_SIZE, 1, good.source_png)
    with pytest.raises(ValueError, match="model_input"):
        ImportItem(None, good.source_sha256, b"\x00", INPUT_SIZE, 1, good.source_png)
    with pytest.raises(ValueError, match="label"):
        ImportItem("", good.source_sha256, good.model_input, INPUT_SIZE, 1, good.source_png)


async def test_source_png_bytes_sums_the_chats_stored_pngs(repo: Repository) -> None:
    assert await repo.datasets.source_png_bytes(CHAT) == 0
    await upload(repo, "a", "smile")
    await upload(repo, "bb", None)
    await upload(repo, "elsewhere", None, chat_id=OTHER_CHAT)
    assert await repo.datasets.source_png_bytes(CHAT) == len(_png("a")) + len(_png("bb"))


async def test_imported_samples_keep_whether_they_were_photographed(repo: Repository) -> None:
    photo = replace(item("p", "smile"), photographed=True)
    drawn = replace(item("d", "smile"), photographed=False)
    await repo.datasets.import_samples(
        CHAT, 1, [photo, drawn], max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
    )

    [profile] = await repo.labels.profiles(CHAT)
    assert (profile.photographed, profile.on_screen) == (1, 1)
