"""Drawings that are not smileys: digits and simple shapes, drawn by hand like the faces.

A chat may teach anything, not only smileys, so the benchmarks also teach these (the
generality task of scripts/bench_accuracy.py). A symbol is a `Face` whose strokes are the
glyph's, so that it renders in every style a face does. Glyphs sit in face units too: about
the unit circle, x to the right, y down.
"""

import math
from collections.abc import Callable

import numpy as np

from model.synthetic.faces import Face, Stroke, hand_drawn

DIGITS = tuple("0123456789")
SHAPES = (
    "circle",
    "triangle",
    "square",
    "star",
    "heart",
    "cross",
    "plus",
    "check",
    "arrow-right",
    "arrow-up",
)
SYMBOLS = DIGITS + SHAPES
_TAU = 2.0 * math.pi
_MAX_TILT = math.radians(15.0)


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, sweep: float) -> np.ndarray:
    """Return points along an elliptic arc (y down: a positive sweep from pi goes up)."""
    angles = start + np.linspace(0.0, sweep, max(8, int(abs(sweep) * 20)))
    return np.column_stack((cx + rx * np.cos(angles), cy + ry * np.sin(angles)))


def _line(*points: tuple[float, float]) -> Stroke:
    return Stroke(np.array(points, dtype=np.float64))


def _loop(cx: float, cy: float, rx: float, ry: float) -> Stroke:
    return Stroke(_arc(cx, cy, rx, ry, -math.pi / 2, _TAU), closed=True)


def _digit(label: str, rng: np.random.Generator) -> list[Stroke]:
    """Return a digit's strokes, with the variants people write (a 1 with or without a base,
    a crossed 7, a 4 open or closed at the top)."""
    if label == "0":
        return [_loop(0.0, 0.0, 0.55, 0.95)]
    if label == "1":
        strokes = [_line((-0.3, -0.6), (0.05, -1.0), (0.05, 1.0))]
        if rng.random() < 0.4:
            strokes.append(_line((-0.3, 1.0), (0.4, 1.0)))
        return strokes
    if label == "2":
        top = _arc(0.0, -0.45, 0.5, 0.5, math.pi, math.pi * 1.3)
        return [Stroke(np.vstack((top, [[-0.55, 1.0], [0.6, 1.0]])))]
    if label == "3":
        upper = _arc(0.0, -0.5, 0.45, 0.45, math.pi + 0.4, math.pi + 0.8)
        lower = _arc(0.0, 0.5, 0.5, 0.5, -math.pi / 2, math.pi + 0.7)
        return [Stroke(np.vstack((upper, lower)))]
    if label == "4":
        if rng.random() < 0.5:
            return [_line((0.3, 1.0), (0.3, -1.0), (-0.6, 0.35), (0.6, 0.35))]
        return [_line((-0.4, -1.0), (-0.55, 0.35), (0.6, 0.35)), _line((0.3, -0.9), (0.3, 1.0))]
    if label == "5":
        bowl = _arc(0.0, 0.4, 0.55, 0.55, -2.2, 4.6)
        return [Stroke(np.vstack(([[0.5, -1.0], [-0.4, -1.0], [-0.45, -0.15]], bowl)))]
    if label == "6":
        stem = np.array([[0.4, -0.95], [0.0, -0.85], [-0.35, -0.45], [-0.52, 0.15], [-0.5, 0.45]])
        return [Stroke(np.vstack((stem, _arc(0.0, 0.45, 0.5, 0.5, math.pi, _TAU))))]
    if label == "7":
        strokes = [_line((-0.55, -1.0), (0.55, -1.0), (-0.1, 1.0))]
        if rng.random() < 0.3:
            strokes.append(_line((-0.25, 0.0), (0.4, 0.0)))
        return strokes
    if label == "8":
        return [_loop(0.0, -0.5, 0.4, 0.45), _loop(0.0, 0.48, 0.5, 0.5)]
    loop = _arc(0.0, -0.45, 0.45, 0.5, 0.0, _TAU)
    return [Stroke(np.vstack((loop, [[0.45, -0.45], [0.3, 1.0]])))]


def _star() -> Stroke:
    angles = -math.pi / 2 + np.arange(5) * 2 * _TAU / 5
    return Stroke(np.column_stack((np.cos(angles), np.sin(angles))), closed=True)


def _heart() -> Stroke:
    t = np.linspace(0.0, _TAU, 60)
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    return Stroke(np.column_stack((x, y + 2.0)) / 16.0, closed=True)


def _arrow(rng: np.random.Generator) -> list[Stroke]:
    """An arrow to the right: a shaft and an open or filled head."""
    head = rng.uniform(0.3, 0.5)
    if rng.random() < 0.7:
        return [
            _line((-1.0, 0.0), (1.0, 0.0)),
            _line((1.0 - head, -head), (1.0, 0.0), (1.0 - head, head)),
        ]
    tip = np.array([[1.0 - head, -head], [1.0, 0.0], [1.0 - head, head]])
    return [_line((-1.0, 0.0), (1.0 - head, 0.0)), Stroke(tip, closed=True, filled=True)]


def _shape(label: str, rng: np.random.Generator) -> list[Stroke]:
    """Return a shape's strokes."""
    if label == "circle":
        return [_loop(0.0, 0.0, 1.0, rng.uniform(0.85, 1.1))]
    if label == "triangle":
        return [_line((0.0, -0.95), (0.95, 0.75), (-0.95, 0.75), (0.0, -0.95))]
    if label == "square":
        return [_line((-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8), (-0.8, -0.8))]
    if label == "star":
        return [_star()]
    if label == "heart":
        return [_heart()]
    if label == "cross":
        return [_line((-0.8, -0.8), (0.8, 0.8)), _line((0.8, -0.8), (-0.8, 0.8))]
    if label == "plus":
        return [_line((0.0, -0.9), (0.0, 0.9)), _line((-0.9, 0.0), (0.9, 0.0))]
    if label == "check":
        return [_line((-0.8, 0.0), (-0.25, 0.65), (0.85, -0.8))]
    strokes = _arrow(rng)
    if label == "arrow-up":  # the arrow to the right, turned a quarter to the left
        turn = np.array([[0.0, 1.0], [-1.0, 0.0]])
        strokes = [Stroke(s.points @ turn.T, s.closed, s.filled) for s in strokes]
    return strokes


_GLYPHS: dict[str, Callable[[str, np.random.Generator], list[Stroke]]] = {
    **dict.fromkeys(DIGITS, _digit),
    **dict.fromkeys(SHAPES, _shape),
}


def random_symbol(label: str, rng: np.random.Generator) -> Face:
    """Draw a random digit or shape for a label, with its pose; render it with `render_face`."""
    if label not in _GLYPHS:
        raise ValueError(f"unknown symbol {label!r}; expected one of {SYMBOLS}")
    wobble = rng.uniform(0.0, 0.04)
    strokes = tuple(hand_drawn(stroke, rng, wobble) for stroke in _GLYPHS[label](label, rng))
    radius = rng.uniform(0.25, 0.4)
    slack = max(0.0, 0.5 - 1.1 * radius)
    centre = (0.5 + rng.uniform(-slack, slack), 0.5 + rng.uniform(-slack, slack))
    tilt = rng.uniform(-_MAX_TILT, _MAX_TILT)
    rotation = np.array([[math.cos(tilt), -math.sin(tilt)], [math.sin(tilt), math.cos(tilt)]])
    stretch = np.diag(rng.uniform(0.85, 1.15, size=2))
    shear = np.array([[1.0, rng.uniform(-0.2, 0.2)], [0.0, 1.0]])  # handwriting slants
    return Face(label, strokes, radius, centre, rotation @ stretch @ shear)
