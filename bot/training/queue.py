"""The trainings of all chats: one at a time per chat, queued across chats, each told its place.

A /train or /compare is checked, announced (queued or starting), then run by a worker once
a slot is free; its progress message is edited as it goes and becomes the report, and its
pictures follow once the slot is free again. /stop ends it, and the previous model keeps
serving until a new one is in place. A /compare runs the same way but exports nothing and
records no run (bot/training/recovery.py says how an interrupted one is still reported).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import shutil
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from telegram import ReplyParameters
from telegram.ext import ExtBot

from bot.config import Config
from bot.samples.predictor import Predictor
from bot.samples.repreparer import Repreparer
from bot.texts import t
from bot.texts.numbers import seconds
from bot.training import serving_models
from bot.training.confusion_pairs import pair_keyboard
from bot.training.dataset import ChatDataset, NotEnoughSamples, load_dataset
from bot.training.parameters import training_params
from bot.training.pictures import (
    comparison_chart_texts,
    read_charts,
    send_comparison_chart,
    send_training_pictures,
    training_chart_texts,
)
from bot.training.progress import ProgressMessage
from bot.training.recovery import COMPARE_PREFIX, clear_compare, mark_compare, report_interrupted
from bot.training.reports import (
    comparison_failure_text,
    comparison_progress_text,
    comparison_text,
    failure_text,
    finished_text,
    progress_text,
)
from bot.training.standby import StandbyWorkers
from bot.training.worker_process import WorkerProcess
from model.job import (
    COMPARED_VARIANTS,
    COMPARISON_CHART,
    NO_SPACE,
    CompareSummary,
    EpochProgress,
    JobData,
    JobSpec,
    TrainParams,
    TrainSummary,
    model_paths,
    write_job,
)
from storage import Repository, StorageFull, TrainingRun

__all__ = ["AlreadyTraining", "NotEnoughSamples", "TrainingQueue"]

logger = logging.getLogger(__name__)

JOBS_DIR = "jobs"  # under models_dir: one directory per job while it runs
# How long the pictures after a report wait for a drawing sent on reading it.
PICTURES_SETTLE_SECONDS = 1.0


class AlreadyTraining(Exception):
    """This chat already has a training queued or running."""


class _Failed(Exception):
    """The worker failed; the message is for the user."""


@dataclass
class _QueuedJob:
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
    worker: WorkerProcess | None = None
    stop_requested: bool = False
    # What to send once the job is over and its slot is free: the charts and the summary.
    pictures: tuple[dict[str, bytes], TrainSummary | CompareSummary] | None = None


class TrainingQueue:
    """Starts, reports on and stops the trainings of all chats."""

    def __init__(
        self,
        bot: ExtBot[Any],
        repo: Repository,
        predictor: Predictor,
        repreparer: Repreparer,
        config: Config,
    ) -> None:
        self._bot = bot
        self._repo = repo
        self._predictor = predictor
        self._repreparer = repreparer
        self._config = config
        self._slots = asyncio.Semaphore(config.training.concurrency)
        self._jobs: dict[int, _QueuedJob] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._standby = StandbyWorkers(
            self._jobs_dir, config.training.threads, config.training.standby_workers
        )

    @property
    def _models_dir(self) -> Path:
        return self._config.storage.models_dir

    @property
    def _jobs_dir(self) -> Path:
        return self._models_dir / JOBS_DIR

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
        data = await self._dataset(chat_id)
        run = await self._repo.runs.create(
            chat_id,
            requested_by=user_id,
            params=training_params(await self._repo.runs.params(chat_id)),
            labels=data.labels,
            sample_ids=data.sample_ids,
            data_version=await self._repo.samples.data_version(chat_id),
            language=language,
        )
        progress = await self._announce(chat_id, "train", language, reply_to)
        await self._repo.runs.set_message(run.id, progress.message_id)
        self._start(
            _QueuedJob(
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
        data = await self._dataset(chat_id)
        params = training_params(await self._repo.runs.params(chat_id))
        # The same data gives the same folds, so two /compare in a row agree.
        seed = await self._repo.samples.data_version(chat_id)
        progress = await self._announce(chat_id, "compare", language, reply_to)
        job = _QueuedJob(
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
        await asyncio.to_thread(
            mark_compare, self._jobs_dir, job.name, chat_id, progress.message_id, language
        )
        self._start(job)

    async def _dataset(self, chat_id: int) -> ChatDataset:
        # The start-up sweep may not have reached this chat yet: a training must not learn
        # from inputs made one way while its predictions see inputs made another.
        await self._repreparer.reprepare(chat_id)
        samples = await self._repo.samples.labelled_inputs(chat_id)
        return load_dataset(samples, self._config.limits.min_samples_per_label)

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

    def _start(self, job: _QueuedJob) -> None:
        self._jobs[job.chat_id] = job
        self._track(asyncio.create_task(self._run(job), name=job.name))

    async def stop(self, chat_id: int) -> bool:
        """Cancel the chat's training; the previous model keeps serving."""
        job = self._jobs.get(chat_id)
        if job is None:
            return False
        job.stop_requested = True
        if job.worker is not None:
            await job.worker.terminate()
        return True

    def start(self) -> None:
        """Report interrupted runs and start the standby workers, in the background.

        Neither may delay the first poll.
        """
        self._track(asyncio.create_task(self.recover(), name="recover-trainings"))
        self._track(asyncio.create_task(self._standby.fill(), name="standby-workers"))

    async def recover(self) -> None:
        """Report runs and comparisons that a previous process left unfinished as interrupted."""
        active = {job.name for job in self._jobs.values()}
        await report_interrupted(self._bot, self._repo, self._jobs_dir, active)

    async def close(self) -> None:
        """Stop all workers; their runs are reported as interrupted at the next start."""
        # Cancelled, a job's task stops its worker itself (WorkerProcess.run) and leaves its
        # run to be reported as interrupted. A worker stopped first would end its job as
        # failed before the cancellation came.
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for job in self._jobs.values():
            if job.worker is not None:
                await job.worker.terminate()
        await self._standby.close()

    def _track(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job: _QueuedJob) -> None:
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
                clear_compare(self._jobs_dir, job.name)
        # Outside the slot: another chat's training need not wait for our uploads.
        if job.pictures is not None:
            # Someone who waited for the report often sends a drawing at once: a moment's
            # pause lets it arrive, and the pictures (notices) then wait for its answer.
            await asyncio.sleep(PICTURES_SETTLE_SECONDS)
            await self._send_pictures(job, *job.pictures)

    async def _execute(self, job: _QueuedJob) -> dict[str, Any] | None:
        """Run the job in a worker process; return its result, None if it was stopped."""
        job_dir = self._job_dir(job)
        await asyncio.to_thread(self._write_job, job, job_dir)
        worker = job.worker = await self._standby.take()
        ended = await worker.run(
            job_dir, lambda event: job.progress.show(self._progress_text(job, event))
        )
        self._track(asyncio.create_task(self._standby.fill(), name="standby-workers"))
        if job.stop_requested:
            return None
        if ended.code != 0 or ended.result is None:
            logger.error(
                "worker of job %s exited with %s:\n%s", job.name, ended.code, ended.stderr_tail
            )
            lang = job.language
            if ended.failure is not None and ended.failure.reason == NO_SPACE:
                raise _Failed(t("train.reason_no_space", lang))
            if ended.failure is not None and ended.failure.error:
                raise _Failed(ended.failure.error)
            raise _Failed(t("train.reason_crash", lang, code=ended.code))
        return ended.result

    def _progress_text(self, job: _QueuedJob, event: EpochProgress) -> str:
        samples = len(job.targets)
        if job.kind == "compare":
            return comparison_progress_text(
                event, list(COMPARED_VARIANTS), job.labels, samples, job.language
            )
        return progress_text(event, job.labels, samples, job.language)

    def _write_job(self, job: _QueuedJob, job_dir: Path) -> None:
        if job.kind == "compare":
            spec = JobSpec(
                labels=tuple(job.labels),
                params=TrainParams.from_json(job.params),
                task="compare",
                seed=job.seed,
                threads=self._config.training.threads,
                variants=COMPARED_VARIANTS,
                texts=comparison_chart_texts(job.language),
            )
        else:
            spec = JobSpec(
                labels=tuple(job.labels),
                params=TrainParams.from_json(job.params),
                seed=job.seed,
                threads=self._config.training.threads,
                texts=training_chart_texts(job.language, job.labels),
            )
        data = JobData(job.inputs, np.asarray(job.targets), np.asarray(job.sample_ids))
        write_job(job_dir, spec, data)

    async def _finish(self, job: _QueuedJob, summary: TrainSummary, wall_seconds: float) -> None:
        run = job.run
        assert run is not None
        previous = await self._repo.runs.serving(run.chat_id)
        prefix = self._models_dir / str(job.chat_id) / job.name
        installed = model_paths(prefix)
        job_dir = self._job_dir(job)
        # The chart files go away with the job directory: read them first.
        charts = await asyncio.to_thread(read_charts, job_dir, summary.charts)
        await asyncio.to_thread(serving_models.install, job_dir, prefix)
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
            await asyncio.to_thread(serving_models.remove, Path(str(previous.model_prefix)))

    async def _finish_compare(
        self, job: _QueuedJob, summary: CompareSummary, wall_seconds: float
    ) -> None:
        charts = await asyncio.to_thread(read_charts, self._job_dir(job), summary.charts)
        took = seconds(wall_seconds, job.language)
        await job.progress.show(t("compare.finished", job.language, seconds=took), final=True)
        job.pictures = (charts, summary)

    async def _send_pictures(
        self, job: _QueuedJob, charts: dict[str, bytes], summary: TrainSummary | CompareSummary
    ) -> None:
        if isinstance(summary, TrainSummary):
            assert job.run is not None  # a training has its run
            await send_training_pictures(
                self._bot,
                self._repo,
                job.chat_id,
                job.reply_to,
                summary,
                charts,
                job.language,
                pairs=pair_keyboard(job.run.id, summary.misclassified, job.language),
            )
            return
        line = comparison_text(summary, job.language)
        await send_comparison_chart(
            self._bot, job.chat_id, job.reply_to, charts.get(COMPARISON_CHART), line
        )

    async def _end(self, job: _QueuedJob, status: str, reason: str) -> None:
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
        await asyncio.to_thread(serving_models.remove_chat, self._models_dir, chat_id)

    def _job_dir(self, job: _QueuedJob) -> Path:
        return self._jobs_dir / job.name
