"""Labels: the label limit, albums, deleting and renaming a label, ids, one-tap corrections."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from storage import (
    AddStatus,
    ImportItem,
    LabelCount,
    LabelExists,
    LabelNotFound,
    LabelProfile,
    Repository,
    TooManyLabels,
)
from tests.storage.conftest import (
    ALICE,
    BOB,
    CHAT,
    MAX_LABELS,
    MAX_SAMPLES,
    OTHER_CHAT,
    add,
    run,
    sample,
    snapshot,
)


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
        await repo.labels.assign(CHAT, unlabelled.id, "c", labelled_by=ALICE, max_labels=2)
    with pytest.raises(TooManyLabels):
        await repo.labels.assign_album(CHAT, "g1", "c", labelled_by=ALICE, max_labels=2)
    with pytest.raises(TooManyLabels):
        # Even an album none of whose pictures arrived yet may not introduce a label.
        await repo.labels.assign_album(CHAT, "g2", "c", labelled_by=ALICE, max_labels=2)
    assert await snapshot(repo, CHAT, [unlabelled.id]) == before

    # Existing labels are still fine.
    await repo.labels.assign(CHAT, unlabelled.id, "a", labelled_by=ALICE, max_labels=2)
    await add(repo, sample("another-b", label="b"), max_labels=2)


async def test_removing_a_labels_last_sample_frees_its_slot(repo: Repository) -> None:
    a = await add(repo, sample("file-a", label="a"), max_labels=2)
    await add(repo, sample("file-b", label="b", user_id=BOB), max_labels=2)

    # Relabelling a's only sample to a new label leaves two labels: allowed.
    moved = await repo.labels.assign(CHAT, a.id, "c", labelled_by=ALICE, max_labels=2)
    assert moved.label == "c"
    assert await repo.labels.counts(CHAT) == [LabelCount("b", 1), LabelCount("c", 1)]

    # Undo removes c's last sample, so a new label fits.
    assert await repo.samples.undo_last_labelled(CHAT, ALICE) == moved
    await add(repo, sample("file-d", label="d"), max_labels=2)

    # Deleting a label frees its slot too.
    with pytest.raises(TooManyLabels):
        await add(repo, sample("file-e", label="e"), max_labels=2)
    assert await repo.labels.delete(CHAT, "b") == 1
    await add(repo, sample("file-e", label="e"), max_labels=2)
    assert await repo.labels.counts(CHAT) == [LabelCount("d", 1), LabelCount("e", 1)]


async def test_set_label_unknown_sample_is_a_key_error(repo: Repository) -> None:
    with pytest.raises(KeyError):
        await repo.labels.assign(CHAT, 123, "smile", labelled_by=ALICE, max_labels=MAX_LABELS)


async def test_set_label_same_label_changes_nothing(repo: Repository) -> None:
    first = await add(repo, sample("f1", label="smile"), now=1.0)
    again = await repo.labels.assign(
        CHAT, first.id, "smile", labelled_by=BOB, max_labels=MAX_LABELS, now=2.0
    )
    assert again == first


async def test_album_caption_first_labels_later_arrivals(repo: Repository) -> None:
    captioned = await add(repo, sample("p1", album="g", label="smile", user_id=ALICE), now=1.0)
    later = await add(repo, sample("p2", album="g", user_id=BOB), now=2.0)
    outside = await add(repo, sample("p3", album="other-album"), now=3.0)

    assert captioned.label == "smile"
    assert later.label == "smile"
    assert later.labelled_by == ALICE  # the caption's author labelled it
    assert outside.label is None
    assert await repo.labels.counts(CHAT) == [LabelCount("smile", 2)]


async def test_album_caption_last_labels_earlier_arrivals(repo: Repository) -> None:
    early = [await add(repo, sample(f"p{i}", album="g", user_id=BOB), now=i) for i in (1, 2)]
    duplicate = await add(repo, sample("known"), now=3.0)
    # The album also contains a picture the chat already had.
    resent = await repo.samples.add(
        sample("known", album="g"), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
    )
    assert resent.status is AddStatus.DUPLICATE
    assert all(member.label is None for member in early)

    result = await repo.samples.add(
        sample("p3", album="g", label="smile", user_id=ALICE),
        max_samples=MAX_SAMPLES,
        max_labels=MAX_LABELS,
        now=10.0,
    )

    assert result.status is AddStatus.CREATED
    for member in [*early, duplicate, result.sample]:
        stored = await repo.samples.for_message(CHAT, member.message_id)
        assert stored is not None
        assert stored.label == "smile"
        assert stored.labelled_by == ALICE
        assert stored.labelled_at == 10.0
    assert await repo.samples.unlabelled_count(CHAT) == 0


async def test_label_media_group_labels_stored_and_future_members(repo: Repository) -> None:
    first = await add(repo, sample("p1", album="g"), now=1.0)

    labelled = await repo.labels.assign_album(
        CHAT, "g", "wink", labelled_by=BOB, max_labels=MAX_LABELS, now=5.0
    )
    assert [member.id for member in labelled] == [first.id]
    assert labelled[0].label == "wink" and labelled[0].labelled_by == BOB

    later = await add(repo, sample("p2", album="g", user_id=ALICE), now=6.0)
    assert later.label == "wink" and later.labelled_by == BOB

    # A remembered album label also applies to a member that is a known duplicate.
    known = await add(repo, sample("known"), now=7.0)
    resent = await repo.samples.add(
        sample("known", album="g"), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS, now=8.0
    )
    assert resent.status is AddStatus.RELABELLED
    assert resent.sample.id == known.id and resent.sample.label == "wink"


async def test_album_label_is_not_remembered_forever(repo: Repository) -> None:
    await repo.labels.assign_album(
        CHAT, "g", "wink", labelled_by=BOB, max_labels=MAX_LABELS, now=0.0
    )
    a_week_later = 7 * 24 * 3600.0
    stray = await add(repo, sample("p1", album="g"), now=a_week_later)
    assert stray.label is None


async def test_remembered_album_label_over_limit_still_stores_picture(repo: Repository) -> None:
    await repo.labels.assign_album(CHAT, "g", "wink", labelled_by=BOB, max_labels=1)
    # The limit (1) is reached by another label before the album's pictures arrive.
    await add(repo, sample("other", label="smile"), max_labels=1)

    late = await add(repo, sample("p1", album="g"), max_labels=1)

    assert late.label is None
    assert await repo.samples.count(CHAT) == 2
    assert await repo.labels.counts(CHAT) == [LabelCount("smile", 1)]


async def test_delete_label_removes_label_and_its_samples(repo: Repository) -> None:
    smiles = [await add(repo, sample(f"s{i}", label="smile")) for i in range(3)]
    await add(repo, sample("f1", label="frown"))
    await add(repo, sample("u1"))
    await repo.labels.assign_album(CHAT, "g", "smile", labelled_by=ALICE, max_labels=MAX_LABELS)

    assert await repo.labels.delete(CHAT, "smile") == 3

    assert await repo.labels.counts(CHAT) == [LabelCount("frown", 1)]
    assert await repo.samples.count(CHAT) == 2
    assert await repo.samples.for_message(CHAT, smiles[0].message_id) is None
    assert await repo.labels.delete(CHAT, "smile") == 0
    assert await repo.labels.delete(CHAT, "never-existed") == 0
    # The album's remembered label went with it.
    late = await add(repo, sample("p1", album="g"))
    assert late.label is None
    # The file can be stored again as a new sample.
    again = await add(repo, sample("s0", label="smile"))
    assert again.id not in {member.id for member in smiles}


async def test_rename_keeps_the_samples_the_id_the_album_and_the_runs(repo: Repository) -> None:
    smiles = [await add(repo, sample(f"s{i}", label="smile")) for i in range(2)]
    await add(repo, sample("f1", label="frown"))
    await add(repo, sample("o1", chat_id=OTHER_CHAT, label="smile"))
    await repo.labels.assign_album(CHAT, "g", "smile", labelled_by=ALICE, max_labels=MAX_LABELS)
    label_id = await repo.labels.id_of(CHAT, "smile")
    version = await repo.samples.data_version(CHAT)
    run_id = await run(repo)  # trained on ["sad", "smile"]

    assert await repo.labels.rename(CHAT, "smile", "happy") == 2

    assert await repo.labels.counts(CHAT) == [LabelCount("frown", 1), LabelCount("happy", 2)]
    assert await repo.labels.id_of(CHAT, "happy") == label_id
    assert await repo.labels.id_of(CHAT, "smile") is None
    stored = await repo.samples.for_message(CHAT, smiles[0].message_id)
    assert stored is not None and stored.label == "happy"
    # The model is as current as it was, and answers with the new name.
    assert await repo.samples.data_version(CHAT) == version
    renamed = await repo.runs.get(run_id)
    assert renamed is not None and renamed.labels == ["sad", "happy"]
    # An album member that arrives later takes the new name, and other chats keep theirs.
    late = await add(repo, sample("p1", album="g"))
    assert late.label == "happy"
    assert await repo.labels.counts(OTHER_CHAT) == [LabelCount("smile", 1)]


async def test_rename_refuses_an_unknown_label_and_a_taken_name(repo: Repository) -> None:
    await add(repo, sample("s1", label="smile"))
    await add(repo, sample("f1", label="frown"))
    before = await snapshot(repo, CHAT, [])
    with pytest.raises(LabelNotFound):
        await repo.labels.rename(CHAT, "wink", "blink")
    with pytest.raises(LabelExists):
        await repo.labels.rename(CHAT, "smile", "frown")
    with pytest.raises(LabelNotFound):
        await repo.labels.rename(OTHER_CHAT, "smile", "happy")
    assert await snapshot(repo, CHAT, []) == before


async def test_label_ids_are_stable_per_chat_and_never_reused(repo: Repository) -> None:
    await add(repo, sample("s1", label="smile"))
    await add(repo, sample("o1", chat_id=OTHER_CHAT, label="smile"))
    smile_id = await repo.labels.id_of(CHAT, "smile")
    assert smile_id is not None
    assert await repo.labels.name_of(CHAT, smile_id) == "smile"
    # Another chat's label of the same name has its own id, invisible from here.
    other_id = await repo.labels.id_of(OTHER_CHAT, "smile")
    assert other_id is not None and other_id != smile_id
    assert await repo.labels.name_of(CHAT, other_id) is None
    assert await repo.labels.id_of(CHAT, "frown") is None

    await repo.labels.delete(CHAT, "smile")
    assert await repo.labels.name_of(CHAT, smile_id) is None
    await add(repo, sample("s2", label="smile"))
    assert await repo.labels.id_of(CHAT, "smile") not in (None, smile_id)


CAROL = 33


async def test_a_tap_labels_an_unlabelled_sample_and_bumps_the_data_version(
    repo: Repository,
) -> None:
    stored = await add(repo, sample("f1"))
    before = await repo.samples.data_version(CHAT)

    correction = await repo.labels.assign_by_tap(
        CHAT, stored.id, "sad", user_id=BOB, max_labels=MAX_LABELS
    )

    assert correction.stored and correction.taps_since_training == 1
    assert correction.sample is not None
    assert (correction.sample.label, correction.sample.labelled_by) == ("sad", BOB)
    assert await repo.samples.data_version(CHAT) > before
    assert [(c.name, c.count) for c in await repo.labels.counts(CHAT)] == [("sad", 1)]


async def test_a_second_tap_changes_nothing(repo: Repository) -> None:
    stored = await add(repo, sample("f1"))
    await repo.labels.assign_by_tap(CHAT, stored.id, "sad", user_id=ALICE, max_labels=MAX_LABELS)
    version = await repo.samples.data_version(CHAT)

    again = await repo.labels.assign_by_tap(
        CHAT, stored.id, "smile", user_id=BOB, max_labels=MAX_LABELS
    )

    assert not again.stored and again.taps_since_training == 0
    assert again.sample is not None
    assert (again.sample.label, again.sample.labelled_by) == ("sad", ALICE)
    assert await repo.samples.data_version(CHAT) == version
    assert [c.name for c in await repo.labels.counts(CHAT)] == ["sad"]


async def test_concurrent_taps_on_one_connection_store_exactly_the_first(
    repo: Repository,
) -> None:
    stored = await add(repo, sample("f1"))
    taps = [
        repo.labels.assign_by_tap(CHAT, stored.id, label, user_id=user, max_labels=MAX_LABELS)
        for label, user in (("sad", ALICE), ("smile", BOB), ("neutral", CAROL))
    ]
    results = await asyncio.gather(*taps)

    winners = [r for r in results if r.stored]
    assert len(winners) == 1
    winner = winners[0].sample
    assert winner is not None
    for result in results:
        assert result.sample is not None and result.sample.label == winner.label
    assert [c.name for c in await repo.labels.counts(CHAT)] == [winner.label]


async def test_concurrent_taps_from_two_connections_store_exactly_one(db_path: Path) -> None:
    # Two Repository objects share no asyncio lock: only the transaction keeps them apart.
    async with Repository(db_path) as first, Repository(db_path) as second:
        stored = await add(first, sample("f1"))
        for attempt in range(10):
            target = stored if attempt == 0 else await add(first, sample(f"g{attempt}"))
            results = await asyncio.gather(
                first.labels.assign_by_tap(
                    CHAT, target.id, "sad", user_id=ALICE, max_labels=MAX_LABELS
                ),
                second.labels.assign_by_tap(
                    CHAT, target.id, "smile", user_id=BOB, max_labels=MAX_LABELS
                ),
            )
            assert sorted(r.stored for r in results) == [False, True]
            labels = {r.sample.label for r in results if r.sample is not None}
            assert len(labels) == 1


async def test_a_tap_on_a_deleted_sample_finds_nothing(repo: Repository) -> None:
    stored = await add(repo, sample("f1", label="sad"))
    await repo.samples.undo_last_labelled(CHAT, ALICE)

    correction = await repo.labels.assign_by_tap(
        CHAT, stored.id, "sad", user_id=ALICE, max_labels=MAX_LABELS
    )

    assert correction.sample is None and not correction.stored
    assert await repo.labels.counts(CHAT) == []


async def test_a_tap_on_another_chats_sample_finds_nothing(repo: Repository) -> None:
    theirs = await add(repo, sample("f1", chat_id=OTHER_CHAT))

    correction = await repo.labels.assign_by_tap(
        CHAT, theirs.id, "sad", user_id=BOB, max_labels=MAX_LABELS
    )

    assert correction.sample is None
    assert await repo.labels.counts(OTHER_CHAT) == []


async def test_a_new_label_over_the_limit_is_refused_and_not_counted(repo: Repository) -> None:
    for index in range(MAX_LABELS):
        await add(repo, sample(f"l{index}", label=f"label{index}"))
    stored = await add(repo, sample("f1"))

    with pytest.raises(TooManyLabels):
        await repo.labels.assign_by_tap(CHAT, stored.id, "new", user_id=BOB, max_labels=MAX_LABELS)

    assert await repo.samples.unlabelled_count(CHAT) == 1
    existing = await repo.labels.assign_by_tap(
        CHAT, stored.id, "label0", user_id=BOB, max_labels=MAX_LABELS
    )
    assert existing.stored and existing.taps_since_training == 1


async def test_taps_are_counted_since_the_last_training_and_undo_does_not_uncount(
    repo: Repository,
) -> None:
    samples = [await add(repo, sample(f"f{i}")) for i in range(5)]

    async def tap(index: int, now: float) -> int:
        result = await repo.labels.assign_by_tap(
            CHAT, samples[index].id, "sad", user_id=ALICE, max_labels=MAX_LABELS, now=now
        )
        return result.taps_since_training

    assert [await tap(0, 100.0), await tap(1, 101.0)] == [1, 2]
    await repo.samples.undo_last_labelled(CHAT, ALICE)
    assert await tap(2, 102.0) == 3
    await repo.runs.create(
        CHAT, requested_by=ALICE, params={}, labels=[], sample_ids=[], data_version=1, now=103.0
    )
    assert await tap(3, 104.0) == 1
    other = await add(repo, sample("o1", chat_id=OTHER_CHAT))
    counted = await repo.labels.assign_by_tap(
        OTHER_CHAT, other.id, "sad", user_id=BOB, max_labels=MAX_LABELS, now=105.0
    )
    assert counted.taps_since_training == 1  # per chat
    assert await tap(4, 106.0) == 2


async def test_reset_forgets_the_taps_and_a_chat_move_keeps_them(repo: Repository) -> None:
    first = await add(repo, sample("f1"))
    await repo.labels.assign_by_tap(CHAT, first.id, "sad", user_id=ALICE, max_labels=MAX_LABELS)
    await repo.chats.migrate(CHAT, OTHER_CHAT)
    moved = await add(repo, sample("f2", chat_id=OTHER_CHAT))
    counted = await repo.labels.assign_by_tap(
        OTHER_CHAT, moved.id, "sad", user_id=ALICE, max_labels=MAX_LABELS
    )
    assert counted.taps_since_training == 2

    await repo.chats.reset(OTHER_CHAT)
    fresh = await add(repo, sample("f3", chat_id=OTHER_CHAT))
    counted = await repo.labels.assign_by_tap(
        OTHER_CHAT, fresh.id, "sad", user_id=ALICE, max_labels=MAX_LABELS
    )
    assert counted.taps_since_training == 1


async def test_label_ids_are_stable_and_per_chat(repo: Repository) -> None:
    await add(repo, sample("f1", label="sad"))
    await add(repo, sample("f2", label="smile"))
    await add(repo, sample("f3", chat_id=OTHER_CHAT, label="sad"))

    ids = await repo.labels.ids(CHAT)

    assert sorted(ids) == ["sad", "smile"]
    assert ids["sad"] == await repo.labels.id_of(CHAT, "sad")
    assert (await repo.labels.ids(OTHER_CHAT))["sad"] != ids["sad"]


async def test_contributor_counts_count_labelled_samples_by_sender(repo: Repository) -> None:
    await add(repo, sample("a1", label="sad"))
    await add(repo, sample("a2", label="smile"))
    await add(repo, sample("a3"))  # unlabelled: not counted
    await add(repo, sample("b1", user_id=BOB, label="sad"))
    bobs = await add(repo, sample("b2", user_id=BOB))
    # Carol taps Bob's image: it still counts as Bob's.
    await repo.labels.assign_by_tap(CHAT, bobs.id, "sad", user_id=CAROL, max_labels=MAX_LABELS)
    await add(repo, sample("c1", user_id=CAROL, label="sad"))
    await add(repo, sample("x1", chat_id=OTHER_CHAT, label="sad"))
    png = b"\x89PNG imported"
    item = ImportItem("smile", "0" * 64, bytes(64), 8, 1, png)
    await repo.datasets.import_samples(CHAT, 1, [item], max_samples=50, max_labels=MAX_LABELS)

    counts = [(c.user_id, c.count) for c in await repo.labels.contributors(CHAT)]

    assert counts == [(ALICE, 2), (BOB, 2), (CAROL, 1), (None, 1)]


async def test_profiles_count_senders_photos_and_screen_drawings_per_label(
    repo: Repository,
) -> None:
    await add(repo, sample("a1", label="sad", photographed=True))
    await add(repo, sample("b1", user_id=BOB, label="sad", photographed=True))
    await add(repo, sample("a2", label="sad"))  # stored before the bot knew: unknown
    await add(repo, sample("a3", label="smile", photographed=False))
    await add(repo, sample("a4", label="smile", photographed=True))
    # An emoji sticker's shading looks like a photo's light to the preprocessing: on screen.
    sticker = dataclasses.replace(
        sample("s1", label="smile", photographed=True), source_kind="sticker"
    )
    await add(repo, sticker)
    await add(repo, sample("a5", photographed=False))  # unlabelled: not counted
    await add(repo, sample("x1", chat_id=OTHER_CHAT, label="sad", photographed=False))
    png = b"\x89PNG imported"
    item = ImportItem("smile", "0" * 64, bytes(64), 8, 1, png, photographed=False)
    await repo.datasets.import_samples(CHAT, 1, [item], max_samples=50, max_labels=MAX_LABELS)

    assert await repo.labels.profiles(CHAT) == [
        LabelProfile("sad", 3, 2, photographed=2, on_screen=0),
        LabelProfile("smile", 4, 2, photographed=1, on_screen=3),
    ]
