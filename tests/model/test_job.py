"""The contract between the bot and a worker: jobs, events and results, parsed in one place."""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model.job import (
    DATA_FILE,
    JOB_FILE,
    LIFELINE_FLAG,
    PARAM_RULES,
    WORKER_MODULE,
    CompareSummary,
    EpochProgress,
    Failed,
    Finished,
    JobData,
    JobSpec,
    Misclassified,
    Started,
    TrainParams,
    TrainSummary,
    event_line,
    model_paths,
    parse_event,
    read_data,
    read_spec,
    whole_percent,
    worker_command,
    write_job,
)

ROOT = Path(__file__).resolve().parents[2]


def _epoch(**changes: object) -> EpochProgress:
    values: dict[str, object] = {
        "phase": "validation",
        "fold": 1,
        "folds": 3,
        "epoch": 2,
        "epochs": 5,
        "done": 2,
        "total": 20,
        "loss": 0.5,
        "accuracy": 0.75,
        "val_loss": None,
        "val_accuracy": None,
    }
    return EpochProgress(**{**values, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "event",
    [
        Started(total=20, folds=3, mode="kfold", import_seconds=1.5),
        _epoch(),
        _epoch(phase="final", fold=0, val_loss=0.25, val_accuracy=1.0),
        Finished({"labels": ["a", "b"], "samples": 10}),
        Failed("label 'wink' has no samples"),
        Failed("No space left on device", reason="no_space"),
    ],
)
def test_every_event_survives_its_line(event: object) -> None:
    line = event_line(event)  # type: ignore[arg-type]
    assert line.endswith("\n") and "\n" not in line[:-1]
    assert parse_event(line) == event
    assert parse_event(line.encode()) == event


def test_a_failure_without_a_reason_says_none() -> None:
    assert json.loads(event_line(Failed("boom"))) == {"event": "failed", "error": "boom"}


@pytest.mark.parametrize(
    "line",
    [
        "",
        "not json",
        "[1, 2]",
        '{"no": "event"}',
        '{"event": "unheard-of"}',
        '{"event": "started", "total": 3}',
        '{"event": "failed", "error": "x", "extra": 1}',
    ],
)
def test_a_line_that_is_no_event_is_none(line: str) -> None:
    assert parse_event(line) is None


def test_a_job_is_written_and_read_back(tmp_path: Path) -> None:
    spec = JobSpec(
        labels=("smile", "sad"),
        params=TrainParams(epochs=3, start="scratch"),
        task="compare",
        seed=7,
        threads=2,
        variants=("dense", "cnn"),
        texts={"comparison": {"title": "Vergleich"}},
    )
    x = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    write_job(tmp_path / "job", spec, JobData(x, np.array([0, 1]), np.array([11, 12])))
    assert sorted(p.name for p in (tmp_path / "job").iterdir()) == sorted([DATA_FILE, JOB_FILE])
    assert read_spec(tmp_path / "job") == spec
    data = read_data(tmp_path / "job", spec.labels)
    assert np.array_equal(data.x, x) and data.y.tolist() == [0, 1]
    assert data.sample_ids.tolist() == [11, 12]


@pytest.mark.parametrize(
    ("description", "message"),
    [
        ([], "must hold a JSON object"),
        ({"labels": "ab"}, "labels must be a list of strings"),
        ({"labels": ["a"], "task": "dream"}, "task must be one of train, compare"),
        ({"labels": ["a"], "params": {"epochs": 2, "speed": 3}}, "unknown params speed"),
        ({"labels": ["a"], "task": "compare", "variants": ["cnn"]}, "two variants"),
        ({"labels": ["a"], "task": "compare", "variants": ["cnn", "rnn"]}, "variants must be"),
        ({"labels": ["a"], "threads": 0}, "threads a positive integer"),
        ({"labels": ["a"], "texts": {"history": {"title": 3}}}, "texts must map"),
    ],
)
def test_a_malformed_job_is_refused_in_one_line(description: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        JobSpec.from_json(description)


def test_data_that_does_not_fit_the_labels_is_refused(tmp_path: Path) -> None:
    x = np.zeros((2, 28, 28), np.uint8)
    write_job(tmp_path, JobSpec(labels=("a",)), JobData(x, np.array([0, 1]), np.array([1, 2])))
    with pytest.raises(ValueError, match="y must index the 1 labels"):
        read_data(tmp_path, ("a",))


def test_summaries_survive_json() -> None:
    trained = TrainSummary(
        labels=["a", "b"],
        samples=4,
        validation_accuracy=0.5,
        per_label_accuracy={"a": 1.0, "b": 0.0},
        confusion=[[2, 0], [2, 0]],
        misclassified=[Misclassified(9, 1, 0, "b", "a")],
        histories=[{"loss": [1.0]}],
        final_history={"loss": [0.5]},
        mode="kfold",
        folds=2,
        seconds=1.0,
        pretrained_layers=4,
        export_seconds=0.2,
        charts={"history": "history.png"},
        best_epoch=7,
        fit_verdict="overfitting",
    )
    assert TrainSummary.from_json(json.loads(json.dumps(trained.to_json()))) == trained
    compared = CompareSummary(["a", "b"], 4, {"dense": 0.5}, {"dense": [0.5]}, "kfold", 2, 1.0)
    assert CompareSummary.from_json(json.loads(json.dumps(compared.to_json()))) == compared


def test_every_parameter_has_a_rule_and_its_default_obeys_it() -> None:
    defaults = TrainParams().to_json()
    assert list(PARAM_RULES) == list(defaults)
    for name, rule in PARAM_RULES.items():
        assert isinstance(defaults[name], rule.kind) and rule.accepts(defaults[name]), name
    assert not PARAM_RULES["epochs"].accepts(0) and not PARAM_RULES["epochs"].accepts(201)
    assert not PARAM_RULES["learning_rate"].accepts(math.nan)
    assert not PARAM_RULES["architecture"].accepts("rnn")


def test_model_files_keep_dots_in_the_prefix() -> None:
    paths = model_paths(Path("/m/chat.v1"))
    assert [p.name for p in paths.in_writing_order()] == [
        "chat.v1.keras",
        "chat.v1.tflite",
        "chat.v1.layers.tflite",
        "chat.v1.json",
    ]


def test_the_worker_command_runs_the_worker_module() -> None:
    command = worker_command(Path("/jobs/run-1"))
    assert command[1:] == ["-m", WORKER_MODULE, "/jobs/run-1", LIFELINE_FLAG]
    assert LIFELINE_FLAG not in worker_command(Path("/jobs/run-1"), lifeline=False)


def test_the_contract_imports_neither_tensorflow_nor_telegram() -> None:
    code = (
        "import sys, model.job\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & "
        "{'tensorflow', 'keras', 'telegram', 'aiosqlite'}))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"


def test_whole_percent_reads_certain_only_when_it_is() -> None:
    assert [whole_percent(f) for f in (0.0, 0.001, 0.004, 0.5, 0.996, 1.0)] == [
        0,
        1,
        1,
        50,
        99,
        100,
    ]
