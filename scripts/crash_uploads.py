"""Kill -9 the bot during a stream of labelled uploads; check that no acknowledged sample is lost.

Each round starts the real bot (``python -m bot``) against the in-process fake Bot API
server and streams photos captioned ``/label <name>`` from several chats (every third a
group that allows no reactions) without waiting for answers: 10-150 uploads a second for
0.3-3 s, so some rounds keep the bot busy and some let it catch up. 0.2-2.5 s after the
first acknowledgement the bot gets SIGKILL, while commits are in flight, between a commit
and its acknowledgement, or when it is idle. The stream goes on regardless, as users do.

An acknowledgement is what the user sees: an answered 👍 reaction, or, where a chat allows
no reactions, a notice such as "Saved as smile. (×3)". Merged notices name only the latest
image, so the images they cover are worked out from the bot's per-chat order: every image
the process got up to that one, minus those it reacted to; the per-label counts in the
notice text must agree, or the round fails.

After each kill:
  1. the database as the kill left it, opened read-only before anything touches it:
     ``PRAGMA integrity_check`` is ok and every sample acknowledged so far (in any round) is
     stored with its label. This comes first: re-storing redelivered uploads after the
     restart would hide a lost commit.
  2. the last uploads the dead bot read are queued again (see requeue_last_read), and the
     bot restarts on the same database. Once it polls, ``/labels`` is sent in every chat;
     the bot handles a chat's updates one at a time, in order, so the reply comes after the
     chat's pending uploads. When the bot is idle it gets SIGTERM and closes the database
     itself; the closed file is read again: integrity, nothing acknowledged lost (the
     restarted bot's acknowledgements included), no upload stored twice, every sample has
     the label its caption gave, and each chat's ``/labels`` counts equal the database's and
     are at least the acknowledged ones. No upload is sent after ``/labels``, so the counts
     cannot move between the reply and the read.

Uploads never acknowledged may or may not be stored: both are fine. The output says how
many were never stored, and why: refused with a notice, or read by the dead bot (which
confirms updates to Telegram as it fetches them, before storing them) and so never
delivered again.

The script reads the database with sqlite3 rather than through ``storage.Repository``,
which opens read-write and migrates. Its SQL is two statements: ``PRAGMA integrity_check``
and one SELECT of (chat, message, label) over ``samples`` and ``labels``.

Flood control is off in the fake server, as in bench_bot.py: a group's 20 messages a
minute would otherwise make later rounds wait for Telegram rather than test the bot.
Exit status 1 if an acknowledged sample was lost or any check failed.
Usage: .venv/bin/python scripts/crash_uploads.py [--rounds 20] [--chats 3] [--seed 1]
                                                 [--workdir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import os
import re
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.playground.fakeserver import SPEC_PATH, ApiCall, FakeTelegram, FloodPolicy  # noqa: E402
from bot.samples.notices import GROUP_COOLDOWN  # noqa: E402
from bot.texts import t  # noqa: E402
from model.synthetic import smiley_bytes  # noqa: E402

LABELS = ("smile", "sad", "neutral")  # three labels keep a merged notice within its 8 lines
LABELLED = "👍"
FIRST_USER = 7001
STARTUP_TIMEOUT = 60.0
FIRST_ACK_TIMEOUT = 60.0
REPLY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
KILL_DELAY = (0.2, 2.5)  # seconds after the first acknowledgement
STREAM_SECONDS = (0.3, 3.0)
# Uploads a second, drawn log-uniformly once per round: from a pace the bot keeps up with
# to bursts that queue up, so kills land both between uploads and amid commits.
SEND_RATE = (10.0, 150.0)
REQUEUED = 5  # uploads the restarted bot gets again, see requeue_last_read
STYLES = ("digital",) * 7 + ("paper",)  # photos of paper cost the bot (and the script) more

Key = tuple[int, int]  # (chat id, message id)


@dataclass(frozen=True)
class Chat:
    """A chat that uploads; groups here allow no reactions, so the bot answers with notices."""

    id: int
    user: int


@dataclass
class Ledger:
    """What was sent and what the bot acknowledged, over all rounds."""

    sent: dict[Key, str] = field(default_factory=dict)  # labelled upload -> its label
    acked: dict[Key, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Snapshot:
    """The database as read from disk: its integrity verdict and every sample."""

    integrity: str
    samples: list[tuple[int, int, str | None]]  # (chat id, message id, label)


@dataclass
class Verdict:
    """What a snapshot says against the ledger."""

    lost: dict[Key, str] = field(default_factory=dict)  # acknowledged, missing: why
    problems: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """One round in figures, for its line of output."""

    rate: float  # uploads a second
    duration: float  # seconds of streaming
    delay: float  # seconds from the first acknowledgement to the kill
    sent: int = 0
    sent_while_down: int = 0
    acked: int = 0
    stored_at_kill: int = 0
    stored_unacked: int = 0  # committed, but the kill came before the acknowledgement
    pending_at_kill: int = 0  # sent before the kill, not stored by then
    requeued: int = 0
    acked_on_restart: int = 0
    stored_after: int = 0
    refused: int = 0  # by a notice, e.g. an image too faint to find a drawing in
    lost: dict[Key, str] = field(default_factory=dict)
    integrity: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # odd, but not a failure
    labels_ok: bool = True

    def line(self, number: int) -> str:
        """Return the round's line of output."""
        integrity = "ok" if set(self.integrity) == {"ok"} else "FAILED"
        return (
            f"round {number:2d}: {self.rate:3.0f}/s for {self.duration:.1f} s, "
            f"kill {self.delay:.2f} s after the 1st ack | sent {self.sent:3d} "
            f"({self.sent_while_down} while down) | at the kill: acked {self.acked:3d}, "
            f"stored {self.stored_at_kill:3d} ({self.stored_unacked} unacked), "
            f"{self.pending_at_kill} pending | restart: requeued {self.requeued}, "
            f"+{self.acked_on_restart} acked, stored {self.stored_after:3d} "
            f"(never {self.sent - self.stored_after}: {self.refused} refused) | "
            f"lost {len(self.lost)}, "
            f"integrity {integrity}, /labels {'match' if self.labels_ok else 'MISMATCH'}"
            + (", PROBLEMS" if self.problems else "")
        )


@dataclass(frozen=True)
class Kill:
    """What one stream and kill did."""

    sent: list[Key]  # every upload of the round, the ones after the kill included
    before_kill: int  # how many of them went out before it
    requeued: int  # see requeue_last_read
    read: set[Key]  # uploads getUpdates handed to the bot before it died


def notice_pattern(key: str) -> re.Pattern[str]:
    """Match one line of a merged notice built from the text ``key``, e.g. "Saved as sad. (×2)"."""
    marker = "\x00"
    template = re.escape(t(key, "en", label=marker)).replace(marker, r"(?P<label>[\w-]+)")
    return re.compile(template + r"(?: \(×(?P<n>\d+)\))?")


# Both say the image is stored under that label: a new sample, or one the bot already had.
ACK_LINES = (notice_pattern("ack.labelled"), notice_pattern("ack.duplicate"))
LABELS_LINE = re.compile(
    re.escape(t("labels.line", "en", label="\x00", count="\x01"))
    .replace("\x00", r"(?P<label>[\w-]+)")
    .replace("\x01", r"(?P<count>\d+)")
)
TIMES = re.compile(r" \(×(\d+)\)$")  # how a merged notice counts a repeated line
LABELS_REPLY_STARTS = (t("labels.header", "en"), t("labels.empty", "en"))


class Images:
    """Distinct synthetic smileys: the bot dedupes by file_unique_id, a hash of the bytes."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._seen: set[bytes] = set()

    def make(self, label: str) -> bytes:
        """Return a new image of ``label``, mostly digital drawings, some photos of paper."""
        while True:
            style = STYLES[int(self._rng.integers(len(STYLES)))]
            fmt = "JPEG" if style == "paper" or self._rng.random() < 0.5 else "PNG"
            data = smiley_bytes(label, self._rng, style, fmt=fmt, size=200)
            digest = hashlib.sha256(data).digest()
            if digest not in self._seen:
                self._seen.add(digest)
                return data


def setup_chats(telegram: FakeTelegram, count: int) -> list[Chat]:
    """Create users and chats: every third chat is a group that allows no reactions."""
    chats = []
    for index in range(count):
        user = FIRST_USER + index
        telegram.add_user(user, f"Uploader{index}", language_code="en")
        if index % 3 == 2:
            group = -user
            telegram.add_chat(
                group, type="group", title=f"Group{index}", reactions_enabled=False, admins=[user]
            )
            chats.append(Chat(group, user))
        else:
            chats.append(Chat(user, user))
    return chats


def write_config(workdir: Path, telegram: FakeTelegram) -> Path:
    """Write the bot's config: the fake server, and the database and models in ``workdir``."""
    config = workdir / "bot.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{telegram.base_url}"\n'
        f'base_file_url = "{telegram.base_file_url}"\n'
        f'[storage]\ndatabase = "{workdir / "smiley.sqlite3"}"\n'
        f'models_dir = "{workdir / "models"}"\n'
        # The stream is far above a person's pace; a throttle notice is not what is tested.
        "[limits]\nuploads_per_user_per_minute = 1000000\n",
        encoding="utf-8",
    )
    return config


async def start_bot(telegram: FakeTelegram, config: Path, log: Path) -> asyncio.subprocess.Process:
    """Start ``python -m bot`` and return once it sends its first getUpdates.

    The dead bot's last long poll may still be open on the server, so "is a poll waiting"
    proves nothing; a poll *starting* after the spawn does.
    """
    polled = asyncio.ensure_future(telegram.world.updates.poll_started.wait(STARTUP_TIMEOUT))
    await asyncio.sleep(0)  # the waiter now holds the current event
    with log.open("ab") as sink:
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot", "--config", str(config)),
            cwd=ROOT,
            env={**os.environ, "SMILEY_BOT_TOKEN": telegram.token},
            stdout=sink,
            stderr=sink,
        )
    if not await polled:
        process.kill()
        await process.wait()
        raise RuntimeError(f"the bot did not poll within {STARTUP_TIMEOUT:g} s; see {log}")
    return process


async def stream(
    telegram: FakeTelegram,
    chats: list[Chat],
    uploads: list[tuple[str, bytes]],
    interval: float,
    ledger: Ledger,
    sent: list[Key],
) -> None:
    """Send the labelled photos one every ``interval`` s, each from a chat drawn at random."""
    rng = np.random.default_rng(len(ledger.sent))
    began = time.monotonic()
    for index, (label, image) in enumerate(uploads):
        chat = chats[int(rng.integers(len(chats)))]
        message = telegram.send_photo(chat.id, chat.user, image, caption=f"/label {label}")
        key = (chat.id, int(message["message_id"]))
        ledger.sent[key] = label
        sent.append(key)
        # Against the clock, so the time send_photo takes does not slow the pace.
        await asyncio.sleep(max(0.0, began + (index + 1) * interval - time.monotonic()))


def is_ack(call: ApiCall) -> bool:
    """Whether ``call`` acknowledged a labelled upload: a 👍, or a notice saying it is saved."""
    if not call.ok:
        return False
    if call.method == "setMessageReaction":
        return LABELLED in reaction_emoji(call)
    lines = str(call.params.get("text", "")).splitlines()
    return call.method == "sendMessage" and any(_ack_line(line) for line in lines)


def reaction_emoji(call: ApiCall) -> list[str]:
    """Return the emoji a setMessageReaction call set (its parameter may be JSON text)."""
    raw = call.params.get("reaction") or []
    reactions = json.loads(raw) if isinstance(raw, str) else raw
    return [str(r.get("emoji")) for r in reactions if isinstance(r, dict)]


def delivered(calls: Iterable[ApiCall]) -> list[list[dict[str, Any]]]:
    """Return the messages of each getUpdates answer a live bot read, in order."""
    batches = []
    for call in calls:
        if call.method == "getUpdates" and call.ok and call.delivered and call.result:
            batch = [u["message"] for u in call.result if u.get("message")]
            if batch:
                batches.append(batch)
    return batches


def deliveries(calls: Iterable[ApiCall]) -> list[Key]:
    """Return the messages handed to the bot in the order it got them, repeats included."""
    return [
        (int(message["chat"]["id"]), int(message["message_id"]))
        for batch in delivered(calls)
        for message in batch
    ]


def acknowledgements(
    calls: list[ApiCall], chats: list[Chat], ledger: Ledger
) -> tuple[dict[Key, str], list[str]]:
    """Return the uploads one bot process acknowledged in ``calls``, and any inconsistency.

    A reaction the server applied counts even if the dying bot never read the answer: the
    user sees it. A notice replying to message m acknowledges, per its text, the uploads of
    its chat that the bot got up to m and did not react to: the bot handles a chat's
    updates one at a time, in the order it got them. Deliveries are counted, not just
    collected, in case an upload reaches one process twice (stored and reacted to, then
    answered as a duplicate).
    """
    reacted: Counter[Key] = Counter()
    for call in calls:
        if call.method == "setMessageReaction" and call.ok and LABELLED in reaction_emoji(call):
            reacted[(int(call.params["chat_id"]), int(call.params["message_id"]))] += 1
    acked = {key: ledger.sent[key] for key in reacted if key in ledger.sent}
    problems: list[str] = []
    received = deliveries(calls)
    for chat in chats:
        order = [key for key in received if key[0] == chat.id and key in ledger.sent]
        counted, reach, answered = notices_in(calls, chat, order, problems)
        if not counted:
            continue
        covered = Counter(order[: reach + 1]) - reacted
        labels = Counter({label: 0 for label in LABELS})
        for key, times in covered.items():
            labels[ledger.sent[key]] += times
            acked[key] = ledger.sent[key]
        if +labels != counted:
            failed = [
                f"{c.params['message_id']}: {c.error_code} {c.description}"
                for c in calls
                if c.method == "setMessageReaction"
                and not c.ok
                and int(c.params["chat_id"]) == chat.id
            ]
            details = "; ".join(
                f"{text!r} replying to {m} (got {order.count((chat.id, m))}x, "
                f"reacted {reacted[(chat.id, m)]}x)"
                for m, text in answered
            )
            problems.append(
                f"chat {chat.id}: notices acknowledge {dict(counted)} but the uploads the bot "
                f"got up to the last one they reply to and did not react to are "
                f"{dict(+labels)}; notices: {details}; failed reactions: {failed}"
            )
    return acked, problems


def notices_in(
    calls: list[ApiCall], chat: Chat, order: list[Key], problems: list[str]
) -> tuple[Counter[str], int, list[tuple[int, str]]]:
    """Return the acknowledgements per label in the chat's notices, the position in
    ``order`` of the last upload they reply to (-1: none), and (message id, text) of each."""
    counted: Counter[str] = Counter()
    answered: list[tuple[int, str]] = []
    reach = -1
    for call in calls:
        if not (
            call.method == "sendMessage" and call.ok and int(call.params["chat_id"]) == chat.id
        ):
            continue
        lines = [_ack_line(line) for line in str(call.params.get("text", "")).splitlines()]
        found = [line for line in lines if line is not None]
        if not found:
            continue  # e.g. the /labels reply
        for label, count in found:
            counted[label] += count
        reply = call.params.get("reply_parameters") or {}
        if isinstance(reply, str):
            reply = json.loads(reply)
        target = (chat.id, int(reply.get("message_id", 0)))
        answered.append((target[1], str(call.params.get("text", ""))))
        # Notices go out in the order the uploads were handled: the next delivery of the
        # target at or after the previous reach is the one this notice answers.
        later = [i for i in range(max(reach, 0), len(order)) if order[i] == target]
        if not later:
            problems.append(f"a notice replies to {target}, which the bot never got then")
            continue
        reach = later[0]
    return counted, reach, answered


def refusals(calls: Iterable[ApiCall], chats: list[Chat]) -> int:
    """Count the uploads the bot refused with a notice (e.g. "I can't find a drawing")."""
    ids = {chat.id for chat in chats}
    refused = 0
    for call in calls:
        text = str(call.params.get("text", ""))
        if not (call.method == "sendMessage" and call.ok and int(call.params["chat_id"]) in ids):
            continue
        if text.startswith(LABELS_REPLY_STARTS):
            continue
        for line in text.splitlines():
            if _ack_line(line) is None:
                times = TIMES.search(line)
                refused += int(times[1]) if times else 1
    return refused


def _ack_line(line: str) -> tuple[str, int] | None:
    for pattern in ACK_LINES:
        match = pattern.fullmatch(line)
        if match:
            return match["label"], int(match["n"] or 1)
    return None


def read_database(path: Path) -> Snapshot:
    """Read the file read-only: a hot WAL left by the kill is read, not checkpointed."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        integrity = "; ".join(str(row[0]) for row in conn.execute("PRAGMA integrity_check"))
        rows = conn.execute(
            "SELECT s.chat_id, s.message_id, l.name FROM samples AS s"
            " LEFT JOIN labels AS l ON l.chat_id = s.chat_id AND l.id = s.label_id"
        ).fetchall()
    return Snapshot(
        integrity, [(int(c), int(m), None if n is None else str(n)) for c, m, n in rows]
    )


def judge(snapshot: Snapshot, ledger: Ledger) -> Verdict:
    """Check integrity, acknowledged samples, duplicates and labels against the ledger."""
    verdict = Verdict()
    if snapshot.integrity != "ok":
        verdict.problems.append(f"integrity_check: {snapshot.integrity[:200]}")
    stored: dict[Key, str | None] = {}
    for chat_id, message_id, label in snapshot.samples:
        key = (chat_id, message_id)
        if key in stored:
            verdict.problems.append(f"message {key} stored twice")
        stored[key] = label
        if ledger.sent.get(key) != label:
            verdict.problems.append(
                f"sample of message {key} has label {label!r}, "
                f"its caption said {ledger.sent.get(key)!r}"
            )
    for key, label in ledger.acked.items():
        if key not in stored:
            verdict.lost[key] = f"acknowledged message {key} ({label}) is not stored"
        elif stored[key] != label:
            verdict.lost[key] = f"acknowledged message {key} ({label}) is stored as {stored[key]!r}"
    return verdict


def counts_by_chat(snapshot: Snapshot) -> dict[int, Counter[str]]:
    """Return the labelled samples per chat and label, as /labels should show them."""
    counts: dict[int, Counter[str]] = {}
    for chat_id, _, label in snapshot.samples:
        if label is not None:
            counts.setdefault(chat_id, Counter())[label] += 1
    return counts


async def labels_replies(telegram: FakeTelegram, chats: list[Chat]) -> dict[int, Counter[str]]:
    """Send /labels in every chat and parse each reply into counts per label."""
    asked = time.monotonic()
    for chat in chats:
        telegram.send_text(chat.id, chat.user, "/labels")
    replies: dict[int, Counter[str]] = {}
    for chat in chats:

        def is_reply(call: ApiCall, chat_id: int = chat.id) -> bool:
            text = str(call.params.get("text", ""))
            return (
                call.method == "sendMessage"
                and call.ok
                and call.at >= asked
                and int(call.params["chat_id"]) == chat_id
                and text.startswith(LABELS_REPLY_STARTS)
            )

        call = await telegram.wait_for(is_reply, timeout=REPLY_TIMEOUT)
        counts: Counter[str] = Counter()
        for line in str(call.params["text"]).splitlines():
            match = LABELS_LINE.fullmatch(line)
            if match:
                counts[match["label"]] = int(match["count"])
        replies[chat.id] = counts
    return replies


def compare_labels(
    replies: dict[int, Counter[str]], stored: dict[int, Counter[str]], ledger: Ledger
) -> list[str]:
    """/labels must equal the database and cover every acknowledgement."""
    problems = []
    acked: dict[int, Counter[str]] = {}
    for (chat_id, _), label in ledger.acked.items():
        acked.setdefault(chat_id, Counter())[label] += 1
    for chat_id, shown in replies.items():
        in_db = stored.get(chat_id, Counter())
        if shown != in_db:
            problems.append(f"chat {chat_id}: /labels shows {dict(shown)}, database {dict(in_db)}")
        short = {
            label: (shown[label], n)
            for label, n in acked.get(chat_id, Counter()).items()
            if shown[label] < n
        }
        if short:
            problems.append(f"chat {chat_id}: /labels below acknowledged (shown, acked): {short}")
    return problems


@contextmanager
def workspace(path: str | None) -> Iterator[Path]:
    """Yield ``path`` (created, kept) or a temporary directory removed afterwards."""
    if path is not None:
        Path(path).mkdir(parents=True, exist_ok=True)
        yield Path(path)
        return
    with tempfile.TemporaryDirectory(prefix="crash-uploads-") as temporary:
        yield Path(temporary)


async def stop_cleanly(process: asyncio.subprocess.Process) -> bool:
    """SIGTERM the bot and wait; return whether it exited by itself in time."""
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        return True
    except TimeoutError:
        process.kill()
        await process.wait()
        return False


def requeue_last_read(telegram: FakeTelegram, calls: list[ApiCall], killed_at: float) -> int:
    """Queue again the last uploads the killed bot read and confirmed; return how many.

    PTB confirms what it read with its next getUpdates within milliseconds, so a kill
    almost never lands before that. Had it, Telegram would hand those updates to the
    restarted bot again, while the dead bot may have stored and acknowledged some of them:
    this makes that happen, for the last REQUEUED uploads, as if one getUpdates answer had
    held them all. Unconfirmed ones are left out: the fake server delivers those again by
    itself, and no upload should reach one process twice. The update ids are new, so the
    bot's record of handled updates cannot catch them: this exercises the deduplication by
    file_unique_id, the last line of defence (same-id ones: tests/bot/handlers/test_guards.py).
    """
    before = [c for c in calls if c.method == "getUpdates" and c.at < killed_at]
    confirmed = max((int(c.params.get("offset") or 0) for c in before), default=0)
    read = [
        update["message"]
        for call in before
        if call.ok and call.delivered and call.result and call.finished_at < killed_at
        for update in call.result
        if "message" in update and int(update["update_id"]) < confirmed
    ]
    for message in read[-REQUEUED:]:
        telegram.world.push_update("message", message)
    return len(read[-REQUEUED:])


async def upload_and_kill(
    telegram: FakeTelegram,
    chats: list[Chat],
    process: asyncio.subprocess.Process,
    uploads: list[tuple[str, bytes]],
    interval: float,
    delay: float,
    ledger: Ledger,
) -> Kill:
    """Stream the uploads, SIGKILL the bot ``delay`` s after its first acknowledgement.

    The stream goes on after the kill, as users do: the dead bot's open long poll takes
    those updates without anyone reading them, and the restarted bot gets them. Returns
    what was sent and when the kill came.
    """
    mark = len(telegram.calls)
    started = time.monotonic()
    sent: list[Key] = []
    streaming = asyncio.create_task(stream(telegram, chats, uploads, interval, ledger, sent))
    try:
        first = await telegram.wait_for(
            lambda c: c.at >= started and is_ack(c), timeout=FIRST_ACK_TIMEOUT
        )
        await asyncio.sleep(max(0.0, first.finished_at + delay - time.monotonic()))
    finally:
        process.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        await process.wait()
        before_kill = len(sent)
        requeued = requeue_last_read(telegram, telegram.calls[mark:], killed_at)
        await asyncio.gather(streaming, return_exceptions=True)
    # Requests that were in flight at the kill still finish on the server.
    await telegram.wait_idle(quiet=0.2, timeout=10)
    read = set(deliveries(c for c in telegram.calls[mark:] if c.finished_at < killed_at))
    return Kill(sent, before_kill, requeued, read)


def check_kill(
    outcome: Outcome, kill: Kill, calls: list[ApiCall], chats: list[Chat], ledger: Ledger, db: Path
) -> None:
    """Collect the dead bot's acknowledgements and check the database as the kill left it."""
    acked, problems = acknowledgements(calls, chats, ledger)
    ledger.acked.update(acked)
    crashed = read_database(db)
    verdict = judge(crashed, ledger)
    stored = {(c, m) for c, m, _ in crashed.samples}
    outcome.sent, outcome.sent_while_down = len(kill.sent), len(kill.sent) - kill.before_kill
    outcome.requeued, outcome.acked = kill.requeued, len(acked)
    outcome.stored_at_kill = sum(key in stored for key in kill.sent)
    outcome.stored_unacked = sum(key in stored and key not in acked for key in kill.sent)
    outcome.pending_at_kill = sum(key not in stored for key in kill.sent[: kill.before_kill])
    outcome.integrity.append(crashed.integrity)
    outcome.lost |= {key: f"at the kill: {why}" for key, why in verdict.lost.items()}
    outcome.problems += problems + [f"at the kill: {line}" for line in verdict.problems]


async def restart_and_ask(
    telegram: FakeTelegram, chats: list[Chat], config: Path, log: Path, outcome: Outcome
) -> dict[int, Counter[str]]:
    """Restart the bot, ask /labels in every chat, let it finish, stop it with SIGTERM."""
    process = await start_bot(telegram, config, log)
    try:
        replies = await labels_replies(telegram, chats)
        # Quiet for longer than a notice cooldown, so no notice is left queued at SIGTERM:
        # the bot flushes notices after PTB has closed its HTTP client, and they fail.
        await telegram.wait_idle(quiet=GROUP_COOLDOWN + 0.5, timeout=REPLY_TIMEOUT)
    finally:
        if not await stop_cleanly(process):
            outcome.problems.append("the restarted bot did not stop on SIGTERM")
    return replies


def check_restart(
    outcome: Outcome,
    kill: Kill,
    calls: list[ApiCall],
    replies: dict[int, Counter[str]],
    chats: list[Chat],
    ledger: Ledger,
    db: Path,
) -> None:
    """Collect the restarted bot's acknowledgements; check the database it closed and /labels."""
    acked, problems = acknowledgements(calls, chats, ledger)
    outcome.acked_on_restart = len(set(acked) - set(ledger.acked))
    ledger.acked.update(acked)
    restarted = read_database(db)
    verdict = judge(restarted, ledger)
    stored = {(c, m) for c, m, _ in restarted.samples}
    outcome.stored_after = sum(key in stored for key in kill.sent)
    # An upload neither bot stored was refused, or read by the dead bot: PTB confirms what
    # it reads before handling it, so Telegram does not deliver it again.
    got = set(deliveries(calls))
    outcome.notes += [
        f"never stored, yet never delivered to a live bot: {key}"
        for key in kill.sent
        if key not in stored and key not in kill.read and key not in got
    ]
    mismatches = compare_labels(replies, counts_by_chat(restarted), ledger)
    outcome.labels_ok = not mismatches
    outcome.integrity.append(restarted.integrity)
    outcome.lost |= {key: f"after the restart: {why}" for key, why in verdict.lost.items()}
    outcome.problems += problems + [f"after the restart: {line}" for line in verdict.problems]
    outcome.problems += mismatches


async def run_round(
    number: int,
    telegram: FakeTelegram,
    chats: list[Chat],
    workdir: Path,
    images: Images,
    rng: np.random.Generator,
    ledger: Ledger,
) -> Outcome:
    """Upload, kill, check the crashed database, restart, check again; print one line."""
    config, database = workdir / "bot.toml", workdir / "smiley.sqlite3"
    low, high = np.log(SEND_RATE)
    outcome = Outcome(
        rate=float(np.exp(rng.uniform(low, high))),
        duration=float(rng.uniform(*STREAM_SECONDS)),
        delay=float(rng.uniform(*KILL_DELAY)),
    )
    count = int(outcome.duration * outcome.rate) + 1
    uploads = [(label, images.make(label)) for label in rng.choice(LABELS, count).tolist()]

    killed_from = len(telegram.calls)
    process = await start_bot(telegram, config, workdir / f"bot-{number:02d}-killed.log")
    kill = await upload_and_kill(
        telegram, chats, process, uploads, 1 / outcome.rate, outcome.delay, ledger
    )
    check_kill(outcome, kill, telegram.calls[killed_from:], chats, ledger, database)

    restarted_from = len(telegram.calls)
    log = workdir / f"bot-{number:02d}-restarted.log"
    replies = await restart_and_ask(telegram, chats, config, log, outcome)
    restart_calls = telegram.calls[restarted_from:]
    check_restart(outcome, kill, restart_calls, replies, chats, ledger, database)
    outcome.refused = refusals(telegram.calls[killed_from:], chats)

    print(outcome.line(number), flush=True)
    for line in [*outcome.lost.values(), *outcome.problems, *outcome.notes]:
        print(f"    {line}", flush=True)
    return outcome


async def main(args: argparse.Namespace) -> int:
    """Run the rounds, print the summary, return the exit status."""
    # A request the bot was sending when it died fails to read on the server, by design.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    began = time.monotonic()
    rng = np.random.default_rng(args.seed)
    images = Images(np.random.default_rng(args.seed + 1))
    ledger = Ledger()
    lost: set[Key] = set()
    failed = never = refused = 0
    async with FakeTelegram(spec_path=SPEC_PATH, flood=FloodPolicy.disabled()) as telegram:
        chats = setup_chats(telegram, args.chats)
        with workspace(args.workdir) as workdir:
            write_config(workdir, telegram)
            print(f"cores: {os.cpu_count()}; chats: {len(chats)}; data in {workdir}", flush=True)
            for number in range(1, args.rounds + 1):
                try:
                    outcome = await run_round(number, telegram, chats, workdir, images, rng, ledger)
                except (RuntimeError, AssertionError) as exc:
                    # A bot that never polls or answers: the round failed, the others still run.
                    print(f"round {number:2d}: FAILED: {str(exc)[:2000]}", flush=True)
                    failed += 1
                    continue
                lost |= set(outcome.lost)
                failed += bool(outcome.lost or outcome.problems or not outcome.labels_ok)
                never += outcome.sent - outcome.stored_after
                refused += outcome.refused
        violations = telegram.violations
    if violations:
        failed += 1
        print(f"Bot API spec violations ({len(violations)}): {violations[:5]}")
    print(
        f"summary: rounds {args.rounds}, uploads {len(ledger.sent)}, "
        f"acknowledged {len(ledger.acked)}, lost {len(lost)}, failed rounds {failed}; "
        f"never stored (unacknowledged, allowed) {never}: {refused} refused by the bot, "
        f"{max(0, never - refused)} read by a bot that was killed before storing them; "
        f"wall time {time.monotonic() - began:.0f} s"
    )
    return 1 if lost or failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--chats", type=int, default=3, help="every third one is a group")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", help="keep config, database and bot logs here")
    arguments = parser.parse_args()
    if arguments.rounds < 1 or arguments.chats < 1:
        parser.error("--rounds and --chats must be at least 1")
    sys.exit(asyncio.run(main(arguments)))
