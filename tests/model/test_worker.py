"""The training worker as the bot runs it: a subprocess speaking JSON lines."""

import contextlib
import errno
import io
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model.job import (
    MODEL_STEM,
    RESULT_FILE,
    JobData,
    JobSpec,
    TrainParams,
    model_paths,
    standby_command,
    worker_command,
    write_job,
)
from model.serving.inference import Classifier
from model.synthetic import LABELS
from model.worker import Emitter, execute, no_space
from tests.model.conftest import synthetic_inputs

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120


TRAINING_TEXTS = {
    "title": "Verlauf",
    "loss": "Verlust",
    "accuracy": "Genauigkeit",
    "epoch": "Epoche",
    "training": "Training",
    "validation": "Validierung",
    "confusion_title": "Konfusionsmatrix",
    "true": "richtig",
    "predicted": "erkannt",
    "best": "am besten: Epoche {epoch}",
}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _write_job(
    job_dir: Path,
    labels: list[str],
    per_label: int,
    extra: dict[str, Any] | None = None,
    **params: Any,
) -> np.ndarray:
    """Write job.json and data.npz as the bot does; return the sample ids."""
    # Only labels the generator knows get samples ("wink" gets none).
    x, y = synthetic_inputs(per_label, seed=21, labels=tuple(n for n in labels if n in LABELS))
    sample_ids = np.arange(len(y), dtype=np.int64) * 7 + 100
    spec = JobSpec(labels=tuple(labels), params=TrainParams(**params), **(extra or {}))
    write_job(job_dir, spec, JobData(np.round(x * 255).astype(np.uint8), y, sample_ids))
    return sample_ids


def _model_files(job_dir: Path) -> list[Path]:
    return sorted(job_dir.glob(f"{MODEL_STEM}.*"))


def _run_here(
    job_dir: Path, caplog: pytest.LogCaptureFixture
) -> tuple[int, list[dict[str, Any]], str]:
    """Run the job as the worker does, in this process (TensorFlow is loaded once for all).

    Returns the exit code, the events and what went to stderr and the log. What only a
    process of its own shows (stdout kept for the protocol, signals, priorities) is tested
    with `_run_worker`.
    """
    channel, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(errors), caplog.at_level(logging.INFO):
        code = execute(job_dir, Emitter(channel), own_process=False)
    events = [json.loads(line) for line in channel.getvalue().splitlines()]
    return code, events, errors.getvalue() + caplog.text


def _run_worker(job_dir: Path) -> tuple[int, list[dict[str, Any]], str]:
    """Run `python -m model.worker JOB_DIR`; return its exit code, stdout events and stderr."""
    completed = subprocess.run(
        worker_command(job_dir, lifeline=False),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    # Every stdout line must be a JSON object: TensorFlow's noise belongs on stderr.
    events = [json.loads(line) for line in completed.stdout.splitlines()]
    return completed.returncode, events, completed.stderr


def test_a_job_reports_progress_and_exports_the_model(tmp_path: Path) -> None:
    texts = {"training": TRAINING_TEXTS}
    sample_ids = _write_job(
        tmp_path, list(LABELS), per_label=3, extra={"texts": texts}, epochs=2, batch_size=8
    )
    code, events, stderr = _run_worker(tmp_path)
    assert code == 0, stderr

    started, *epochs, finished = events
    assert started["event"] == "started"
    assert (started["mode"], started["folds"], started["total"]) == ("kfold", 3, (3 + 1) * 2)
    assert all(event["event"] == "epoch" for event in epochs)
    assert [event["done"] for event in epochs] == list(range(1, started["total"] + 1))
    assert epochs[0]["phase"] == "validation" and epochs[-1]["phase"] == "final"
    assert epochs[-1]["val_loss"] is None

    assert finished["event"] == "finished"
    result = finished["result"]
    assert json.loads((tmp_path / RESULT_FILE).read_text(encoding="utf-8")) == result
    assert (result["mode"], result["folds"]) == ("kfold", 3)
    confusion = np.array(result["confusion"])
    assert confusion.sum() == len(sample_ids)
    assert result["validation_accuracy"] == pytest.approx(np.trace(confusion) / len(sample_ids))
    assert set(result["per_label_accuracy"]) == set(LABELS)
    assert len(result["misclassified"]) == len(sample_ids) - np.trace(confusion)
    for item in result["misclassified"]:
        assert item["sample_id"] in sample_ids
        assert item["true"] != item["predicted"]
        assert item["true_label"] == LABELS[item["true"]]
    assert len(result["histories"]) == 3
    assert len(result["final_history"]["loss"]) == 2
    # Two epochs are too few to read the curves: no best epoch, no verdict.
    assert (result["best_epoch"], result["fit_verdict"]) == (0, "")

    prefix = tmp_path / MODEL_STEM
    for path in model_paths(prefix).in_writing_order():
        assert path.is_file()
    assert set(result["charts"]) == {"training"}
    for chart in result["charts"].values():
        assert (tmp_path / chart).read_bytes().startswith(PNG_MAGIC)
    classifier = Classifier.load(prefix)
    assert classifier.labels == LABELS
    # No temporary file is left next to the model.
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "data.npz",
        "job.json",
        "model.json",
        "model.keras",
        "model.layers.tflite",
        "model.tflite",
        RESULT_FILE,
        "training.png",
    ]


def test_a_malformed_job_fails_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "job.json").write_text(json.dumps({"labels": "ab"}), encoding="utf-8")
    code, events, stderr = _run_worker(tmp_path)
    assert code == 1
    assert events == [{"event": "failed", "error": "job.json: labels must be a list of strings"}]
    assert "Traceback" in stderr


def test_a_label_without_samples_fails_with_a_clear_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _write_job(tmp_path, [*LABELS, "wink"], per_label=2, epochs=1)
    code, events, stderr = _run_here(tmp_path, caplog)
    assert code == 1
    assert events[-1] == {"event": "failed", "error": "label 'wink' has no samples"}
    assert all(event["event"] != "finished" for event in events)
    assert "Traceback" in stderr
    assert not (tmp_path / RESULT_FILE).exists()
    assert not _model_files(tmp_path)


def test_sigterm_stops_a_job_without_leaving_files(tmp_path: Path) -> None:
    _write_job(tmp_path, list(LABELS), per_label=3, epochs=50)
    process = subprocess.Popen(
        worker_command(tmp_path, lifeline=False),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if json.loads(line)["event"] == "epoch":
                break  # training is under way: now the bot says /stop
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=TIMEOUT) == 128 + signal.SIGTERM
    finally:
        process.kill()
        process.wait()
    assert not (tmp_path / RESULT_FILE).exists()
    assert not _model_files(tmp_path)


def test_a_full_disk_is_recognised_however_deep_keras_wraps_it() -> None:
    full = OSError(errno.ENOSPC, "No space left on device")
    wrapped = ValueError("could not save the model")
    wrapped.__cause__ = full
    assert no_space(full) and no_space(wrapped)
    assert not no_space(OSError(errno.EACCES, "Permission denied"))
    assert not no_space(ValueError("label 'wink' has no samples"))


def test_a_job_without_chart_texts_draws_no_chart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _write_job(tmp_path, list(LABELS[:2]), per_label=2, epochs=1)
    code, events, stderr = _run_here(tmp_path, caplog)
    assert code == 0, stderr
    assert events[-1]["result"]["charts"] == {}
    assert not list(tmp_path.glob("*.png"))


def test_a_chart_that_fails_does_not_fail_the_training(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = {"training": {**TRAINING_TEXTS, "no_such_argument": "x"}}
    _write_job(tmp_path, list(LABELS[:2]), per_label=2, extra={"texts": broken}, epochs=1)
    code, events, stderr = _run_here(tmp_path, caplog)
    assert code == 0, stderr
    assert events[-1]["result"]["charts"] == {}
    assert "could not draw the training chart" in stderr


def test_a_compare_validates_each_variant_on_the_same_folds_and_exports_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    texts = {"comparison": {"title": "Vergleich", "ylabel": "Genauigkeit"}}
    job = {"task": "compare", "variants": ("dense", "cnn", "cnn-pretrained"), "texts": texts}
    sample_ids = _write_job(tmp_path, list(LABELS[:3]), per_label=3, extra=job, epochs=2)
    code, events, stderr = _run_here(tmp_path, caplog)
    assert code == 0, stderr

    started, *epochs, finished = events
    assert (started["mode"], started["folds"], started["total"]) == ("kfold", 3, 3 * 3 * 2)
    assert [event["phase"] for event in epochs] == (
        ["dense"] * 6 + ["cnn"] * 6 + ["cnn-pretrained"] * 6
    )
    assert [event["done"] for event in epochs] == list(range(1, 19))
    result = finished["result"]
    assert list(result["accuracies"]) == ["dense", "cnn", "cnn-pretrained"]
    for name, accuracy in result["accuracies"].items():
        assert 0.0 <= accuracy <= 1.0
        folds = result["fold_accuracies"][name]
        assert len(folds) == 3
        # Pooled over equal folds (3 samples each): the mean of the folds.
        assert accuracy == pytest.approx(sum(folds) / 3)
    assert result["samples"] == len(sample_ids)
    assert (tmp_path / result["charts"]["comparison"]).read_bytes().startswith(PNG_MAGIC)
    assert not _model_files(tmp_path)


def test_a_compare_needs_two_variants(tmp_path: Path) -> None:
    _write_job(tmp_path, list(LABELS[:2]), per_label=2, extra={"task": "compare"}, epochs=1)
    code, events, _ = _run_worker(tmp_path)
    assert code == 1
    assert events == [
        {"event": "failed", "error": "job.json: a compare needs at least two variants"}
    ]


def test_the_worker_gives_way_to_the_bot_for_cpu_time() -> None:
    # In a child process: limit_resources changes the process it runs in for good.
    probe = (
        "import os; from model.worker import limit_resources; limit_resources(1);"
        " limit_resources(1);"  # a standby worker caps itself, then its job does again
        "print(os.sched_getscheduler(0) == os.SCHED_IDLE, os.getpriority(os.PRIO_PROCESS, 0),"
        " os.environ['OMP_NUM_THREADS'])"
    )
    before = os.getpriority(os.PRIO_PROCESS, 0)
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert output == ["True", str(max(10, before)), "1"]


def _standby_worker(jobs_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        standby_command(jobs_dir, threads=1),
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_standby_worker_gets_ready_then_runs_the_job_it_is_given(tmp_path: Path) -> None:
    job_dir = tmp_path / "run-1"
    job_dir.mkdir()
    _write_job(job_dir, list(LABELS[:2]), per_label=3, epochs=1, batch_size=8)
    worker = _standby_worker(tmp_path)
    assert worker.stdout is not None and worker.stdin is not None
    ready = json.loads(worker.stdout.readline())
    # Ready before it has a job: TensorFlow is loaded, and nothing else happened yet.
    assert ready["event"] == "ready" and ready["import_seconds"] > 0
    assert not (job_dir / RESULT_FILE).exists()
    worker.stdin.write(f"{job_dir}\n")
    worker.stdin.flush()
    events = [json.loads(line) for line in worker.stdout]
    worker.stdin.close()
    assert worker.wait(TIMEOUT) == 0, worker.stderr.read() if worker.stderr else ""
    assert [event["event"] for event in (events[0], events[-1])] == ["started", "finished"]
    assert (job_dir / RESULT_FILE).is_file()
    assert Classifier.load(job_dir / MODEL_STEM).labels == LABELS[:2]


def test_a_standby_worker_refuses_a_directory_outside_its_jobs(tmp_path: Path) -> None:
    (tmp_path / "jobs").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _write_job(elsewhere, list(LABELS[:2]), per_label=3, epochs=1)
    worker = _standby_worker(tmp_path / "jobs")
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(f"{elsewhere}\n")
    worker.stdin.flush()  # and stdin stays open: its end would mean that the bot is gone
    ready, failed = (json.loads(line) for line in worker.stdout)
    assert worker.wait(TIMEOUT) == 1
    worker.stdin.close()
    assert ready["event"] == "ready"
    jobs = tmp_path / "jobs"
    assert failed == {"event": "failed", "error": f"{elsewhere} is not a job directory in {jobs}"}
    assert not (elsewhere / RESULT_FILE).exists()


def test_a_standby_worker_exits_when_its_bot_is_gone_even_while_loading(tmp_path: Path) -> None:
    worker = _standby_worker(tmp_path)
    assert worker.stdin is not None
    worker.stdin.close()  # at once: TensorFlow takes seconds to load, the lifeline does not wait
    assert worker.wait(timeout=10) != 0
