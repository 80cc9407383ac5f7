"""Tests of the online backup: a live WAL database, snapshots, atomic replacement, refusals."""

from __future__ import annotations

import asyncio
import errno
import os
import random
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from storage import NewSample, Repository
from storage.online_backup import BackupError, backup_database
from tests.storage.conftest import labelled_pixels

CHAT = -100
ALICE = 11
INPUT_SIZE = 8
MAX_SAMPLES = 1000
MAX_LABELS = 10
PAGE_SIZE = 4096


def new_sample(number: int, *, label: str | None = "smile") -> NewSample:
    """Build a sample whose bytes depend only on its number."""
    rng = random.Random(number)
    return NewSample(
        chat_id=CHAT,
        message_id=number,
        user_id=ALICE,
        file_unique_id=f"file-{number}",
        media_group_id=None,
        source_kind="photo",
        model_input=rng.randbytes(INPUT_SIZE * INPUT_SIZE),
        input_size=INPUT_SIZE,
        preprocess_version=1,
        source_png=rng.randbytes(200),
        label=label,
    )


async def fill(repo: Repository, numbers: range, *, label: str | None = "smile") -> None:
    """Store one sample per number, as the bot does: one committed transaction each."""
    for number in numbers:
        await repo.samples.add(
            new_sample(number, label=label), max_samples=MAX_SAMPLES, max_labels=MAX_LABELS
        )


def samples_in_file_alone(db_path: Path, scratch: Path) -> int:
    """Count the samples the database file holds without its WAL (0 if not even the table)."""
    alone = scratch / "file-alone.sqlite3"
    shutil.copyfile(db_path, alone)
    with closing(sqlite3.connect(alone)) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM samples").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


def read(path: Path) -> bytes:
    """Return a file's bytes."""
    return path.read_bytes()


def names(directory: Path) -> list[str]:
    """Return the sorted names in a directory."""
    return sorted(p.name for p in directory.iterdir())


def integrity(path: Path) -> list[str]:
    """Return what PRAGMA integrity_check says of a database."""
    with closing(sqlite3.connect(path)) as conn:
        return [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]


def count_rows(path: Path) -> int:
    """Return the number of samples in a database."""
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM samples").fetchone()[0])


def plain_database(path: Path, rows: int, *, blob_bytes: int = 2000) -> sqlite3.Connection:
    """Create a WAL database with a samples table, as another process would hold it open."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE samples (id INTEGER PRIMARY KEY, image BLOB NOT NULL)")
    conn.execute("BEGIN")
    for _ in range(rows):
        conn.execute("INSERT INTO samples (image) VALUES (randomblob(?))", (blob_bytes,))
    conn.execute("COMMIT")
    return conn


async def test_a_backup_of_the_live_database_holds_the_commits_still_in_its_wal(
    repo: Repository, db_path: Path, tmp_path: Path
) -> None:
    await fill(repo, range(1, 6))
    await fill(repo, range(6, 8), label="sad")
    assert samples_in_file_alone(db_path, tmp_path) == 0  # every commit is still in the WAL
    source_before = read(db_path)
    destination = tmp_path / "backup.sqlite3"

    result = await asyncio.to_thread(backup_database, db_path, destination)

    assert result.destination == destination
    assert result.samples == 7
    assert result.size_bytes == destination.stat().st_size == result.pages * PAGE_SIZE
    with closing(sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)) as live:
        assert result.schema_version == live.execute("PRAGMA user_version").fetchone()[0] > 0
    assert integrity(destination) == ["ok"]
    with closing(sqlite3.connect(destination)) as copy:
        # Self-contained: readable without -wal/-shm files, which were not left behind.
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [name for name in names(tmp_path) if name.startswith("backup")] == ["backup.sqlite3"]
    assert read(db_path) == source_before  # the source file was not touched

    async with Repository(destination) as restored:
        assert await restored.labels.counts(CHAT) == await repo.labels.counts(CHAT)
        assert await labelled_pixels(restored, CHAT) == await labelled_pixels(repo, CHAT)
    await fill(repo, range(8, 9))  # the live repository carries on
    assert await repo.samples.count(CHAT) == 8


async def test_a_database_of_a_stopped_bot_is_backed_up_unchanged(
    db_path: Path, tmp_path: Path
) -> None:
    async with Repository(db_path) as repo:
        await fill(repo, range(1, 4))
    source_before = read(db_path)

    result = await asyncio.to_thread(backup_database, db_path, tmp_path / "backup.sqlite3")

    assert result.samples == 3
    assert count_rows(tmp_path / "backup.sqlite3") == 3
    assert read(db_path) == source_before


def test_commits_during_the_backup_neither_restart_it_nor_get_into_it(tmp_path: Path) -> None:
    source, destination = tmp_path / "live.sqlite3", tmp_path / "backup.sqlite3"
    with closing(plain_database(source, rows=200)) as bot:
        copied: list[int] = []

        def bot_writes_meanwhile(done: int, total: int) -> None:
            copied.append(done)
            if len(copied) == 1:
                bot.execute("INSERT INTO samples (image) VALUES (zeroblob(10))")

        result = backup_database(
            source, destination, pages_per_step=16, pause_seconds=0, progress=bot_writes_meanwhile
        )

        assert count_rows(source) == 201
    assert len(copied) > 3  # it really went step by step
    assert copied == sorted(set(copied))  # a restart would start again from 16 pages
    assert copied[-1] == result.pages
    assert result.samples == count_rows(destination) == 200  # the snapshot at the start


def test_an_existing_backup_is_replaced_whole(tmp_path: Path) -> None:
    source = tmp_path / "live.sqlite3"
    backups = tmp_path / "backups"
    backups.mkdir()
    destination = backups / "smiley.sqlite3"
    with closing(plain_database(source, rows=3)) as bot:
        backup_database(source, destination)
        first = destination.read_bytes()
        first_inode = destination.stat().st_ino
        bot.execute("INSERT INTO samples (image) VALUES (zeroblob(10))")

        with destination.open("rb") as reader_of_the_old_backup:
            backup_database(source, destination)
            # Renamed over, not rewritten in place: a reader of the old file sees all of it.
            assert reader_of_the_old_backup.read() == first

    assert destination.stat().st_ino != first_inode
    assert count_rows(destination) == 4
    assert names(backups) == ["smiley.sqlite3"]


@pytest.mark.parametrize("previous", [None, "an older backup"])
def test_a_failure_midway_leaves_no_partial_backup(tmp_path: Path, previous: str | None) -> None:
    source = tmp_path / "live.sqlite3"
    backups = tmp_path / "backups"
    backups.mkdir()
    destination = backups / "smiley.sqlite3"
    if previous is not None:
        destination.write_text(previous)
    steps: list[int] = []

    def disk_fills_up(done: int, total: int) -> None:
        steps.append(done)
        if len(steps) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with (
        closing(plain_database(source, rows=100)),
        pytest.raises(BackupError, match="No space left on device"),
    ):
        backup_database(source, destination, pages_per_step=8, progress=disk_fills_up)

    assert steps == [8, 16]  # it failed with the copy under way
    assert names(backups) == ([] if previous is None else [destination.name])
    if previous is not None:
        assert destination.read_text() == previous


def test_a_damaged_database_is_not_passed_off_as_a_backup(tmp_path: Path) -> None:
    source, destination = tmp_path / "damaged.sqlite3", tmp_path / "backup.sqlite3"
    with closing(sqlite3.connect(source, isolation_level=None)) as conn:
        conn.execute("CREATE TABLE samples (a INTEGER, b INTEGER)")
        conn.execute("CREATE INDEX by_a ON samples (a)")
        conn.execute("CREATE INDEX by_b ON samples (b)")
        conn.executemany("INSERT INTO samples VALUES (?, ?)", [(i, -i) for i in range(300)])
        # Swap the two indexes' b-trees: every page reads fine, but the indexes are wrong.
        roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_schema WHERE type='index'"))
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_schema SET rootpage = ? WHERE name = 'by_a'", (roots["by_b"],))
        conn.execute("UPDATE sqlite_schema SET rootpage = ? WHERE name = 'by_b'", (roots["by_a"],))

    with pytest.raises(
        BackupError, match=r"integrity_check \(\d+ problems, first: row \d+ missing"
    ):
        backup_database(source, destination)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged.sqlite3"]


def test_refuses_to_write_over_the_source_or_its_wal(tmp_path: Path) -> None:
    source = tmp_path / "live.sqlite3"
    (tmp_path / "sub").mkdir()
    with closing(plain_database(source, rows=3)):
        os.symlink(source, tmp_path / "link.sqlite3")
        os.link(source, tmp_path / "hardlink.sqlite3")
        files_before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
        assert "live.sqlite3-wal" in files_before
        for destination in (
            source,
            tmp_path / "sub" / ".." / "live.sqlite3",
            tmp_path / "link.sqlite3",
            tmp_path / "hardlink.sqlite3",
            tmp_path / "live.sqlite3-wal",
        ):
            with pytest.raises(BackupError, match="is the database itself"):
                backup_database(source, destination)
        files_after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
        assert files_after == files_before
        assert count_rows(source) == 3


def test_refuses_a_destination_beside_a_stale_wal(tmp_path: Path) -> None:
    source = tmp_path / "live.sqlite3"
    with closing(plain_database(source, rows=3)):
        (tmp_path / "backup.sqlite3-wal").write_bytes(b"left over from another database")
        with pytest.raises(BackupError, match=r"backup\.sqlite3-wal exists"):
            backup_database(source, tmp_path / "backup.sqlite3")
    assert not (tmp_path / "backup.sqlite3").exists()


def test_says_why_a_source_or_destination_will_not_do(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all " * 100)
    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    good = tmp_path / "live.sqlite3"
    plain_database(good, rows=1).close()
    cases = [
        (tmp_path / "missing.sqlite3", tmp_path / "b1", "missing.sqlite3: no such database file"),
        (text, tmp_path / "b2", "notes.txt is not an SQLite database"),
        (other, tmp_path / "b3", "other.sqlite3 is not a Smiley Bot database"),
        (good, tmp_path / "nowhere" / "b4", "nowhere: no such directory"),
        (good, tmp_path, "is a directory"),
    ]
    for source, destination, reason in cases:
        with pytest.raises(BackupError, match=reason):
            backup_database(source, destination)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "live.sqlite3",
        "notes.txt",
        "other.sqlite3",
    ]
