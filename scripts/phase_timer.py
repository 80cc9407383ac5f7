"""Run the bot like ``python -m bot``, timing each phase of an image's reply (for bench_bot).

Wraps the functions an unlabelled photo passes through and, when the bot stops, writes the
p50, p99 and maximum time of each to the JSON file named by SMILEY_BOT_PHASES. Profiling
only: the bot itself carries no timers. Usage: scripts/bench_bot.py --phases, or
scripts/load_bot.py --phases
"""

from __future__ import annotations

import atexit
import functools
import inspect
import json
import os
import signal
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import telegram

import bot.app
from bot.__main__ import main
from bot.samples.predictor import Predictor
from bot.samples.preprocessor import Preprocessor
from storage.samples import Samples

SKIP = 5  # the first photos warm up the interpreter and the connections
timings: dict[str, list[float]] = {}


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a coroutine function or a plain one; record its wall time in ms under name."""

    def record(started: float) -> None:
        timings.setdefault(name, []).append(1000 * (time.perf_counter() - started))

    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def wrapper_async(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                record(started)

        return wrapper_async

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            record(started)

    return wrapper


def write_figures() -> None:
    figures = {}
    for name, values in timings.items():
        kept = sorted(values[SKIP:] or values)
        figures[name] = {
            "p50": statistics.median(kept),
            "p99": kept[min(len(kept) - 1, round(0.99 * (len(kept) - 1)))],
            "max": kept[-1],
        }
    Path(os.environ["SMILEY_BOT_PHASES"]).write_text(json.dumps(figures), encoding="utf-8")


# In the order a photo meets them; the handler is patched where bot.app binds it.
telegram.Bot.get_file = timed("getFile", telegram.Bot.get_file)
telegram.File.download_as_bytearray = timed("download", telegram.File.download_as_bytearray)
Preprocessor.prepare = timed("preprocessing (process)", Preprocessor.prepare)
Samples.add = timed("storing (fsync'd commit)", Samples.add)
Predictor.predict = timed("inference", Predictor.predict)
telegram.Message.reply_text = timed("sending the reply", telegram.Message.reply_text)
bot.app.image = timed("whole image handler", bot.app.image)

atexit.register(write_figures)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

if __name__ == "__main__":
    sys.exit(main())
