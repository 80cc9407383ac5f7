"""Run /train and /compare in a worker process, one per chat, queued across chats.

A /compare runs like a /train (queued, progress, /stop) but exports nothing and records no
run: what it leaves behind while it runs is a small marker file next to its job directory,
so that after a kill the next start can tell the chat it was interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import shutil
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from telegram import ReplyParameters
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.config import Config
from bot.params import with_defaults
from bot.pictures import (
    comparison_chart_texts,
    read_charts,
    send_comparison_chart,
    send_training_pictures,
    training_chart_texts,
)
from bot.predictor import Predictor
from bot.progress import ProgressMessage
from bot.reports import (
    comparison_failure_text,
    comparison_progress_text,
    comparison_text,
    failure_text,
    finished_text,
    progress_text,
)
from bot.texts import t
from model.job import (
    COMPARED_ARCHITECTURES,
    MODEL_STEM,
    NO_SPACE,
    CompareSummary,
    EpochProgress,
    Failed,
    Finished,
    JobData,
    JobSpec,
    TrainParams,
    TrainSummary,
    model_paths,
    parse_event,
    worker_command,
    write_job,
)
from model.serving import INPUT_SIZE
from storage import LabelledInput, Repository, StorageFull, TrainingRun, move_into_place

__all__ = ["AlreadyTraining", "NotEnoughSamples", "Trainer"]

logger = logging.getLogger(__name__)

MIN_LABELS = 2
# After SIGTERM, a worker gets this long to exit before SIGKILL.
TERMINATE_GRACE = 1.5
STDERR_LINES_KEPT = 40
COMPARE_PREFIX = "compare-"
MARKER_SUFFIX = ".json"


class NotEnoughSamples(Exception):
    """Some label has too few samples, or there are fewer than two labels."""

    def __init__(self, missing: dict[str, int], labels: int, minimum: int) -> None:
        super().__init__(missing, labels, minimum)
        self.missing = missing
        self.labels = labels
        self.minimum = minimum


class AlreadyTraining(Exception):
    """This chat already has a training queued or running."""


class _Failed(Exception):
    """The worker failed; the message is for the user."""


@dataclass
class _Job:
    kind: str  # "train" | "compare"
    chat_id: int
    name: str  # of its directory under models_dir/jobs
    labels: list[str]
    params: dict[str, Any]
    sample_ids: list[int]
    seed: int
    language: str | None
    inputs: np.ndarray  # uint8 (N, size, size)
    targets: list[int]  # index into labels, per sample
    progress: ProgressMessage
    reply_to: int  # the /train or /compare message
    run: TrainingRun | None = None  # /train only
    process: asyncio.subprocess.Process | None = None
    stop_requested: bool = False
    # What to send once the job is over and its slot is free: the charts and the summary.
    pictures: tuple[dict[str, bytes], TrainSummary | CompareSummary] | None = None


@dataclass(frozen=True)
class _Data:
    """A chat's training data, checked and ready for a worker."""

    labels: list[str]
    sample_ids: list[int]
    inputs: np.ndarray
    targets: list[int]


class Trainer:
    """Starts, reports on and stops the trainings of all chats."""

    def __init__(
        self, bot: ExtBot[Any], repo: Repository, predictor: Predictor, config: Config
    ) -> None:
        self._bot = bot
        self._repo = repo
        self._predictor = predictor
        self._config = config
        self._slots = asyncio.Semaphore(config.training.concurrency)
        self._jobs: dict[int, _Job] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def _models_dir(self) -> Path:
        return self._config.storage.models_dir

    def is_training(self, chat_id: int) -> bool:
        """Tell whether the chat has a training queued or running."""
        return chat_id in self._jobs

    async def train(
        self, chat_id: int, user_id: int | None, language: str | None, reply_to: int
    ) -> None:
        """Queue a training of the chat's own model and report on it in the chat.

        Raises:
            AlreadyTraining: one is queued or running for this chat.
            NotEnoughSamples: the data does not allow training yet.
        """
        if chat_id in self._jobs:
            raise AlreadyTraining
        data = _prepare(await self._repo.samples.labelled_inputs(chat_id), self._config)
        run = await self._repo.runs.create(
            chat_id,
            requested_by=user_id,
            params=with_defaults(await self._repo.runs.params(chat_id)),
            labels=data.labels,
            sample_ids=data.sample_ids,
            data_version=await self._repo.samples.data_version(chat_id),
            language=language,
        )
        progress = await self._announce(chat_id, "train", language, reply_to)
        await self._repo.runs.set_message(run.id, progress.message_id)
        self._start(
            _Job(
                kind="train",
                chat_id=chat_id,
                name=f"run-{run.id}",
                labels=run.labels,
                params=run.params,
                sample_ids=run.sample_ids,
                seed=run.id,
                language=language,
                inputs=data.inputs,
                targets=data.targets,
                progress=progress,
                reply_to=reply_to,
                run=run,
            )
        )

    async def compare(self, chat_id: int, language: str | None, reply_to: int) -> None:
        """Queue a comparison of dense and cnn on the same validation runs; export nothing.

        Raises:
            AlreadyTraining: a training or comparison is queued or running for this chat.
            NotEnoughSamples: the data does not allow training yet.
        """
        if chat_id in self._jobs:
            raise AlreadyTraining
        data = _prepare(await self._repo.samples.labelled_inputs(chat_id), self._config)
        params = with_defaults(await self._repo.runs.params(chat_id))
        # The same data gives the same folds, so two /compare in a row agree.
        seed = await self._repo.samples.data_version(chat_id)
        progress = await self._announce(chat_id, "compare", language, reply_to)
        job = _Job(
            kind="compare",
            chat_id=chat_id,
            name=f"{COMPARE_PREFIX}{chat_id}-{time.time_ns()}",
            labels=data.labels,
            params=params,
            sample_ids=data.sample_ids,
            seed=seed,
            language=language,
            inputs=data.inputs,
            targets=data.targets,
            progress=progress,
            reply_to=reply_to,
        )
        marker = {"chat_id": chat_id, "message_id": progress.message_id, "language": language}
        await asyncio.to_thread(self._write_marker, job, marker)
        self._start(job)

    async def _announce(
        self, chat_id: int, kind: str, language: str | None, reply_to: int
    ) -> ProgressMessage:
        """Say that the job is queued or starting; return that message, to edit as it goes."""
        ahead = len(self._jobs) - self._config.training.concurrency + 1
        text = (
            t(f"{kind}.queued", language, ahead=ahead)
            if ahead > 0
            else t(f"{kind}.starting", language)
        )
        message = await self._bot.send_message(
            chat_id,
            text,
            reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True),
        )
        return ProgressMessage(self._bot, chat_id, message.message_id, text)

    def _start(self, job: _Job) -> None:
        self._jobs[job.chat_id] = job
        self._track(asyncio.create_task(self._run(job), name=job.name))

    async def stop(self, chat_id: int) -> bool:
        """Cancel the chat's training; the previous model keeps serving."""
        job = self._jobs.get(chat_id)
        if job is None:
            return False
        job.stop_requested = True
        if job.process is not None:
            await _terminate(job.process)
        return True

    def start_recovery(self) -> None:
        """Report interrupted runs in the background: it must not delay the first poll."""
        self._track(asyncio.create_task(self.recover(), name="recover-trainings"))

    async def recover(self) -> None:
        """Report runs and comparisons that a previous process left unfinished as interrupted."""
        active = {job.name for job in self._jobs.values()}
        for marker in await asyncio.to_thread(self._take_markers, active):
            chat_id, message_id = marker.get("chat_id"), marker.get("message_id")
            language = marker.get("language")
            if not isinstance(chat_id, int) or not isinstance(message_id, int):
                continue
            lang = language if isinstance(language, str) else None
            logger.info("a comparison in chat %s was interrupted", chat_id)
            text = comparison_failure_text("interrupted", t("compare.reason_restart", lang), lang)
            with contextlib.suppress(TelegramError):
                await self._bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
        for run in await self._repo.runs.interrupt_unfinished():
            logger.info("training run %s of chat %s was interrupted", run.id, run.chat_id)
            lang = run.language
            text = failure_text("interrupted", t("train.reason_restart", lang), lang)
            with contextlib.suppress(TelegramError):
                if run.message_id is not None:
                    await self._bot.edit_message_text(
                        text, chat_id=run.chat_id, message_id=run.message_id
                    )
                else:
                    await self._bot.send_message(run.chat_id, text)

    async def close(self) -> None:
        """Stop all workers; their runs are reported as interrupted at the next start."""
        for job in self._jobs.values():
            if job.process is not None:
                await _terminate(job.process)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _track(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job: _Job) -> None:
        lang = job.language
        cancelled = False
        try:
            async with self._slots:
                if job.stop_requested:
                    await self._end(job, "stopped", t("train.reason_stop", lang))
                    return
                if job.run is not None:
                    await self._repo.runs.start(job.run.id)
                await job.progress.show(t(f"{job.kind}.starting", lang), final=True)
                began = time.monotonic()
                result = await self._execute(job)
                if job.stop_requested or result is None:
                    await self._end(job, "stopped", t("train.reason_stop", lang))
                    return
                # What the user waited for: worker start-up and export included.
                wall_seconds = time.monotonic() - began
                if job.kind == "compare":
                    await self._finish_compare(job, CompareSummary.from_json(result), wall_seconds)
                else:
                    await self._finish(job, TrainSummary.from_json(result), wall_seconds)
        except _Failed as exc:
            await self._end(job, "failed", str(exc))
        except asyncio.CancelledError:
            cancelled = True
            raise  # shutting down: the next start reports the run as interrupted
        except (StorageFull, OSError) as exc:
            if not isinstance(exc, StorageFull) and exc.errno != errno.ENOSPC:
                logger.exception("job %s failed", job.name)
                await self._end(job, "failed", t("train.reason_bug", lang))
                return
            logger.warning("job %s: the disk is full (%s)", job.name, exc)
            await self._end(job, "failed", t("train.reason_no_space", lang))
        except Exception:
            logger.exception("job %s failed", job.name)
            await self._end(job, "failed", t("train.reason_bug", lang))
        finally:
            self._jobs.pop(job.chat_id, None)
            shutil.rmtree(self._job_dir(job), ignore_errors=True)
            if not cancelled:  # else the next start reports the comparison as interrupted
                self._marker(job).unlink(missing_ok=True)
        # Outside the slot: another chat's training need not wait for our uploads.
        if job.pictures is not None:
            await self._send_pictures(job, *job.pictures)

    async def _execute(self, job: _Job) -> dict[str, Any] | None:
        """Run the job in a worker process; return its result, None if it was stopped."""
        job_dir = self._job_dir(job)
        await asyncio.to_thread(self._write_job, job, job_dir)
        # stdin stays open as a lifeline: the worker exits when it reads EOF, so a killed
        # bot never leaves an orphan training behind.
        process = job.process = await asyncio.create_subprocess_exec(
            *worker_command(job_dir),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stdout is not None and process.stderr is not None
        stderr_tail: deque[str] = deque(maxlen=STDERR_LINES_KEPT)
        drain = asyncio.create_task(_collect(process.stderr, stderr_tail))
        result: dict[str, Any] | None = None
        error: str | None = None
        lang = job.language
        try:
            async for raw in process.stdout:
                event = parse_event(raw)
                if isinstance(event, EpochProgress):
                    await job.progress.show(self._progress_text(job, event))
                elif isinstance(event, Finished):
                    result = event.result
                elif isinstance(event, Failed) and event.reason == NO_SPACE:
                    error = t("train.reason_no_space", lang)
                elif isinstance(event, Failed):
                    error = event.error
            code = await process.wait()
        except asyncio.CancelledError:
            await _terminate(process)
            raise
        finally:
            await asyncio.gather(drain, return_exceptions=True)
        if job.stop_requested:
            return None
        if code != 0 or result is None:
            logger.error(
                "worker of job %s exited with %s:\n%s", job.name, code, "".join(stderr_tail)
            )
            raise _Failed(error or t("train.reason_crash", job.language, code=code))
        return result

    def _progress_text(self, job: _Job, event: EpochProgress) -> str:
        samples = len(job.targets)
        if job.kind == "compare":
            architectures = list(COMPARED_ARCHITECTURES)
            return comparison_progress_text(event, architectures, job.labels, samples, job.language)
        return progress_text(event, job.labels, samples, job.language)

    def _write_job(self, job: _Job, job_dir: Path) -> None:
        if job.kind == "compare":
            spec = JobSpec(
                labels=tuple(job.labels),
                params=TrainParams.from_json(job.params),
                task="compare",
                seed=job.seed,
                threads=self._config.training.threads,
                architectures=COMPARED_ARCHITECTURES,
                texts=comparison_chart_texts(job.language),
            )
        else:
            spec = JobSpec(
                labels=tuple(job.labels),
                params=TrainParams.from_json(job.params),
                seed=job.seed,
                threads=self._config.training.threads,
                texts=training_chart_texts(job.language),
            )
        data = JobData(job.inputs, np.asarray(job.targets), np.asarray(job.sample_ids))
        write_job(job_dir, spec, data)

    def _marker(self, job: _Job) -> Path:
        return self._models_dir / "jobs" / (job.name + MARKER_SUFFIX)

    def _write_marker(self, job: _Job, marker: dict[str, Any]) -> None:
        path = self._marker(job)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(marker), encoding="utf-8")

    def _take_markers(self, active: set[str]) -> list[dict[str, Any]]:
        """Read and remove the markers of unfinished comparisons, and every job directory."""
        jobs = self._models_dir / "jobs"
        markers = []
        for path in sorted(jobs.glob(f"{COMPARE_PREFIX}*{MARKER_SUFFIX}")):
            try:
                marker = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                marker = None
            if isinstance(marker, dict):
                markers.append(marker)
            path.unlink(missing_ok=True)
        # Every job directory but those of this process's jobs is an interrupted one's, and
        # holds a copy of its chat's samples, which /reset and retention must not miss.
        for leftover in jobs.glob("*"):
            if leftover.is_dir() and leftover.name not in active:
                shutil.rmtree(leftover, ignore_errors=True)
        return markers

    async def _finish(self, job: _Job, summary: TrainSummary, wall_seconds: float) -> None:
        run = job.run
        assert run is not None
        previous = await self._repo.runs.serving(run.chat_id)
        prefix = self._models_dir / str(job.chat_id) / job.name
        installed = model_paths(prefix)
        job_dir = self._job_dir(job)
        # The worker wrote the model into its job directory; it serves from models_dir. The
        # chart files go away with the job directory: read them first.
        charts = await asyncio.to_thread(read_charts, job_dir, summary.charts)
        await asyncio.to_thread(
            move_into_place,
            list(
                zip(
                    model_paths(job_dir / MODEL_STEM).in_writing_order(),
                    installed.in_writing_order(),
                    strict=True,
                )
            ),
        )
        counts = Counter(job.targets)
        metrics = {
            **summary.to_json(),
            "keras": str(installed.keras),
            "tflite": str(installed.tflite),
            "sidecar": str(installed.sidecar),
            "samples_per_label": {label: counts[i] for i, label in enumerate(run.labels)},
            "wall_seconds": wall_seconds,
        }
        del metrics["charts"]
        await self._repo.runs.finish(run.id, metrics=metrics, model_prefix=str(prefix))
        text = finished_text(metrics, job.language)
        await job.progress.show(text, final=True)
        job.pictures = (charts, summary)
        if previous is not None and previous.model_prefix not in (None, str(prefix)):
            self._predictor.forget(str(previous.model_prefix))
            await asyncio.to_thread(_remove_model_files, Path(str(previous.model_prefix)))

    async def _finish_compare(
        self, job: _Job, summary: CompareSummary, wall_seconds: float
    ) -> None:
        charts = await asyncio.to_thread(read_charts, self._job_dir(job), summary.charts)
        seconds = f"{wall_seconds:.1f}"
        await job.progress.show(t("compare.finished", job.language, seconds=seconds), final=True)
        job.pictures = (charts, summary)

    async def _send_pictures(
        self, job: _Job, charts: dict[str, bytes], summary: TrainSummary | CompareSummary
    ) -> None:
        if isinstance(summary, TrainSummary):
            await send_training_pictures(
                self._bot, self._repo, job.chat_id, job.reply_to, summary, charts, job.language
            )
            return
        line = comparison_text(summary, job.language)
        if "comparison" in charts:
            await send_comparison_chart(
                self._bot, job.chat_id, job.reply_to, charts["comparison"], line
            )
            return
        reply = ReplyParameters(job.reply_to, allow_sending_without_reply=True)
        try:
            await self._bot.send_message(job.chat_id, line, reply_parameters=reply)
        except TelegramError as exc:
            logger.warning("could not send the comparison to chat %s: %s", job.chat_id, exc)

    async def _end(self, job: _Job, status: str, reason: str) -> None:
        if job.run is None:
            text = comparison_failure_text(status, reason, job.language)
            await job.progress.show(text, final=True)
            return
        try:
            await self._repo.runs.end(job.run.id, status, error=reason)
        except StorageFull:
            # The user hears why all the same; the next start marks the run interrupted.
            logger.warning(
                "run %s ended %s, but the disk is too full to record it", job.run.id, status
            )
        await job.progress.show(failure_text(status, reason, job.language), final=True)

    async def forget_chat(self, chat_id: int, model_prefixes: Iterable[str]) -> None:
        """Drop a cleared chat's models from memory and from disk."""
        for prefix in model_prefixes:
            self._predictor.forget(prefix)
        chat_dir = self._models_dir / str(chat_id)
        await asyncio.to_thread(shutil.rmtree, chat_dir, ignore_errors=True)

    def _job_dir(self, job: _Job) -> Path:
        return self._models_dir / "jobs" / job.name


def _prepare(samples: list[LabelledInput], config: Config) -> _Data:
    """Check that every label has enough samples and stack their inputs.

    Raises:
        NotEnoughSamples: fewer than two labels, or a label short of the minimum.
    """
    samples = [s for s in samples if s.input_size == INPUT_SIZE]
    counts = Counter(sample.label for sample in samples)
    minimum = config.limits.min_samples_per_label
    missing = {label: minimum - n for label, n in sorted(counts.items()) if n < minimum}
    if len(counts) < MIN_LABELS or missing:
        raise NotEnoughSamples(missing, len(counts), minimum)
    labels = sorted(counts)
    index = {label: i for i, label in enumerate(labels)}
    inputs = np.stack(
        [np.frombuffer(s.model_input, np.uint8).reshape(INPUT_SIZE, INPUT_SIZE) for s in samples]
    )
    return _Data(
        labels=labels,
        sample_ids=[sample.sample_id for sample in samples],
        inputs=inputs,
        targets=[index[sample.label] for sample in samples],
    )


async def _terminate(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), TERMINATE_GRACE)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()


async def _collect(stream: asyncio.StreamReader, tail: deque[str]) -> None:
    async for line in stream:
        tail.append(line.decode(errors="replace"))


def _remove_model_files(prefix: Path) -> None:
    # The sidecar first: a reader that finds a sidecar must find the model files it describes.
    for path in reversed(model_paths(prefix).in_writing_order()):
        path.unlink(missing_ok=True)
