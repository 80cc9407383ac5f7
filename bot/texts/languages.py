"""Which of the catalogue's languages a Telegram ``language_code`` stands for."""

from __future__ import annotations

__all__ = ["DEFAULT_LANGUAGE", "base_language"]

DEFAULT_LANGUAGE = "en"


def base_language(language: str | None) -> str:
    """Return the two-letter language of a ``language_code`` ("de-AT" -> "de", None -> "")."""
    return (language or "")[:2].lower()
