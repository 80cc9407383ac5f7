"""Persistent storage of Smiley Bot: samples and labels per chat in SQLite (all SQL lives here)."""

from storage.durable_files import move_into_place, sync_directory
from storage.migrate import MigrationError, migrate
from storage.online_backup import BackupError, BackupResult, backup_database
from storage.records import (
    AddResult,
    AddStatus,
    ChatFull,
    ChatReset,
    ImportItem,
    ImportResult,
    LabelCount,
    LabelledInput,
    NewSample,
    Sample,
    SampleNotFound,
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
    "ImportItem",
    "ImportResult",
    "LabelCount",
    "LabelledInput",
    "MigrationError",
    "NewSample",
    "Repository",
    "Sample",
    "SampleNotFound",
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
