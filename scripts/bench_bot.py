"""Benchmark the running bot end to end against the fake Bot API server.

Prints, for the bot process as users meet it:
  * start-up time: process start to its first getUpdates;
  * prediction latency inside the bot, p50 and p99: from the getUpdates answer that
    delivered a photo to the bot's reply (download, preprocessing, storage and
    inference included), one photo at a time;
  * throughput and latency with many chats sending photos at once;
  * reply latency while a training runs, against idle (the ratio matters);
  * time from /train to "Training finished" for 50 samples, and from that report to the
    answer to a drawing sent on reading it (the pictures of the training are due then too);
  * a class: 30 chats sending a drawing in the same instant while a training runs;
  * the bot process's peak memory (VmHWM; the training worker is a separate process).

Flood control is off in the fake server: this measures the bot, not Telegram's limits. (The
bot still paces itself to Telegram's ~30 messages a second overall, which caps throughput.)
With --phases it times only the one-at-a-time replies, and prints where their time goes
(scripts/phase_timer.py).
Usage: .venv/bin/python scripts/bench_bot.py [--chats 50] [--photos 2] [--sequential 100]
       [--classes 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.playground.fakeserver import ApiCall, FakeTelegram, FloodPolicy  # noqa: E402
from model.synthetic import ALL_LABELS, LABELS, smiley_bytes  # noqa: E402

TRAIN_CHAT = 999_000
PHOTO_SIZE = 256  # the sheet size in the synthetic photo; the photo is larger


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0..100) of values."""
    return float(np.percentile(np.asarray(values), q))


def delivery_times(telegram: FakeTelegram) -> dict[tuple[int, int], float]:
    """Map (chat, message id) to when the getUpdates answer carrying it was sent."""
    delivered: dict[tuple[int, int], float] = {}
    for call in telegram.calls:
        if call.method != "getUpdates" or not call.ok or not call.result:
            continue
        for update in call.result:
            message = update.get("message")
            if message:
                delivered.setdefault(
                    (message["chat"]["id"], message["message_id"]), call.finished_at
                )
    return delivered


def is_reply_to(message: dict[str, Any]) -> Any:
    chat_id, message_id = message["chat"]["id"], message["message_id"]

    def match(call: ApiCall) -> bool:
        if call.method != "sendMessage" or int(call.params["chat_id"]) != chat_id:
            return False
        reply = call.params.get("reply_parameters") or {}
        return int(reply.get("message_id", -1)) == message_id

    return match


async def reply_latencies(telegram: FakeTelegram, sent: list[dict[str, Any]]) -> list[float]:
    """Wait for the reply to each sent photo; return its latency inside the bot in ms."""
    replies = [await telegram.wait_for(is_reply_to(message), timeout=120) for message in sent]
    delivered = delivery_times(telegram)
    return [
        1000 * (reply.at - delivered[(m["chat"]["id"], m["message_id"])])
        for m, reply in zip(sent, replies, strict=True)
    ]


def photos(count: int, seed: int) -> list[bytes]:
    rng = np.random.default_rng(seed)
    styles = ("paper", "digital")
    return [
        smiley_bytes(LABELS[i % len(LABELS)], rng, styles[i % 2], fmt="JPEG", size=PHOTO_SIZE)
        for i in range(count)
    ]


async def sequential(telegram: FakeTelegram, images: list[bytes], first_chat: int) -> list[float]:
    """Send photos one at a time, each after the previous reply, each from a new chat.

    A new chat each time keeps Telegram's per-chat pace (about a message a second) out of
    the figure: this measures the bot's own work.
    """
    latencies: list[float] = []
    for index, image in enumerate(images):
        chat = first_chat + index
        sent = telegram.send_photo(chat, chat, image)
        latencies += await reply_latencies(telegram, [sent])
    return latencies


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def row(name: str, latencies: list[float]) -> str:
    return (
        f"{name:<34} n={len(latencies):<5} p50 {statistics.median(latencies):7.1f} ms"
        f"   p99 {percentile(latencies, 99):7.1f} ms"
    )


async def start_bot(
    telegram: FakeTelegram,
    directory: Path,
    *,
    config: str = "",
    entry: tuple[str, ...] = ("-m", "bot"),
    env: dict[str, str] | None = None,
    log: Path | None = None,
) -> asyncio.subprocess.Process:
    """Start the bot as its own process against ``telegram``, with data in ``directory``.

    ``config`` adds TOML after the [telegram] table; the token comes from the environment.
    The bot's log goes to ``log`` when given, else nowhere.
    """
    path = directory / "bot.toml"
    path.write_text(
        f'[telegram]\nbase_url = "{telegram.base_url}"\n'
        f'base_file_url = "{telegram.base_file_url}"\n' + config,
        encoding="utf-8",
    )
    return await asyncio.create_subprocess_exec(
        *(sys.executable, *entry, "--config", str(path)),
        cwd=ROOT,
        env={**os.environ, "SMILEY_BOT_TOKEN": telegram.token, **(env or {})},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL if log is None else log.open("ab"),
    )


async def main(args: argparse.Namespace) -> None:
    print(f"cores: {os.cpu_count()}; photos: synthetic paper photos and drawings as JPEG")
    images = photos(max(args.sequential, args.chats * args.photos), seed=1)
    async with FakeTelegram(flood=FloodPolicy.disabled()) as telegram:
        with tempfile.TemporaryDirectory() as data:
            phases = Path(data) / "phases.json"
            started = time.monotonic()
            process = await start_bot(
                telegram,
                Path(data),
                config="[limits]\nuploads_per_user_per_minute = 100000\n"
                f"[prediction]\npreprocess_workers = {args.preprocess_workers}\n"
                f"[training]\nstandby_workers = {args.standby_workers}\n",
                entry=("scripts/phase_timer.py",) if args.phases else ("-m", "bot"),
                env={"SMILEY_BOT_PHASES": str(phases)},
            )
            try:
                first_poll = await telegram.wait_for(
                    lambda c: c.method == "getUpdates" and c.at >= started, timeout=60
                )
                startup = first_poll.at - started
                await report(telegram, images, args)
                print(f"{'start-up to first poll':<34} {startup:7.2f} s")
                print(f"{'bot process peak RSS (VmHWM)':<34} {peak_rss_mb(process.pid):7.0f} MB")
            finally:
                process.terminate()
                await process.wait()
            if args.phases:
                print_phases(phases)


def print_phases(path: Path) -> None:
    """Print the phase timer's figures (scripts/phase_timer.py) of one bot run."""
    print("where a reply's time goes:")
    for name, figures in json.loads(path.read_text(encoding="utf-8")).items():
        print(
            f"  {name:<32} p50 {figures['p50']:7.1f} ms  p99 {figures['p99']:7.1f} ms"
            f"  max {figures['max']:7.1f} ms"
        )


async def report(telegram: FakeTelegram, images: list[bytes], args: argparse.Namespace) -> None:
    # Warm-up: the first prediction loads the default model's interpreter.
    await sequential(telegram, images[:5], first_chat=500)
    idle = await sequential(telegram, images[: args.sequential], first_chat=1000)
    print(row("prediction, one at a time (idle)", idle))
    if args.phases:
        return

    began = time.monotonic()
    sent = [
        telegram.send_photo(chat, chat, images[(chat * args.photos + k) % len(images)])
        for k in range(args.photos)
        for chat in range(2000, 2000 + args.chats)
    ]
    burst = await reply_latencies(telegram, sent)
    elapsed = time.monotonic() - began
    print(row(f"{args.chats} chats x {args.photos} photos at once", burst))
    print(f"{'  throughput':<34} {len(sent) / elapsed:7.1f} replies/s")

    trained, finished_at = await train_50(telegram)
    print(f"{'/train to Training finished, 50 samples':<34} {trained:7.1f} s")
    drawing = telegram.send_photo(TRAIN_CHAT, TRAIN_CHAT, images[0])
    first = await telegram.wait_for(is_reply_to(drawing), timeout=60)
    print(f"{'  report to the next answer':<34} {first.at - finished_at:7.2f} s")

    await set_epochs(telegram, 400)
    telegram.send_text(TRAIN_CHAT, TRAIN_CHAT, "/train")
    await telegram.wait_for(
        lambda c: (
            c.method == "editMessageText"
            and "epoch" in c.params.get("text", "")
            and c.at > time.monotonic() - 1
        ),
        timeout=120,
    )
    during = await sequential(telegram, images[: args.sequential], first_chat=3000)
    print(row("prediction during a training", during))
    print(
        f"{'  p50 during training / idle':<34} "
        f"{statistics.median(during) / statistics.median(idle):7.2f} x"
    )
    classes: list[float] = []
    for lesson in range(args.classes):
        first_chat = 4000 + 100 * lesson
        sent = [
            telegram.send_photo(chat, chat, images[chat % len(images)])
            for chat in range(first_chat, first_chat + 30)
        ]
        classes += await reply_latencies(telegram, sent)
        await asyncio.sleep(1.0)
    telegram.send_text(TRAIN_CHAT, TRAIN_CHAT, "/stop")
    print(row(f"a class: 30 chats at once x{args.classes}", classes))
    print(f"{'  slowest answer':<34} {max(classes):7.1f} ms")


async def set_epochs(telegram: FakeTelegram, epochs: int) -> None:
    sent = telegram.send_text(TRAIN_CHAT, TRAIN_CHAT, f"/set epochs {epochs}")
    await telegram.wait_for_message(
        TRAIN_CHAT, after_message_id=sent["message_id"], contains="epochs"
    )


async def train_50(telegram: FakeTelegram) -> tuple[float, float]:
    """Label 50 samples (5 labels x 10, "cool" among them), train with the default params.

    Return the seconds from /train to the report, and when the report came.
    """
    rng = np.random.default_rng(7)
    for index in range(50):
        label = ALL_LABELS[index % len(ALL_LABELS)]
        image = smiley_bytes(
            label, rng, ("paper", "digital")[index % 2], fmt="JPEG", size=PHOTO_SIZE
        )
        sent = telegram.send_photo(TRAIN_CHAT, TRAIN_CHAT, image, caption=f"/label {label}")
        await telegram.wait_for(
            lambda c, m=sent: (
                c.method == "setMessageReaction" and int(c.params["message_id"]) == m["message_id"]
            )
        )
    began = time.monotonic()
    telegram.send_text(TRAIN_CHAT, TRAIN_CHAT, "/train")
    finished = await telegram.wait_for(
        lambda c: c.method == "editMessageText" and "Training finished" in c.params.get("text", ""),
        timeout=300,
    )
    return time.monotonic() - began, finished.at


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--photos", type=int, default=2, help="photos per chat in the burst")
    parser.add_argument("--sequential", type=int, default=100, help="photos sent one at a time")
    parser.add_argument("--phases", action="store_true", help="time the phases of a reply")
    parser.add_argument("--classes", type=int, default=5, help="class bursts during a training")
    parser.add_argument("--preprocess-workers", type=int, default=1)
    parser.add_argument("--standby-workers", type=int, default=1)
    asyncio.run(main(parser.parse_args()))
