"""Run /train in a worker process, one per chat, queued across chats."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import shutil
import sys
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
from bot.predictor import Predictor
from bot.progress import ProgressMessage
from bot.reports import failure_text, finished_text, progress_text
from bot.texts import t
from model import INPUT_SIZE
from storage import Repository, StorageFull, TrainingRun

__all__ = ["AlreadyTraining", "NotEnoughSamples", "Trainer"]

logger = logging.getLogger(__name__)

MIN_LABELS = 2
# After SIGTERM, a worker gets this long to exit before SIGKILL.
TERMINATE_GRACE = 1.5
STDERR_LINES_KEPT = 40
MODEL_SUFFIXES = (".keras", ".tflite", ".json")


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
    run: TrainingRun
    language: str | None
    inputs: np.ndarray  # uint8 (N, size, size)
    targets: list[int]  # index into run.labels, per sample
    progress: ProgressMessage
    process: asyncio.subprocess.Process | None = None
    stop_requested: bool = False


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
        samples = [
            s for s in await self._repo.labelled_inputs(chat_id) if s.input_size == INPUT_SIZE
        ]
        counts = Counter(sample.label for sample in samples)
        minimum = self._config.limits.min_samples_per_label
        missing = {label: minimum - n for label, n in sorted(counts.items()) if n < minimum}
        if len(counts) < MIN_LABELS or missing:
            raise NotEnoughSamples(missing, len(counts), minimum)
        labels = sorted(counts)
        index = {label: i for i, label in enumerate(labels)}
        run = await self._repo.create_run(
            chat_id,
            requested_by=user_id,
            params=with_defaults(await self._repo.params(chat_id)),
            labels=labels,
            sample_ids=[sample.sample_id for sample in samples],
            data_version=await self._repo.data_version(chat_id),
        )
        ahead = len(self._jobs) - self._config.training.concurrency + 1
        text = (
            t("train.queued", language, ahead=ahead) if ahead > 0 else t("train.starting", language)
        )
        message = await self._bot.send_message(
            chat_id,
            text,
            reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True),
        )
        await self._repo.set_run_message(run.id, message.message_id)
        inputs = np.stack(
            [
                np.frombuffer(s.model_input, np.uint8).reshape(INPUT_SIZE, INPUT_SIZE)
                for s in samples
            ]
        )
        job = _Job(
            run=run,
            language=language,
            inputs=inputs,
            targets=[index[sample.label] for sample in samples],
            progress=ProgressMessage(self._bot, chat_id, message.message_id, text),
        )
        self._jobs[chat_id] = job
        self._track(asyncio.create_task(self._run(job), name=f"training-{run.id}"))

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
        """Report runs that a previous process left unfinished as interrupted."""
        for run in await self._repo.interrupt_unfinished_runs():
            logger.info("training run %s of chat %s was interrupted", run.id, run.chat_id)
            text = failure_text("interrupted", t("train.reason_restart"), None)
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
        run, lang = job.run, job.language
        try:
            async with self._slots:
                if job.stop_requested:
                    await self._end(job, "stopped", t("train.reason_stop", lang))
                    return
                await self._repo.start_run(run.id)
                await job.progress.show(t("train.starting", lang), final=True)
                began = time.monotonic()
                result = await self._execute(job)
                if job.stop_requested:
                    await self._end(job, "stopped", t("train.reason_stop", lang))
                    return
                # What the user waited for: worker start-up and export included.
                await self._finish(job, {**result, "wall_seconds": time.monotonic() - began})
        except _Failed as exc:
            await self._end(job, "failed", str(exc))
        except asyncio.CancelledError:
            raise  # shutting down: the next start reports the run as interrupted
        except (StorageFull, OSError) as exc:
            if not isinstance(exc, StorageFull) and exc.errno != errno.ENOSPC:
                logger.exception("training run %s failed", run.id)
                await self._end(job, "failed", t("train.reason_bug", lang))
                return
            logger.warning("training run %s: the disk is full (%s)", run.id, exc)
            await self._end(job, "failed", t("train.reason_no_space", lang))
        except Exception:
            logger.exception("training run %s failed", run.id)
            await self._end(job, "failed", t("train.reason_bug", lang))
        finally:
            self._jobs.pop(run.chat_id, None)
            shutil.rmtree(self._job_dir(run), ignore_errors=True)

    async def _execute(self, job: _Job) -> dict[str, Any]:
        run = job.run
        job_dir = self._job_dir(run)
        prefix = self._models_dir / str(run.chat_id) / f"run-{run.id}"
        await asyncio.to_thread(self._write_job, job, job_dir, prefix)
        # stdin stays open as a lifeline: the worker exits when it reads EOF, so a killed
        # bot never leaves an orphan training behind.
        process = job.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "model.worker",
            str(job_dir),
            "--exit-with-stdin",
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
                event = _parse_event(raw)
                if event is None:
                    continue
                if event["event"] == "epoch":
                    text = progress_text(event, run.labels, len(job.targets), job.language)
                    await job.progress.show(text)
                elif event["event"] == "finished":
                    result = event["result"]
                elif event["event"] == "failed" and event.get("reason") == "no_space":
                    error = t("train.reason_no_space", lang)
                elif event["event"] == "failed":
                    error = str(event.get("error", ""))
            code = await process.wait()
        except asyncio.CancelledError:
            await _terminate(process)
            raise
        finally:
            await asyncio.gather(drain, return_exceptions=True)
        if job.stop_requested:
            return {}
        if code != 0 or result is None:
            logger.error(
                "training worker of run %s exited with %s:\n%s", run.id, code, "".join(stderr_tail)
            )
            raise _Failed(error or t("train.reason_crash", job.language, code=code))
        return result

    def _write_job(self, job: _Job, job_dir: Path, prefix: Path) -> None:
        job_dir.mkdir(parents=True, exist_ok=True)
        prefix.parent.mkdir(parents=True, exist_ok=True)
        run = job.run
        np.savez(
            job_dir / "data.npz",
            x=job.inputs,
            y=np.asarray(job.targets, dtype=np.int64),
            sample_ids=np.asarray(run.sample_ids, dtype=np.int64),
        )
        spec = {
            "params": run.params,
            "labels": run.labels,
            "output_prefix": str(prefix.resolve()),
            "seed": run.id,
            "threads": self._config.training.threads,
        }
        (job_dir / "job.json").write_text(json.dumps(spec), encoding="utf-8")

    async def _finish(self, job: _Job, result: dict[str, Any]) -> None:
        run = job.run
        previous = await self._repo.serving_run(run.chat_id)
        prefix = str(Path(result["tflite"]).with_suffix(""))
        counts = Counter(job.targets)
        per_label = {label: counts[index] for index, label in enumerate(run.labels)}
        result = {**result, "samples_per_label": per_label}
        await self._repo.finish_run(run.id, metrics=result, model_prefix=prefix)
        text = finished_text(result, job.language)
        await job.progress.show(text, final=True)
        if previous is not None and previous.model_prefix not in (None, prefix):
            self._predictor.forget(str(previous.model_prefix))
            await asyncio.to_thread(_remove_model_files, Path(str(previous.model_prefix)))

    async def _end(self, job: _Job, status: str, reason: str) -> None:
        try:
            await self._repo.end_run(job.run.id, status, error=reason)
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

    def _job_dir(self, run: TrainingRun) -> Path:
        return self._models_dir / "jobs" / f"run-{run.id}"


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


def _parse_event(raw: bytes) -> dict[str, Any] | None:
    try:
        event = json.loads(raw)
    except ValueError:
        return None
    return event if isinstance(event, dict) and "event" in event else None


def _remove_model_files(prefix: Path) -> None:
    for suffix in MODEL_SUFFIXES:
        prefix.with_suffix(suffix).unlink(missing_ok=True)
