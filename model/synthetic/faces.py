"""A smiley's strokes: a face drawn the ways people draw one, and its pose on the canvas.

A face is a list of strokes in *face units*: the head is a circle of radius 1 around the
origin, x to the right, y DOWN (image convention). Each part (outline, eyes, nose, extras,
mouth) picks one of several styles. Strokes get a hand-drawn wobble. Then the face gets a
pose: size and position on the canvas, a tilt of at most 20 degrees, a slight stretch and
shear. "upside-down" is a smiling face turned by 180 degrees; "cool" is a smiling face in
sunglasses (so no other label wears sunglasses).
"""

import logging
import math
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

LABELS = ("smile", "sad", "neutral", "upside-down")  # the bundled default model's labels
# Labels the default model never learns: benchmarks teach them to show what a chat's own
# training adds (real workshop sets have "cool" besides the four).
EXTRA_LABELS = ("cool",)
ALL_LABELS = LABELS + EXTRA_LABELS
_TAU = 2.0 * math.pi
_MAX_TILT = math.radians(20.0)


def pick(rng: np.random.Generator, weighted: dict[str, float]) -> str:
    """Pick a key of `weighted` with probability proportional to its value."""
    names = list(weighted)
    weights = np.array(list(weighted.values()), dtype=np.float64)
    return names[int(rng.choice(len(names), p=weights / weights.sum()))]


# =============================================================================================
# 1. Strokes in face units


@dataclass(frozen=True)
class Stroke:
    """A pen stroke: a polyline in face units, optionally closed and filled."""

    points: np.ndarray  # (n, 2): x, y
    closed: bool = False
    filled: bool = False


@dataclass(frozen=True)
class Face:
    """A smiley's strokes plus its pose on a square canvas (all relative, so any size works)."""

    label: str
    strokes: tuple[Stroke, ...]
    radius: float  # head radius as a share of the canvas side
    centre: tuple[float, float]  # as shares of the canvas side
    transform: np.ndarray  # 2x2: tilt, stretch and shear, applied in face units


@dataclass(frozen=True)
class _Layout:
    """Where the features sit, shared by the parts so that they fit together."""

    eye_spacing: float  # half the distance between the eyes
    eye_height: float  # negative: above the centre
    eye_size: float
    mouth_height: float
    mouth_half_width: float


def _ellipse(cx: float, cy: float, rx: float, ry: float, start: float, sweep: float) -> np.ndarray:
    """Return points along an elliptic arc from angle `start` through `sweep` radians."""
    count = max(8, int(abs(sweep) * 24))
    angles = start + np.linspace(0.0, sweep, count)
    return np.column_stack((cx + rx * np.cos(angles), cy + ry * np.sin(angles)))


def _blob(cx: float, cy: float, rx: float, ry: float, filled: bool) -> Stroke:
    """Return a closed ellipse, filled or as an outline."""
    return Stroke(_ellipse(cx, cy, rx, ry, 0.0, _TAU), closed=True, filled=filled)


def _curve(centre_x: float, half_width: float, baseline: np.ndarray) -> np.ndarray:
    """Return points (x, baseline(x)) for x across the mouth; `baseline` has one y per point."""
    xs = centre_x + np.linspace(-half_width, half_width, baseline.size)
    return np.column_stack((xs, baseline))


def _outline(rng: np.random.Generator) -> list[Stroke]:
    """Draw the head: a circle or ellipse, often not closed, sometimes overshooting, or none.

    Many real people draw no head at all, only eyes and a mouth; then an upside-down face is
    an arc over two dots, and the mouth's shape alone tells sad from upside-down.
    """
    if rng.random() < 0.3:
        return []
    rx = rng.uniform(0.92, 1.05)
    ry = rx * rng.uniform(0.85, 1.15)
    start = rng.uniform(0.0, _TAU)
    # People rarely close the circle exactly: leave a gap or overshoot the start.
    sweep = _TAU + rng.uniform(-0.6, 0.5)
    strokes = [Stroke(_ellipse(0.0, 0.0, rx, ry, start, sweep))]
    if rng.random() < 0.12:  # a sketchy second pass
        rx2, ry2 = rx * rng.uniform(0.96, 1.04), ry * rng.uniform(0.96, 1.04)
        strokes.append(Stroke(_ellipse(0.0, 0.0, rx2, ry2, start + 0.5, sweep * 0.6)))
    return strokes


def _layout(label: str, rng: np.random.Generator) -> _Layout:
    """Place the eyes and the mouth."""
    eye_height = rng.uniform(-0.5, -0.18)
    mouth_height = max(rng.uniform(0.22, 0.55), eye_height + 0.5)
    half_width = rng.uniform(0.18, 0.5) if label == "neutral" else rng.uniform(0.22, 0.6)
    return _Layout(
        eye_spacing=rng.uniform(0.22, 0.42),
        eye_height=eye_height,
        eye_size=rng.uniform(0.06, 0.15),
        mouth_height=mouth_height,
        mouth_half_width=half_width,
    )


_EYE_STYLES = {
    "dot": 0.3,
    "circle": 0.14,
    "line": 0.13,
    "dash": 0.12,
    "oval": 0.18,
    "glasses": 0.08,
}
# Sunglasses drawn the ways people draw them: round or square lenses, wide at the top, or
# one band across both eyes.
_SHADES = {"round": 0.35, "square": 0.25, "aviator": 0.2, "visor": 0.2}


def _eyes(layout: _Layout, rng: np.random.Generator, *, cool: bool = False) -> list[Stroke]:
    """Draw two eyes of one style: dots, rings, short upright lines or dashes, ovals or glasses.

    Sunglasses are what makes a face "cool", so only cool faces wear them.
    """
    if cool:
        return _sunglasses(layout, rng)
    style = pick(rng, _EYE_STYLES)
    if style == "glasses":
        return _glasses(layout, rng, dark=False)
    strokes = []
    for side in (-1.0, 1.0):
        # The two eyes never quite match.
        cx = side * layout.eye_spacing + rng.normal(0.0, 0.02)
        cy = layout.eye_height + rng.normal(0.0, 0.02)
        size = layout.eye_size * rng.uniform(0.85, 1.15)
        if style == "dot":
            strokes.append(_blob(cx, cy, 0.6 * size, 0.6 * size * rng.uniform(0.9, 1.3), True))
        elif style == "oval":
            strokes.append(_blob(cx, cy, 0.55 * size, 1.2 * size, True))
        elif style == "circle":
            strokes.append(_blob(cx, cy, size, size * rng.uniform(0.9, 1.2), False))
            if rng.random() < 0.4:
                strokes.append(
                    _blob(cx + rng.uniform(-0.3, 0.3) * size, cy, 0.3 * size, 0.3 * size, True)
                )
        elif style == "dash":  # a short level line, like closed or squinting eyes
            length = size * rng.uniform(1.0, 1.6)
            lean = rng.uniform(-0.25, 0.25) * size
            strokes.append(Stroke(np.array([[cx - length, cy - lean], [cx + length, cy + lean]])))
        else:  # a short vertical line
            length = size * rng.uniform(1.0, 1.5)
            lean = rng.uniform(-0.3, 0.3) * size
            strokes.append(Stroke(np.array([[cx - lean, cy - length], [cx + lean, cy + length]])))
    return strokes


def _sunglasses(layout: _Layout, rng: np.random.Generator) -> list[Stroke]:
    """Draw sunglasses: dark lenses, round, square or aviator, or one band across both eyes."""
    shape = pick(rng, _SHADES)
    if shape == "round":
        return _glasses(layout, rng, dark=True)
    y = layout.eye_height
    half_height = rng.uniform(0.1, 0.17)
    if shape == "visor":
        half_width = rng.uniform(0.62, 0.85)
        dip = rng.uniform(0.0, 0.08)  # a band often sags a little over the nose
        xs = np.linspace(-half_width, half_width, 24)
        top = y - half_height + dip * (1.0 - (xs / half_width) ** 2) * 0.5
        bottom = y + half_height + dip * (1.0 - (xs / half_width) ** 2)
        outline = np.vstack((np.column_stack((xs, top)), np.column_stack((xs, bottom))[::-1]))
        return [Stroke(outline, closed=True, filled=True)]
    width = rng.uniform(0.17, 0.25)
    spacing = max(layout.eye_spacing, width + 0.05)
    strokes = []
    for side in (-1.0, 1.0):
        cx = side * spacing
        if shape == "square":
            corners = [
                (-width, -half_height),
                (width, -half_height),
                (width, half_height),
                (-width, half_height),
            ]
        else:  # aviator: wide at the top, narrowing to a rounded point below
            corners = [
                (-width, -half_height),
                (width, -half_height),
                (0.6 * width, 1.3 * half_height),
                (-0.6 * width, 1.3 * half_height),
            ]
        lens = np.array([(cx + dx, y + dy) for dx, dy in corners])
        strokes.append(Stroke(lens, closed=True, filled=True))
    strokes.append(
        Stroke(
            np.array(
                [
                    [-spacing + width, y - 0.5 * half_height],
                    [spacing - width, y - 0.5 * half_height],
                ]
            )
        )
    )
    return strokes


def _glasses(layout: _Layout, rng: np.random.Generator, dark: bool) -> list[Stroke]:
    """Draw round glasses (rings, maybe with pupils) or sunglasses (filled lenses)."""
    radius = rng.uniform(0.16, 0.23)
    spacing = max(layout.eye_spacing, radius + 0.04)
    squash = rng.uniform(0.75, 1.0) if dark else rng.uniform(0.9, 1.1)
    strokes = []
    for side in (-1.0, 1.0):
        cx = side * spacing
        rx = radius * (1.15 if dark else 1.0)
        strokes.append(_blob(cx, layout.eye_height, rx, radius * squash, dark))
        if not dark and rng.random() < 0.6:
            strokes.append(_blob(cx, layout.eye_height, 0.25 * radius, 0.25 * radius, True))
        if rng.random() < 0.5:  # the temple towards the ear
            outer = cx + side * rx
            strokes.append(
                Stroke(
                    np.array([[outer, layout.eye_height], [side * 0.95, layout.eye_height - 0.05]])
                )
            )
    bridge = _ellipse(0.0, layout.eye_height + 0.02, spacing - radius, 0.06, math.pi, math.pi)
    strokes.append(Stroke(bridge))
    return strokes


def _nose(rng: np.random.Generator) -> list[Stroke]:
    """Maybe draw a nose: a line, a hook, a dot or a little ring."""
    if rng.random() > 0.35:
        return []
    x, y = rng.uniform(-0.04, 0.04), rng.uniform(-0.05, 0.1)
    style = pick(rng, {"line": 0.35, "hook": 0.3, "dot": 0.2, "ring": 0.15})
    if style == "line":
        return [Stroke(np.array([[x, y - 0.1], [x + 0.01, y + 0.1]]))]
    if style == "hook":
        side = rng.choice([-1.0, 1.0])
        return [
            Stroke(
                np.array([[x, y - 0.12], [x - 0.04 * side, y + 0.1], [x + 0.05 * side, y + 0.12]])
            )
        ]
    if style == "dot":
        return [_blob(x, y, 0.04, 0.04, True)]
    return [_blob(x, y, 0.06, 0.05, False)]


def _extras(layout: _Layout, rng: np.random.Generator) -> list[Stroke]:
    """Occasionally add eyebrows or hair."""
    strokes: list[Stroke] = []
    if rng.random() < 0.12:
        lift = rng.uniform(0.14, 0.24)
        for side in (-1.0, 1.0):
            slant = rng.uniform(-0.35, 0.35) * side
            cx, cy = side * layout.eye_spacing, layout.eye_height - lift
            half = rng.uniform(0.07, 0.12)
            strokes.append(
                Stroke(np.array([[cx - half, cy + slant * half], [cx + half, cy - slant * half]]))
            )
    if rng.random() < 0.1:
        curly = rng.random() < 0.5
        for _ in range(int(rng.integers(3, 8))):
            angle = -math.pi / 2 + rng.uniform(-0.7, 0.7)
            length = rng.uniform(0.15, 0.35)
            radial = np.linspace(1.0, 1.0 + length, 12)
            sway = (
                np.sin(np.linspace(0, rng.uniform(3, 7), 12)) * 0.05
                if curly
                else np.linspace(0.0, rng.uniform(-0.1, 0.1), 12)
            )
            angles = angle + sway
            strokes.append(
                Stroke(np.column_stack((radial * np.cos(angles), radial * np.sin(angles))))
            )
    return strokes


def _mouth(label: str, layout: _Layout, rng: np.random.Generator) -> list[Stroke]:
    """Draw the mouth that carries the label; a sad mouth is a smiling mouth mirrored."""
    if label == "neutral":
        return _neutral_mouth(layout, rng)
    strokes = _smiling_mouth(layout, rng)
    if label == "sad":
        mirrored = []
        for stroke in strokes:
            points = stroke.points.copy()
            points[:, 1] = 2.0 * layout.mouth_height - points[:, 1]
            mirrored.append(Stroke(points, stroke.closed, stroke.filled))
        strokes = mirrored
        if rng.random() < 0.08:  # a tear
            x = layout.eye_spacing * rng.choice([-1.0, 1.0])
            strokes.append(_blob(x, layout.eye_height + 0.22, 0.035, 0.06, True))
    return strokes


def _smiling_mouth(layout: _Layout, rng: np.random.Generator) -> list[Stroke]:
    """Draw a smile: a shallow or deep arc, a wide "D" grin, or an open mouth."""
    half = layout.mouth_half_width
    depth = half * rng.uniform(0.3, 0.9)
    centre_x = rng.uniform(-0.06, 0.06)
    across = np.linspace(-1.0, 1.0, 40)
    power = rng.uniform(1.6, 2.8)  # from a round "U" to a flatter bowl
    # Corners at mouth_height - depth/2, the middle depth lower: corners up means smiling.
    lower = layout.mouth_height - depth / 2 + depth * (1.0 - np.abs(across) ** power)
    kind = pick(rng, {"arc": 0.5, "grin": 0.25, "open": 0.25})
    if kind == "arc":
        strokes = [Stroke(_curve(centre_x, half, lower))]
        if rng.random() < 0.2:  # dimples: little ticks across the corners
            for side in (-1.0, 1.0):
                x, y = centre_x + side * half, layout.mouth_height - depth / 2
                strokes.append(
                    Stroke(np.array([[x - side * 0.02, y - 0.05], [x + side * 0.03, y + 0.04]]))
                )
        return strokes
    lift = rng.uniform(0.05, 0.2) if kind == "grin" else rng.uniform(0.25, 0.5)
    upper = layout.mouth_height - depth / 2 + depth * lift * (1.0 - np.abs(across) ** power)
    outline = np.vstack((_curve(centre_x, half, lower), _curve(centre_x, half, upper)[::-1]))
    strokes = [Stroke(outline, closed=True, filled=rng.random() < 0.35)]
    if kind == "grin" and not strokes[0].filled and rng.random() < 0.3:  # teeth
        strokes.append(Stroke(_curve(centre_x, half * 0.9, (upper + lower)[4:-4] / 2)))
    return strokes


def _neutral_mouth(layout: _Layout, rng: np.random.Generator) -> list[Stroke]:
    """Draw a neutral mouth: a flat or slightly tilted line, short or wobbly, or a thin slot."""
    kind = pick(rng, {"flat": 0.5, "short": 0.2, "wavy": 0.2, "slot": 0.1})
    half = layout.mouth_half_width * (0.5 if kind == "short" else 1.0)
    centre_x = rng.uniform(-0.06, 0.06)
    across = np.linspace(-1.0, 1.0, 40)
    tilt = rng.uniform(-0.12, 0.12) * half
    # A hint of curvature at most: far below the shallowest smile (30% of the half width).
    bend = rng.uniform(-0.04, 0.04) * half
    line = layout.mouth_height + tilt * across + bend * (1.0 - across**2)
    if kind == "wavy":
        line = line + rng.uniform(0.012, 0.03) * np.sin(across * math.pi * rng.integers(2, 5))
    if kind == "slot":
        gap = rng.uniform(0.04, 0.08)
        outline = np.vstack(
            (_curve(centre_x, half, line - gap / 2), _curve(centre_x, half, line + gap / 2)[::-1])
        )
        return [Stroke(outline, closed=True, filled=rng.random() < 0.5)]
    return [Stroke(_curve(centre_x, half, line))]


def hand_drawn(stroke: Stroke, rng: np.random.Generator, amount: float) -> Stroke:
    """Add the slow waviness and fine jitter of a hand-held pen along a stroke."""
    points = stroke.points
    if stroke.closed:
        points = np.vstack((points, points[:1]))
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    length = float(steps.sum())
    if length <= 0.0:
        return stroke
    # Resample evenly so that the wobble does not depend on how the shape was built.
    along = np.concatenate(([0.0], np.cumsum(steps)))
    count = max(8, int(length / 0.015))
    at = np.linspace(0.0, length, count)
    points = np.column_stack(
        (np.interp(at, along, points[:, 0]), np.interp(at, along, points[:, 1]))
    )
    # Small shapes (a dot eye) wobble in proportion to their size, not the head's.
    amount = min(amount, 0.04 * length)
    offset = np.zeros(count)
    for _ in range(3):
        wavelength = rng.uniform(0.6, 2.5)
        offset += (
            amount * rng.uniform(0.3, 1.0) * np.sin(_TAU * at / wavelength + rng.uniform(0, _TAU))
        )
    tremor = np.convolve(rng.normal(0.0, 1.0, count), np.ones(7) / 7, mode="same")
    offset += 0.25 * amount * tremor
    if stroke.closed:  # taper the waviness so the shape still closes where it started
        offset *= np.minimum(1.0, np.minimum(at, length - at) / min(0.1, length / 4))
    tangent = np.gradient(points, axis=0)
    tangent /= np.maximum(np.linalg.norm(tangent, axis=1, keepdims=True), 1e-9)
    normal = np.column_stack((-tangent[:, 1], tangent[:, 0]))
    return Stroke(points + normal * offset[:, None], stroke.closed, stroke.filled)


def _broken(stroke: Stroke, rng: np.random.Generator) -> list[Stroke]:
    """Lift the pen once or twice along a long open stroke, as a quick hand does."""
    points = stroke.points
    if stroke.filled or len(points) < 40:
        return [stroke]
    pieces, start = [], 0
    cuts = sorted(
        rng.choice(np.arange(10, len(points) - 10), int(rng.integers(1, 3)), replace=False)
    )
    for cut in cuts:
        gap = int(rng.integers(2, max(3, len(points) // 15)))
        if cut - start >= 4:
            pieces.append(Stroke(points[start:cut]))
        start = cut + gap
    if len(points) - start >= 4:
        pieces.append(Stroke(points[start:]))
    return pieces or [stroke]


def random_face(label: str, rng: np.random.Generator) -> Face:
    """Draw a random face for a label, with its pose; render it with `render_face`."""
    if label not in ALL_LABELS:
        raise ValueError(f"unknown label {label!r}; expected one of {ALL_LABELS}")
    # Upside-down is a smiling face, turned over as a whole; cool is one in sunglasses.
    drawn_as = "smile" if label in ("upside-down", "cool") else label
    layout = _layout(drawn_as, rng)
    parts = (
        _outline(rng)
        + _eyes(layout, rng, cool=label == "cool")
        + _nose(rng)
        + _extras(layout, rng)
        + _mouth(drawn_as, layout, rng)
    )
    # Most pens wobble a little; some hands shake a lot.
    wobble = rng.uniform(0.0, 0.03) if rng.random() < 0.8 else rng.uniform(0.03, 0.06)
    strokes = tuple(hand_drawn(stroke, rng, wobble) for stroke in parts)
    if rng.random() < 0.2:
        strokes = tuple(piece for stroke in strokes for piece in _broken(stroke, rng))

    # Mostly a face with room around it; sometimes a tight crop or a screenshot, the head
    # touching or crossing the edges.
    radius = rng.uniform(0.26, 0.38) if rng.random() < 0.9 else rng.uniform(0.42, 0.52)
    # Keep the head (plus a little hair) on the canvas.
    slack = max(0.0, 0.5 - 1.3 * radius)
    centre = (0.5 + rng.uniform(-slack, slack), 0.5 + rng.uniform(-slack, slack))
    tilt = rng.uniform(-_MAX_TILT, _MAX_TILT) + (math.pi if label == "upside-down" else 0.0)
    rotation = np.array([[math.cos(tilt), -math.sin(tilt)], [math.sin(tilt), math.cos(tilt)]])
    stretch = np.diag(rng.uniform(0.9, 1.1, size=2))
    shear = np.array([[1.0, rng.uniform(-0.1, 0.1)], [0.0, 1.0]])
    return Face(label, strokes, radius, centre, rotation @ stretch @ shear)
