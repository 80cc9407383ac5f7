"""A class on the school network, built on the bot's Telegram class through the fake server.

At start the playground makes a group chat ("Class") with the teacher as its admin and
sends /classroom there as the teacher: the class, its join code, its live tally and its
training are the real bot's. A pupil's browser that gives the PIN and a first name becomes
a fake user of its own with its own private chat, which sends ``/start <code>`` as Telegram
would after the class's link. The PIN is short, for pupils to type; the teacher's page,
which can train and end the class, needs the long random ``teacher_key`` instead.
"""

from __future__ import annotations

import enum
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from typing import Final

from bot.playground.fakeserver import FakeTelegram
from bot.playground.feed import ChatFeed
from bot.playground.sessions import AttemptLimiter, PlaygroundChat, Sessions

__all__ = [
    "CLASS_CHAT_ID",
    "MAX_NAME",
    "MAX_PUPILS",
    "Classroom",
    "Refusal",
    "Refused",
]

CLASS_CHAT_ID: Final = -100  # the class's group chat in the fake Telegram
CLASS_TITLE: Final = "Class"
TEACHER_NAME: Final = "Teacher"
# Pupils' user ids (their private chats' ids too) are random: the bot's database outlives a
# run, and a pupil of today must never get the chat of yesterday's pupil with the same number.
PUPIL_IDS: Final = range(10**9, 2 * 10**9)
MAX_PUPILS: Final = 100  # a class, with room for pupils who join twice; not a crowd
MAX_NAME: Final = 32
_PIN_DIGITS: Final = 6
_TEACHER_KEY_BYTES: Final = 18
START_TIMEOUT_SECONDS: Final = 30.0
# The class's link in the caption of /classroom's QR code (bot.classroom.codes.join_link).
_LINK = re.compile(r"\?start=([A-Za-z0-9_-]{16})")


class Refusal(enum.Enum):
    """Why a join or teacher login was refused; the page says it in the pupil's language."""

    TOO_MANY = "too_many"  # too many wrong attempts from this address: wait a minute
    WRONG = "wrong"  # wrong PIN or teacher key
    NAME = "name"  # no usable first name
    FULL = "full"  # MAX_PUPILS joined already
    STARTING = "starting"  # the class is not started yet


class Refused(Exception):
    """A join or teacher login the classroom refuses."""

    def __init__(self, why: Refusal) -> None:
        super().__init__(why.value)
        self.why = why


def first_name(raw: object) -> str | None:
    """Return a pupil's first name as typed, tidied, or None if it is none."""
    if not isinstance(raw, str):
        return None
    name = " ".join(raw.split())
    if not name or len(name) > MAX_NAME:
        return None
    if any(unicodedata.category(char).startswith("C") for char in name):
        return None  # control or invisible characters
    return name


@dataclass
class Classroom:
    """The playground's class: its PIN, the teacher's key, and every browser's session."""

    telegram: FakeTelegram
    teacher_id: int
    bot_username: str
    language: str = "en"
    join_url: str = ""  # what pupils open, e.g. http://192.168.1.20:8080/
    pin: str = field(default_factory=lambda: f"{secrets.randbelow(10**_PIN_DIGITS):06d}")
    teacher_key: str = field(default_factory=lambda: secrets.token_urlsafe(_TEACHER_KEY_BYTES))
    sessions: Sessions = field(default_factory=Sessions)
    limiter: AttemptLimiter = field(default_factory=AttemptLimiter)
    pupils: list[PlaygroundChat] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.teacher = PlaygroundChat(
            self.telegram,
            self.teacher_id,
            ChatFeed(self.telegram, CLASS_CHAT_ID, self.bot_username),
            in_class=True,
            teacher=True,
        )

    async def open(self) -> str:
        """Make the class's group and send /classroom in it as the teacher; return the code."""
        telegram = self.telegram
        telegram.add_user(self.teacher_id, TEACHER_NAME, language_code=self.language)
        telegram.add_chat(
            CLASS_CHAT_ID,
            type="group",
            title=CLASS_TITLE,
            admins=[self.teacher_id, telegram.bot_id],
        )
        request = telegram.send_text(CLASS_CHAT_ID, self.teacher_id, "/classroom")
        photo = await telegram.wait_for_message(
            CLASS_CHAT_ID,
            after_message_id=request["message_id"],
            contains="?start=",
            timeout=START_TIMEOUT_SECONDS,
        )
        match = _LINK.search(photo.get("caption", ""))
        if match is None:
            raise RuntimeError("the bot's /classroom answer has no join link")
        return match.group(1)

    @property
    def code(self) -> str | None:
        """Return the join code of the bot's newest link in the group, if it sent one yet.

        The newest, not the first: after ``/classroom end`` and ``/classroom`` the teacher's
        page holds a new class, and pupils who join then must join that one.
        """
        for message in reversed(self.telegram.bot_messages(CLASS_CHAT_ID)):
            match = _LINK.search(message.get("caption") or message.get("text") or "")
            if match is not None:
                return match.group(1)
        return None

    def check(self, address: str, given: object, secret: str) -> None:
        """Refuse ``given`` unless it is ``secret``, and anybody who guessed too often."""
        if self.limiter.blocked(address):
            raise Refused(Refusal.TOO_MANY)
        if not isinstance(given, str) or not secrets.compare_digest(
            given.strip().encode(), secret.encode()
        ):
            self.limiter.failed(address)
            raise Refused(Refusal.WRONG)

    def join(self, address: str, pin: object, name: object, language: str) -> PlaygroundChat:
        """Make a pupil with their own private chat, who sends /start <code>; return it."""
        self.check(address, pin, self.pin)
        pupil_name = first_name(name)
        if pupil_name is None:
            raise Refused(Refusal.NAME)
        code = self.code
        if code is None:
            raise Refused(Refusal.STARTING)
        if len(self.pupils) >= MAX_PUPILS:
            raise Refused(Refusal.FULL)
        user_id = self._new_user_id()
        self.telegram.add_user(user_id, pupil_name, language_code=language)
        self.telegram.add_chat(user_id)
        pupil = PlaygroundChat(
            self.telegram,
            user_id,
            ChatFeed(self.telegram, user_id, self.bot_username),
            in_class=True,
        )
        self.pupils.append(pupil)
        self.telegram.send_text(user_id, user_id, f"/start {code}")
        return pupil

    def _new_user_id(self) -> int:
        users = self.telegram.world.users
        while True:
            user_id = PUPIL_IDS.start + secrets.randbelow(len(PUPIL_IDS))
            if user_id not in users:
                return user_id
