"""The training worker: `python -m model.worker JOB_DIR`, a process of its own per job.

Or `python -m model.worker --standby JOBS_DIR`: it loads TensorFlow first and then reads its
job's directory from stdin, so that the bot can start it before anyone asks for a training.

Or `python -m model.worker --broker redis://HOST:6379/0 [--concurrency N]`: a Celery worker
of distributed training on any machine, running jobs that come through Redis with this
module's `execute` (model.distributed.serve).

It runs one job of the contract in `model.job`: it reads `job.json` and `data.npz` from
JOB_DIR, writes one event a line on stdout (`Started`, `EpochProgress` after every epoch,
then `Finished` or `Failed`), and writes into JOB_DIR only: the model files under
`MODEL_STEM` (a training; a compare exports nothing), the charts and, last, `result.json`.
Everything else (TensorFlow's chatter, logs, warnings, a traceback) goes to stderr. The exit
code is 0 after `Finished` and 1 after `Failed`.

The bot starts it, reads its progress and may kill it at any moment (/stop, shutdown); a kill
loses the job, never a served model, which only the bot puts in place.

TensorFlow is imported only after the thread limits are set in the environment (it reads
them once, when it starts), so importing this module does not import it.
"""

import argparse
import contextlib
import errno
import importlib
import json
import logging
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, ModuleType
from typing import Protocol, TextIO

import numpy as np

from model.job import (
    COMPARISON_CHART,
    LIFELINE_FLAG,
    MODEL_STEM,
    NO_SPACE,
    RESULT_FILE,
    STANDBY_FLAG,
    THREADS_FLAG,
    TRAINING_CHART,
    VARIANTS,
    WORKER_MODULE,
    CompareSummary,
    Event,
    Failed,
    Finished,
    JobData,
    JobSpec,
    Misclassified,
    Ready,
    Started,
    TrainSummary,
    event_line,
    read_data,
    read_spec,
)

logger = logging.getLogger(__name__)

# Below the bot's priority: a training must never make the bot slow to answer.
NICENESS = 10
_THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS")
_WHITE = 255.0
_SIGTERM_EXIT = 128 + signal.SIGTERM
PIPE_CHUNK = 4096
STDIN_FD = 0
ORPHAN_GRACE_SECONDS = 2.0
# A Celery worker for distributed training (model.distributed), instead of one job.
BROKER_FLAG = "--broker"
CONCURRENCY_FLAG = "--concurrency"
# What a job imports, loaded by a standby worker before its job comes.
_JOB_MODULES = (
    "model.learning.charts",
    "model.learning.compare",
    "model.learning.export",
    "model.learning.train",
)


def limit_resources(threads: int, *, idle: bool = True) -> None:
    """Cap the threads TensorFlow will start and lower this process's priority.

    ``idle=False`` keeps the process out of Linux's idle class, only niced: a Celery
    worker's heartbeat thread must get CPU time even on a busy machine.
    """
    for name in _THREAD_VARIABLES:
        os.environ[name] = str(threads)
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # no INFO and WARNING chatter from TF's C++ side
    # Absolute, not os.nice's increment: a standby worker caps itself before its job does.
    os.setpriority(os.PRIO_PROCESS, 0, max(NICENESS, os.getpriority(os.PRIO_PROCESS, 0)))
    if idle and hasattr(os, "sched_setscheduler"):
        # Linux: run only on CPU time nothing else wants. A niced process still takes a
        # share of a core from the bot's event loop when both are busy; an idle-class one
        # steps aside at once, so replies keep their latency while a training runs.
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


class EventSink(Protocol):
    """Where a job's events go: stdout here (`Emitter`), Redis on a Celery worker."""

    def event(self, event: Event) -> None:
        """Report one event; an exception raised here ends the job as failed."""


@dataclass(frozen=True)
class _OpenedJob:
    """A job as read from its directory."""

    spec: JobSpec
    data: JobData
    directory: Path
    own_process: bool  # whether this process is the job's alone, to limit as it needs


def _begin(job: _OpenedJob, emit: "EventSink", runs: Callable[[int], int]) -> np.ndarray:
    """Import TensorFlow within the job's thread limit and announce the job's epochs.

    ``runs(folds)`` is how many trainings of ``epochs`` the job makes. Returns the job's
    inputs scaled as `model.input_array` scales them.
    """
    started = time.perf_counter()
    # Heavy imports, now that the environment limits them.
    import tensorflow as tf

    from model.learning.validation import choose_validation, label_counts

    spec = job.spec
    if job.own_process:
        tf.config.threading.set_intra_op_parallelism_threads(spec.threads)
        tf.config.threading.set_inter_op_parallelism_threads(spec.threads)
    mode, folds = choose_validation(label_counts(job.data.y, len(spec.labels)), spec.labels)
    emit.event(
        Started(
            total=runs(folds) * spec.params.epochs,
            folds=folds,
            mode=mode,
            import_seconds=round(time.perf_counter() - started, 3),
        )
    )
    return job.data.x.astype(np.float32) / _WHITE


def run(job: _OpenedJob, emit: "EventSink") -> TrainSummary:
    """Train, export the model into the job directory and draw the charts."""
    x = _begin(job, emit, lambda folds: folds + 1)  # the folds, then the final run
    from model.learning.curves import read_curves
    from model.learning.export import export_model
    from model.learning.train import train

    spec, y, sample_ids = job.spec, job.data.y, job.data.sample_ids
    result = train(x, y, spec.labels, spec.params, seed=spec.seed, on_epoch=emit.event)
    export_started = time.perf_counter()
    start = "pretrained" if result.pretrained_layers else "scratch"
    export_model(result.model, spec.labels, job.directory / MODEL_STEM, start=start)
    export_seconds = time.perf_counter() - export_started
    reading = read_curves(result.histories)
    # After the export: the model is safe, whatever happens to the pictures.
    charts = draw_charts(
        job.directory,
        spec.texts,
        {
            TRAINING_CHART: lambda charts, texts: charts.training_chart(
                result.histories,
                result.confusion,
                spec.labels,
                best_epoch=reading.best_epoch,
                **texts,
            ),
        },
    )
    return TrainSummary(
        labels=list(spec.labels),
        samples=len(x),
        validation_accuracy=result.validation_accuracy,
        per_label_accuracy=result.per_label_accuracy,
        confusion=result.confusion,
        misclassified=[
            Misclassified(
                sample_id=int(sample_ids[index]),
                true=truth,
                predicted=guess,
                true_label=spec.labels[truth],
                predicted_label=spec.labels[guess],
                confidence=round(confidence, 4),
            )
            for index, truth, guess, confidence in result.misclassified
        ],
        histories=result.histories,
        final_history=result.final_history,
        mode=result.mode,
        folds=result.folds,
        seconds=result.seconds,
        pretrained_layers=result.pretrained_layers,
        export_seconds=export_seconds,
        filter_change=result.filter_change,
        charts=charts,
        validated_ids=[int(sample_ids[index]) for index in result.validated],
        best_epoch=reading.best_epoch,
        fit_verdict=reading.verdict,
    )


def run_compare(job: _OpenedJob, emit: "EventSink") -> CompareSummary:
    """Validate each of the job's variants on the same splits and draw the chart."""
    spec = job.spec
    x = _begin(job, emit, lambda folds: len(spec.variants) * folds)
    from model.learning.compare import compare

    comparison = compare(
        x,
        job.data.y,
        spec.labels,
        spec.params,
        [VARIANTS[name] for name in spec.variants],
        seed=spec.seed,
        on_epoch=emit.event,
    )
    charts = draw_charts(
        job.directory,
        spec.texts,
        {
            COMPARISON_CHART: lambda charts, texts: charts.comparison_chart(
                list(comparison.accuracies.items()), **texts
            )
        },
    )
    return CompareSummary(
        labels=list(spec.labels),
        samples=len(job.data.y),
        accuracies=comparison.accuracies,
        fold_accuracies=comparison.fold_accuracies,
        mode=comparison.mode,
        folds=comparison.folds,
        seconds=comparison.seconds,
        charts=charts,
    )


ChartDrawer = Callable[[ModuleType, dict[str, str]], bytes]  # (model.learning.charts, texts) -> PNG


def draw_charts(
    job_dir: Path, texts: dict[str, dict[str, str]], drawers: dict[str, ChartDrawer]
) -> dict[str, str]:
    """Draw each chart that has its texts into JOB_DIR/<name>.png; return name -> file name.

    A chart that fails is logged and left out: pictures never fail a job.
    """
    from model.learning import charts

    drawn = {}
    for name, draw in drawers.items():
        if name not in texts:
            continue
        try:
            path = job_dir / f"{name}.png"
            path.write_bytes(draw(charts, texts[name]))
        except Exception:
            logger.exception("could not draw the %s chart", name)
            continue
        drawn[name] = path.name
    return drawn


def _write_result(job_dir: Path, summary: TrainSummary | CompareSummary) -> None:
    from model.learning.export import write_atomically

    text = json.dumps(summary.to_json(), ensure_ascii=False) + "\n"
    write_atomically(job_dir / RESULT_FILE, lambda path: path.write_text(text, encoding="utf-8"))


class Emitter:
    """Write events, one protocol line each, to the channel the bot reads."""

    def __init__(self, channel: TextIO) -> None:
        """Write to `channel` (the original stdout)."""
        self._channel = channel

    def event(self, event: Event) -> None:
        """Write one event line and flush it."""
        self._channel.write(event_line(event))
        self._channel.flush()


def claim_stdout() -> TextIO:
    """Keep the real stdout for the protocol and send everything else written there to stderr.

    TensorFlow's converter and libraries print to stdout at the C level as well as Python's,
    so the file descriptor itself is redirected, not just `sys.stdout`.
    """
    sys.stdout.flush()
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return channel


def no_space(error: BaseException) -> bool:
    """Whether the disk ran full somewhere in the chain of causes (Keras wraps OSErrors)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _one_line(error: BaseException) -> str:
    """Describe an error in one line; a ValueError's message is meant for people as it is."""
    text = str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}"
    return " ".join(text.split()) or type(error).__name__


def _terminate(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into SystemExit, so that temporary files are cleaned up on the way out."""
    raise SystemExit(_SIGTERM_EXIT)


def watch_parent(lines: "queue.SimpleQueue[str] | None" = None) -> None:
    """Exit when stdin reaches EOF: the bot that started us, holding its end, has died.

    Without this a `kill -9` of the bot would leave its training running as an orphan,
    which would keep a core busy and write a model nobody will serve. Each line that comes
    on stdin before goes into ``lines`` (a standby worker's job).
    """

    def wait_for_eof() -> None:
        # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader makes
        # the interpreter abort at exit, as it cannot take the reader's lock.
        pending = b""
        while chunk := os.read(STDIN_FD, PIPE_CHUNK):
            *complete, pending = (pending + chunk).split(b"\n")
            if lines is not None:
                for line in complete:
                    lines.put(line.decode(errors="replace").strip())
        logger.warning("the bot is gone: stopping this worker")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(ORPHAN_GRACE_SECONDS)  # TensorFlow may hold the main thread in C++
        os._exit(_SIGTERM_EXIT)

    threading.Thread(target=wait_for_eof, name="parent-watch", daemon=True).start()


def execute(job_dir: Path, emit: "EventSink", *, own_process: bool = True) -> int:
    """Run the job in ``job_dir``, announcing it through ``emit``; return the exit code.

    A failure is emitted as `Failed` with a one-line error and printed with its traceback
    on stderr. In a worker process of its own the job first caps the process to its threads
    and lowers its priority; ``own_process=False`` (a test's process, TensorFlow loaded
    already) leaves the process as it is.
    """
    try:
        spec = read_spec(job_dir)
        job = _OpenedJob(spec, read_data(job_dir, spec.labels), job_dir, own_process)
        if own_process:
            limit_resources(spec.threads)
        summary = (run_compare if spec.task == "compare" else run)(job, emit)
        _write_result(job_dir, summary)
        # Only now: the bot may take "finished" to mean result.json is there.
        emit.event(Finished(summary.to_json()))
        return 0
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        with contextlib.suppress(OSError, ValueError):  # the bot may have closed the pipe
            emit.event(Failed(_one_line(error), NO_SPACE if no_space(error) else None))
        return 1


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"python -m {WORKER_MODULE}", add_help=False)
    parser.add_argument("job_dir", nargs="?", type=Path)
    parser.add_argument(LIFELINE_FLAG, dest="lifeline", action="store_true")
    parser.add_argument(STANDBY_FLAG, dest="jobs_dir", type=Path)
    parser.add_argument(THREADS_FLAG, dest="threads", type=int, default=1)
    parser.add_argument(BROKER_FLAG, dest="broker")
    parser.add_argument(CONCURRENCY_FLAG, dest="concurrency", type=int, default=1)
    arguments, unknown = parser.parse_known_args(argv)
    modes = [arguments.job_dir, arguments.jobs_dir, arguments.broker]
    if unknown or sum(mode is not None for mode in modes) != 1 or arguments.concurrency < 1:
        raise ValueError(
            f"usage: python -m {WORKER_MODULE} JOB_DIR [{LIFELINE_FLAG}]"
            f" | {STANDBY_FLAG} JOBS_DIR [{THREADS_FLAG} N]"
            f" | {BROKER_FLAG} URL [{CONCURRENCY_FLAG} N]"
        )
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    """Run the job in the directory given on the command line, or wait for one on stdin.

    Returns the exit code.
    """
    emit = Emitter(claim_stdout())
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    signal.signal(signal.SIGTERM, _terminate)
    try:
        arguments = _arguments(list(sys.argv[1:] if argv is None else argv))
    except ValueError as error:
        emit.event(Failed(str(error)))
        return 1
    if arguments.broker is not None:
        from model.distributed.serve import serve

        return serve(arguments.broker, arguments.concurrency)
    if arguments.jobs_dir is not None:
        return standby(arguments.jobs_dir, arguments.threads, emit)
    if arguments.lifeline:
        watch_parent()
    return execute(arguments.job_dir, emit)


def standby(jobs_dir: Path, threads: int, emit: Emitter) -> int:
    """Load TensorFlow, then run the job whose directory comes on stdin; return the exit code.

    A training's wait is mostly TensorFlow starting (seconds of a core), so the bot starts
    a worker like this before anyone asks for one. stdin is its lifeline from the start: a
    waiting worker whose bot is gone, or which the bot no longer needs, exits too.
    """
    lines: queue.SimpleQueue[str] = queue.SimpleQueue()
    watch_parent(lines)
    limit_resources(threads)
    started = time.perf_counter()
    import tensorflow as tf

    # Before anything builds a tensor: TensorFlow takes its thread counts once, at start.
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    for module in _JOB_MODULES:
        importlib.import_module(module)
    emit.event(Ready(import_seconds=round(time.perf_counter() - started, 3)))
    job_dir = Path(lines.get())
    if job_dir.resolve().parent != jobs_dir.resolve():
        emit.event(Failed(f"{job_dir} is not a job directory in {jobs_dir}"))
        return 1
    return execute(job_dir, emit)


if __name__ == "__main__":
    sys.exit(main())
