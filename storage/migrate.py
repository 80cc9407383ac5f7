"""Create and upgrade the schema from numbered SQL files, one transaction per file."""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Final

import aiosqlite

logger = logging.getLogger(__name__)

MIGRATION_NAME: Final = re.compile(r"^(?P<version>\d{4})_[a-z0-9_]+\.sql$")
MIGRATIONS_DIR: Final = "migrations"


class MigrationError(Exception):
    """The migrations cannot be loaded or one of them failed; the database is unchanged."""


@dataclass(frozen=True)
class Migration:
    """One numbered schema step."""

    version: int
    name: str
    statements: tuple[str, ...]


def default_source() -> Traversable:
    """Return the migrations directory shipped inside the storage package."""
    return resources.files(__package__ or "storage").joinpath(MIGRATIONS_DIR)


def split_statements(sql: str) -> tuple[str, ...]:
    """Split an SQL script into single statements, respecting strings, comments and triggers."""
    statements: list[str] = []
    start = 0
    for index, char in enumerate(sql):
        if char != ";":
            continue
        candidate = sql[start : index + 1]
        # complete_statement is SQLite's own tokenizer: a ';' inside a string, a comment or a
        # trigger body does not end the statement.
        if sqlite3.complete_statement(candidate):
            statements.append(candidate.strip())
            start = index + 1
    rest = sql[start:]
    if rest.strip():
        # Trailing text without ';' is either comments or one last statement; SQLite runs both.
        statements.append(rest.strip())
    return tuple(statements)


def load_migrations(source: Traversable | None = None) -> list[Migration]:
    """Read the migration files, ordered by version, numbered 1, 2, 3... without gaps."""
    directory = default_source() if source is None else source
    migrations: list[Migration] = []
    for entry in directory.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = MIGRATION_NAME.match(entry.name)
        if match is None:
            raise MigrationError(f"migration file name {entry.name!r} is not NNNN_name.sql")
        statements = split_statements(entry.read_text(encoding="utf-8"))
        migrations.append(Migration(int(match["version"]), entry.name, statements))
    migrations.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in migrations]
    if versions != list(range(1, len(migrations) + 1)):
        raise MigrationError(f"migrations must be numbered 1..n without gaps, got {versions}")
    return migrations


async def user_version(conn: aiosqlite.Connection) -> int:
    """Return the schema version stored in the database header."""
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row is not None else 0


async def migrate(conn: aiosqlite.Connection, source: Traversable | None = None) -> int:
    """Apply every pending migration in order and return the resulting schema version.

    Each migration runs in its own transaction together with its user_version bump, so a
    crash or an error inside a migration leaves the database at the previous version.

    Args:
        conn: An open connection in autocommit mode (isolation_level=None), so that the
            explicit BEGIN/COMMIT here are the only transaction control.
        source: Directory of NNNN_name.sql files; defaults to the package's migrations.

    Raises:
        MigrationError: The files are malformed, the database is newer than the code, or a
            migration failed (that migration is rolled back).
    """
    if conn.isolation_level is not None:
        raise ValueError("migrate() needs a connection opened with isolation_level=None")
    migrations = load_migrations(source)
    latest = len(migrations)
    current = await user_version(conn)
    if current > latest:
        raise MigrationError(
            f"database schema version {current} is newer than this code knows ({latest})"
        )
    for migration in migrations[current:]:
        await _apply(conn, migration)
    return await user_version(conn)


async def _apply(conn: aiosqlite.Connection, migration: Migration) -> None:
    """Run one migration and its version bump in a single transaction."""
    # IMMEDIATE takes the write lock up front, so a second process starting at the same time
    # waits here and then sees the version the first one wrote (checked below).
    await _run(conn, "BEGIN IMMEDIATE")
    try:
        current = await user_version(conn)
        if current >= migration.version:
            await _run(conn, "COMMIT")
            return
        if current != migration.version - 1:
            raise MigrationError(f"cannot apply {migration.name} to schema version {current}")
        for statement in migration.statements:
            await _run(conn, statement)
        # PRAGMA takes no parameters; version is an int we parsed ourselves.
        await _run(conn, f"PRAGMA user_version = {migration.version:d}")
        await _run(conn, "COMMIT")
    except BaseException as exc:
        await conn.rollback()
        if isinstance(exc, sqlite3.Error):
            raise MigrationError(f"migration {migration.name} failed: {exc}") from exc
        raise
    logger.info("Applied schema migration %s", migration.name)


async def _run(conn: aiosqlite.Connection, sql: str) -> None:
    """Execute one statement and release its cursor."""
    async with conn.execute(sql):
        pass
