"""Message entities Telegram finds in plain text typed by users."""

from __future__ import annotations

import re
from typing import Any

# A command is "/" and up to 32 letters, digits or underscores, optionally "@botname",
# standing at the start of the text or after a non-word character.
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}(?![\w@])")
_HASHTAG = re.compile(r"(?<![\w#])#\w+")
_PATTERNS = (("bot_command", _COMMAND), ("mention", _MENTION), ("hashtag", _HASHTAG))


def utf16_len(text: str) -> int:
    """Return the length in UTF-16 code units, the unit of entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def find_entities(text: str) -> list[dict[str, Any]]:
    """Return the bot_command, mention and hashtag entities in ``text``, in order."""
    found: list[tuple[int, int, str]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            found.append((match.start(), match.end(), kind))
    found.sort()
    return [
        {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])}
        for start, end, kind in found
    ]


def command_of(text: str | None) -> tuple[str, str | None] | None:
    """Return (command, addressed bot username or None) when ``text`` starts with a command."""
    if not text:
        return None
    match = _COMMAND.match(text)
    if match is None:
        return None
    command, _, username = match.group(0)[1:].partition("@")
    return command, username or None
