"""The contract between the bot and a training worker: a job goes in, events and a result come out.

Both sides import this module and nothing else spells its names. It imports neither
TensorFlow nor Telegram, so the bot can load it, and it assumes no more than it says:

- A job is a directory holding `job.json` (a `JobSpec`) and `data.npz` (the inputs). The
  worker reads nothing else and writes only into that directory: the model files under
  `MODEL_STEM`, the charts as `<name>.png`, and `result.json` last. Whoever runs the worker
  moves what it needs out of the directory; nothing assumes the directory is on the bot's
  disk, so a job can travel to another machine and its result travel back.
- While it runs, the worker writes one `Event` a line (JSON) on its protocol channel
  (stdout in a worker process): `Started`, then an `EpochProgress` after every epoch, then
  `Finished` or `Failed`.
- `TrainParams` are what a chat may choose with /set, with the ranges and choices in
  `PARAM_RULES`; the architecture and start names live here too.
- A job for a worker on another machine (`[training] engine = "celery"`) travels as JSON:
  `pack_job` turns a job into the task's payload and `unpack_job` back into a directory;
  `pack_result` and `unpack_result` do the same for the summary and the files it names.
  The Redis keys by which a job reports progress, is stopped and shows that it is alive are
  `events_key`, `cancel_key` and `heartbeat_key` (model.distributed uses them).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import string
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np

__all__ = [
    "ARCHITECTURES",
    "COMPARED_VARIANTS",
    "COMPARISON_CHART",
    "DATA_FILE",
    "DEFAULT_MODEL_PREFIX",
    "FAILED",
    "FINISHED",
    "FIT_VERDICTS",
    "GOOD_FIT",
    "HEARTBEAT_SECONDS",
    "HEARTBEAT_TTL_SECONDS",
    "JOB_FILE",
    "JOB_QUEUE",
    "JOB_TASK",
    "LIFELINE_FLAG",
    "MAX_JOB_BYTES",
    "MAX_RESULT_BYTES",
    "MODEL_STEM",
    "NO_SPACE",
    "OVERFITTING",
    "PARAM_RULES",
    "RESULT_FILE",
    "RESULT_FILES",
    "STANDBY_FLAG",
    "STARTS",
    "STOPPED",
    "TASKS",
    "THREADS_FLAG",
    "TRAINING_CHART",
    "UNFINISHED",
    "VARIANTS",
    "WORKER_MODULE",
    "CompareSummary",
    "EpochProgress",
    "Event",
    "Failed",
    "Finished",
    "JobData",
    "JobSpec",
    "Misclassified",
    "ModelPaths",
    "ParamRule",
    "Ready",
    "RemoteResult",
    "Started",
    "TrainParams",
    "TrainSummary",
    "Variant",
    "cancel_key",
    "event_line",
    "events_key",
    "heartbeat_key",
    "model_paths",
    "pack_job",
    "pack_result",
    "parse_event",
    "read_data",
    "read_spec",
    "standby_command",
    "unpack_job",
    "unpack_result",
    "whole_percent",
    "worker_command",
    "write_job",
]

# --- the job directory --------------------------------------------------------------------------

JOB_FILE: Final = "job.json"
DATA_FILE: Final = "data.npz"
RESULT_FILE: Final = "result.json"  # written last: its presence means the result is complete
MODEL_STEM: Final = "model"  # a training's model: model.keras, model.tflite, model.json

# --- running the worker -------------------------------------------------------------------------

WORKER_MODULE: Final = "model.worker"
# With this flag the worker exits once its stdin closes: a killed bot leaves no orphan training.
LIFELINE_FLAG: Final = "--exit-with-stdin"


# With this flag the worker loads TensorFlow first, then reads its job's directory from stdin.
STANDBY_FLAG: Final = "--standby"
THREADS_FLAG: Final = "--threads"


def whole_percent(fraction: float) -> int:
    """Return a fraction (0..1) as the whole percentage the chat and the charts both show.

    Only what is exactly all or nothing shows as 100 or 0: 0.999 shows 99 and 0.001 shows 1,
    so an answer that is almost sure never reads as certain, and a chart's bar says what the
    report beside it says.
    """
    shown = round(100 * fraction)
    return min(99, max(1, shown)) if 0 < fraction < 1 else shown


def worker_command(job_dir: Path, *, lifeline: bool = True) -> list[str]:
    """Return the command line that runs the job in ``job_dir`` in a worker process."""
    command = [sys.executable, "-m", WORKER_MODULE, str(job_dir)]
    return [*command, LIFELINE_FLAG] if lifeline else command


def standby_command(jobs_dir: Path, threads: int) -> list[str]:
    """Return the command line of a worker that gets ready for a job before there is one.

    It caps itself to ``threads``, loads TensorFlow, says `Ready`, then reads one line from
    stdin: the directory of its job, which must lie in ``jobs_dir``. Its stdin then stays open
    as a lifeline, as with `LIFELINE_FLAG`; closed before a job came, the worker just exits.
    """
    return [
        *(sys.executable, "-m", WORKER_MODULE, STANDBY_FLAG, str(jobs_dir)),
        *(THREADS_FLAG, str(threads)),
    ]


# --- what a job may ask for ---------------------------------------------------------------------

TASKS: Final = ("train", "compare")
ARCHITECTURES: Final = ("cnn", "dense")
DEFAULT_ARCHITECTURE: Final = "cnn"
STARTS: Final = ("pretrained", "scratch")  # from the bundled default model's features, or not


@dataclass(frozen=True)
class Variant:
    """One network of a /compare: an architecture, and whether it starts from the default model."""

    name: str
    architecture: str
    start: str


# /compare: the talk's lesson first, a network that sees pixels alone against one that sees
# shapes, both learning from nothing; then the lesson of transfer learning, the CNN that
# starts from what the bundled default model learned.
VARIANTS: Final = {
    variant.name: variant
    for variant in (
        Variant("dense", "dense", "scratch"),
        Variant("cnn", "cnn", "scratch"),
        Variant("cnn-pretrained", "cnn", "pretrained"),
    )
}
COMPARED_VARIANTS: Final = tuple(VARIANTS)
# The charts a job draws, each from the texts the job gives for it (in the user's language).
TRAINING_CHART: Final = "training"  # a training's curves per epoch and its confusion matrix
COMPARISON_CHART: Final = "comparison"  # /compare's bars
NO_SPACE: Final = "no_space"  # the reason of a job that failed because the disk ran full
# How a training fitted, read from its validation curves (model.learning.curves); a summary
# whose curves said nothing for sure has "" instead.
OVERFITTING: Final = "overfitting"  # validation got worse while training got better
UNFINISHED: Final = "unfinished"  # still improving at the end: more epochs would help
GOOD_FIT: Final = "good_fit"
FIT_VERDICTS: Final = (OVERFITTING, UNFINISHED, GOOD_FIT)


@dataclass(frozen=True)
class TrainParams:
    """What a chat may choose for its training (/set); the ranges are in PARAM_RULES."""

    epochs: int = 40
    learning_rate: float = 1e-3
    batch_size: int = 16
    architecture: str = DEFAULT_ARCHITECTURE  # one of ARCHITECTURES
    validation: float = 0.2  # hold-out fraction, used when every label has >= 20 samples
    start: str = "pretrained"  # one of STARTS

    @classmethod
    def from_json(cls, given: Mapping[str, Any]) -> TrainParams:
        """Return the parameters a job names, the defaults for the rest.

        Raises:
            ValueError: ``given`` names a parameter that does not exist.
        """
        unknown = sorted(set(given) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"{JOB_FILE}: unknown params {', '.join(unknown)}")
        return cls(**given)

    def to_json(self) -> dict[str, Any]:
        """Return the parameters as a JSON object."""
        return asdict(self)


@dataclass(frozen=True)
class ParamRule:
    """The values one parameter may take: a number in [low, high], or one of ``choices``."""

    kind: type
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()

    def accepts(self, value: Any) -> bool:
        """Tell whether ``value`` (already of ``kind``) is valid; NaN never is."""
        if self.choices:
            return value in self.choices
        assert self.low is not None and self.high is not None
        return bool(self.low <= value <= self.high)


# In TrainParams' field order, which is the order /params lists them in.
PARAM_RULES: Final[dict[str, ParamRule]] = {
    "epochs": ParamRule(int, 1, 200),
    "learning_rate": ParamRule(float, 1e-5, 1.0),
    "batch_size": ParamRule(int, 1, 256),
    "architecture": ParamRule(str, choices=ARCHITECTURES),
    "validation": ParamRule(float, 0.05, 0.5),
    "start": ParamRule(str, choices=STARTS),
}
assert tuple(PARAM_RULES) == tuple(f.name for f in fields(TrainParams))

# --- the job ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobSpec:
    """`job.json`: what to do, with which parameters, for which labels."""

    labels: tuple[str, ...]  # the model's outputs, in order; data.npz's y indexes them
    params: TrainParams = TrainParams()
    task: Literal["train", "compare"] = "train"
    seed: int = 0  # seeds the splits, the shuffling and the initial weights
    threads: int = 1  # TensorFlow's threads
    variants: tuple[str, ...] = ()  # compare only: names of VARIANTS, validated on the same splits
    # The translated texts of each chart (the keyword arguments of model.learning.charts'
    # functions, how the language writes numbers included), by chart name; a chart without
    # them is not drawn.
    texts: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return job.json's object."""
        return {
            "task": self.task,
            "labels": list(self.labels),
            "params": self.params.to_json(),
            "seed": self.seed,
            "threads": self.threads,
            "variants": list(self.variants),
            "texts": self.texts,
        }

    @classmethod
    def from_json(cls, description: Any) -> JobSpec:
        """Check and return job.json's object.

        Raises:
            ValueError: The job is malformed, with a one-line reason.
        """
        if not isinstance(description, dict):
            raise ValueError(f"{JOB_FILE} must hold a JSON object")
        task = description.get("task", "train")
        labels = description.get("labels")
        params = description.get("params", {})
        seed = description.get("seed", 0)
        threads = description.get("threads", 1)
        variants = description.get("variants", [])
        texts = description.get("texts", {})
        if task not in TASKS:
            raise ValueError(f"{JOB_FILE}: task must be one of {', '.join(TASKS)}")
        if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
            raise ValueError(f"{JOB_FILE}: labels must be a list of strings")
        if not isinstance(params, dict):
            raise ValueError(f"{JOB_FILE}: params must be an object")
        if not isinstance(variants, list) or not all(v in VARIANTS for v in variants):
            raise ValueError(f"{JOB_FILE}: variants must be a list of {', '.join(VARIANTS)}")
        if task == "compare" and len(variants) < 2:
            raise ValueError(f"{JOB_FILE}: a compare needs at least two variants")
        if not isinstance(texts, dict) or not all(
            isinstance(chart, dict) and all(isinstance(v, str) for v in chart.values())
            for chart in texts.values()
        ):
            raise ValueError(f"{JOB_FILE}: texts must map chart names to objects of strings")
        if not isinstance(seed, int) or not isinstance(threads, int) or threads < 1:
            raise ValueError(f"{JOB_FILE}: seed must be an integer and threads a positive integer")
        return cls(
            labels=tuple(labels),
            params=TrainParams.from_json(params),
            task=task,
            seed=seed,
            threads=threads,
            variants=tuple(variants),
            texts=texts,
        )


@dataclass(frozen=True)
class JobData:
    """`data.npz`: the chat's labelled inputs as stored, one row per sample."""

    x: np.ndarray  # uint8 (N, size, size), 0..255 as stored: bright ink on black
    y: np.ndarray  # int64 indices into the job's labels
    sample_ids: np.ndarray  # int64, to name the misclassified samples in the result


def write_job(job_dir: Path, spec: JobSpec, data: JobData) -> None:
    """Create ``job_dir`` with job.json and data.npz."""
    job_dir.mkdir(parents=True, exist_ok=True)
    np.savez(
        job_dir / DATA_FILE,
        x=np.asarray(data.x, dtype=np.uint8),
        y=np.asarray(data.y, dtype=np.int64),
        sample_ids=np.asarray(data.sample_ids, dtype=np.int64),
    )
    (job_dir / JOB_FILE).write_text(json.dumps(spec.to_json()), encoding="utf-8")


def read_spec(job_dir: Path) -> JobSpec:
    """Read and check job.json.

    Raises:
        ValueError: The job is malformed, with a one-line reason.
        OSError: The file is missing or unreadable.
    """
    with (job_dir / JOB_FILE).open(encoding="utf-8") as file:
        return JobSpec.from_json(json.load(file))


def read_data(job_dir: Path, labels: Sequence[str]) -> JobData:
    """Read and check data.npz against the job's ``labels``.

    Raises:
        ValueError: The data is malformed, with a one-line reason.
        OSError: The file is missing or unreadable.
    """
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
    return JobData(x, y.astype(np.int64), sample_ids.astype(np.int64))


# --- model files --------------------------------------------------------------------------------

# The bundled model for the labels smile, sad, neutral and upside-down: it answers until a chat
# trains its own, and a chat's CNN starts from its features (rebuilt by
# scripts/train_default_model.py).
DEFAULT_MODEL_PREFIX: Final = Path(__file__).resolve().parent / "default" / "smiley-default"


@dataclass(frozen=True)
class ModelPaths:
    """The files of one exported model, and the `.json` sidecar that describes them.

    `.keras` to train on, `.tflite` for the bot's predictions, and `.layers.tflite` for
    /filters: the same network with the outputs of its hidden layers (model.learning.export).
    The sidecar describes the others (labels, input size, preprocessing version, the
    `.tflite` files' SHA-256, the layers' shapes and the first layer's filters) and is always
    written last and removed first: a reader that finds a sidecar finds complete model files.
    """

    keras: Path
    tflite: Path
    layers: Path
    sidecar: Path

    def in_writing_order(self) -> tuple[Path, Path, Path, Path]:
        """Return the four files, the sidecar last."""
        return self.keras, self.tflite, self.layers, self.sidecar


def model_paths(prefix: Path) -> ModelPaths:
    """Return the files of the model exported under ``prefix`` (any dots in it are kept)."""
    prefix = Path(prefix)
    return ModelPaths(
        keras=prefix.with_name(prefix.name + ".keras"),
        tflite=prefix.with_name(prefix.name + ".tflite"),
        layers=prefix.with_name(prefix.name + ".layers.tflite"),
        sidecar=prefix.with_name(prefix.name + ".json"),
    )


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Misclassified:
    """A validation sample the model got wrong: which one, its label and the model's guess."""

    sample_id: int
    true: int
    predicted: int
    true_label: str
    predicted_label: str
    confidence: float = 0.0  # the probability validation gave its guess (0: not recorded)


@dataclass(frozen=True)
class TrainSummary:
    """What a training found out, and where in the job directory its files are.

    The model files are `MODEL_STEM` in the job directory; ``charts`` names each drawn
    chart's file there (a chart that could not be drawn is missing).
    """

    labels: list[str]
    samples: int
    validation_accuracy: float
    per_label_accuracy: dict[str, float]  # recall per true label
    confusion: list[list[int]]  # rows true, columns predicted, in the order of the labels
    misclassified: list[Misclassified]
    histories: list[dict[str, list[float]]]  # one per validation run
    final_history: dict[str, list[float]]
    mode: str  # "kfold" | "holdout"
    folds: int
    seconds: float
    pretrained_layers: int  # layers taken from the default model; 0 from scratch
    export_seconds: float
    # How far the filters moved in training, as a share of their size at the start (the
    # default model's, or random ones from scratch); 0.0 from a worker that did not say.
    filter_change: float = 0.0
    charts: dict[str, str] = field(default_factory=dict)  # chart name -> file name
    # The samples the validation runs judged (every one in k-fold, the hold-out's part).
    validated_ids: list[int] = field(default_factory=list)
    # Read from the validation curves: the epoch (1-based) of the lowest smoothed mean
    # validation loss, 0 when too short to tell, and one of FIT_VERDICTS or "".
    best_epoch: int = 0
    fit_verdict: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the summary as a JSON object."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TrainSummary:
        """Parse a summary (raises KeyError, TypeError or ValueError when it is none)."""
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        values["misclassified"] = [Misclassified(**item) for item in data["misclassified"]]
        return cls(**values)


@dataclass(frozen=True)
class CompareSummary:
    """Validation accuracy of several variants on the very same validation runs."""

    labels: list[str]
    samples: int
    accuracies: dict[str, float]  # variant -> pooled validation accuracy, in the job's order
    fold_accuracies: dict[str, list[float]]  # variant -> accuracy of each run
    mode: str  # "kfold" | "holdout"
    folds: int
    seconds: float
    charts: dict[str, str] = field(default_factory=dict)  # chart name -> file name

    def to_json(self) -> dict[str, Any]:
        """Return the summary as a JSON object."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CompareSummary:
        """Parse a summary (raises KeyError, TypeError or ValueError when it is none)."""
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


# --- events -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ready:
    """A standby worker has loaded TensorFlow and waits for its job."""

    import_seconds: float


@dataclass(frozen=True)
class Started:
    """The job has begun: how many epochs it will run in all, over how many validation runs."""

    total: int
    folds: int
    mode: str  # "kfold" | "holdout"
    import_seconds: float = 0.0


@dataclass(frozen=True)
class EpochProgress:
    """One finished epoch, reported while the job runs."""

    # "validation" (a fold or the hold-out run) or "final" (the model that will serve); in a
    # compare, the name of the variant being validated.
    phase: str
    fold: int  # 1-based; 0 in the final phase
    folds: int  # number of validation runs (k for k-fold, 1 for hold-out)
    epoch: int  # 1-based within this run
    epochs: int
    done: int  # epochs finished over the WHOLE job (all folds + final)
    total: int  # epochs in the whole job
    loss: float  # on the training samples
    accuracy: float  # on the training samples
    val_loss: float | None
    val_accuracy: float | None


@dataclass(frozen=True)
class Finished:
    """The job is done and result.json holds ``result`` (a TrainSummary or CompareSummary)."""

    result: dict[str, Any]


@dataclass(frozen=True)
class Failed:
    """The job failed: a one-line error for people, and ``reason`` NO_SPACE for a full disk."""

    error: str
    reason: str | None = None


Event = Ready | Started | EpochProgress | Finished | Failed
_EVENT_NAMES: Final[dict[type, str]] = {
    Ready: "ready",
    Started: "started",
    EpochProgress: "epoch",
    Finished: "finished",
    Failed: "failed",
}
_EVENT_TYPES: Final = {name: kind for kind, name in _EVENT_NAMES.items()}


def event_line(event: Event) -> str:
    """Return the protocol line of ``event``: one JSON object, newline-terminated."""
    fields_ = {k: v for k, v in asdict(event).items() if not (k == "reason" and v is None)}
    return json.dumps({"event": _EVENT_NAMES[type(event)], **fields_}, ensure_ascii=False) + "\n"


def parse_event(line: str | bytes) -> Event | None:
    """Return the event a protocol line holds, or None for a line that is no event."""
    try:
        data = json.loads(line)
        kind = _EVENT_TYPES[data.pop("event")]
        event: Event = kind(**data)
        return event
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


# --- a job on another machine -------------------------------------------------------------------
#
# A worker elsewhere shares no disk with the bot, so the job's directory travels inside the
# Celery task's JSON payload and its result comes back the same way. Only JSON crosses the
# broker (Celery is configured to refuse pickle), and data.npz is read with
# allow_pickle=False: a payload can carry arrays, never code.

JOB_TASK: Final = "smiley.run_job"  # the Celery task's name, sent by name: the bot never imports it
JOB_QUEUE: Final = "smiley-training"
# Bounds that keep one message far below Redis' 512 MB a value: 28x28 drawings take 784 bytes
# each before compression, a chat's model files under 1 MB in all.
MAX_JOB_BYTES: Final = 32 * 2**20  # data.npz
MAX_RESULT_BYTES: Final = 32 * 2**20  # the model files and charts together
# The worker sets its heartbeat key every HEARTBEAT_SECONDS with this time to live: a worker
# killed mid-job leaves a key that lapses within HEARTBEAT_TTL_SECONDS, and the bot sends the
# job again (model.distributed.task says why this and not Redis' redelivery).
# Five beats to a lapse: a beat late by seconds (a loaded machine, a long call into C++
# holding Python's lock) is no death.
HEARTBEAT_SECONDS: Final = 2.0
HEARTBEAT_TTL_SECONDS: Final = 10
FINISHED: Final = "finished"
FAILED: Final = "failed"
STOPPED: Final = "stopped"  # the job saw its cancel key and ended early, on purpose
_JOB_ID_CHARACTERS: Final = frozenset(string.ascii_letters + string.digits + "-_.")
_MAX_JOB_ID: Final = 64
_KEY_PREFIX: Final = "smiley:job:"
# What a result may carry back, by file name: nothing else is ever written from one.
RESULT_FILES: Final = frozenset(
    [path.name for path in model_paths(Path(MODEL_STEM)).in_writing_order()]
    + [f"{chart}.png" for chart in (TRAINING_CHART, COMPARISON_CHART)]
)


def _checked_job_id(job_id: Any) -> str:
    """Return ``job_id`` if it is safe in a Redis key and a Celery task id (raises ValueError)."""
    if (
        not isinstance(job_id, str)
        or not 0 < len(job_id) <= _MAX_JOB_ID
        or not set(job_id) <= _JOB_ID_CHARACTERS
    ):
        raise ValueError(f"a job id is 1-{_MAX_JOB_ID} letters, digits, '-', '_' or '.'")
    return job_id


def events_key(job_id: str) -> str:
    """Return the Redis list the job's event lines are pushed onto, in order."""
    return f"{_KEY_PREFIX}{_checked_job_id(job_id)}:events"


def cancel_key(job_id: str) -> str:
    """Return the Redis key whose presence asks the job to stop (/stop)."""
    return f"{_KEY_PREFIX}{_checked_job_id(job_id)}:cancel"


def heartbeat_key(job_id: str) -> str:
    """Return the Redis key that exists while a worker is running the job."""
    return f"{_KEY_PREFIX}{_checked_job_id(job_id)}:alive"


def pack_job(job_id: str, spec: JobSpec, data: JobData) -> dict[str, Any]:
    """Return the task payload of a job: its spec and its data.npz, base64-encoded.

    Raises:
        ValueError: The job id is malformed, or the data exceeds MAX_JOB_BYTES.
    """
    buffer = io.BytesIO()
    # Compressed: drawings are mostly black, and every byte crosses the network twice.
    np.savez_compressed(
        buffer,
        x=np.asarray(data.x, dtype=np.uint8),
        y=np.asarray(data.y, dtype=np.int64),
        sample_ids=np.asarray(data.sample_ids, dtype=np.int64),
    )
    if buffer.tell() > MAX_JOB_BYTES:
        raise ValueError(f"{DATA_FILE} of {buffer.tell()} bytes exceeds {MAX_JOB_BYTES}")
    return {
        "job_id": _checked_job_id(job_id),
        "spec": spec.to_json(),
        "data": base64.b64encode(buffer.getvalue()).decode("ascii"),
    }


def _decoded(text: Any, limit: int, what: str) -> bytes:
    if not isinstance(text, str) or len(text) > (limit + 2) // 3 * 4:
        raise ValueError(f"{what} must be base64 of at most {limit} bytes")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise ValueError(f"{what} is no valid base64") from error


def unpack_job(payload: Any, job_dir: Path) -> str:
    """Write a task payload into ``job_dir`` as the job directory it came from; return its id.

    Only the shape is checked here; `read_spec` and `read_data` check the contents, as for
    a local job.

    Raises:
        ValueError: The payload is malformed, with a one-line reason.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("spec"), dict):
        raise ValueError("a job payload is an object with job_id, spec and data")
    job_id = _checked_job_id(payload.get("job_id"))
    data = _decoded(payload.get("data"), MAX_JOB_BYTES, DATA_FILE)
    job_dir.mkdir(parents=True, exist_ok=True)
    (job_dir / DATA_FILE).write_bytes(data)
    (job_dir / JOB_FILE).write_text(json.dumps(payload["spec"]), encoding="utf-8")
    return job_id


@dataclass(frozen=True)
class RemoteResult:
    """What a remote job returned: how it ended, its summary and the files written from it."""

    job_id: str
    status: str  # FINISHED, FAILED or STOPPED
    summary: dict[str, Any] | None  # result.json's object after FINISHED, else None
    error: str | None = None  # after FAILED: a one-line error for people
    reason: str | None = None  # after FAILED: NO_SPACE for a full disk, else None
    files: tuple[str, ...] = ()  # names of the files written into the target directory


def pack_result(
    job_id: str,
    status: str,
    job_dir: Path | None = None,
    summary: Mapping[str, Any] | None = None,
    *,
    error: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Return the task's JSON result: the summary and the model files and charts in ``job_dir``.

    ``summary`` is result.json's object (a TrainSummary's or CompareSummary's `to_json`).

    Raises:
        ValueError: The files exceed MAX_RESULT_BYTES together.
    """
    files: dict[str, str] = {}
    size = 0
    if job_dir is not None and summary is not None:
        for name in sorted(RESULT_FILES):
            path = job_dir / name
            if path.is_file():
                content = path.read_bytes()
                size += len(content)
                files[name] = base64.b64encode(content).decode("ascii")
        if size > MAX_RESULT_BYTES:
            raise ValueError(f"the result's {size} bytes of files exceed {MAX_RESULT_BYTES}")
    return {
        "job_id": _checked_job_id(job_id),
        "status": status,
        "summary": dict(summary) if summary is not None else None,
        "error": error,
        "reason": reason,
        "files": files,
    }


def unpack_result(result: Any, target_dir: Path) -> RemoteResult:
    """Check a task's result and write the files it carries into ``target_dir``.

    Only the names in RESULT_FILES are ever written, so a result cannot place a file
    anywhere else. The bot then moves them as it moves a local job's.

    Raises:
        ValueError: The result is malformed, with a one-line reason.
    """
    if not isinstance(result, dict) or result.get("status") not in (FINISHED, FAILED, STOPPED):
        raise ValueError(f"a job result has a status: {FINISHED}, {FAILED} or {STOPPED}")
    summary, files = result.get("summary"), result.get("files", {})
    if result["status"] == FINISHED and not isinstance(summary, dict):
        raise ValueError("a finished job's result holds its summary")
    if not isinstance(files, dict) or not set(files) <= RESULT_FILES:
        raise ValueError(f"a job result may carry only {', '.join(sorted(RESULT_FILES))}")
    contents = {name: _decoded(text, MAX_RESULT_BYTES, name) for name, text in files.items()}
    if sum(map(len, contents.values())) > MAX_RESULT_BYTES:
        raise ValueError(f"a job result's files exceed {MAX_RESULT_BYTES} bytes")
    target_dir.mkdir(parents=True, exist_ok=True)
    for name, content in contents.items():
        (target_dir / name).write_bytes(content)
    error, reason = result.get("error"), result.get("reason")
    return RemoteResult(
        job_id=_checked_job_id(result.get("job_id")),
        status=result["status"],
        summary=summary if result["status"] == FINISHED else None,
        error=error if isinstance(error, str) else None,
        reason=reason if isinstance(reason, str) else None,
        files=tuple(sorted(contents)),
    )
