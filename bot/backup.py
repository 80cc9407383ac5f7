"""Back up the bot's database while it runs: ``python -m bot.backup --config config.toml DEST``."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from bot.config import TOKEN_ENV_VAR, ConfigError, load_config
from storage.online_backup import BackupError, BackupResult, backup_database

EXIT_FAILED: Final = 1
EXIT_CONFIG: Final = 2
# UTC: local names can repeat or run backwards when the clocks change.
BACKUP_NAME: Final = "smiley-%Y%m%d-%H%M%S.sqlite3"
# A backup needs no token, and a cron job should not need the bot's secret to make one.
_TOKEN_NOT_NEEDED: Final = {TOKEN_ENV_VAR: "not-needed-for-a-backup"}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, load the config and back up the database it names."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.backup",
        description="Copy the bot's SQLite database, safely while the bot runs.",
    )
    parser.add_argument("--config", type=Path, default=Path("config.toml"), help="TOML file")
    parser.add_argument(
        "destination",
        type=Path,
        help="the backup file (replaced if it exists), or a directory to create "
        "smiley-YYYYmmdd-HHMMSS.sqlite3 in (UTC)",
    )
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config, environ=_TOKEN_NOT_NEEDED)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    destination: Path = args.destination
    if destination.is_dir():
        destination = destination / datetime.now(UTC).strftime(BACKUP_NAME)
    try:
        result = backup_database(config.storage.database, destination)
    except BackupError as exc:
        print(f"backup error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(summary(config.storage.database, result))
    return 0


def summary(source: Path, result: BackupResult) -> str:
    """Describe a finished backup in one line."""
    return (
        f"backed up {source} to {result.destination}: {result.samples} samples, "
        f"{_size(result.size_bytes)} ({result.pages} pages), schema version "
        f"{result.schema_version}, in {result.seconds:.1f} s"
    )


def _size(size_bytes: int) -> str:
    if size_bytes < 1_000_000:
        return f"{size_bytes / 1000:.0f} kB"
    return f"{size_bytes / 1_000_000:.1f} MB"


if __name__ == "__main__":
    sys.exit(main())
