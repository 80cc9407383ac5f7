"""`python -m model.worker --broker URL --concurrency N`: N of Celery's own solo workers."""

from pathlib import Path

from tests.model.distributed.conftest import PASSWORD, start_worker


def test_concurrency_starts_celery_s_own_workers_with_results_beside_the_broker(
    broker_url: str, tmp_path: Path
) -> None:
    # Each child is `celery -A model.distributed worker`, taking the URL from its environment.
    workers = start_worker(broker_url, tmp_path / "workers.log", "--concurrency", "2", ready=2)
    try:
        log = workers.text()
        assert log.count("(solo)") == 2
        assert log.count("results:     redis://:**@127.0.0.1") == 2
        assert PASSWORD not in log
    finally:
        workers.stop()
