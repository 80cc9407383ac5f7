"""Tests of the numbered schema migrations."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from storage import MigrationError, Repository, migrate
from storage.migrate import default_source, load_migrations, split_statements, user_version

EXPECTED_TABLES = {"labels", "samples", "sample_images", "sample_messages", "album_labels"}
SQLITE_SYNCHRONOUS_FULL = 2


@pytest.fixture
async def conn(db_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    """Yield a raw autocommit connection to an empty database."""
    async with aiosqlite.connect(db_path, isolation_level=None) as connection:
        yield connection


async def _schema(conn: aiosqlite.Connection) -> list[tuple[str, str, str | None]]:
    """Return every schema object as (type, name, sql), sorted."""
    async with conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        " ORDER BY type, name"
    ) as cursor:
        return [
            (str(t), str(n), None if s is None else str(s)) for t, n, s in await cursor.fetchall()
        ]


async def _tables(conn: aiosqlite.Connection) -> set[str]:
    """Return the names of the user tables."""
    return {name for kind, name, _ in await _schema(conn) if kind == "table"}


async def _unique_column_sets(conn: aiosqlite.Connection, table: str) -> set[tuple[str, ...]]:
    """Return the column tuples of every unique index (incl. primary keys) of a table."""
    result: set[tuple[str, ...]] = set()
    async with conn.execute(f"PRAGMA index_list({table})") as cursor:
        indexes = list(await cursor.fetchall())
    for _, index_name, unique, *_ in indexes:
        if not unique:
            continue
        async with conn.execute(f"PRAGMA index_info({index_name})") as cursor:
            columns = [row[2] for row in await cursor.fetchall()]
        result.add(tuple(columns))
    return result


def _write_migrations(directory: Path, files: dict[str, str]) -> Path:
    """Create a directory of migration files."""
    directory.mkdir()
    for name, sql in files.items():
        (directory / name).write_text(sql, encoding="utf-8")
    return directory


async def test_empty_database_is_migrated_to_latest(conn: aiosqlite.Connection) -> None:
    latest = len(load_migrations())
    assert latest >= 1
    assert await user_version(conn) == 0

    assert await migrate(conn) == latest

    assert await user_version(conn) == latest
    assert await _tables(conn) >= EXPECTED_TABLES


async def test_second_migrate_changes_nothing(conn: aiosqlite.Connection) -> None:
    version = await migrate(conn)
    schema = await _schema(conn)

    assert await migrate(conn) == version

    assert await user_version(conn) == version
    assert await _schema(conn) == schema


async def test_reopening_repository_keeps_version_and_schema(db_path: Path) -> None:
    async with Repository(db_path):
        pass
    async with aiosqlite.connect(db_path, isolation_level=None) as conn:
        version, schema = await user_version(conn), await _schema(conn)
    async with Repository(db_path):
        pass
    async with aiosqlite.connect(db_path, isolation_level=None) as conn:
        assert await user_version(conn) == version == len(load_migrations())
        assert await _schema(conn) == schema


async def test_schema_has_the_uniqueness_rules(conn: aiosqlite.Connection) -> None:
    await migrate(conn)

    assert ("chat_id", "name") in await _unique_column_sets(conn, "labels")
    assert ("chat_id", "file_unique_id") in await _unique_column_sets(conn, "samples")
    assert ("chat_id", "message_id") in await _unique_column_sets(conn, "sample_messages")
    assert ("chat_id", "media_group_id") in await _unique_column_sets(conn, "album_labels")

    insert_label = "INSERT INTO labels (chat_id, name) VALUES (?, ?)"
    await conn.execute(insert_label, (1, "smile"))
    await conn.execute(insert_label, (2, "smile"))  # same name in another chat is fine
    with pytest.raises(sqlite3.IntegrityError):
        await conn.execute(insert_label, (1, "smile"))


async def test_sample_cannot_carry_another_chats_label(conn: aiosqlite.Connection) -> None:
    await migrate(conn)
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("INSERT INTO labels (id, chat_id, name) VALUES (7, 1, 'smile')")
    insert = (
        "INSERT INTO samples (chat_id, message_id, file_unique_id, source_kind, input_size,"
        " preprocess_version, label_id, created_at, labelled_at) VALUES (?, 1, 'f', 'photo',"
        " 8, 1, 7, 0, 0)"
    )
    await conn.execute(insert, (1,))
    with pytest.raises(sqlite3.IntegrityError):
        await conn.execute(insert, (2,))


async def test_repository_sets_wal_full_sync_and_foreign_keys(db_path: Path) -> None:
    async with Repository(db_path) as repo:
        conn = repo._database._connection()  # white-box: the pragmas are per connection
        for pragma, expected in (
            ("journal_mode", "wal"),
            ("foreign_keys", 1),
            ("synchronous", SQLITE_SYNCHRONOUS_FULL),
        ):
            async with conn.execute(f"PRAGMA {pragma}") as cursor:
                row = await cursor.fetchone()
            assert row is not None
            assert row[0] == expected, pragma
    # WAL is persistent: a plain connection sees it too.
    with sqlite3.connect(db_path) as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    plain.close()


async def test_failing_migration_rolls_back_entirely(
    conn: aiosqlite.Connection, tmp_path: Path
) -> None:
    initial = (default_source() / "0001_init.sql").read_text(encoding="utf-8")
    broken = "CREATE TABLE partial (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n"
    source = _write_migrations(
        tmp_path / "migrations", {"0001_init.sql": initial, "0002_broken.sql": broken}
    )

    with pytest.raises(MigrationError, match=re.escape("0002_broken.sql")):
        await migrate(conn, source)

    assert await user_version(conn) == 1
    tables = await _tables(conn)
    assert "partial" not in tables
    assert tables >= EXPECTED_TABLES
    assert not conn.in_transaction

    # Once fixed, the same database moves on to version 2.
    (source / "0002_broken.sql").write_text("CREATE TABLE partial (x INTEGER);\n")
    assert await migrate(conn, source) == 2
    assert "partial" in await _tables(conn)


async def test_refusals_table_joins_a_database_that_holds_samples(
    conn: aiosqlite.Connection, tmp_path: Path
) -> None:
    before = {
        migration.name: (default_source() / migration.name).read_text(encoding="utf-8")
        for migration in load_migrations()
        if migration.name < "0007"
    }
    assert await migrate(conn, _write_migrations(tmp_path / "migrations", before)) == 6
    await conn.execute(
        "INSERT INTO samples (chat_id, message_id, file_unique_id, source_kind, input_size,"
        " preprocess_version, created_at) VALUES (1, 1, 'f', 'photo', 8, 1, 0)"
    )

    assert await migrate(conn) == len(load_migrations())

    assert "preprocess_refusals" in await _tables(conn)
    async with conn.execute("SELECT id, preprocess_version FROM samples") as cursor:
        assert list(await cursor.fetchall()) == [(1, 1)]
    async with conn.execute("SELECT count(*) FROM preprocess_refusals") as cursor:
        assert await cursor.fetchone() == (0,)


async def test_photographed_joins_a_database_that_holds_samples_as_unknown(
    conn: aiosqlite.Connection, tmp_path: Path
) -> None:
    before = {
        migration.name: (default_source() / migration.name).read_text(encoding="utf-8")
        for migration in load_migrations()
        if migration.name < "0008"
    }
    assert await migrate(conn, _write_migrations(tmp_path / "migrations", before)) == 7
    insert = (
        "INSERT INTO samples (chat_id, message_id, file_unique_id, source_kind, input_size,"
        " preprocess_version, created_at{column}) VALUES (1, 1, ?, 'photo', 8, 1, 0{value})"
    )
    await conn.execute(insert.format(column="", value=""), ("old",))

    assert await migrate(conn) == len(load_migrations())

    await conn.execute(insert.format(column=", photographed", value=", 1"), ("photo",))
    await conn.execute(insert.format(column=", photographed", value=", 0"), ("drawn",))
    async with conn.execute("SELECT file_unique_id, photographed FROM samples") as cursor:
        assert sorted(await cursor.fetchall()) == [("drawn", 0), ("old", None), ("photo", 1)]
    with pytest.raises(sqlite3.IntegrityError):
        await conn.execute(insert.format(column=", photographed", value=", 2"), ("odd",))


async def test_database_newer_than_code_is_refused(conn: aiosqlite.Connection) -> None:
    await conn.execute("PRAGMA user_version = 99")
    with pytest.raises(MigrationError, match="newer"):
        await migrate(conn)
    assert await user_version(conn) == 99


@pytest.mark.parametrize(
    "files",
    [
        {"0001_a.sql": "CREATE TABLE a (x);", "0003_c.sql": "CREATE TABLE c (x);"},
        {"0002_b.sql": "CREATE TABLE b (x);"},
        {"0001_a.sql": "CREATE TABLE a (x);", "1_b.sql": "CREATE TABLE b (x);"},
    ],
    ids=["gap", "not-from-one", "bad-name"],
)
async def test_malformed_migration_sets_are_refused(
    conn: aiosqlite.Connection, tmp_path: Path, files: dict[str, str]
) -> None:
    source = _write_migrations(tmp_path / "migrations", files)
    with pytest.raises(MigrationError):
        await migrate(conn, source)
    assert await user_version(conn) == 0
    assert await _tables(conn) == set()


def test_files_that_are_not_sql_are_ignored(tmp_path: Path) -> None:
    source = _write_migrations(
        tmp_path / "migrations", {"0001_a.sql": "CREATE TABLE a (x);", "README.md": "notes"}
    )
    assert [migration.name for migration in load_migrations(source)] == ["0001_a.sql"]


def test_split_statements_respects_strings_comments_and_triggers() -> None:
    script = """
        -- a comment; with a semicolon
        CREATE TABLE t (x TEXT DEFAULT ';');
        CREATE TRIGGER tr AFTER INSERT ON t BEGIN
            UPDATE t SET x = 'a;b';
        END; CREATE TABLE u (y);
        /* trailing comment; */
    """
    statements = split_statements(script)

    assert len(statements) == 4
    assert statements[0].endswith("CREATE TABLE t (x TEXT DEFAULT ';');")
    assert statements[1].startswith("CREATE TRIGGER tr") and statements[1].endswith("END;")
    assert statements[2] == "CREATE TABLE u (y);"
    assert statements[3] == "/* trailing comment; */"
    with sqlite3.connect(":memory:") as plain:
        for statement in statements:
            plain.execute(statement)
        plain.execute("INSERT INTO t DEFAULT VALUES")
        assert plain.execute("SELECT x FROM t").fetchone()[0] == "a;b"
    plain.close()
