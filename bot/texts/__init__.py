"""Every user-facing text of the bot, in one catalogue: one module per language.

`t(key, language)` fills in a text; `en` and `de` hold them, `formats` makes the pieces
they are filled with (user text safe to echo, progress bars) and `numbers` writes numbers
the way each language does (``7,9 s`` and ``92 %`` in German).
"""

from __future__ import annotations

from typing import Any

from bot.texts import de, en
from bot.texts.languages import DEFAULT_LANGUAGE, base_language
from bot.texts.numbers import whole

__all__ = ["CATALOGUE", "DEFAULT_LANGUAGE", "LANGUAGES", "t"]

CATALOGUE: dict[str, dict[str, str]] = {"en": en.TEXTS, "de": de.TEXTS}
LANGUAGES = tuple(CATALOGUE)


def t(key: str, language: str | None = None, /, **values: Any) -> str:
    """Return the text for ``key`` in ``language`` (English when missing), filled in.

    ``language`` is a Telegram ``language_code`` such as "de" or "de-AT"; only its first
    two letters count. Whole numbers (``int`` values) are written in the language's style
    (``1.234`` in German); other numbers come formatted, by ``bot.texts.numbers``.
    """
    catalogue = CATALOGUE.get(base_language(language), CATALOGUE[DEFAULT_LANGUAGE])
    template = catalogue.get(key) or CATALOGUE[DEFAULT_LANGUAGE][key]
    accepts = catalogue.get("accepts") or CATALOGUE[DEFAULT_LANGUAGE]["accepts"]
    shown = {
        name: whole(value, language)
        if isinstance(value, int) and not isinstance(value, bool)
        else value
        for name, value in values.items()
    }
    return template.format_map({"accepts": accepts, **shown})
