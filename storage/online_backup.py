"""Online backup of the database while the bot runs: a checked copy, put in place whole."""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from storage.durable_files import move_into_place

__all__ = ["BackupError", "BackupResult", "backup_database"]

logger = logging.getLogger(__name__)

# In WAL mode the copy never blocks the bot's writes: a reader and the writer do not lock
# each other. What the bot does feel is the disk. Copied in one go, the whole copy is flushed
# by one fsync at the end, and the bot's fsync'd commits wait behind it (75-90 ms for a
# 100 MB database on the development machine). Flushed and paused after every step of 1024
# pages (4 MiB at SQLite's default page size), the copy left the commits as fast as when
# idle (at most 7-11 ms), and took 0.6 s instead of 0.45 s.
PAGES_PER_STEP: Final = 1024
PAUSE_SECONDS: Final = 0.005
# SQLite may briefly refuse a reader while the bot rebuilds its WAL index.
BUSY_TIMEOUT_SECONDS: Final = 5.0
# Files SQLite keeps beside a database. Replacing the source's -wal would lose its newest
# commits; a stale -wal or hot -journal beside the backup would be replayed into it on open.
COMPANION_SUFFIXES: Final = ("-wal", "-shm", "-journal")
REPLAYED_SUFFIXES: Final = ("-wal", "-journal")
# A full disk is SQLITE_FULL; a write past a file size limit is SQLITE_IOERR_WRITE.
WRITE_ERRORS: Final = ("SQLITE_FULL", "SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC")

Progress = Callable[[int, int], None]


class BackupError(Exception):
    """The backup was not made; nothing was written under the destination's name."""


@dataclass(frozen=True)
class BackupResult:
    """What a finished backup holds."""

    destination: Path
    pages: int
    size_bytes: int
    samples: int
    schema_version: int
    seconds: float


def backup_database(
    source: str | os.PathLike[str],
    destination: str | os.PathLike[str],
    *,
    pages_per_step: int = PAGES_PER_STEP,
    pause_seconds: float = PAUSE_SECONDS,
    progress: Progress | None = None,
) -> BackupResult:
    """Copy the database at source, which the bot may have open, to destination.

    The copy is one consistent snapshot of the source, taken when the backup starts. It is
    written to a temporary file beside destination and renamed over it only after
    ``PRAGMA integrity_check`` passed, so destination holds either its old content or the
    whole checked backup. The backup is a self-contained rollback-journal database (no -wal
    or -shm files needed to read it); the bot switches it back to WAL when it opens it.

    Args:
        source: The bot's database file.
        destination: The backup file to create or replace.
        pages_per_step: How many pages each step copies; the copy pauses between steps.
        pause_seconds: How long the copy pauses between steps.
        progress: Called after each step with (pages copied, total pages). An exception it
            raises aborts the backup (an OSError or sqlite3.Error as a BackupError).

    Raises:
        BackupError: The backup could not be made (the message says why, in one line).
    """
    began = time.monotonic()
    source, destination = Path(source), Path(destination)
    try:
        _check_paths(source, destination)
        with _partial_file(destination) as partial:
            snapshot_samples = _copy(source, partial, pages_per_step, pause_seconds, progress)
            pages, samples, schema_version = _verify(partial, snapshot_samples)
            move_into_place([(partial, destination)])
    except sqlite3.Error as exc:
        # The source is open read-only, so a failed write is the destination's.
        if exc.sqlite_errorname.startswith(WRITE_ERRORS):
            raise BackupError(f"cannot write {destination}: {exc}") from exc
        raise BackupError(f"backup of {source} to {destination} failed: {exc}") from exc
    except OSError as exc:
        raise BackupError(f"cannot write {destination}: {exc.strerror or exc}") from exc
    result = BackupResult(
        destination=destination,
        pages=pages,
        size_bytes=destination.stat().st_size,
        samples=samples,
        schema_version=schema_version,
        seconds=time.monotonic() - began,
    )
    logger.info("Backed up %s to %s: %d samples, %d pages", source, destination, samples, pages)
    return result


def _check_paths(source: Path, destination: Path) -> None:
    """Refuse a backup that could not work or would damage the source."""
    if not source.is_file():
        raise BackupError(f"{source}: no such database file")
    if destination.is_dir():
        raise BackupError(f"{destination} is a directory, not a file name")
    if not destination.parent.is_dir():
        raise BackupError(f"{destination.parent}: no such directory")
    original = source.resolve()
    protected = {original} | {original.with_name(original.name + s) for s in COMPANION_SUFFIXES}
    if destination.resolve() in protected or (
        destination.exists() and os.path.samefile(source, destination)
    ):
        raise BackupError(
            f"{destination} is the database itself or one of its -wal/-shm/-journal files;"
            " back up to another file"
        )
    for suffix in REPLAYED_SUFFIXES:
        stale = destination.with_name(destination.name + suffix)
        if stale.exists():
            raise BackupError(
                f"{stale} exists and SQLite would apply it to the backup; remove it first"
            )


@contextmanager
def _partial_file(destination: Path) -> Iterator[Path]:
    """Yield an empty file beside destination (same file system, so os.replace is atomic).

    Whatever is left of it when the block ends (a failed or interrupted copy) is removed.
    mkstemp creates it readable by its owner only, as the backup holds the users' images.
    """
    handle, name = tempfile.mkstemp(
        prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent
    )
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
    finally:
        for path in (partial, *(partial.with_name(partial.name + s) for s in COMPANION_SUFFIXES)):
            path.unlink(missing_ok=True)


def _open_source(source: Path) -> sqlite3.Connection:
    """Open the live database so that this process can never change it.

    mode=ro opens the database file read-only, so no write and no checkpoint of ours can
    reach it (a read-write connection that happens to close last checkpoints the bot's WAL
    into the file). A WAL reader still needs the -shm index: while the bot runs, the -wal
    and -shm exist and mode=ro works even where this user may not write them (SQLite then
    keeps the index in private memory, 3.22+). When the bot is stopped they do not exist, and
    mode=ro creates both, empty, so the user running the backup must be able to write the
    directory (SQLITE_READONLY_DIRECTORY otherwise). immutable=1 would need neither, but it
    also ignores the WAL and locking, so it would copy a torn or stale database from a live
    bot; it is never safe here.
    """
    uri = f"{source.resolve().as_uri()}?mode=ro"
    try:
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open {source} read-only: {exc}") from exc


def _copy(
    source: Path,
    partial: Path,
    pages_per_step: int,
    pause_seconds: float,
    progress: Progress | None,
) -> int:
    """Copy one snapshot of source into partial; return its sample count."""
    flush = os.open(partial, os.O_RDONLY)

    def after_step(status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)
        if remaining > 0:
            os.fsync(flush)
            # Connection.backup itself sleeps only when a step was refused (BUSY/LOCKED).
            time.sleep(pause_seconds)

    try:
        with (
            closing(_open_source(source)) as live,
            closing(sqlite3.connect(partial, isolation_level=None)) as copy,
        ):
            # A read transaction held across all steps pins one WAL snapshot. Without it each
            # step starts a new read, and a commit of the bot in between makes SQLite restart
            # the copy from page 1, which under steady traffic might never finish.
            try:
                live.execute("BEGIN")
                samples = _count_samples(live)
            except sqlite3.Error as exc:
                raise BackupError(_read_problem(source, exc)) from exc
            try:
                live.backup(copy, pages=pages_per_step, progress=after_step)
            finally:
                live.execute("ROLLBACK")
            # The copy inherits the WAL flag of the source's header; a rollback-journal file
            # can be read, even from read-only media, without creating -wal and -shm beside it.
            copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        os.close(flush)
    return samples


def _count_samples(conn: sqlite3.Connection) -> int:
    """Return the number of samples (the first read also starts the snapshot)."""
    return int(conn.execute("SELECT count(*) FROM samples").fetchone()[0])


def _read_problem(source: Path, exc: sqlite3.Error) -> str:
    """Say in one line why the source cannot be read."""
    name = exc.sqlite_errorname
    if name == "SQLITE_READONLY_DIRECTORY":
        return (
            f"cannot read {source}: SQLite must create its -wal and -shm files beside it and"
            " this user may not (run the backup as the bot's user)"
        )
    if name == "SQLITE_NOTADB":
        return f"{source} is not an SQLite database"
    if "no such table" in str(exc):
        return f"{source} is not a Smiley Bot database ({exc})"
    return f"cannot read {source}: {exc}"


def _verify(partial: Path, snapshot_samples: int) -> tuple[int, int, int]:
    """Check the copy; return its pages, samples and schema version."""
    uri = f"{partial.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        problems = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(
                f"the copy failed PRAGMA integrity_check ({len(problems)} problems, first:"
                f" {problems[0]}); the database itself is likely damaged"
            )
        samples = _count_samples(conn)
        if samples != snapshot_samples:
            raise BackupError(
                f"the copy holds {samples} samples, the snapshot it was taken from"
                f" {snapshot_samples}"
            )
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
        schema_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    return pages, samples, schema_version
