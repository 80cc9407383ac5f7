"""Benchmark a class in the running bot, end to end against the fake Bot API server.

Prints:
  * a class of N pupils (default 30), joined by the class's link, each sending a drawing in
    the same instant from their own private chat, several rounds: the p50 and p99 of the
    time from the getUpdates answer that delivered a drawing to the bot's answer to it
    (the group's live message is being edited meanwhile);
  * a photo of a filled worksheet (synthetic: the project's sheet, pens and camera) to its
    one acknowledgement, one sheet at a time, with how many of its drawings were stored.

Flood control is off in the fake server, as in scripts/bench_bot.py: this measures the bot.
With --no-class the same chats send without joining, for the ratio.
Usage: .venv/bin/python scripts/bench_classroom.py [--pupils 30] [--rounds 3] [--sheets 10]
       [--no-class]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_bot import photos, reply_latencies, row, start_bot  # noqa: E402

from bot.playground.fakeserver import FakeTelegram, FloodPolicy  # noqa: E402
from model.synthetic import LABELS  # noqa: E402
from model.synthetic.worksheets import filled_worksheet, worksheet_photo  # noqa: E402
from model.worksheets import SheetLayout  # noqa: E402

GROUP = -777_000
TEACHER = 700
FIRST_PUPIL = 10_000
LINK = re.compile(r"start=([A-Za-z0-9_-]{16})")


async def answer_to(telegram: FakeTelegram, chat_id: int, text: str) -> str:
    sent = telegram.send_text(chat_id, chat_id if chat_id > 0 else TEACHER, text)
    reply = await telegram.wait_for_message(chat_id, after_message_id=sent["message_id"])
    return str(reply.get("text") or reply.get("caption") or "")


async def start_class(telegram: FakeTelegram, pupils: int, *, join: bool = True) -> list[int]:
    telegram.add_user(TEACHER, "Teacher")
    telegram.add_chat(GROUP, type="group", title="Class", admins=[TEACHER, telegram.bot_id])
    caption = await answer_to(telegram, GROUP, "/classroom")
    match = LINK.search(caption)
    assert match, caption
    chats = [FIRST_PUPIL + index for index in range(pupils)]
    for chat in chats:
        telegram.add_user(chat, f"Pupil{chat}")
        await answer_to(telegram, chat, f"/start {match.group(1)}" if join else "/start")
    return chats


def sheet_photos(count: int, seed: int) -> list[bytes]:
    layout = SheetLayout.for_labels(LABELS)
    rng = np.random.default_rng(seed)
    every = {(r, c): LABELS[r] for r in range(layout.rows) for c in range(layout.columns)}
    shots = []
    for _ in range(count):
        sheet = filled_worksheet(layout, every, rng)
        buffer = io.BytesIO()
        Image.fromarray(np.asarray(worksheet_photo(sheet, rng))).save(buffer, "JPEG", quality=87)
        shots.append(buffer.getvalue())
    return shots


async def main(args: argparse.Namespace) -> None:
    async with FakeTelegram(flood=FloodPolicy.disabled()) as telegram:
        with tempfile.TemporaryDirectory() as data:
            process = await start_bot(
                telegram,
                Path(data),
                config="[limits]\nuploads_per_user_per_minute = 100000\n"
                "[training]\nstandby_workers = 0\n",
            )
            try:
                await telegram.wait_for(lambda c: c.method == "getUpdates", timeout=60)
                chats = await start_class(telegram, args.pupils, join=not args.no_class)
                images = photos(args.pupils * (args.rounds + 1), seed=3)
                at_once: list[float] = []
                for round_ in range(args.rounds + 1):  # the first round warms up
                    batch = images[round_ * args.pupils : (round_ + 1) * args.pupils]
                    sent = [
                        telegram.send_photo(chat, chat, image)
                        for chat, image in zip(chats, batch, strict=True)
                    ]
                    latencies = await reply_latencies(telegram, sent)
                    if round_:
                        at_once += latencies
                    # Telegram's ~30 messages a second overall: let the bot's budget refill,
                    # as a class's next drawings come seconds later (scripts/bench_bot.py too).
                    await asyncio.sleep(1.5)
                who = "chats in no class" if args.no_class else "pupils of a class"
                print(row(f"{args.pupils} {who}, all at once", at_once))

                sheet_latencies, stored = [], []
                outcomes: Counter[str] = Counter()
                for index, shot in enumerate(sheet_photos(args.sheets, seed=4)):
                    chat = 50_000 + index
                    telegram.add_user(chat, "Sheet")
                    sent = telegram.send_photo(chat, chat, shot)
                    sheet_latencies += await reply_latencies(telegram, [sent])
                    reply = await telegram.wait_for_message(
                        chat, after_message_id=sent["message_id"]
                    )
                    text = reply.get("text", "")
                    found = re.search(r"stored (\d+) drawings", text)
                    stored.append(int(found.group(1)) if found else 0)
                    outcomes[
                        "read"
                        if found
                        else "corner named"
                        if "corner" in text
                        else "taken for one drawing"
                        if "%" in text
                        else "other"
                    ] += 1
                print(row("worksheet photo to its answer", sheet_latencies))
                if stored:
                    print(f"drawings stored per sheet of 12: median {int(np.median(stored))}")
                print(f"answers: {dict(outcomes)}")
            finally:
                process.terminate()
                await process.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sheets", type=int, default=10)
    parser.add_argument("--no-class", action="store_true", help="the same chats, not joined")
    asyncio.run(main(parser.parse_args()))
