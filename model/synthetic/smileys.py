"""Whole drawings: a random face (or symbol) for a label, rendered and encoded, and data sets."""

from collections.abc import Sequence

import numpy as np
from PIL import Image

from model.synthetic.faces import ALL_LABELS, LABELS, Face, random_face
from model.synthetic.rendering import IMAGE_FORMATS, STYLES, encode, render_face
from model.synthetic.symbols import random_symbol


def draw_smiley(
    label: str, rng: np.random.Generator, style: str = "digital", size: int = 256
) -> Image.Image:
    """Draw a random smiley with the given label in a rendering style.

    Returns RGB, or RGBA for "transparent". For "paper", `size` is the sheet's shorter side
    in the photo and the returned photo is larger.
    """
    return render_face(random_face(label, rng), rng, style, size)


def smiley_bytes(
    label: str,
    rng: np.random.Generator,
    style: str = "digital",
    fmt: str = "PNG",
    size: int = 256,
) -> bytes:
    """Draw a smiley and encode it as PNG, JPEG or WEBP (PNG and WEBP keep transparency)."""
    return _encoded(random_face(label, rng), rng, style, fmt, size)


def symbol_bytes(
    label: str,
    rng: np.random.Generator,
    style: str = "digital",
    fmt: str = "PNG",
    size: int = 256,
) -> bytes:
    """Draw a digit or shape (model.synthetic.symbols.SYMBOLS) and encode it like a smiley."""
    return _encoded(random_symbol(label, rng), rng, style, fmt, size)


def _encoded(face: Face, rng: np.random.Generator, style: str, fmt: str, size: int) -> bytes:
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {IMAGE_FORMATS}")
    return encode(render_face(face, rng, style, size), fmt, int(rng.integers(70, 96)))


def dataset(
    n_per_label: int,
    seed: int,
    styles: Sequence[str] = STYLES,
    labels: Sequence[str] = LABELS,
    size: int = 256,
) -> list[tuple[str, Image.Image]]:
    """Return n_per_label (label, image) pairs per label, styles taking turns; same seed, same data.

    Each sample has its own random stream derived from (seed, label, index), so a sample does
    not change when other labels, styles or counts are asked for.
    """
    samples = []
    for index in range(n_per_label):
        for label in labels:
            rng = np.random.default_rng([seed, ALL_LABELS.index(label), index])
            style = styles[(index + ALL_LABELS.index(label)) % len(styles)]
            samples.append((label, draw_smiley(label, rng, style, size)))
    return samples
