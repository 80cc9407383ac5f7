"""The Repository as a whole: per-chat isolation, durability, concurrency and crashes."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage import (
    AddStatus,
    ChatFull,
    LabelCount,
    Repository,
    SampleNotFound,
)
from tests.storage.conftest import (
    ALICE,
    BOB,
    CHAT,
    MAX_LABELS,
    MAX_SAMPLES,
    OTHER_CHAT,
    REPO_ROOT,
    add,
    labelled_pixels,
    pixels,
    png,
    sample,
    snapshot,
)

# --- add_sample statuses -------------------------------------------------------------------


async def test_another_chat_can_neither_see_nor_change_a_chat(repo: Repository) -> None:
    labelled = await add(repo, sample("f1", label="smile", message_id=1), now=100.0)
    unlabelled = await add(repo, sample("f2", message_id=2), now=101.0)
    album = await add(repo, sample("f3", album="album-1", message_id=3), now=102.0)
    ids = [labelled.id, unlabelled.id, album.id]
    before = await snapshot(repo, CHAT, ids)

    other = OTHER_CHAT
    assert await repo.samples.for_message(other, 1) is None
    assert await repo.samples.latest_unlabelled(other, ALICE, since=0.0) is None
    assert await repo.labels.counts(other) == []
    assert await repo.samples.unlabelled_count(other) == 0
    assert await repo.samples.count(other) == 0
    assert await labelled_pixels(repo, other) == []
    assert [await repo.samples.source_png(other, sample_id) for sample_id in ids] == [None] * 3
    assert await repo.samples.undo_last_labelled(other, ALICE) is None
    assert await repo.labels.delete(other, "smile") == 0
    with pytest.raises(SampleNotFound):
        await repo.labels.assign(
            other, unlabelled.id, "frown", labelled_by=BOB, max_labels=MAX_LABELS
        )
    assert (
        await repo.labels.assign_album(
            other, "album-1", "frown", labelled_by=BOB, max_labels=MAX_LABELS
        )
        == []
    )
    await repo.chats.migrate(other, -300)
    # The same file and the same album id arriving in the other chat stay the other chat's.
    copy = await repo.samples.add(
        sample("f2", chat_id=other, label="wink", album="album-1", message_id=2),
        max_samples=MAX_SAMPLES,
        max_labels=MAX_LABELS,
    )
    assert copy.status is AddStatus.CREATED

    assert await snapshot(repo, CHAT, ids) == before
    assert await repo.samples.for_message(CHAT, 2) == unlabelled
    assert await repo.samples.for_message(other, 2) == copy.sample
    assert await repo.samples.latest_unlabelled(CHAT, ALICE, since=0.0) == album


async def test_limits_are_counted_per_chat(repo: Repository) -> None:
    await add(repo, sample("f1", label="a"), max_samples=1, max_labels=1)
    with pytest.raises(ChatFull):
        await add(repo, sample("f2"), max_samples=1, max_labels=1)

    other = await add(
        repo, sample("f2", chat_id=OTHER_CHAT, label="b"), max_samples=1, max_labels=1
    )
    assert other.label == "b"


async def test_data_survives_a_restart(db_path: Path) -> None:
    async with Repository(db_path) as repo:
        labelled = await add(repo, sample("f1", label="smile", message_id=1), now=1.0)
        await add(repo, sample("f2", message_id=2), now=2.0)
        await repo.labels.assign_album(CHAT, "g", "wink", labelled_by=BOB, max_labels=MAX_LABELS)

    repo = Repository(db_path)
    await repo.open()
    try:
        assert await repo.samples.for_message(CHAT, 1) == labelled
        assert await repo.labels.counts(CHAT) == [LabelCount("smile", 1)]
        assert await repo.samples.unlabelled_count(CHAT) == 1
        assert await labelled_pixels(repo, CHAT) == [("smile", pixels("f1"))]
        late = await add(repo, sample("p1", album="g"))
        assert late.label == "wink"
    finally:
        await repo.close()
    await repo.close()  # closing twice is harmless


async def test_closed_repository_refuses_work(db_path: Path) -> None:
    repo = Repository(db_path)
    with pytest.raises(RuntimeError, match="not open"):
        await repo.samples.count(CHAT)
    async with repo:
        with pytest.raises(RuntimeError, match="already open"):
            await repo.open()
    with pytest.raises(RuntimeError, match="not open"):
        await repo.samples.count(CHAT)


async def test_concurrent_writes_do_not_interleave(repo: Repository) -> None:
    files = [f"f{i}" for i in range(20)]
    results = await asyncio.gather(
        *(
            repo.samples.add(
                sample(name, label=f"l{i % 3}"), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
            )
            for i, name in enumerate(files)
        ),
        # Racing duplicates of the same file: exactly one of them creates it.
        *(
            repo.samples.add(sample("same"), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS)
            for _ in range(5)
        ),
    )
    statuses = [result.status for result in results]
    assert statuses.count(AddStatus.CREATED) == len(files) + 1
    assert statuses.count(AddStatus.DUPLICATE) == 4
    assert await repo.samples.count(CHAT) == len(files) + 1
    assert sum(label.count for label in await repo.labels.counts(CHAT)) == len(files)


async def test_cancelled_write_is_all_or_nothing(repo: Repository) -> None:
    for attempt in range(5):
        new = sample(f"c{attempt}", label="smile")
        task = asyncio.create_task(
            repo.samples.add(new, max_samples=MAX_SAMPLES, max_labels=MAX_LABELS)
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
        stored = await repo.samples.for_message(CHAT, new.message_id)
        assert cancelled or stored is not None
        if stored is not None:
            assert stored.label == "smile"
            assert await repo.samples.source_png(CHAT, stored.id) == png(new.file_unique_id)
        # Every stored sample is complete: labelled and with its images.
        assert len(await labelled_pixels(repo, CHAT)) == await repo.samples.count(CHAT)
    # The connection is still usable and no transaction was left open.
    await add(repo, sample("after"))
    assert not repo._database._connection().in_transaction  # white-box


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
            result = await repo.samples.add(new, max_samples=10**9, max_labels=10)
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
        # Unbuffered: communicate() reads the pipe itself, so lines a buffered readline()
        # had read ahead would be lost from the acknowledged ids.
        bufsize=0,
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
        count = await repo.samples.count(CHAT)
        inputs = await labelled_pixels(repo, CHAT)
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
