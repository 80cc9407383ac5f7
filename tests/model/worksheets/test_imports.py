"""The worksheets load in the bot's process: no TensorFlow, no Telegram."""

import subprocess
import sys


def test_importing_the_worksheets_loads_neither_tensorflow_nor_telegram() -> None:
    probe = (
        "import sys, model.worksheets; "
        "print(sorted(m for m in ('tensorflow', 'keras', 'telegram') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
