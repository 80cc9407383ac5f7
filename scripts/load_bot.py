"""Load and soak the running bot: many chats send photos at a steady rate, maybe while it trains.

Starts the real bot (``python -m bot``) against the fake Bot API server, with Telegram's
flood limits on, and sends photos from --chats chats at --rate messages a second (open
loop: the next photo does not wait for the last reply) for --seconds. Every photo is a new
image to its chat, so each gets a prediction reply. With --train another chat trains all
the time: whenever a training ends, its next /train takes a photo's slot, and so does each
other message the bot sends there (the pictures after a training), so that --rate stays
the whole demand on Telegram's 30 messages a second. Prints:
  * throughput: replies a second, against the rate sent;
  * reply latency inside the bot, p50 and p99 (from the getUpdates answer that delivered
    the photo to the bot's reply), overall and per minute, and from the user's send to
    the reply, which adds the wait for the bot's next poll (a busy bot polls late);
  * lost replies: photos without a reply 60 s after the last was sent (must be 0);
  * the rate of messages the bot sent, as Telegram's flood limits count them;
  * 429s the fake Telegram answered (the bot paces itself to stay under them);
  * the bot's RSS over time, peak, and its growth over the second half (the soak's check).

The fake server and this load generator run in this process and share the 2 cores with
the bot. Not a test: run it by hand.

    .venv/bin/python scripts/load_bot.py --chats 50 --rate 30 --seconds 60 --train
    .venv/bin/python scripts/load_bot.py --chats 50 --rate 30 --seconds 600 --train  # soak
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_bot import (  # noqa: E402
    delivery_times,
    is_reply_to,
    percentile,
    print_phases,
    start_bot,
)

from bot.playground.fakeserver import ApiCall, FakeTelegram  # noqa: E402
from bot.telegram.flood_limits import MESSAGE_METHODS, message_cost  # noqa: E402
from model.synthetic import ALL_LABELS, smiley_bytes  # noqa: E402

TRAIN_CHAT = 999_000
BASE_IMAGES = 120
GRACE_SECONDS = 60.0  # longer than the bot's 30 s read timeout and its retry
SLOW_SECONDS = 5.0  # replies slower than this are explained call by call
MAX_EXPLAINED = 10
RSS_EVERY_SECONDS = 5.0
FINAL_REPORTS = ("Training finished", "Training failed", "Training stopped")
TRAINING_STARTS = ("Training starts", "Training queued")  # the reply to a /train


def base_images(seed: int) -> list[bytes]:
    """Draw a pool of JPEG smileys, photos of paper and drawings taking turns."""
    rng = np.random.default_rng(seed)
    styles = ("paper", "digital")
    return [
        smiley_bytes(ALL_LABELS[i % 4], rng, styles[i % 2], fmt="JPEG", size=256)
        for i in range(BASE_IMAGES)
    ]


def unique(jpeg: bytes, serial: int) -> bytes:
    """Return the same picture with a JPEG comment that makes its bytes (and file id) new."""
    payload = f"load {serial}".encode()
    comment = b"\xff\xfe" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + comment + jpeg[2:]


def cpu_seconds(pid: int) -> float:
    """Return a process's user plus system CPU time so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int, field: str = "VmRSS:") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return float("nan")


async def start_training(telegram: FakeTelegram, images: list[bytes]) -> None:
    """Label 5 images of each of 4 labels in one chat and start a long training there."""
    stored = dict.fromkeys(ALL_LABELS[:4], 0)
    for index, image in enumerate(images):
        label = ALL_LABELS[index % 4]
        if stored[label] >= 5:
            if min(stored.values()) >= 5:
                break
            continue
        sent = telegram.send_photo(
            TRAIN_CHAT, TRAIN_CHAT, unique(image, -index - 1), caption=f"/label {label}"
        )
        # A rare synthetic drawing is too faint and refused as blank: take the next one.
        call = await telegram.wait_for(
            lambda c, m=sent: (
                (
                    c.method == "setMessageReaction"
                    and int(c.params["message_id"]) == m["message_id"]
                )
                or is_reply_to(m)(c)
            ),
            timeout=60,
        )
        stored[label] += call.method == "setMessageReaction"
    for text in ("/set epochs 200", "/train"):
        sent = telegram.send_text(TRAIN_CHAT, TRAIN_CHAT, text)
        await telegram.wait_for_message(TRAIN_CHAT, after_message_id=sent["message_id"])
    await telegram.wait_for(
        lambda c: c.method == "editMessageText" and "epoch" in c.params.get("text", ""),
        timeout=120,
    )


class TrainingChat:
    """What the training chat asks of the load: a /train to send, and slots to leave free."""

    def __init__(self) -> None:
        self.retrain = False  # send /train in the next slot
        self.owed = 0  # messages the bot sent to the training chat beyond its /train replies


async def send_load(
    telegram: FakeTelegram,
    images: list[bytes],
    args: argparse.Namespace,
    training: TrainingChat,
) -> list[dict[str, Any]]:
    """Send messages round-robin over the chats at a steady rate; return the photos sent.

    Each photo asks the bot for one reply message. The training chat's messages count
    toward Telegram's 30 messages a second like any other, so they take photos' slots: a
    /train takes the next slot, and each further message the bot sent there (the pictures
    after a training) leaves one slot empty. So --rate is the whole demand on that ceiling.
    """
    sent: list[dict[str, Any]] = []
    total = int(args.rate * args.seconds)
    began = time.monotonic()
    for serial in range(total):
        due = began + serial / args.rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if training.retrain:
            training.retrain = False
            telegram.send_text(TRAIN_CHAT, TRAIN_CHAT, "/train")
            continue
        if training.owed > 0:
            training.owed -= 1
            continue
        chat = 2000 + serial % args.chats
        image = unique(images[serial % len(images)], serial)
        message = telegram.send_photo(chat, chat, image)
        message["_sent_at"] = time.monotonic()  # when the user sent it (local bookkeeping)
        sent.append(message)
    return sent


async def watch_rss(pid: int, samples: list[tuple[float, float]], stop: asyncio.Event) -> None:
    began = time.monotonic()
    while not stop.is_set():
        samples.append((time.monotonic() - began, rss_mb(pid)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), RSS_EVERY_SECONDS)


class NewCalls:
    """Hands out the calls recorded since the last look, so that no call is scanned twice.

    ``FakeTelegram.wait_for`` scans the whole log on every call. Over a soak's 100,000
    calls, waiting that way for each of 18,000 replies blocked the fake server's event
    loop for minutes: the bot's last requests waited, and replies looked late or lost.
    """

    def __init__(self, telegram: FakeTelegram) -> None:
        self._calls = telegram.calls
        self._seen = 0

    def take(self) -> list[ApiCall]:
        calls = self._calls[self._seen :]
        self._seen += len(calls)
        return calls


async def keep_training(telegram: FakeTelegram, stop: asyncio.Event, training: TrainingChat) -> int:
    """Ask for the training chat's /train again whenever one ends; return how many ended.

    Also counts the messages the bot sends there beyond the reply to each /train.
    """
    ended = 0
    new_calls = NewCalls(telegram)
    new_calls.take()  # the training already running started before this
    while not stop.is_set():
        for call in new_calls.take():
            if not call.ok or str(call.params.get("chat_id")) != str(TRAIN_CHAT):
                continue
            if call.method in MESSAGE_METHODS:
                cost = message_cost(call.method, call.params)
                starts = call.method == "sendMessage" and call.params.get("text", "").startswith(
                    TRAINING_STARTS
                )
                training.owed += cost - starts
            if call.method == "editMessageText" and call.params.get("text", "").startswith(
                FINAL_REPORTS
            ):
                ended += 1
                training.retrain = True  # send_load sends it in its next slot
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)
    return ended


async def await_replies(telegram: FakeTelegram, sent: list[dict[str, Any]], seconds: float) -> None:
    """Wait until every sent photo has its reply, or ``seconds`` have passed."""
    waiting = {(m["chat"]["id"], m["message_id"]) for m in sent}
    new_calls = NewCalls(telegram)
    deadline = time.monotonic() + seconds
    while waiting and time.monotonic() < deadline:
        for call in new_calls.take():
            if call.method == "sendMessage" and call.ok:
                reply_to = (call.params.get("reply_parameters") or {}).get("message_id")
                if reply_to is not None:
                    waiting.discard((int(call.params["chat_id"]), int(reply_to)))
        await asyncio.sleep(0.2)


def explain_slow(
    telegram: FakeTelegram,
    sent: list[dict[str, Any]],
    replied: dict[tuple[int, int], float],
    delivered: dict[tuple[int, int], float],
) -> None:
    """Print the Bot API calls around each lost or slow reply, to show where it waited."""
    explained = 0
    for message in sent:
        key = (message["chat"]["id"], message["message_id"])
        start = delivered.get(key, message["_sent_at"])
        end = replied.get(key)
        if end is not None and end - start < SLOW_SECONDS:
            continue
        explained += 1
        if explained > MAX_EXPLAINED:
            print("  (more slow or lost replies not shown)")
            return
        took = "no reply" if end is None else f"{end - start:.1f} s"
        print(f"  slow or lost: chat {key[0]} message {key[1]}: {took}")
        for call in telegram.calls:
            in_window = start - 1 <= call.at <= (end or start + GRACE_SECONDS) + 1
            this_chat = call.params.get("chat_id") in (key[0], str(key[0]))
            # Other chats' calls only when they themselves were slow or went unanswered.
            odd = call.finished_at - call.at > 1.0 or not call.delivered or not call.ok
            if in_window and (this_chat or odd):
                print(
                    f"    +{call.at - start:6.2f} s {call.method:<18} ok={call.ok}"
                    f" {1000 * (call.finished_at - call.at):6.1f} ms"
                    f" delivered={call.delivered}"
                )


def report(
    telegram: FakeTelegram,
    sent: list[dict[str, Any]],
    send_seconds: float,
    rss: list[tuple[float, float]],
    pid: int,
) -> bool:
    """Print the figures; return whether nothing was lost."""
    delivered = delivery_times(telegram)
    latencies: list[tuple[float, float]] = []  # (delivered at, ms)
    waits: list[float] = []  # ms from the user's send to the reply, Telegram's side included
    lost = 0
    last_reply = 0.0
    replies = [c for c in telegram.calls if c.method == "sendMessage" and c.ok]
    by_message: dict[tuple[int, int], float] = {}
    duplicates = 0  # a retried send whose first try had arrived after all
    photos = {(m["chat"]["id"], m["message_id"]) for m in sent}
    for call in replies:
        reply_to = (call.params.get("reply_parameters") or {}).get("message_id")
        if reply_to is not None:
            key = (int(call.params["chat_id"]), int(reply_to))
            # Only the photos' replies: the training chat's messages all reply to its /train.
            duplicates += key in by_message and key in photos
            by_message.setdefault(key, call.at)
    first_delivery = min(
        delivered[key]
        for key in ((m["chat"]["id"], m["message_id"]) for m in sent)
        if key in delivered
    )
    for message in sent:
        key = (message["chat"]["id"], message["message_id"])
        at = by_message.get(key)
        if at is None or key not in delivered:
            lost += 1
            continue
        latencies.append((delivered[key] - first_delivery, 1000 * (at - delivered[key])))
        waits.append(1000 * (at - message["_sent_at"]))
        last_reply = max(last_reply, at)
    values = [ms for _, ms in latencies]
    span = last_reply - first_delivery
    print(f"sent {len(sent)} photos in {send_seconds:.1f} s ({len(sent) / send_seconds:.1f}/s)")
    print(
        f"replies: {len(values)} in {span:.1f} s ({len(values) / span:.1f}/s); lost: {lost}; "
        f"duplicates: {duplicates}"
    )
    print(
        f"reply latency inside the bot: p50 {statistics.median(values):.0f} ms, "
        f"p99 {percentile(values, 99):.0f} ms, max {max(values):.0f} ms"
    )
    print(
        f"from the user's send to the reply: p50 {statistics.median(waits):.0f} ms, "
        f"p99 {percentile(waits, 99):.0f} ms (includes waiting for the bot's next poll)"
    )
    minutes = int(max(t for t, _ in latencies) // 60) + 1
    if minutes > 1:
        for minute in range(minutes):
            part = [ms for t, ms in latencies if minute * 60 <= t < (minute + 1) * 60]
            if part:
                print(
                    f"  minute {minute + 1}: n={len(part)} p50 {statistics.median(part):.0f} ms"
                    f" p99 {percentile(part, 99):.0f} ms"
                )
    explain_slow(telegram, sent, by_message, delivered)
    messages = sum(
        1
        for c in telegram.calls
        if c.method in MESSAGE_METHODS and c.ok and first_delivery <= c.at <= last_reply
    )
    print(
        f"messages the bot sent while replying (what Telegram's 30 a second counts): "
        f"{messages / span:.1f}/s"
    )
    refused = telegram.errors(429)
    where = sorted({f"{c.method} to {c.params.get('chat_id')}" for c in refused})
    print(f"429 answers from the fake Telegram: {len(refused)} {where[:5] if where else ''}")
    peak = rss_mb(pid, "VmHWM:")
    print(f"bot RSS: start {rss[0][1]:.0f} MB, end {rss[-1][1]:.0f} MB, peak {peak:.0f} MB")
    half = [(t, mb) for t, mb in rss if t >= rss[-1][0] / 2]
    if len(half) >= 3:
        times, sizes = zip(*half, strict=True)
        slope = float(np.polyfit(np.array(times) / 60, np.array(sizes), 1)[0])
        print(f"RSS growth over the second half: {slope:+.2f} MB a minute")
    return lost == 0


async def main(args: argparse.Namespace) -> int:
    images = base_images(args.seed)
    async with FakeTelegram() as telegram:  # Telegram's flood limits on
        with tempfile.TemporaryDirectory() as data:
            phases = Path(data) / "phases.json"
            process = await start_bot(
                telegram,
                Path(data),
                log=args.bot_log,
                entry=("scripts/phase_timer.py",) if args.phases else ("-m", "bot"),
                env={"SMILEY_BOT_PHASES": str(phases)},
            )
            try:
                await telegram.wait_for(lambda c: c.method == "getUpdates", timeout=60)
                if args.train:
                    print("starting a training (200 epochs) in another chat...", flush=True)
                    await start_training(telegram, images)
                rss: list[tuple[float, float]] = []
                stop = asyncio.Event()
                watcher = asyncio.create_task(watch_rss(process.pid, rss, stop))
                sending = asyncio.Event()  # set once the load has been sent
                training = TrainingChat()
                trainer = asyncio.create_task(keep_training(telegram, sending, training))
                print(
                    f"sending {args.rate}/s from {args.chats} chats for {args.seconds} s...",
                    flush=True,
                )
                began = time.monotonic()
                bot_cpu, own_cpu = cpu_seconds(process.pid), time.process_time()
                sent = await send_load(telegram, images, args, training)
                send_seconds = time.monotonic() - began
                sending.set()
                await await_replies(telegram, sent, GRACE_SECONDS)
                stop.set()
                await watcher
                wall = time.monotonic() - began
                bot_cpu = cpu_seconds(process.pid) - bot_cpu
                own_cpu = time.process_time() - own_cpu
                print(
                    f"CPU over {wall:.0f} s: bot {bot_cpu:.0f} s ({bot_cpu / wall:.0%} of a core),"
                    f" fake server and load {own_cpu:.0f} s ({own_cpu / wall:.0%})"
                )
                trainings = await trainer
                if args.train:
                    print(f"training during the load: all the time ({trainings} ended meanwhile)")
                else:
                    print("training during the load: none")
                ok = report(telegram, sent, send_seconds, rss, process.pid)
            finally:
                process.terminate()
                await process.wait()
            if args.phases:
                print_phases(phases)
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--rate", type=float, default=30.0, help="photos a second, all chats")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--train", action="store_true", help="keep a training running")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bot-log", type=Path, help="append the bot's log to this file")
    parser.add_argument("--phases", action="store_true", help="time the phases of each reply")
    sys.exit(asyncio.run(main(parser.parse_args())))
