"""Synthetic smileys: the project's own data for tests, benchmarks and the default model.

The default model has to work on real people's drawings and on phone photos of paper, which
we do not have, so every choice below is randomised in the ways people's drawings differ.
It reads top to bottom in three modules: `faces` (1 and 2), `rendering` (3 and 4) and
`smileys` (a face for a label, rendered and encoded, and whole data sets). `symbols` draws
digits and shapes the same way, for chats that teach something else:

1. A face is a list of strokes in *face units*: the head is a circle of radius 1 around the
   origin, x to the right, y DOWN (image convention). Each part (outline, eyes, nose, extras,
   mouth) picks one of several styles. Strokes get a hand-drawn wobble.
2. The face gets a pose: size and position on the canvas, a tilt of at most 20 degrees,
   a slight stretch and shear. "upside-down" is a smiling face turned by 180 degrees; "cool"
   is a smiling face in sunglasses (so no other label wears sunglasses).
3. The strokes are rasterised (supersampled for antialiasing) into an ink coverage mask.
4. A rendering style turns the mask into a picture: a drawing app ("digital"), a photo of a
   sheet of paper on a table ("paper"), light strokes on a dark canvas ("dark"), a
   transparent PNG ("transparent"), or a yellow sticker like an emoji ("emoji").
"""

from model.synthetic.faces import ALL_LABELS, EXTRA_LABELS, LABELS, Face, Stroke, random_face
from model.synthetic.rendering import (
    IMAGE_FORMATS,
    STYLES,
    draw_on_paper,
    encode,
    photograph,
    render_face,
)
from model.synthetic.smileys import dataset, draw_smiley, smiley_bytes, symbol_bytes
from model.synthetic.symbols import DIGITS, SHAPES, SYMBOLS, random_symbol

__all__ = [
    "ALL_LABELS",
    "DIGITS",
    "EXTRA_LABELS",
    "IMAGE_FORMATS",
    "LABELS",
    "SHAPES",
    "STYLES",
    "SYMBOLS",
    "Face",
    "Stroke",
    "dataset",
    "draw_on_paper",
    "draw_smiley",
    "encode",
    "photograph",
    "random_face",
    "random_symbol",
    "render_face",
    "smiley_bytes",
    "symbol_bytes",
]
