"""What each side of distributed training loads: the sender no TensorFlow, the worker no bot."""

import subprocess
import sys

import pytest

from tests.model.distributed.conftest import ROOT

HEAVY = "{'tensorflow', 'keras', 'telegram', 'aiosqlite', 'bot', 'storage'}"


@pytest.mark.parametrize(
    "modules",
    [
        "model.distributed, model.distributed.client",  # the bot's side
        "model.distributed.task, model.distributed.serve",  # a worker's, TensorFlow on a job
    ],
)
def test_importing_distributed_training_loads_neither_tensorflow_nor_the_bot(modules: str) -> None:
    code = (
        f"import sys, {modules}\n"
        f"print(sorted({{name.split('.')[0] for name in sys.modules}} & {HEAVY}))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"
