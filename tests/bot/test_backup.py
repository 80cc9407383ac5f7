"""``python -m bot.backup`` as an operator runs it, against a database the bot holds open."""

from __future__ import annotations

import asyncio
import os
import re
import resource
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import LabelCount, NewSample, Repository

ROOT = Path(__file__).resolve().parents[2]
CHAT = -100
SAMPLES = 12
PNG_BYTES = 20_000  # the database grows to a few hundred kB
FILE_SIZE_LIMIT = 64 * 1024
SUMMARY = re.compile(
    r"backed up (?P<source>\S+) to (?P<destination>\S+): (?P<samples>\d+) samples, "
    r"\d+ kB \(\d+ pages\), schema version \d+, in \d+\.\d s"
)


@dataclass(frozen=True)
class Run:
    """What the process did."""

    code: int
    stdout: str
    stderr: str


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Repository]:
    """The bot's database, created and held open by the Repository as the running bot does."""
    (tmp_path / "data").mkdir()
    async with Repository(tmp_path / "data" / "smiley.sqlite3") as repo:
        for number in range(SAMPLES):
            await repo.samples.add(
                NewSample(
                    chat_id=CHAT,
                    message_id=number,
                    user_id=1,
                    file_unique_id=f"file-{number}",
                    media_group_id=None,
                    source_kind="photo",
                    model_input=bytes([number]) * 64,
                    input_size=8,
                    preprocess_version=1,
                    source_png=os.urandom(PNG_BYTES),
                    label="smile" if number % 2 else "sad",
                ),
                max_samples=100,
                max_labels=10,
            )
        yield repo


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config without a token, pointing at the live database relative to itself."""
    path = tmp_path / "config.toml"
    path.write_text('[storage]\ndatabase = "data/smiley.sqlite3"\n', encoding="utf-8")
    return path


async def backup(*args: str, preexec_fn: Callable[[], None] | None = None) -> Run:
    """Run the CLI without the bot's token in its environment."""
    env = {key: value for key, value in os.environ.items() if key != "SMILEY_BOT_TOKEN"}
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot.backup", *args),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=preexec_fn,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return Run(process.returncode, stdout.decode(), stderr.decode())


def names(directory: Path) -> list[str]:
    """Return the sorted names in a directory."""
    return sorted(path.name for path in directory.iterdir())


def integrity(path: Path) -> list[str]:
    """Return what PRAGMA integrity_check says of a database."""
    with closing(sqlite3.connect(path)) as conn:
        return [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]


async def label_counts(path: Path) -> list[LabelCount]:
    """Return the label counts the bot would see in a database."""
    async with Repository(path) as repo:
        return await repo.labels.counts(CHAT)


async def test_backs_up_the_live_database_to_a_file(
    live: Repository, config: Path, tmp_path: Path
) -> None:
    destination = tmp_path / "backup.sqlite3"

    run = await backup("--config", str(config), str(destination))

    assert (run.code, run.stderr) == (0, ""), run.stderr
    line = run.stdout.removesuffix("\n")
    match = SUMMARY.fullmatch(line)
    assert match is not None, line
    assert match["source"] == str(tmp_path / "data" / "smiley.sqlite3")
    assert match["destination"] == str(destination)
    assert int(match["samples"]) == SAMPLES
    assert integrity(destination) == ["ok"]
    assert await label_counts(destination) == await live.labels.counts(CHAT)
    assert len(await live.labels.counts(CHAT)) == 2


async def test_a_directory_gets_a_backup_named_by_its_utc_time(
    live: Repository, config: Path, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    before = datetime.now(UTC).replace(microsecond=0)

    run = await backup("--config", str(config), str(backups))

    after = datetime.now(UTC)
    assert run.code == 0, run.stderr
    [name] = names(backups)
    stamp = re.fullmatch(r"smiley-(\d{8}-\d{6})\.sqlite3", name)
    assert stamp is not None, name
    taken = datetime.strptime(stamp[1], "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
    assert before <= taken <= after
    assert f" to {backups / name}: {SAMPLES} samples" in run.stdout
    assert integrity(backups / name) == ["ok"]


async def test_a_bad_config_exits_2_with_one_line(live: Repository, tmp_path: Path) -> None:
    config = tmp_path / "typo.toml"
    config.write_text('[storage]\ndatabse = "data/smiley.sqlite3"\n', encoding="utf-8")
    backups = tmp_path / "backups"
    backups.mkdir()

    run = await backup("--config", str(config), str(backups))

    assert run.code == 2
    assert run.stdout == ""
    assert (
        run.stderr
        == f"config error: {config}: [storage] databse: unknown key (check the spelling)\n"
    )
    assert names(backups) == []


async def test_a_missing_destination_directory_exits_1_with_one_line(
    live: Repository, config: Path, tmp_path: Path
) -> None:
    run = await backup("--config", str(config), str(tmp_path / "missing" / "backup.sqlite3"))

    assert run.code == 1
    assert run.stdout == ""
    assert run.stderr == f"backup error: {tmp_path / 'missing'}: no such directory\n"


def small_disk() -> None:
    """Let the process write no file larger than FILE_SIZE_LIMIT, as if the disk were full."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


async def test_a_full_disk_exits_1_and_leaves_no_backup(
    live: Repository, config: Path, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    assert (tmp_path / "data" / "smiley.sqlite3-wal").stat().st_size > 2 * FILE_SIZE_LIMIT

    run = await backup("--config", str(config), str(backups / "b.sqlite3"), preexec_fn=small_disk)

    assert run.code == 1
    assert run.stdout == ""
    # A real full disk says "database or disk is full"; past the size limit, write() fails.
    assert run.stderr == f"backup error: cannot write {backups / 'b.sqlite3'}: disk I/O error\n"
    assert names(backups) == []
    assert await live.samples.count(CHAT) == SAMPLES  # the bot's database is fine
