"""A class's join code, the link that carries it, and that link as a QR code."""

from __future__ import annotations

import io
import re
import secrets
from typing import Final

import segno

__all__ = ["CODE_PATTERN", "join_link", "new_code", "qr_png"]

# 12 random bytes: 96 bits, as URL-safe base64 in 16 characters, which Telegram's start
# parameter allows (A-Z, a-z, 0-9, _ and -, up to 64). Nobody guesses one.
_CODE_BYTES: Final = 12
CODE_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{16}")
_QR_SCALE: Final = 12  # px per module: a 33-module code is about 490 px with its border


def new_code() -> str:
    """Return a fresh join code."""
    return secrets.token_urlsafe(_CODE_BYTES)


def join_link(bot_username: str, code: str) -> str:
    """Return the link that opens a private chat with the bot and sends /start <code>."""
    return f"https://t.me/{bot_username}?start={code}"


def qr_png(link: str) -> bytes:
    """Return the link as a QR code PNG, big enough to scan from a projector."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=_QR_SCALE, border=4)
    return buffer.getvalue()
