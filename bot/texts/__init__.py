"""Every user-facing text of the bot, in one catalogue: one module per language.

`t(key, language)` fills in a text; `en` and `de` hold them, and `formats` makes the
pieces they are filled with (user text safe to echo, progress bars).
"""

from __future__ import annotations

from typing import Any

from bot.texts import de, en

__all__ = ["CATALOGUE", "DEFAULT_LANGUAGE", "LANGUAGES", "t"]

DEFAULT_LANGUAGE = "en"
CATALOGUE: dict[str, dict[str, str]] = {"en": en.TEXTS, "de": de.TEXTS}
LANGUAGES = tuple(CATALOGUE)


def t(key: str, language: str | None = None, /, **values: Any) -> str:
    """Return the text for ``key`` in ``language`` (English when missing), filled in.

    ``language`` is a Telegram ``language_code`` such as "de" or "de-AT"; only its first
    two letters count.
    """
    catalogue = CATALOGUE.get((language or "")[:2].lower(), CATALOGUE[DEFAULT_LANGUAGE])
    template = catalogue.get(key) or CATALOGUE[DEFAULT_LANGUAGE][key]
    accepts = catalogue.get("accepts") or CATALOGUE[DEFAULT_LANGUAGE]["accepts"]
    return template.format_map({"accepts": accepts, **values})
