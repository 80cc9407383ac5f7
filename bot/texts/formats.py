"""Pieces of text the catalogue's templates are filled with: echoed user text, progress bars."""

from __future__ import annotations

import unicodedata

__all__ = ["BAR_WIDTH", "SHOWN_MAX_CHARACTERS", "bar", "shown"]

SHOWN_MAX_CHARACTERS = 40
BAR_WIDTH = 12


def shown(raw: str) -> str:
    """Return user text safe to echo: short, without control or direction characters."""
    visible = "".join("�" if unicodedata.category(c) in ("Cc", "Cf") else c for c in raw)
    if len(visible) > SHOWN_MAX_CHARACTERS:
        return visible[:SHOWN_MAX_CHARACTERS] + "…"
    return visible


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """Return a text progress bar such as ▓▓▓▓░░░░."""
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "▓" * filled + "░" * (width - filled)
