"""Parse and normalise label names typed in the chat."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "LABEL_MAX_LENGTH",
    "SUGGESTED_LABELS",
    "InvalidLabel",
    "label_argument",
    "normalise_label",
]

LABEL_MAX_LENGTH = 32
# The categories of the original talk's web app.
SUGGESTED_LABELS = ("smile", "sad", "neutral", "upside-down")
_ALLOWED_PUNCTUATION = frozenset("-_")
# Letters and marks that no font shows (Unicode's default-ignorable code points outside the
# format characters, which are refused anyway): "smile" plus one of them would look exactly
# like "smile", and a label of them alone would look empty.
_INVISIBLE_RANGES = (
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x115F, 0x1160),  # Hangul choseong and jungseong fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian free variation selectors
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors (emoji presentation)
    (0xFFA0, 0xFFA0),  # half-width Hangul filler
    (0xE0100, 0xE01EF),  # variation selectors supplement
)
# "/label smile" or "/label@SmileyBot smile", as a message text or a caption.
_LABEL_COMMAND = re.compile(r"^/label(?:@(?P<bot>\w+))?(?:\s+(?P<arg>.*))?$", re.S | re.I)


class InvalidLabel(ValueError):
    """A label that breaks the naming rule; ``hint`` suggests a fix when there is one."""

    def __init__(self, raw: str, hint: str | None = None) -> None:
        super().__init__(raw)
        self.raw = raw
        self.hint = hint


def normalise_label(raw: str) -> str:
    """Return the canonical form of ``raw`` or raise ``InvalidLabel``.

    Canonical means NFKC-normalised and case-folded (so "Smile", "SMILE" and the
    full-width "ｓｍｉｌｅ" are one label), 1 to 32 characters, each a letter or
    combining mark of any script, a decimal digit, "-" or "_".
    """
    # Case folding can leave text that is no longer NFKC-normal (e.g. "ß" -> "ss" is
    # fine, but some folds produce compatibility characters), hence NFKC on both sides.
    label = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", raw).casefold()).strip()
    if not label or len(label) > LABEL_MAX_LENGTH or not all(map(_allowed, label)):
        raise InvalidLabel(raw, _hint(label))
    return label


def _allowed(char: str) -> bool:
    code = ord(char)
    if any(low <= code <= high for low, high in _INVISIBLE_RANGES):
        return False
    category = unicodedata.category(char)
    return category[0] in "LM" or category == "Nd" or char in _ALLOWED_PUNCTUATION


def _hint(label: str) -> str | None:
    """Suggest the nearest valid name, e.g. "happy face" -> "happy-face"."""
    words = label.split()
    if len(words) > 1:
        candidate = "-".join(words)
        if len(candidate) <= LABEL_MAX_LENGTH and all(map(_allowed, candidate)):
            return candidate
    return None


def label_argument(text: str | None, bot_username: str) -> str | None:
    """Return the argument of a ``/label`` command ("" when missing).

    ``None`` means ``text`` is no /label command for this bot (``/label@OtherBot`` is
    another bot's).
    """
    match = _LABEL_COMMAND.match((text or "").strip())
    if match is None:
        return None
    addressee = match["bot"]
    if addressee and addressee.lower() != bot_username.lower():
        return None
    return (match["arg"] or "").strip()
