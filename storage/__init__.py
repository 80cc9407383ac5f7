"""Persistent storage of Smiley Bot: each chat's samples, labels and trainings in SQLite.

All SQL lives here. `Repository` owns the one connection (`database`) and groups the queries
by concern, one module each: `samples`, `labels`, `runs` (parameters and trainings), `chats`,
`handled_updates`, `datasets` (export and import) and `classes` (class projects), with the
queries several of them need in `queries`. `records` holds what crosses the package
boundary, `migrate` and `migrations/` the schema, `online_backup` the backup while the bot
runs, and `durable_files` the renames that survive a crash (the model files, the backup).
"""

from storage.durable_files import move_into_place, sync_directory
from storage.migrate import MigrationError, migrate
from storage.online_backup import BackupError, BackupResult, backup_database
from storage.records import (
    AddResult,
    AddStatus,
    ChatFull,
    ChatReset,
    ClassMember,
    ClassProject,
    ClassRunning,
    ImportItem,
    ImportResult,
    LabelCount,
    LabelExists,
    LabelledInput,
    LabelNotFound,
    LabelProfile,
    NewSample,
    RefusedSource,
    RepreparedInput,
    Sample,
    SampleNotFound,
    StaleInput,
    StorageFull,
    StorageLimitError,
    StoredImage,
    TooManyLabels,
    TrainingRun,
)
from storage.repository import Repository

__all__ = [
    "AddResult",
    "AddStatus",
    "BackupError",
    "BackupResult",
    "ChatFull",
    "ChatReset",
    "ClassMember",
    "ClassProject",
    "ClassRunning",
    "ImportItem",
    "ImportResult",
    "LabelCount",
    "LabelExists",
    "LabelNotFound",
    "LabelProfile",
    "LabelledInput",
    "MigrationError",
    "NewSample",
    "RefusedSource",
    "Repository",
    "RepreparedInput",
    "Sample",
    "SampleNotFound",
    "StaleInput",
    "StorageFull",
    "StorageLimitError",
    "StoredImage",
    "TooManyLabels",
    "TrainingRun",
    "backup_database",
    "migrate",
    "move_into_place",
    "sync_directory",
]
