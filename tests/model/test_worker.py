"""The training worker as the bot runs it: a subprocess speaking JSON lines."""

import errno
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model.inference import Classifier
from model.synthetic import LABELS
from model.worker import RESULT_FILE, no_space
from tests.model.test_training import synthetic_inputs

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120


def _write_job(job_dir: Path, labels: list[str], per_label: int, **params: Any) -> np.ndarray:
    """Write job.json and data.npz as the bot does; return the sample ids."""
    x, y = synthetic_inputs(per_label, seed=21, labels=LABELS)
    sample_ids = np.arange(len(y), dtype=np.int64) * 7 + 100
    np.savez(
        job_dir / "data.npz",
        x=np.round(x * 255).astype(np.uint8),
        y=y,
        sample_ids=sample_ids,
    )
    job = {
        "params": params,
        "labels": labels,
        "output_prefix": str(job_dir / "models" / "chat-1"),
        "seed": 0,
        "threads": 1,
    }
    (job_dir / "job.json").write_text(json.dumps(job), encoding="utf-8")
    return sample_ids


def _run_worker(job_dir: Path) -> tuple[int, list[dict[str, Any]], str]:
    """Run `python -m model.worker JOB_DIR`; return its exit code, stdout events and stderr."""
    completed = subprocess.run(
        [sys.executable, "-m", "model.worker", str(job_dir)],
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
    sample_ids = _write_job(tmp_path, list(LABELS), per_label=3, epochs=2, batch_size=8)
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

    for key in ("keras", "tflite", "sidecar"):
        assert Path(result[key]).is_file()
    prefix = Path(result["sidecar"]).with_suffix("")
    assert prefix == tmp_path / "models" / "chat-1"
    classifier = Classifier.load(prefix)
    assert classifier.labels == LABELS
    # No temporary file is left next to the model.
    assert sorted(path.name for path in prefix.parent.iterdir()) == [
        "chat-1.json",
        "chat-1.keras",
        "chat-1.tflite",
    ]


def test_a_malformed_job_fails_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "job.json").write_text(json.dumps({"labels": ["a", "b"]}), encoding="utf-8")
    code, events, stderr = _run_worker(tmp_path)
    assert code == 1
    assert events == [
        {"event": "failed", "error": "job.json: output_prefix must be an absolute path"}
    ]
    assert "Traceback" in stderr


def test_a_label_without_samples_fails_with_a_clear_error(tmp_path: Path) -> None:
    _write_job(tmp_path, [*LABELS, "wink"], per_label=2, epochs=1)
    code, events, stderr = _run_worker(tmp_path)
    assert code == 1
    assert events[-1] == {"event": "failed", "error": "label 'wink' has no samples"}
    assert all(event["event"] != "finished" for event in events)
    assert "Traceback" in stderr
    assert not (tmp_path / RESULT_FILE).exists()
    assert not (tmp_path / "models").exists()


def test_sigterm_stops_a_job_without_leaving_files(tmp_path: Path) -> None:
    _write_job(tmp_path, list(LABELS), per_label=3, epochs=50)
    process = subprocess.Popen(
        [sys.executable, "-m", "model.worker", str(tmp_path)],
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
    assert not (tmp_path / "models").exists()


def test_a_full_disk_is_recognised_however_deep_keras_wraps_it() -> None:
    full = OSError(errno.ENOSPC, "No space left on device")
    wrapped = ValueError("could not save the model")
    wrapped.__cause__ = full
    assert no_space(full) and no_space(wrapped)
    assert not no_space(OSError(errno.EACCES, "Permission denied"))
    assert not no_space(ValueError("label 'wink' has no samples"))
