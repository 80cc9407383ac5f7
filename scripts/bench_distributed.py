"""Benchmark a job through Celery and Redis against the same job run locally.

Not a test: it prints timings. It needs a Redis and a worker started by hand, e.g.

    redis-server --port 6390 --save '' --appendonly no &
    .venv/bin/python -m model.worker --broker redis://127.0.0.1:6390/0 &
    .venv/bin/python scripts/bench_distributed.py --broker redis://127.0.0.1:6390/0

Each round runs the same training in this process (`model.worker.execute`, TensorFlow
warm) and on the worker (sent, run, its files returned and written), after one warm-up
of each; the difference is what the trip costs: packing, Redis, a worker's temporary
directory and the files coming back.
"""

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# Let the script run as a plain file from a checkout without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.distributed import make_app
from model.distributed.client import send_job
from model.job import JobData, JobSpec, TrainParams, pack_job, unpack_result, write_job
from model.synthetic import LABELS
from model.worker import Emitter, execute
from tests.model.conftest import synthetic_inputs


def main() -> None:
    """Parse arguments, time each round both ways and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broker", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-label", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    x, y = synthetic_inputs(args.per_label, seed=3)
    data = JobData(np.round(x * 255).astype(np.uint8), y, np.arange(len(y)))
    spec = JobSpec(labels=LABELS, params=TrainParams(epochs=args.epochs))
    app = make_app(args.broker)
    local, remote, sizes = [], [], []
    for round_ in range(args.rounds + 1):  # the first round warms both up
        with tempfile.TemporaryDirectory() as directory:
            started = time.perf_counter()
            write_job(Path(directory), spec, data)
            assert execute(Path(directory), Emitter(io.StringIO()), own_process=False) == 0
            local.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as directory:
            started = time.perf_counter()
            result = send_job(app, f"bench-{time.time_ns()}", spec, data).get(timeout=600)
            assert unpack_result(result, Path(directory)).status == "finished"
            remote.append(time.perf_counter() - started)
            sizes.append((len(json.dumps(pack_job("x", spec, data))), len(json.dumps(result))))
        print(f"round {round_}: local {local[-1]:.2f} s, remote {remote[-1]:.2f} s", flush=True)
    local_median, remote_median = statistics.median(local[1:]), statistics.median(remote[1:])
    print(
        f"{len(y)} samples, {args.epochs} epochs: local {local_median:.2f} s, remote"
        f" {remote_median:.2f} s (median of {args.rounds}), the trip"
        f" {remote_median - local_median:+.2f} s; payload {sizes[-1][0]} bytes,"
        f" result {sizes[-1][1]} bytes"
    )


if __name__ == "__main__":
    main()
