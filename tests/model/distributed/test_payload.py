"""A job's payload and result as JSON: compact, checked, and never pickled."""

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest

from model.distributed import redacted_url
from model.job import (
    FINISHED,
    JobData,
    JobSpec,
    TrainParams,
    events_key,
    pack_job,
    pack_result,
    read_data,
    read_spec,
    unpack_job,
    unpack_result,
)


def test_a_packed_job_unpacks_to_the_same_job(tmp_path: Path) -> None:
    spec = JobSpec(labels=("smile", "sad"), params=TrainParams(epochs=3), seed=4)
    data = JobData(
        np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28),
        np.array([0, 1]),
        np.array([7, 9]),
    )
    payload = json.loads(json.dumps(pack_job("chat-1.run-2", spec, data)))
    assert unpack_job(payload, tmp_path) == "chat-1.run-2"
    assert read_spec(tmp_path) == spec
    again = read_data(tmp_path, spec.labels)
    assert np.array_equal(again.x, data.x) and again.sample_ids.tolist() == [7, 9]


def test_data_with_pickled_objects_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    np.savez(
        buffer, x=np.array([object()], dtype=object), y=np.array([0]), sample_ids=np.array([0])
    )
    payload = {
        "job_id": "evil",
        "spec": {"labels": ["a", "b"]},
        "data": base64.b64encode(buffer.getvalue()).decode(),
    }
    unpack_job(payload, tmp_path)
    with pytest.raises(ValueError, match="pickle"):
        read_data(tmp_path, ["a", "b"])


@pytest.mark.parametrize("job_id", ["", "a b", "../x", "x:cancel", "é", "x" * 65, 5])
def test_job_ids_are_safe_in_redis_keys(job_id: object) -> None:
    with pytest.raises(ValueError, match="job id"):
        events_key(job_id)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["../model.keras", "/tmp/x", "result.json", "model.py"])
def test_a_result_writes_only_the_files_a_job_makes(tmp_path: Path, name: str) -> None:
    result = pack_result("job", FINISHED, summary={"labels": []})
    result["files"] = {name: base64.b64encode(b"x").decode()}
    with pytest.raises(ValueError, match="may carry only"):
        unpack_result(result, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_redacted_url_masks_the_password() -> None:
    assert redacted_url("redis://:secret@host:6379/0") == "redis://:**@host:6379/0"


def test_a_result_too_large_to_send_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("model.job.MAX_RESULT_BYTES", 10)
    (tmp_path / "model.keras").write_bytes(b"x" * 11)
    with pytest.raises(ValueError, match="exceed"):
        pack_result("job", FINISHED, tmp_path, {"labels": []})
