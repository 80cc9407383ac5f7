"""Benchmark a training job as the bot runs it: `python -m model.worker JOB_DIR` in a subprocess.

Not a test: it prints a table. The wall time runs from starting the process to its
"finished" line, so it includes Python and TensorFlow starting, validation (k-fold or
hold-out), the final fit and the export. Default parameters; five labels. Run from the
repository root:

    .venv/bin/python scripts/bench_training.py --samples 50 200 1000 --runs 3
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

# Let the script run as a plain file from a checkout without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_accuracy import prepared_dataset  # a sibling script

from model.job import (
    Failed,
    Finished,
    JobData,
    JobSpec,
    Ready,
    Started,
    TrainParams,
    parse_event,
    standby_command,
    worker_command,
    write_job,
)
from model.synthetic import STYLES

ROOT = Path(__file__).resolve().parent.parent
BENCH_LABELS = ("smile", "sad", "neutral", "upside-down", "other")
DATA_SEED = 5


def write_bench_job(
    job_dir: Path, x: np.ndarray, y: np.ndarray, threads: int, params: dict[str, Any]
) -> None:
    """Write job.json and data.npz the way the bot does."""
    spec = JobSpec(
        labels=BENCH_LABELS, params=TrainParams.from_json(params), seed=0, threads=threads
    )
    data = JobData(np.round(x * 255).astype(np.uint8), y, np.arange(len(y)))
    write_job(job_dir, spec, data)


def run_worker(job_dir: Path, threads: int, *, standby: bool) -> dict[str, Any]:
    """Run one job; return the wall times of its milestones and its result.

    With ``standby`` the worker is started ahead, as the bot keeps one, and the clock starts
    when it has loaded TensorFlow and gets the job.
    """
    command = (
        standby_command(job_dir.parent, threads)
        if standby
        else worker_command(job_dir, lifeline=False)
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    timings: dict[str, Any] = {}
    for line in process.stdout:
        event = parse_event(line)
        if isinstance(event, Ready):
            started = time.perf_counter()
            process.stdin.write(f"{job_dir}\n")
            process.stdin.flush()
        elif isinstance(event, Started):
            timings["started"] = time.perf_counter() - started
            timings["mode"] = f"{event.mode} ({event.folds})"
            timings["epochs"] = event.total
        elif isinstance(event, Finished):
            timings["finished"] = time.perf_counter() - started
            timings["result"] = event.result
        elif isinstance(event, Failed):
            raise RuntimeError(event.error)
    process.stdin.close()
    if process.wait() != 0:
        raise RuntimeError(f"the worker exited with {process.returncode}")
    return timings


def main() -> None:
    """Parse arguments, run the jobs and print a table of medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--runs", type=int, default=3, help="runs per size (median)")
    parser.add_argument("--threads", type=int, default=1, help="the job's TensorFlow threads")
    parser.add_argument("--epochs", type=int, help="default: TrainParams' default")
    parser.add_argument("--start", choices=("pretrained", "scratch"), help="default: pretrained")
    parser.add_argument(
        "--standby", action="store_true", help="time from handing the job to a worker started ahead"
    )
    args = parser.parse_args()

    params = {
        name: value
        for name, value in (("epochs", args.epochs), ("start", args.start))
        if value is not None
    }
    largest = max(args.samples)
    print(f"drawing {largest} synthetic samples...", flush=True)
    # Four synthetic labels dealt over five label names: the content does not change timings.
    x_all, _, _ = prepared_dataset(-(-largest // 4), DATA_SEED, STYLES, processes=2)
    print(
        f"{'samples':>7}  {'validation':>11}  {'epochs':>6}  {'to started':>10}  "
        f"{'training':>8}  {'export':>6}  {'wall (median)':>13}  {'all runs':>18}"
    )
    for count in args.samples:
        x = x_all[:count]
        y = np.arange(count) % len(BENCH_LABELS)
        runs = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as directory:
                job_dir = Path(directory) / "job"
                job_dir.mkdir()
                write_bench_job(job_dir, x, y, args.threads, params)
                runs.append(run_worker(job_dir, args.threads, standby=args.standby))
        walls = [run["finished"] for run in runs]
        print(
            f"{count:>7}  {runs[0]['mode']:>11}  {runs[0]['epochs']:>6}  "
            f"{statistics.median(run['started'] for run in runs):>9.1f}s  "
            f"{statistics.median(run['result']['seconds'] for run in runs):>7.1f}s  "
            f"{statistics.median(run['result']['export_seconds'] for run in runs):>5.1f}s  "
            f"{statistics.median(walls):>12.1f}s  "
            f"{' '.join(f'{wall:.1f}' for wall in walls):>18}",
            flush=True,
        )


if __name__ == "__main__":
    main()
