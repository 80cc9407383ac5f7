"""Every Bot API method the fake implements, by its canonical name."""

from __future__ import annotations

from .api_base import Handler
from .api_bot import HANDLERS as BOT_HANDLERS
from .api_chats import HANDLERS as CHAT_HANDLERS
from .api_media import HANDLERS as MEDIA_HANDLERS
from .api_messages import HANDLERS as MESSAGE_HANDLERS

HANDLERS: dict[str, Handler] = {
    **BOT_HANDLERS,
    **MESSAGE_HANDLERS,
    **MEDIA_HANDLERS,
    **CHAT_HANDLERS,
}
_BY_LOWER = {name.lower(): name for name in HANDLERS}


def implemented(name: str) -> str | None:
    """Return the canonical name of an implemented method (case-insensitive), or None."""
    return _BY_LOWER.get(name.lower())
