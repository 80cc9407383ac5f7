"""The bot's side of the Bot API: how updates come in and replies go out.

`flood_limits` transcribes Telegram's limits, `rate_limiter` paces every call to them
(a `token_bucket` per chat) and retries hiccups (`retries`), `update_order` handles updates
concurrently across chats and in order within one, `chat_activity` tells the limiter which
chats are owed an answer (their notices wait), `replies` answers a message, and `polling`
and `webhook` run the Application in either mode.
"""

__all__ = [
    "chat_activity",
    "flood_limits",
    "polling",
    "rate_limiter",
    "replies",
    "retries",
    "token_bucket",
    "update_order",
    "webhook",
]
