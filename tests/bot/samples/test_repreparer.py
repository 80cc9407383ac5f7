"""After the preprocessing changed, stored inputs are made again from their sources.

The sweep re-prepares every chat's stale samples in the background, a /train re-prepares
its chat's first, and a source today's preprocessing refuses keeps its sample and input.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bot.app import BotApplication
from bot.config import Config
from bot.playground.fakeserver import FakeTelegram
from bot.samples import repreparer as repreparer_module
from bot.samples.preprocessor import Preprocessor
from bot.samples.repreparer import Repreparer
from model.job import read_data
from model.serving import (
    INPUT_SIZE,
    PREPROCESS_VERSION,
    ImageRejected,
    PreparedSample,
    RejectReason,
    prepare_sample,
)
from model.synthetic import draw_smiley
from storage import NewSample, Repository
from tests.bot.conftest import ALICE, BOB, running, with_limits
from tests.bot.training.test_queue import (
    TRAINING_TIMEOUT,
    command,
    edited_to,
    final_report,
    label_samples,
)

Smiley = Callable[..., bytes]
MAX_PIXELS = 40_000_000
OLD_VERSION = PREPROCESS_VERSION - 1
OLD_INPUT = bytes(range(INPUT_SIZE * INPUT_SIZE // 4)) * 4  # what "version 1" made, say
BROKEN = b"a source the preprocessing trips over"

# The sources the test preprocessing was asked for, in order (workers=0: in this process).
prepared_sources: list[bytes] = []
_message_ids = itertools.count(1)


def counting_prepare(data: bytes, max_pixels: int) -> PreparedSample:
    """Stand in for the helper's function: prepare_sample, noting each call."""
    prepared_sources.append(data)
    if data == BROKEN:
        raise RuntimeError("a bug in the preprocessing")
    return prepare_sample(data, max_pixels=max_pixels)


def source_png(image: bytes) -> bytes:
    """Return the source PNG the bot stores for an upload."""
    return prepare_sample(image, max_pixels=MAX_PIXELS).source_png


def faint_source() -> bytes:
    """A drawing at a twenty-fifth of its darkness, which today's preprocessing calls faint."""
    grey = np.asarray(draw_smiley("smile", np.random.default_rng(42), "digital", 160).convert("L"))
    faint = np.round(255 - (255 - grey.astype(np.float32)) * 0.04).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(faint).save(buffer, format="PNG")
    with pytest.raises(ImageRejected) as refused:
        prepare_sample(buffer.getvalue(), max_pixels=MAX_PIXELS)
    assert refused.value.reason is RejectReason.FAINT
    return buffer.getvalue()


async def store_old(
    repo: Repository, chat_id: int, source: bytes, *, label: str | None, name: str
) -> int:
    """Store a sample as a bot of the previous preprocessing left it; return its id."""
    result = await repo.samples.add(
        NewSample(
            chat_id=chat_id,
            message_id=next(_message_ids),
            user_id=chat_id,
            file_unique_id=name,
            media_group_id=None,
            source_kind="photo",
            model_input=OLD_INPUT,
            input_size=INPUT_SIZE,
            preprocess_version=OLD_VERSION,
            source_png=source,
            label=label,
        ),
        max_samples=100,
        max_labels=10,
    )
    return result.sample.id


async def inputs(repo: Repository, chat_id: int) -> dict[int, tuple[int, bytes]]:
    """Return (preprocess version, model input) of each labelled sample of a chat, by id."""
    return {
        item.sample_id: (item.preprocess_version, item.model_input)
        for item in await repo.samples.labelled_inputs(chat_id)
    }


def today(source: bytes) -> tuple[int, bytes]:
    return PREPROCESS_VERSION, prepare_sample(source, max_pixels=MAX_PIXELS).model_input


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[Repository]:
    async with Repository(tmp_path / "smiley.sqlite3") as repository:
        yield repository


@pytest.fixture
def calls() -> list[bytes]:
    prepared_sources.clear()
    return prepared_sources


def repreparer_of(repo: Repository) -> Repreparer:
    """A Repreparer as the bot makes one, preprocessing in a thread of this process."""
    preprocessor = Preprocessor(max_pixels=MAX_PIXELS, workers=0, function=counting_prepare)
    return Repreparer(repo, preprocessor)


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repreparer_module, "BATCH_SIZE", 2)
    monkeypatch.setattr(repreparer_module, "BATCH_PAUSE_SECONDS", 0.0)


@pytest.mark.usefixtures("small_batches")
async def test_the_sweep_reprepares_every_chats_stale_samples_once(
    repo: Repository, calls: list[bytes], smiley: Smiley
) -> None:
    sources = {
        name: source_png(smiley(label, style="paper", fmt="JPEG"))
        for name, label in (("a1", "smile"), ("a2", "sad"), ("a3", "smile"), ("b1", "sad"))
    }
    ids = {
        name: await store_old(repo, ALICE if name[0] == "a" else BOB, png, label="x", name=name)
        for name, png in sources.items()
    }
    current = prepare_sample(smiley("neutral"), max_pixels=MAX_PIXELS)
    made_today = await repo.samples.add(
        NewSample(
            chat_id=ALICE,
            message_id=next(_message_ids),
            user_id=ALICE,
            file_unique_id="today",
            media_group_id=None,
            source_kind="photo",
            model_input=current.model_input,
            input_size=current.input_size,
            preprocess_version=current.preprocess_version,
            source_png=current.source_png,
            label="x",
            photographed=current.photographed,
        ),
        max_samples=100,
        max_labels=10,
    )

    assert await repreparer_of(repo).reprepare(background=True, photographed_unknown=True) == 4

    assert await inputs(repo, ALICE) == {
        ids["a1"]: today(sources["a1"]),
        ids["a2"]: today(sources["a2"]),
        ids["a3"]: today(sources["a3"]),
        made_today.sample.id: (PREPROCESS_VERSION, current.model_input),
    }
    assert await inputs(repo, BOB) == {ids["b1"]: today(sources["b1"])}
    for name, sample_id in ids.items():
        assert (
            await repo.samples.source_png(ALICE if name[0] == "a" else BOB, sample_id)
            == (sources[name])
        )
    assert sorted(calls) == sorted(sources.values())  # today's sample was left alone
    # After a restart there is nothing left to do.
    calls.clear()
    assert await repreparer_of(repo).reprepare(background=True) == 0
    assert calls == []


async def test_the_sweep_notes_which_of_todays_samples_are_photos_and_keeps_their_inputs(
    repo: Repository, calls: list[bytes], smiley: Smiley
) -> None:
    photo = prepare_sample(smiley("smile", style="paper", fmt="JPEG"), max_pixels=MAX_PIXELS)
    drawn = prepare_sample(smiley("sad"), max_pixels=MAX_PIXELS)
    ids = []
    for name, prepared in (("photo", photo), ("drawn", drawn)):
        result = await repo.samples.add(
            NewSample(  # as a bot before the flag stored it: today's input, kind unknown
                chat_id=ALICE,
                message_id=next(_message_ids),
                user_id=ALICE,
                file_unique_id=name,
                media_group_id=None,
                source_kind="photo",
                model_input=prepared.model_input,
                input_size=prepared.input_size,
                preprocess_version=prepared.preprocess_version,
                source_png=prepared.source_png,
                label=name,
            ),
            max_samples=100,
            max_labels=10,
        )
        ids.append(result.sample.id)
    repreparer = repreparer_of(repo)

    assert await repreparer.reprepare(ALICE) == 0  # a training does not wait for these
    assert await repreparer.reprepare(background=True, photographed_unknown=True) == 2

    assert [(p.name, p.photographed, p.on_screen) for p in await repo.labels.profiles(ALICE)] == [
        ("drawn", 0, 1),
        ("photo", 1, 0),
    ]
    assert await inputs(repo, ALICE) == {
        ids[0]: (PREPROCESS_VERSION, photo.model_input),
        ids[1]: (PREPROCESS_VERSION, drawn.model_input),
    }
    calls.clear()
    assert await repreparer.reprepare(background=True, photographed_unknown=True) == 0
    assert calls == []


async def test_a_chats_reprepare_keeps_to_that_chat(
    repo: Repository, calls: list[bytes], smiley: Smiley
) -> None:
    mine = source_png(smiley("smile"))
    theirs = source_png(smiley("sad"))
    my_id = await store_old(repo, ALICE, mine, label="smile", name="m")
    their_id = await store_old(repo, BOB, theirs, label="sad", name="t")

    assert await repreparer_of(repo).reprepare(ALICE) == 1

    assert await inputs(repo, ALICE) == {my_id: today(mine)}
    assert await inputs(repo, BOB) == {their_id: (OLD_VERSION, OLD_INPUT)}


async def test_a_refused_source_keeps_its_input_and_is_tried_once_per_version(
    repo: Repository, calls: list[bytes], caplog: pytest.LogCaptureFixture, smiley: Smiley
) -> None:
    faint = faint_source()
    fine = source_png(smiley("smile"))
    faint_id = await store_old(repo, ALICE, faint, label="smile", name="faint")
    fine_id = await store_old(repo, ALICE, fine, label="smile", name="fine")
    repreparer = repreparer_of(repo)

    with caplog.at_level(logging.INFO, logger="bot.samples.repreparer"):
        assert await repreparer.reprepare(background=True) == 1
        assert await repreparer.reprepare(background=True) == 0
        assert await repreparer.reprepare(ALICE) == 0
        assert await repreparer_of(repo).reprepare(background=True) == 0  # after a restart

    assert calls.count(faint) == 1
    assert await inputs(repo, ALICE) == {
        faint_id: (OLD_VERSION, OLD_INPUT),
        fine_id: today(fine),
    }
    refusals = [r for r in caplog.records if "refuses" in r.getMessage()]
    assert len(refusals) == 1
    assert refusals[0].levelno == logging.INFO
    assert f"sample {faint_id} " in refusals[0].getMessage() and "faint" in refusals[0].getMessage()
    # The next preprocessing version tries again.
    later = await repo.samples.stale_inputs(PREPROCESS_VERSION + 1, limit=10)
    assert faint_id in [item.sample_id for item in later]


async def test_a_sample_that_trips_the_preprocessing_waits_and_the_rest_go_on(
    repo: Repository, calls: list[bytes], caplog: pytest.LogCaptureFixture, smiley: Smiley
) -> None:
    fine = source_png(smiley("sad"))
    broken_id = await store_old(repo, ALICE, BROKEN, label="sad", name="broken")
    fine_id = await store_old(repo, ALICE, fine, label="sad", name="fine")

    assert await repreparer_of(repo).reprepare() == 1

    assert await inputs(repo, ALICE) == {broken_id: (OLD_VERSION, OLD_INPUT), fine_id: today(fine)}
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)
    # Not recorded as refused: the next sweep tries it again.
    stale = await repo.samples.stale_inputs(PREPROCESS_VERSION, limit=10)
    assert [item.sample_id for item in stale] == [broken_id]


class Meanwhile(Preprocessor):
    """Runs ``action`` while the first source is being prepared, as a handler might."""

    def __init__(self, action: Callable[[], Awaitable[None]]) -> None:
        super().__init__(max_pixels=MAX_PIXELS, workers=0)
        self._action: Callable[[], Awaitable[None]] | None = action

    async def prepare(self, data: bytes, *, background: bool = False) -> PreparedSample:
        if self._action is not None:
            action, self._action = self._action, None
            await action()
        return await super().prepare(data, background=background)


async def test_a_sample_deleted_meanwhile_is_skipped_and_a_relabel_stands(
    repo: Repository, smiley: Smiley
) -> None:
    kept = source_png(smiley("smile"))
    kept_id = await store_old(repo, ALICE, kept, label="smile", name="kept")
    gone_id = await store_old(repo, ALICE, source_png(smiley("sad")), label="sad", name="gone")

    async def delete_and_relabel() -> None:
        assert await repo.labels.delete(ALICE, "sad") == 1
        await store_old(repo, ALICE, kept, label="happy", name="kept")  # the same file again

    assert await Repreparer(repo, Meanwhile(delete_and_relabel)).reprepare() == 1

    assert await inputs(repo, ALICE) == {kept_id: today(kept)}
    assert [item.label for item in await repo.samples.labelled_inputs(ALICE)] == ["happy"]
    assert await repo.samples.model_input(ALICE, gone_id) is None


# --- end to end: the real Application against the fake Bot API server -------------------------


def stored(database: Path) -> dict[int, tuple[int, bytes, bytes]]:
    """Return (preprocess version, model input, source PNG) of every sample, by id."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT s.id, s.preprocess_version, i.model_input, i.source_png"
            " FROM samples AS s JOIN sample_images AS i ON i.sample_id = s.id"
        ).fetchall()
    conn.close()
    return {int(i): (int(v), bytes(m), bytes(p)) for i, v, m, p in rows}


def make_stale(database: Path) -> None:
    """Leave every stored input as the previous preprocessing would have: older, different.

    That bot did not note either whether a sample is a photo.
    """
    with sqlite3.connect(database) as conn:
        conn.execute(
            "UPDATE samples SET preprocess_version = ?, photographed = NULL", (OLD_VERSION,)
        )
        conn.execute("UPDATE sample_images SET model_input = ?", (OLD_INPUT,))
    conn.close()


async def until(condition: Callable[[], bool]) -> None:
    """Wait for ``condition``; the sweep runs at idle priority, slow on a busy machine."""
    async with asyncio.timeout(TRAINING_TIMEOUT):
        while not condition():  # noqa: ASYNC110 - the bot writes the database, no event
            await asyncio.sleep(0.1)


async def job_data(
    telegram: FakeTelegram, application: BotApplication, labels: list[str]
) -> tuple[dict[int, bytes], list[int]]:
    """Start a long /train and return what its worker got: input by sample id, and the ids."""
    await command(telegram, ALICE, "/set epochs 200")
    assert (await command(telegram, ALICE, "/train")).startswith("Training starts")
    await telegram.wait_for(edited_to(ALICE, "epoch"), timeout=TRAINING_TIMEOUT)
    jobs = application.bot_data.config.storage.models_dir / "jobs"
    [job_dir] = [path for path in jobs.iterdir() if path.name.startswith("run-")]
    data = read_data(job_dir, labels)
    await command(telegram, ALICE, "/stop")
    await final_report(telegram, ALICE, "Training stopped")
    ids = [int(i) for i in data.sample_ids]
    return {i: x.tobytes() for i, x in zip(ids, data.x, strict=True)}, ids


async def test_after_an_upgrade_the_bot_reprepares_stored_inputs_and_trains_on_them(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    config = with_limits(config, min_samples_per_label=3)
    database = config.storage.database
    async with running(config):
        await label_samples(telegram, ALICE, smiley, {"smile": 3, "sad": 3})
    made_then = stored(database)
    assert len(made_then) == 6 and {v for v, _, _ in made_then.values()} == {PREPROCESS_VERSION}
    make_stale(database)
    async with Repository(database) as repo:
        faint_id = await store_old(repo, ALICE, faint_source(), label="smile", name="faint")

    async with running(config) as application:

        def swept() -> bool:
            versions = {i: v for i, (v, _, _) in stored(database).items()}
            return versions == {
                **dict.fromkeys(made_then, PREPROCESS_VERSION),
                faint_id: OLD_VERSION,
            }

        await until(swept)
        now = stored(database)
        for sample_id, (_, made_at_upload, source) in made_then.items():
            assert now[sample_id] == (PREPROCESS_VERSION, made_at_upload, source)
        assert now[faint_id][:2] == (OLD_VERSION, OLD_INPUT)  # kept, as it was
        with sqlite3.connect(database) as conn:
            flags = dict(conn.execute("SELECT id, photographed FROM samples").fetchall())
        conn.close()
        assert flags == {**dict.fromkeys(made_then, 0), faint_id: None}  # drawn on a screen

        trained, ids = await job_data(telegram, application, ["sad", "smile"])

    # The refused one still counts, with the input it had: a labelled drawing is never dropped.
    assert sorted(ids) == sorted([*made_then, faint_id])
    assert trained == {
        **{sample_id: made_at_upload for sample_id, (_, made_at_upload, _) in made_then.items()},
        faint_id: OLD_INPUT,
    }


async def test_train_reprepares_what_the_sweep_has_not_reached(
    telegram: FakeTelegram, config: Config, smiley: Smiley
) -> None:
    config = with_limits(config, min_samples_per_label=3)
    database = config.storage.database
    async with running(config) as application:
        await label_samples(telegram, ALICE, smiley, {"smile": 3, "sad": 3})
        sweep = application.bot_data.repreparer._task
        assert sweep is not None and sweep.done()  # it found nothing stale at start-up
        made_then = stored(database)
        # As if this chat's samples came from an older bot and the sweep had not got to them.
        make_stale(database)

        trained, ids = await job_data(telegram, application, ["sad", "smile"])

        assert sorted(ids) == sorted(made_then)
        assert trained == {sample_id: made_then[sample_id][1] for sample_id in ids}
        assert stored(database) == made_then
