"""The training worker: `python -m model.worker JOB_DIR`, a process of its own per training.

The bot starts it, reads its progress and may kill it at any moment (/stop, shutdown); its
exported files are written atomically, so a kill loses the job, never a served model.

Input, in JOB_DIR:

- `job.json`: {"params": {TrainParams fields; missing ones take the defaults}, "labels": [...],
  "output_prefix": "/abs/path/prefix", "seed": 0, "threads": 1, "task": "train"|"compare",
  "architectures": [...] (compare only), "texts": {chart name: {argument: text}}}. "task"
  defaults to "train"; a compare needs no output_prefix, as it exports nothing. "texts" holds
  the translated texts of each chart (the keyword arguments of `model.charts`' functions);
  a chart without them is not drawn.
- `data.npz`: x (uint8, N x size x size, 0..255 as stored), y (int64 label indices),
  sample_ids (int64)

Output: one JSON object a line on stdout, flushed:

- {"event": "started", "total": <epochs in the job>, "folds": k, "mode": "kfold"|"holdout"}
- {"event": "epoch", ...every EpochProgress field...}, after every epoch
- {"event": "finished", "result": {...}}, after `JOB_DIR/result.json` holds the same result;
  exit code 0. The result's "charts" maps chart names ("history", "confusion" after a
  training, "comparison" after a compare) to PNG files in JOB_DIR; a chart that could not be
  drawn is missing (logged on stderr), which never fails the job.
- {"event": "failed", "error": "<one line>"[, "reason": "no_space"]} on any failure (the
  reason when the disk ran full), the traceback on stderr; exit
  code 1

Everything else (TensorFlow's chatter, logs, warnings) goes to stderr.

TensorFlow is imported only after the thread limits are set in the environment (it reads
them once, when it starts), so importing this module does not import it.
"""

import contextlib
import errno
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

if TYPE_CHECKING:  # only for annotations: importing it for real would import TensorFlow
    from model.training import TrainParams

logger = logging.getLogger(__name__)

JOB_FILE = "job.json"
DATA_FILE = "data.npz"
RESULT_FILE = "result.json"
TASKS = ("train", "compare")
# Below the bot's priority: a training must never make the bot slow to answer.
NICENESS = 10
DEFAULT_THREADS = 1
_THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS")
_WHITE = 255.0
_SIGTERM_EXIT = 128 + signal.SIGTERM
# With this flag the worker exits once its stdin closes (see watch_parent).
LIFELINE_FLAG = "--exit-with-stdin"
PIPE_CHUNK = 4096
STDIN_FD = 0
ORPHAN_GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class Job:
    """A training job as the bot describes it."""

    params: dict[str, Any]
    labels: list[str]
    output_prefix: Path
    seed: int
    threads: int
    x: np.ndarray  # uint8 (N, size, size)
    y: np.ndarray  # int64 label indices
    sample_ids: np.ndarray  # int64
    task: str = "train"  # "train" | "compare"
    architectures: tuple[str, ...] = ()  # compare only
    texts: dict[str, dict[str, str]] = field(default_factory=dict)  # per chart


def read_job(job_dir: Path) -> Job:
    """Read and check job.json and data.npz (without TensorFlow).

    Raises:
        ValueError: The job is malformed, with a one-line reason.
        OSError: A file is missing or unreadable.
    """
    with (job_dir / JOB_FILE).open(encoding="utf-8") as file:
        description = json.load(file)
    if not isinstance(description, dict):
        raise ValueError(f"{JOB_FILE} must hold a JSON object")
    params = description.get("params", {})
    labels = description.get("labels")
    prefix = description.get("output_prefix")
    seed = description.get("seed", 0)
    threads = description.get("threads", DEFAULT_THREADS)
    task = description.get("task", "train")
    architectures = description.get("architectures", [])
    texts = description.get("texts", {})
    if task not in TASKS:
        raise ValueError(f"{JOB_FILE}: task must be one of {', '.join(TASKS)}")
    if task == "compare" and prefix is None:
        prefix = str(job_dir.resolve() / "unused")  # a compare exports nothing
    if not isinstance(architectures, list) or not all(isinstance(a, str) for a in architectures):
        raise ValueError(f"{JOB_FILE}: architectures must be a list of strings")
    if task == "compare" and len(architectures) < 2:
        raise ValueError(f"{JOB_FILE}: a compare needs at least two architectures")
    if not isinstance(texts, dict) or not all(
        isinstance(chart, dict) and all(isinstance(v, str) for v in chart.values())
        for chart in texts.values()
    ):
        raise ValueError(f"{JOB_FILE}: texts must map chart names to objects of strings")
    if not isinstance(params, dict):
        raise ValueError(f"{JOB_FILE}: params must be an object")
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise ValueError(f"{JOB_FILE}: labels must be a list of strings")
    if not isinstance(prefix, str) or not Path(prefix).is_absolute():
        raise ValueError(f"{JOB_FILE}: output_prefix must be an absolute path")
    if not isinstance(seed, int) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"{JOB_FILE}: seed must be an integer and threads a positive integer")
    with np.load(job_dir / DATA_FILE, allow_pickle=False) as data:
        try:
            x, y, sample_ids = data["x"], data["y"], data["sample_ids"]
        except KeyError as error:
            raise ValueError(f"{DATA_FILE} lacks {error}") from error
    if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1] != x.shape[2]:
        raise ValueError(f"{DATA_FILE}: x must be uint8 (N, size, size), not {x.dtype} {x.shape}")
    if y.shape != (len(x),) or sample_ids.shape != (len(x),):
        raise ValueError(f"{DATA_FILE}: y and sample_ids must hold one value per sample")
    if not (np.issubdtype(y.dtype, np.integer) and np.issubdtype(sample_ids.dtype, np.integer)):
        raise ValueError(f"{DATA_FILE}: y and sample_ids must be integers")
    if len(y) and (int(y.min()) < 0 or int(y.max()) >= len(labels)):
        raise ValueError(f"{DATA_FILE}: y must index the {len(labels)} labels")
    return Job(
        params,
        labels,
        Path(prefix),
        seed,
        threads,
        x,
        y.astype(np.int64),
        sample_ids,
        task=task,
        architectures=tuple(architectures),
        texts=texts,
    )


def limit_resources(threads: int) -> None:
    """Cap the threads TensorFlow will start and lower this process's priority."""
    for name in _THREAD_VARIABLES:
        os.environ[name] = str(threads)
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # no INFO and WARNING chatter from TF's C++ side
    os.nice(NICENESS)
    if hasattr(os, "sched_setscheduler"):
        # Linux: run only on CPU time nothing else wants. A niced process still takes a
        # share of a core from the bot's event loop when both are busy; an idle-class one
        # steps aside at once, so replies keep their latency while a training runs.
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _begin(
    job: Job, emit: "Emitter", runs: Callable[[int], int]
) -> "tuple[TrainParams, np.ndarray]":
    """Import TensorFlow within the job's thread limit and announce the job's epochs.

    ``runs(folds)`` is how many trainings of ``epochs`` the job makes. Returns the job's
    parameters and its inputs scaled as `model.input_array` scales them.
    """
    started = time.perf_counter()
    # Heavy imports, now that the environment limits them.
    import tensorflow as tf

    from model.training import TrainParams, choose_validation, label_counts

    tf.config.threading.set_intra_op_parallelism_threads(job.threads)
    tf.config.threading.set_inter_op_parallelism_threads(job.threads)
    params = train_params(job.params, TrainParams)
    mode, folds = choose_validation(label_counts(job.y, len(job.labels)), job.labels)
    emit.event(
        "started",
        total=runs(folds) * params.epochs,
        folds=folds,
        mode=mode,
        import_seconds=round(time.perf_counter() - started, 3),
    )
    return params, job.x.astype(np.float32) / _WHITE


def run(job: Job, job_dir: Path, emit: "Emitter") -> dict[str, Any]:
    """Train, export and write result.json; return the result."""
    params, x = _begin(job, emit, lambda folds: folds + 1)  # the folds, then the final run
    from model.export import export_model
    from model.training import train

    result = train(
        x,
        job.y,
        job.labels,
        params,
        seed=job.seed,
        on_epoch=lambda progress: emit.event("epoch", **asdict(progress)),
    )
    export_started = time.perf_counter()
    exported = export_model(result.model, job.labels, job.output_prefix)
    summary = {
        "labels": job.labels,
        "samples": len(x),
        "validation_accuracy": result.validation_accuracy,
        "per_label_accuracy": result.per_label_accuracy,
        "confusion": result.confusion,
        "misclassified": [
            {
                "sample_id": int(job.sample_ids[index]),
                "true": truth,
                "predicted": guess,
                "true_label": job.labels[truth],
                "predicted_label": job.labels[guess],
            }
            for index, truth, guess in result.misclassified
        ],
        "histories": result.histories,
        "final_history": result.final_history,
        "mode": result.mode,
        "folds": result.folds,
        "seconds": result.seconds,
        "pretrained_layers": result.pretrained_layers,
        "export_seconds": time.perf_counter() - export_started,
        "keras": str(exported.keras),
        "tflite": str(exported.tflite),
        "sidecar": str(exported.sidecar),
    }
    # After the export: the model is safe, whatever happens to the pictures.
    summary["charts"] = draw_charts(
        job_dir,
        job.texts,
        {
            "history": lambda charts, texts: charts.history_chart(result.histories, **texts),
            "confusion": lambda charts, texts: charts.confusion_chart(
                result.confusion, job.labels, **texts
            ),
        },
    )
    return _write_result(job_dir, summary)


def run_compare(job: Job, job_dir: Path, emit: "Emitter") -> dict[str, Any]:
    """Validate each of the job's architectures on the same splits; write result.json."""
    params, x = _begin(job, emit, lambda folds: len(job.architectures) * folds)
    from model.training import compare

    comparison = compare(
        x,
        job.y,
        job.labels,
        params,
        job.architectures,
        seed=job.seed,
        on_epoch=lambda progress: emit.event("epoch", **asdict(progress)),
    )
    summary: dict[str, Any] = {
        "labels": job.labels,
        "samples": len(job.y),
        "accuracies": comparison.accuracies,
        "fold_accuracies": comparison.fold_accuracies,
        "mode": comparison.mode,
        "folds": comparison.folds,
        "seconds": comparison.seconds,
    }
    summary["charts"] = draw_charts(
        job_dir,
        job.texts,
        {
            "comparison": lambda charts, texts: charts.comparison_chart(
                list(comparison.accuracies.items()), **texts
            )
        },
    )
    return _write_result(job_dir, summary)


ChartDrawer = Callable[[ModuleType, dict[str, str]], bytes]  # (model.charts, texts) -> PNG


def draw_charts(
    job_dir: Path, texts: dict[str, dict[str, str]], drawers: dict[str, ChartDrawer]
) -> dict[str, str]:
    """Draw each chart that has its texts into JOB_DIR/<name>.png; return name -> path.

    A chart that fails is logged and left out: pictures never fail a job.
    """
    from model import charts

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
        drawn[name] = str(path)
    return drawn


def _write_result(job_dir: Path, summary: dict[str, Any]) -> dict[str, Any]:
    from model.export import write_atomically

    text = json.dumps(summary, ensure_ascii=False) + "\n"
    write_atomically(job_dir / RESULT_FILE, lambda path: path.write_text(text, encoding="utf-8"))
    return summary


def train_params(given: dict[str, Any], params_type: "type[TrainParams]") -> "TrainParams":
    """Build TrainParams from the job's params, rejecting unknown fields."""
    known = {field.name for field in fields(params_type)}
    unknown = sorted(set(given) - known)
    if unknown:
        raise ValueError(f"{JOB_FILE}: unknown params {', '.join(unknown)}")
    return params_type(**given)


class Emitter:
    """Write protocol lines, one JSON object each, to the channel the bot reads."""

    def __init__(self, channel: TextIO) -> None:
        """Write to `channel` (the original stdout)."""
        self._channel = channel

    def event(self, name: str, **fields: Any) -> None:
        """Write one event line and flush it."""
        self._channel.write(json.dumps({"event": name, **fields}, ensure_ascii=False) + "\n")
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


def watch_parent() -> None:
    """Exit when stdin reaches EOF: the bot that started us, holding its end, has died.

    Without this a `kill -9` of the bot would leave its training running as an orphan,
    which would keep a core busy and write a model nobody will serve.
    """

    def wait_for_eof() -> None:
        # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader makes
        # the interpreter abort at exit, as it cannot take the reader's lock.
        while os.read(STDIN_FD, PIPE_CHUNK):
            pass
        logger.warning("the bot is gone: stopping this training")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(ORPHAN_GRACE_SECONDS)  # TensorFlow may hold the main thread in C++
        os._exit(_SIGTERM_EXIT)

    threading.Thread(target=wait_for_eof, name="parent-watch", daemon=True).start()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the job in the directory given on the command line; return the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if LIFELINE_FLAG in arguments:
        arguments.remove(LIFELINE_FLAG)
        watch_parent()
    emit = Emitter(claim_stdout())
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    signal.signal(signal.SIGTERM, _terminate)
    try:
        if len(arguments) != 1:
            raise ValueError(f"usage: python -m model.worker JOB_DIR [{LIFELINE_FLAG}]")
        job_dir = Path(arguments[0])
        job = read_job(job_dir)
        limit_resources(job.threads)
        result = (run_compare if job.task == "compare" else run)(job, job_dir, emit)
        # Only now: the bot may take "finished" to mean result.json is there.
        emit.event("finished", result=result)
        return 0
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        with contextlib.suppress(OSError, ValueError):  # the bot may have closed the pipe
            if no_space(error):
                emit.event("failed", error=_one_line(error), reason="no_space")
            else:
                emit.event("failed", error=_one_line(error))
        return 1


if __name__ == "__main__":
    sys.exit(main())
