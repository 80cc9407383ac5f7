"""Fixtures and helpers for the storage tests: small fake samples, stored through the real API."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from storage import AddStatus, NewSample, Repository, Sample

CHAT = -100
OTHER_CHAT = -200
ALICE = 11
BOB = 22
INPUT_SIZE = 8
PREPROCESS_VERSION = 1
MAX_SAMPLES = 50
MAX_LABELS = 4
REPO_ROOT = Path(__file__).resolve().parents[2]

_message_ids = itertools.count(1000)


def pixels(file_unique_id: str) -> bytes:
    """Return deterministic fake model input for a file."""
    digest = hashlib.sha256(file_unique_id.encode()).digest()
    return (digest * 2)[: INPUT_SIZE * INPUT_SIZE]


def png(file_unique_id: str) -> bytes:
    """Return deterministic stand-in bytes for the stored PNG (storage treats it as opaque)."""
    return b"\x89PNG" + hashlib.sha256(b"png" + file_unique_id.encode()).digest()


def sample(
    file_unique_id: str,
    *,
    chat_id: int = CHAT,
    user_id: int | None = ALICE,
    label: str | None = None,
    album: str | None = None,
    message_id: int | None = None,
    photographed: bool | None = None,
) -> NewSample:
    """Build a NewSample with small fake image data."""
    return NewSample(
        chat_id=chat_id,
        message_id=next(_message_ids) if message_id is None else message_id,
        user_id=user_id,
        file_unique_id=file_unique_id,
        media_group_id=album,
        source_kind="photo",
        model_input=pixels(file_unique_id),
        input_size=INPUT_SIZE,
        preprocess_version=PREPROCESS_VERSION,
        source_png=png(file_unique_id),
        label=label,
        photographed=photographed,
    )


async def add(
    repo: Repository,
    new: NewSample,
    *,
    now: float | None = None,
    max_samples: int = MAX_SAMPLES,
    max_labels: int = MAX_LABELS,
) -> Sample:
    """Store a sample that must be new and return it."""
    result = await repo.samples.add(new, max_samples=max_samples, max_labels=max_labels, now=now)
    assert result.status is AddStatus.CREATED
    return result.sample


async def snapshot(repo: Repository, chat_id: int, sample_ids: list[int]) -> dict[str, Any]:
    """Return everything the read API shows of one chat."""
    return {
        "labels": await repo.labels.counts(chat_id),
        "unlabelled": await repo.samples.unlabelled_count(chat_id),
        "count": await repo.samples.count(chat_id),
        "inputs": await labelled_pixels(repo, chat_id),
        "pngs": [await repo.samples.source_png(chat_id, sample_id) for sample_id in sample_ids],
    }


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Return the path of a database file that does not exist yet."""
    return tmp_path / "smiley.sqlite3"


@pytest.fixture
async def repo(db_path: Path) -> AsyncIterator[Repository]:
    """Yield a fresh, migrated Repository and close it afterwards."""
    async with Repository(db_path) as repository:
        yield repository


async def labelled_pixels(repo: Repository, chat_id: int) -> list[tuple[str, bytes]]:
    """Return (label, model input) of every labelled sample of a chat, oldest first."""
    return [(item.label, item.model_input) for item in await repo.samples.labelled_inputs(chat_id)]


async def run(repo: Repository, chat_id: int = CHAT) -> int:
    created = await repo.runs.create(
        chat_id,
        requested_by=ALICE,
        params={"epochs": 3},
        labels=["sad", "smile"],
        sample_ids=[1, 2, 3],
        data_version=4,
        now=100.0,
    )
    assert created.status == "queued"
    return created.id
