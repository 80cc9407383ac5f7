"""The bot's side of the Bot API: how updates come in and replies go out.

`flood_limits` transcribes Telegram's limits, `rate_limiter` paces every call to them and
retries hiccups (`retries`), `update_order` handles updates concurrently across chats and in order
within one, `replies` answers a message, and `polling` and `webhook` run the Application
in either mode.
"""

__all__ = [
    "flood_limits",
    "polling",
    "rate_limiter",
    "replies",
    "retries",
    "update_order",
    "webhook",
]
