"""Logging that never prints the bot token."""

from __future__ import annotations

import logging
import sys

__all__ = ["RedactingFormatter", "configure_logging"]

REDACTED = "<token>"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Replaces secrets anywhere in a formatted record, tracebacks included."""

    def __init__(self, secrets: list[str], fmt: str = LOG_FORMAT) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        """Format ``record`` and blank out every secret."""
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def configure_logging(token: str, level: int = logging.INFO) -> None:
    """Log to stderr with the token redacted; quieten libraries that log URLs."""
    handler = logging.StreamHandler(sys.stderr)
    # The token alone, and its URL-encoded form (":" becomes "%3A").
    handler.setFormatter(RedactingFormatter([token, token.replace(":", "%3A")]))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs every request URL at INFO, and the URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
