"""Who a request to the web chat is: the one person, or a pupil or teacher by session cookie.

The single-person playground has no login: every request is its one chat (``OnePerson``).
In a classroom (``Sessions``) a request is somebody only with a session cookie the
playground handed out after a right PIN (a pupil) or the teacher's secret: random, HttpOnly
(the page's scripts never see it), SameSite=Strict (another site's page cannot send it).
``AttemptLimiter`` slows down guessing.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Final, Protocol

from aiohttp import web

from bot.playground.fakeserver import FakeTelegram
from bot.playground.feed import ChatFeed

__all__ = [
    "COOKIE_NAME",
    "AttemptLimiter",
    "OnePerson",
    "PlaygroundChat",
    "Sessions",
    "Visitors",
]

COOKIE_NAME: Final = "smiley_session"
_SESSION_BYTES: Final = 32


@dataclass
class PlaygroundChat:
    """One person of the playground, their chat, and the feed their page polls."""

    telegram: FakeTelegram
    user_id: int
    feed: ChatFeed
    in_class: bool = False  # a pupil's or the teacher's, in the classroom playground
    teacher: bool = False  # the class's teacher, whose chat is the class's group

    @property
    def chat_id(self) -> int:
        """Return the chat's id (a private chat's is the user's id, as in Telegram)."""
        return self.feed.chat_id


class Visitors(Protocol):
    """Tells whose chat a request belongs to."""

    def chat_for(self, request: web.Request) -> PlaygroundChat | None:
        """Return the request's chat, or None for somebody the playground does not know."""


@dataclass
class OnePerson:
    """The single-person playground: every request is its one chat (no login)."""

    chat: PlaygroundChat

    def chat_for(self, request: web.Request) -> PlaygroundChat | None:
        """Return the one chat."""
        return self.chat


@dataclass
class Sessions:
    """The classroom's sessions: a random cookie value for each pupil's or the teacher's chat."""

    _chats: dict[str, PlaygroundChat] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self._chats)

    def chat_for(self, request: web.Request) -> PlaygroundChat | None:
        """Return the chat of the request's session cookie, if it is one handed out."""
        token = request.cookies.get(COOKIE_NAME, "")
        return self._chats.get(token) if token else None

    def open(self, response: web.StreamResponse, chat: PlaygroundChat) -> None:
        """Start a session for ``chat``: set its cookie on ``response``."""
        token = secrets.token_urlsafe(_SESSION_BYTES)
        self._chats[token] = chat
        # No Secure flag: the classroom playground speaks plain HTTP (see the README).
        response.set_cookie(COOKIE_NAME, token, httponly=True, samesite="Strict", path="/")


@dataclass
class AttemptLimiter:
    """At most ``failures`` wrong attempts per address within ``window`` seconds."""

    failures: int = 5
    window: float = 60.0
    _recent: dict[str, deque[float]] = field(default_factory=dict)

    def blocked(self, address: str) -> bool:
        """Return whether ``address`` used up its wrong attempts for now."""
        recent = self._recent.get(address)
        if recent is None:
            return False
        cutoff = time.monotonic() - self.window
        while recent and recent[0] < cutoff:
            recent.popleft()
        if not recent:
            del self._recent[address]
            return False
        return len(recent) >= self.failures

    def failed(self, address: str) -> None:
        """Note one wrong attempt from ``address``."""
        self._recent.setdefault(address, deque()).append(time.monotonic())
