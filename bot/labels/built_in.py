"""The built-in model's labels: stored under their English names, shown in the reader's language.

The bundled default model knows ``SUGGESTED_LABELS`` ("smile", "sad", ...). A chat stores
them under those names whatever its language, so buttons, exports and models never change
with it; only what a reader sees does: a German reader sees "fröhlich" where an English one
sees "smile". Every other label is the chat's own and shows exactly as it was typed.
Typing a built-in label's shown name in any language ("/label fröhlich") means that label,
so a chat never ends up with "smile" and "fröhlich" side by side; unless the chat already
has a label of exactly that name, which then stays its own.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.labels.names import SUGGESTED_LABELS, normalise_label
from bot.texts import CATALOGUE, t

__all__ = ["shown_name", "shown_names", "stored_name"]


def _key(label: str) -> str:
    return f"builtin_label.{label}"


def shown_name(label: str, lang: str | None) -> str:
    """Return how ``lang``'s reader sees the stored ``label``: translated if it is built in."""
    return t(_key(label), lang) if label in SUGGESTED_LABELS else label


def shown_names(labels: Collection[str], lang: str | None) -> list[str]:
    """Return ``shown_name`` of each label, in order."""
    return [shown_name(label, lang) for label in labels]


# Every language's shown name of each built-in label, as typed and normalised.
_TYPED: dict[str, str] = {
    normalise_label(texts[_key(label)]): label
    for texts in CATALOGUE.values()
    for label in SUGGESTED_LABELS
}


def stored_name(label: str, existing: Collection[str]) -> str:
    """Return the name to store a typed, normalised ``label`` under.

    A built-in label's shown name in any language is that label ("fröhlich" is "smile"),
    unless the chat already has a label called exactly ``label`` (``existing``).
    """
    if label in existing:
        return label
    return _TYPED.get(label, label)
