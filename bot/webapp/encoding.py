"""The drawing the canvas page sends back: a compact, versioned JSON string.

Telegram hands a Mini App's ``Telegram.WebApp.sendData(data)`` to the bot as a message with
``web_app_data``, and ``data`` may hold at most 4096 bytes. The page sends (version 1)::

    {"v":1,"a":"p","l":"","s":128,"b":"<base64>"}

- ``v``: the format version, 1.
- ``a``: the action, ``"p"`` (predict: store unlabelled and answer with a prediction) or
  ``"l"`` (label: store under ``l``).
- ``l``: the label for ``"l"`` (the chat's naming rule, bot/labels/names.py); ``""`` for ``"p"``,
  where it is ignored.
- ``s``: the side of the square bitmap in pixels, 128.
- ``b``: the bitmap, standard base64 with padding: ``s`` rows, top row first; each row is
  ``s / 8`` bytes, the leftmost pixel in the most significant bit; 1 is ink, 0 is paper.

A 1-bit 128×128 bitmap is 2048 bytes, 2732 base64 characters: with a label of 32 characters
(at most 128 bytes of UTF-8) the message stays below 3000 bytes. A stroke list would be
smaller for a sparse drawing but grows with every wiggle and would need a rasteriser on
both sides that agree pixel for pixel; the bitmap has a fixed size and a layout simple
enough that the page's encoder (static/draw.js, ``encodeDrawing``) and this decoder are
obviously the same. 128 px is plenty: the model sees 28×28.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
from PIL import Image

from bot.labels.names import InvalidLabel, normalise_label

__all__ = [
    "DRAWING_SIZE",
    "FORMAT_VERSION",
    "WEB_APP_DATA_LIMIT",
    "Drawing",
    "DrawingProblem",
    "DrawingRejected",
    "decode_drawing",
    "encode_drawing",
]

WEB_APP_DATA_LIMIT: Final = 4096  # bytes Telegram.WebApp.sendData accepts
FORMAT_VERSION: Final = 1
DRAWING_SIZE: Final = 128
BITMAP_BYTES: Final = DRAWING_SIZE * DRAWING_SIZE // 8
_FIELDS: Final = frozenset({"v", "a", "l", "s", "b"})
_ACTIONS: Final = {"p": "predict", "l": "label"}
_INK, _PAPER = 0, 255
# Identifies a drawing like Telegram's file_unique_id identifies a file: the same drawing
# sent twice is a duplicate.
_ID_PREFIX: Final = "draw:"
_ID_HEX_DIGITS: Final = 40


class DrawingProblem(enum.StrEnum):
    """Why the data of a drawing cannot be used; each has a reply in the text catalogue."""

    TOO_LARGE = "too_large"
    NOT_JSON = "not_json"
    UNKNOWN_VERSION = "unknown_version"
    BAD_FIELDS = "bad_fields"
    BAD_ACTION = "bad_action"
    WRONG_SIZE = "wrong_size"
    BAD_BASE64 = "bad_base64"
    WRONG_LENGTH = "wrong_length"
    BLANK = "blank"
    NO_LABEL = "no_label"
    INVALID_LABEL = "invalid_label"


class DrawingRejected(ValueError):
    """Data that is no usable drawing; ``problem`` says why, ``detail`` adds a fact.

    For ``INVALID_LABEL``, ``invalid_label`` carries the label rule's own error.
    """

    def __init__(
        self, problem: DrawingProblem, detail: str = "", invalid_label: InvalidLabel | None = None
    ) -> None:
        super().__init__(problem.value, detail)
        self.problem = problem
        self.detail = detail
        self.invalid_label = invalid_label

    def __str__(self) -> str:
        return f"{self.problem.value}: {self.detail}" if self.detail else self.problem.value


@dataclass(frozen=True)
class Drawing:
    """A decoded drawing: what to do with it, and its packed 1-bit bitmap."""

    action: Literal["predict", "label"]
    label: str | None  # normalised; None for "predict"
    bitmap: bytes  # BITMAP_BYTES, layout as in the module docstring

    def pixels(self) -> np.ndarray:
        """Return the bitmap as a DRAWING_SIZE² bool array, True for ink."""
        bits = np.unpackbits(np.frombuffer(self.bitmap, dtype=np.uint8), bitorder="big")
        return bits.reshape(DRAWING_SIZE, DRAWING_SIZE).astype(bool)

    def png(self) -> bytes:
        """Return the drawing as a greyscale PNG, black ink on white, like an uploaded image."""
        grey = np.where(self.pixels(), _INK, _PAPER).astype(np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(grey, mode="L").save(buffer, format="PNG")
        return buffer.getvalue()

    def unique_id(self) -> str:
        """Return a stable id of the picture (not the action): the same drawing, the same id."""
        digest = hashlib.sha256(self.bitmap).hexdigest()
        return _ID_PREFIX + digest[:_ID_HEX_DIGITS]


def decode_drawing(data: str) -> Drawing:
    """Check and decode the page's data.

    Raises:
        DrawingRejected: naming the first problem found.
    """
    size = len(data.encode("utf-8", errors="surrogatepass"))
    if size > WEB_APP_DATA_LIMIT:
        raise DrawingRejected(DrawingProblem.TOO_LARGE, f"{size} bytes")
    try:
        fields = json.loads(data)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        raise DrawingRejected(DrawingProblem.NOT_JSON) from None
    if not isinstance(fields, dict):
        raise DrawingRejected(DrawingProblem.NOT_JSON, "not an object")
    version = fields.get("v")
    if not _is_int(version) or version != FORMAT_VERSION:
        raise DrawingRejected(DrawingProblem.UNKNOWN_VERSION, repr(version))
    if set(fields) != _FIELDS:
        odd = sorted(set(fields) ^ _FIELDS)
        raise DrawingRejected(DrawingProblem.BAD_FIELDS, ", ".join(odd))
    action, raw_label, side, encoded = fields["a"], fields["l"], fields["s"], fields["b"]
    if not (isinstance(raw_label, str) and isinstance(encoded, str) and _is_int(side)):
        raise DrawingRejected(DrawingProblem.BAD_FIELDS, "wrong types")
    if action not in _ACTIONS:
        raise DrawingRejected(DrawingProblem.BAD_ACTION, repr(action))
    if side != DRAWING_SIZE:
        raise DrawingRejected(DrawingProblem.WRONG_SIZE, str(side))
    bitmap = _bitmap(encoded)
    if not any(bitmap):
        raise DrawingRejected(DrawingProblem.BLANK)
    label = _label(action, raw_label)
    return Drawing(_ACTIONS[action], label, bitmap)  # type: ignore[arg-type]


def encode_drawing(pixels: np.ndarray, *, label: str | None = None) -> str:
    """Return the page's data for ``pixels`` (DRAWING_SIZE² bools, True for ink).

    The page does this in JavaScript; this twin serves tests and tools.
    """
    ink = np.asarray(pixels, dtype=bool)
    if ink.shape != (DRAWING_SIZE, DRAWING_SIZE):
        raise ValueError(f"expected a {DRAWING_SIZE}x{DRAWING_SIZE} bitmap, got {ink.shape}")
    packed = np.packbits(ink, axis=None, bitorder="big").tobytes()
    fields = {
        "v": FORMAT_VERSION,
        "a": "p" if label is None else "l",
        "l": label or "",
        "s": DRAWING_SIZE,
        "b": base64.b64encode(packed).decode("ascii"),
    }
    # Like the page's JSON.stringify: no spaces, non-ASCII labels as they are.
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bitmap(encoded: str) -> bytes:
    try:
        bitmap = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise DrawingRejected(DrawingProblem.BAD_BASE64) from None
    if len(bitmap) != BITMAP_BYTES:
        raise DrawingRejected(DrawingProblem.WRONG_LENGTH, f"{len(bitmap)} bytes")
    return bitmap


def _label(action: str, raw: str) -> str | None:
    if action == "p":
        return None
    if not raw.strip():
        raise DrawingRejected(DrawingProblem.NO_LABEL)
    try:
        return normalise_label(raw)
    except InvalidLabel as exc:
        raise DrawingRejected(DrawingProblem.INVALID_LABEL, raw, invalid_label=exc) from None
