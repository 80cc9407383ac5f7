"""The token never reaches the log, not even inside a traceback."""

from __future__ import annotations

import logging

from bot.logsetup import RedactingFormatter

TOKEN = "123456:SECRET-part"


def record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("httpx", logging.INFO, __file__, 1, message, args, exc_info)


def test_token_is_redacted_in_messages_arguments_and_tracebacks() -> None:
    formatter = RedactingFormatter([TOKEN, TOKEN.replace(":", "%3A")])
    try:
        raise RuntimeError(f"GET https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError as exc:
        error = exc
    lines = [
        formatter.format(record("HTTP Request: POST %s", f"https://x/bot{TOKEN}/getUpdates")),
        formatter.format(record("url-encoded: %s", "bot123456%3ASECRET-part")),
        formatter.format(record("crash", exc=error)),
    ]
    for line in lines:
        assert "SECRET-part" not in line
        assert "<token>" in line
