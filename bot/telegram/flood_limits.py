"""Telegram's flood limits for bots, as its FAQ documents them: transcribed once.

The bot's rate limiter keeps to them, and the playground's fake server enforces them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = [
    "CHAT_BURST",
    "CHAT_PER_SECOND",
    "GROUP_PER_MINUTE",
    "MESSAGE_METHODS",
    "OVERALL_PER_SECOND",
    "message_cost",
]

# About one message a second per chat, with a short burst allowed.
CHAT_BURST: Final = 3
CHAT_PER_SECOND: Final = 1.0
GROUP_PER_MINUTE: Final = 20  # per group or supergroup
OVERALL_PER_SECOND: Final = 30  # per bot, across all chats

# The calls that put new messages into a chat; the limits count these and nothing else.
MESSAGE_METHODS: Final = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "sendSticker",
        "sendAnimation",
        "sendAudio",
        "sendVideo",
        "sendVoice",
        "sendVideoNote",
        "sendLocation",
        "sendContact",
        "sendPoll",
        "sendDice",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
    }
)


def message_cost(method: str, params: Mapping[str, Any]) -> int:
    """Return how many messages a call puts into the chat: an album counts each picture."""
    if method == "sendMediaGroup":
        return max(1, len(params.get("media") or ()))
    return 1
