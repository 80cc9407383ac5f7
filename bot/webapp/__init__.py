"""The drawing canvas: a static page that runs as a Telegram Mini App, and its data format."""

from __future__ import annotations

from pathlib import Path

from bot.webapp.encoding import (
    DRAWING_SIZE,
    FORMAT_VERSION,
    WEB_APP_DATA_LIMIT,
    Drawing,
    DrawingProblem,
    DrawingRejected,
    decode_drawing,
    encode_drawing,
)

__all__ = [
    "DRAWING_SIZE",
    "FORMAT_VERSION",
    "STATIC_DIR",
    "WEB_APP_DATA_LIMIT",
    "Drawing",
    "DrawingProblem",
    "DrawingRejected",
    "decode_drawing",
    "encode_drawing",
]

STATIC_DIR = Path(__file__).resolve().parent / "static"  # draw.html, draw.js, draw.css
