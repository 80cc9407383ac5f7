"""Jobs through a real Redis to a real worker process, as the bot will send them."""

import os
import signal
import time
from pathlib import Path

import pytest
import redis
from celery import Celery

from model.distributed import make_app
from model.distributed.client import is_alive, read_events, request_stop, send_job
from model.job import (
    COMPARISON_CHART,
    FINISHED,
    HEARTBEAT_TTL_SECONDS,
    MODEL_STEM,
    STOPPED,
    TRAINING_CHART,
    CompareSummary,
    EpochProgress,
    Failed,
    Finished,
    JobSpec,
    Started,
    TrainParams,
    heartbeat_key,
    unpack_result,
)
from model.serving.inference import Classifier
from tests.model.distributed.conftest import PASSWORD, Worker, job_data, start_worker, wait_for
from tests.model.test_worker import PNG_MAGIC, TRAINING_TEXTS

LABELS = ("smile", "sad")
RESULT_TIMEOUT = 60
STOP_WITHIN_SECONDS = 2.5


@pytest.fixture(scope="module")
def app(broker_url: str) -> Celery:
    """The bot's side of Celery."""
    return make_app(broker_url)


def _epochs_seen(client: redis.Redis, job_id: str) -> int:
    events, _ = read_events(client, job_id)
    return sum(isinstance(event, EpochProgress) for event in events)


def test_a_job_comes_back_with_its_progress_model_and_chart(
    app: Celery, worker: Worker, redis_client: redis.Redis, tmp_path: Path
) -> None:
    spec = JobSpec(
        labels=LABELS, params=TrainParams(epochs=2), texts={TRAINING_CHART: TRAINING_TEXTS}
    )
    started = time.perf_counter()
    result = send_job(app, "round-trip", spec, job_data(5, LABELS)).get(timeout=RESULT_TIMEOUT)
    seconds = time.perf_counter() - started

    remote = unpack_result(result, tmp_path)
    assert remote.status == FINISHED, remote.error
    assert remote.summary is not None and remote.summary["labels"] == list(LABELS)
    assert remote.summary["charts"] == {TRAINING_CHART: f"{TRAINING_CHART}.png"}
    assert (tmp_path / f"{TRAINING_CHART}.png").read_bytes().startswith(PNG_MAGIC)
    assert tuple(Classifier.load(tmp_path / MODEL_STEM).labels) == LABELS
    events, _ = read_events(redis_client, "round-trip")
    assert isinstance(events[0], Started) and isinstance(events[-1], Finished)
    epochs = [event for event in events if isinstance(event, EpochProgress)]
    assert len(epochs) == events[0].total == (events[0].folds + 1) * 2
    assert [event.done for event in epochs] == list(range(1, len(epochs) + 1))
    print(f"round trip {seconds:.2f} s, training {remote.summary['seconds']:.2f} s")


def test_a_compare_comes_back_with_its_chart_and_no_model(
    app: Celery, worker: Worker, tmp_path: Path
) -> None:
    spec = JobSpec(
        labels=LABELS,
        params=TrainParams(epochs=1),
        task="compare",
        variants=("dense", "cnn-pretrained"),
        texts={COMPARISON_CHART: {"title": "Vergleich", "ylabel": "Genauigkeit"}},
    )
    result = send_job(app, "compare", spec, job_data(3, LABELS)).get(timeout=RESULT_TIMEOUT)
    remote = unpack_result(result, tmp_path)
    assert remote.status == FINISHED, remote.error
    assert remote.summary is not None
    assert CompareSummary.from_json(remote.summary).accuracies.keys() == {"dense", "cnn-pretrained"}
    assert remote.files == (f"{COMPARISON_CHART}.png",)


def test_a_failing_job_comes_back_failed_with_its_reason(
    app: Celery, worker: Worker, redis_client: redis.Redis
) -> None:
    data = job_data(3, ("smile", "sad", "neutral"))  # a third label the spec lacks
    result = send_job(app, "bad-data", JobSpec(LABELS), data).get(timeout=RESULT_TIMEOUT)
    assert result["status"] == "failed"
    assert result["error"] == "data.npz: y must index the 2 labels"
    events, _ = read_events(redis_client, "bad-data")
    assert events == [Failed("data.npz: y must index the 2 labels")]


def test_stop_ends_a_running_job_within_seconds(
    app: Celery, worker: Worker, redis_client: redis.Redis
) -> None:
    pending = send_job(
        app, "stop-me", JobSpec(LABELS, TrainParams(epochs=200)), job_data(5, LABELS)
    )
    wait_for(lambda: _epochs_seen(redis_client, "stop-me") > 0, RESULT_TIMEOUT, "an epoch")
    asked = time.monotonic()
    request_stop(redis_client, "stop-me")
    result = pending.get(timeout=RESULT_TIMEOUT)
    seconds = time.monotonic() - asked
    assert seconds < STOP_WITHIN_SECONDS
    print(f"stopped {seconds:.2f} s after the cancel key was set")
    assert result["status"] == STOPPED and result["files"] == {}
    events, _ = read_events(redis_client, "stop-me")
    assert not any(isinstance(event, Failed | Finished) for event in events)


def test_a_job_stopped_while_queued_never_trains(
    app: Celery, worker: Worker, redis_client: redis.Redis
) -> None:
    request_stop(redis_client, "stopped-early")
    pending = send_job(app, "stopped-early", JobSpec(LABELS), job_data(5, LABELS))
    assert pending.get(timeout=RESULT_TIMEOUT)["status"] == STOPPED
    assert read_events(redis_client, "stopped-early") == ([], 0)


def test_a_killed_worker_s_heartbeat_lapses_and_another_worker_runs_the_job_again(
    app: Celery,
    worker: Worker,
    broker_url: str,
    redis_client: redis.Redis,
    tmp_path: Path,
) -> None:
    # The module's worker is busy with a long job meanwhile, so the victim takes this one.
    blocker = send_job(
        app, "blocker", JobSpec(LABELS, TrainParams(epochs=200)), job_data(5, LABELS)
    )
    wait_for(lambda: is_alive(redis_client, "blocker"), RESULT_TIMEOUT, "the blocker to run")
    victim = start_worker(broker_url, tmp_path / "victim.log")
    try:
        spec, data = JobSpec(LABELS, TrainParams(epochs=200)), job_data(5, LABELS)
        send_job(app, "lost", spec, data)
        wait_for(lambda: _epochs_seen(redis_client, "lost") > 0, RESULT_TIMEOUT, "an epoch")
        assert is_alive(redis_client, "lost")
        os.killpg(victim.process.pid, signal.SIGKILL)
        killed = time.monotonic()
        victim.process.wait(10)
        wait_for(lambda: not is_alive(redis_client, "lost"), HEARTBEAT_TTL_SECONDS + 2, "lapse")
        lapsed = time.monotonic() - killed
    finally:
        victim.stop()
    request_stop(redis_client, "blocker")  # if it has not finished meanwhile
    assert blocker.get(timeout=RESULT_TIMEOUT)["status"] in (STOPPED, FINISHED)
    # What the bot will do when the key lapses: send the job again, to whoever is free.
    again = send_job(app, "lost", JobSpec(LABELS, TrainParams(epochs=2)), data, attempt=2)
    assert again.get(timeout=RESULT_TIMEOUT)["status"] == FINISHED
    assert redis_client.ttl(heartbeat_key("lost")) <= HEARTBEAT_TTL_SECONDS
    print(f"heartbeat lapsed {lapsed:.2f} s after the kill")


def test_the_worker_log_masks_the_broker_password(worker: Worker) -> None:
    log = worker.text()
    assert "redis://:**@127.0.0.1" in log
    assert PASSWORD not in log
