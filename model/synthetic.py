"""Synthetic smileys: the project's own data for tests, benchmarks and the default model.

The default model has to work on real people's drawings and on phone photos of paper, which
we do not have, so every choice below is randomised in the ways people's drawings differ.
Read it top to bottom:

1. A face is a list of strokes in *face units*: the head is a circle of radius 1 around the
   origin, x to the right, y DOWN (image convention). Each part (outline, eyes, nose, extras,
   mouth) picks one of several styles. Strokes get a hand-drawn wobble.
2. The face gets a pose: size and position on the canvas, a tilt of at most 20 degrees,
   a slight stretch and shear. "upside-down" is a smiling face turned by 180 degrees; "cool"
   is a smiling face in sunglasses (so no other label wears sunglasses).
3. The strokes are rasterised (supersampled for antialiasing) into an ink coverage mask.
4. A rendering style turns the mask into a picture: a drawing app ("digital"), a photo of a
   sheet of paper on a table ("paper"), light strokes on a dark canvas ("dark"), or a
   transparent PNG ("transparent").
"""

import colorsys
import io
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

logger = logging.getLogger(__name__)

LABELS = ("smile", "sad", "neutral", "upside-down")  # the bundled default model's labels
# Labels the default model never learns: benchmarks teach them to show what a chat's own
# training adds (real workshop sets have "cool" besides the four).
EXTRA_LABELS = ("cool",)
ALL_LABELS = LABELS + EXTRA_LABELS
STYLES = ("digital", "paper", "dark", "transparent")
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP")

Colour = tuple[float, float, float]

_TAU = 2.0 * math.pi
_WHITE = 255.0
_MAX_TILT = math.radians(20.0)


def _pick(rng: np.random.Generator, weighted: dict[str, float]) -> str:
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
    """Draw the head: a circle or ellipse, often not closed, sometimes overshooting, or none."""
    if rng.random() < 0.08:
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
    "dot": 0.33,
    "circle": 0.15,
    "line": 0.15,
    "oval": 0.2,
    "glasses": 0.09,
}


def _eyes(layout: _Layout, rng: np.random.Generator, *, cool: bool = False) -> list[Stroke]:
    """Draw two eyes of one style: dots, rings, short lines, ovals or glasses.

    Sunglasses are what makes a face "cool", so only cool faces wear them.
    """
    style = "sunglasses" if cool else _pick(rng, _EYE_STYLES)
    if style in ("glasses", "sunglasses"):
        return _glasses(layout, rng, dark=style == "sunglasses")
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
        else:  # a short vertical line
            length = size * rng.uniform(1.0, 1.5)
            lean = rng.uniform(-0.3, 0.3) * size
            strokes.append(Stroke(np.array([[cx - lean, cy - length], [cx + lean, cy + length]])))
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
    style = _pick(rng, {"line": 0.35, "hook": 0.3, "dot": 0.2, "ring": 0.15})
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
    kind = _pick(rng, {"arc": 0.5, "grin": 0.25, "open": 0.25})
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
    kind = _pick(rng, {"flat": 0.5, "short": 0.2, "wavy": 0.2, "slot": 0.1})
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


def _hand_drawn(stroke: Stroke, rng: np.random.Generator, amount: float) -> Stroke:
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
    wobble = rng.uniform(0.0, 0.03)
    strokes = tuple(_hand_drawn(stroke, rng, wobble) for stroke in parts)

    radius = rng.uniform(0.26, 0.38)
    # Keep the head (plus a little hair) on the canvas.
    slack = max(0.0, 0.5 - 1.3 * radius)
    centre = (0.5 + rng.uniform(-slack, slack), 0.5 + rng.uniform(-slack, slack))
    tilt = rng.uniform(-_MAX_TILT, _MAX_TILT) + (math.pi if label == "upside-down" else 0.0)
    rotation = np.array([[math.cos(tilt), -math.sin(tilt)], [math.sin(tilt), math.cos(tilt)]])
    stretch = np.diag(rng.uniform(0.9, 1.1, size=2))
    shear = np.array([[1.0, rng.uniform(-0.1, 0.1)], [0.0, 1.0]])
    return Face(label, strokes, radius, centre, rotation @ stretch @ shear)


# =============================================================================================
# 2. Rasterising: strokes -> ink coverage mask


def _ink_mask(face: Face, canvas: int, pen_width: float) -> np.ndarray:
    """Return the face's ink coverage on a canvas x canvas square, float32 in [0, 1].

    Args:
        face: The face to draw.
        canvas: The side of the square in pixels.
        pen_width: The stroke width in pixels (may be below 1: it becomes partial coverage).
    """
    scale = 4 if canvas <= 128 else 3 if canvas <= 384 else 2  # supersampling
    big = Image.new("L", (canvas * scale, canvas * scale), 0)
    draw = ImageDraw.Draw(big)
    width = max(1, round(pen_width * scale))
    to_pixels = face.transform * face.radius * canvas * scale
    origin = np.array(face.centre) * canvas * scale
    for stroke in face.strokes:
        points = stroke.points @ to_pixels.T + origin
        flat = [(float(x), float(y)) for x, y in points]
        if stroke.filled:
            draw.polygon(flat, fill=255)
        if stroke.closed:
            flat.append(flat[0])
        draw.line(flat, fill=255, width=width)
        if width > 2:  # a round pen: a disc at every vertex closes the gaps between segments
            radius = width / 2
            for x, y in flat:
                draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    small = big.resize((canvas, canvas), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float32) / _WHITE


# =============================================================================================
# 3. Rendering styles


def _hsv(hue: float, saturation: float, value: float) -> Colour:
    """Return an RGB colour on the 0-255 scale."""
    red, green, blue = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return (red * _WHITE, green * _WHITE, blue * _WHITE)


def _paint(background: np.ndarray, colour: Colour, coverage: np.ndarray) -> np.ndarray:
    """Lay ink of `colour` over an (h, w, 3) float background with the given coverage."""
    alpha = coverage[..., None]
    painted: np.ndarray = background * (1.0 - alpha) + np.array(colour, dtype=np.float32) * alpha
    return painted


def _to_image(rgb: np.ndarray) -> Image.Image:
    """Convert a float (h, w, 3) array on the 0-255 scale to an RGB image."""
    return Image.fromarray(np.clip(np.round(rgb), 0, 255).astype(np.uint8))


def _smooth_noise(rng: np.random.Generator, height: int, width: int, cells: int) -> np.ndarray:
    """Return smooth random values in about [-1, 1], varying over `cells` blobs per side."""
    coarse = rng.uniform(-1.0, 1.0, size=(cells, cells)).astype(np.float32)
    smooth = Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC)
    return np.asarray(smooth, dtype=np.float32)


def _digital_pen(rng: np.random.Generator) -> Colour:
    """Pick a drawing-app pen colour: often black or blue, but any hue."""
    kind = _pick(rng, {"black": 0.3, "blue": 0.2, "hue": 0.5})
    if kind == "black":
        return _hsv(0.0, 0.0, rng.uniform(0.0, 0.25))
    if kind == "blue":
        return _hsv(rng.uniform(0.58, 0.68), rng.uniform(0.6, 1.0), rng.uniform(0.5, 1.0))
    return _hsv(rng.uniform(0.0, 1.0), rng.uniform(0.6, 1.0), rng.uniform(0.4, 1.0))


def _digital(mask: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """Render like a phone or mouse drawing app: a coloured pen on white."""
    if rng.random() < 0.85:
        paper: Colour = (_WHITE, _WHITE, _WHITE)
    else:
        paper = (rng.uniform(238, 255), rng.uniform(238, 255), rng.uniform(238, 255))
    background = np.broadcast_to(np.array(paper, dtype=np.float32), (*mask.shape, 3))
    return _to_image(_paint(background, _digital_pen(rng), mask))


def _light_pen(rng: np.random.Generator) -> Colour:
    """Pick a light pen colour: white, yellow, cyan, light green, pink..."""
    if rng.random() < 0.3:
        return _hsv(0.0, 0.0, rng.uniform(0.85, 1.0))
    hue = rng.choice([0.15, 0.5, 0.33, 0.92, 0.08, 0.58]) + rng.uniform(-0.03, 0.03)
    return _hsv(float(hue), rng.uniform(0.3, 0.9), rng.uniform(0.85, 1.0))


def _dark(mask: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """Render light strokes on a dark canvas (black, grey, navy, chalkboard green...)."""
    canvas = _hsv(rng.uniform(0.0, 1.0), rng.uniform(0.0, 0.6), rng.uniform(0.0, 0.3))
    height, width = mask.shape
    background: np.ndarray = np.broadcast_to(np.array(canvas, dtype=np.float32), (height, width, 3))
    if rng.random() < 0.3:  # a chalkboard's smudges
        background = background + 12.0 * _smooth_noise(rng, height, width, 6)[..., None]
    if rng.random() < 0.2:  # chalk leaves grainy strokes
        mask = mask * rng.uniform(0.6, 1.0, size=mask.shape).astype(np.float32)
    return _to_image(_paint(background, _light_pen(rng), mask))


def _transparent(mask: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """Render opaque strokes of any colour (dark or light) on a fully transparent canvas."""
    kind = _pick(rng, {"dark": 0.4, "light": 0.3, "any": 0.3})
    if kind == "dark":
        colour = _hsv(rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.0, 0.35))
    elif kind == "light":
        colour = _light_pen(rng)
    else:
        colour = _hsv(rng.uniform(0, 1), rng.uniform(0.5, 1), rng.uniform(0.4, 1))
    rgba = np.zeros((*mask.shape, 4), dtype=np.uint8)
    rgba[..., :3] = np.round(colour).astype(np.uint8)
    rgba[..., 3] = np.round(mask * _WHITE).astype(np.uint8)
    return Image.fromarray(rgba)


# --- the photo of a sheet of paper --------------------------------------------------------


@dataclass(frozen=True)
class _Pen:
    """Real ink on paper."""

    colour: Colour
    width: float  # as a share of the drawing area's side
    opacity: float
    grain: float  # 0: even ink, towards 1: patchy like pencil


def _paper_pen(rng: np.random.Generator) -> _Pen:
    """Pick a ballpoint (blue or black), a pencil or a felt marker."""
    kind = _pick(rng, {"blue": 0.35, "black": 0.25, "pencil": 0.2, "marker": 0.2})
    if kind == "blue":
        colour = (rng.uniform(10, 50), rng.uniform(25, 70), rng.uniform(110, 180))
        return _Pen(colour, rng.uniform(0.003, 0.01), rng.uniform(0.75, 0.95), 0.15)
    if kind == "black":
        grey = rng.uniform(15, 45)
        return _Pen((grey, grey, grey + 8), rng.uniform(0.003, 0.01), rng.uniform(0.8, 0.95), 0.15)
    if kind == "pencil":
        grey = rng.uniform(70, 110)
        return _Pen(
            (grey, grey, grey + 4), rng.uniform(0.003, 0.009), rng.uniform(0.55, 0.85), 0.45
        )
    hue = rng.choice([0.0, 0.62, 0.33, 0.78, 0.0])
    colour = _hsv(float(hue), rng.uniform(0.0, 0.8), rng.uniform(0.1, 0.35))
    return _Pen(colour, rng.uniform(0.012, 0.03), rng.uniform(0.9, 1.0), 0.05)


def _paper_sheet(face: Face, rng: np.random.Generator, size: int) -> np.ndarray:
    """Return the sheet with the drawing on it, float (h, w, 3); `size` is its shorter side."""
    long_side = round(size * rng.uniform(1.0, 1.42))
    height, width = (long_side, size) if rng.random() < 0.7 else (size, long_side)
    tint = rng.uniform(-8, 8)  # warm or cool paper
    base = np.array(
        [rng.uniform(230, 250) + tint, rng.uniform(230, 250), rng.uniform(225, 248) - tint]
    )
    fibres = 3.0 * _smooth_noise(rng, height, width, 24) + rng.normal(0, 1.5, (height, width))
    paper = base.astype(np.float32) + fibres[..., None].astype(np.float32)

    pen = _paper_pen(rng)
    area = round(size * rng.uniform(0.8, 1.0))
    mask = _ink_mask(face, area, pen.width * area)
    if pen.grain:
        mask = mask * (1.0 - pen.grain * rng.uniform(0, 1, mask.shape)).astype(np.float32)
    top = int(rng.integers(0, height - area + 1))
    left = int(rng.integers(0, width - area + 1))
    coverage = np.zeros((height, width), dtype=np.float32)
    coverage[top : top + area, left : left + area] = mask * pen.opacity
    return _paint(paper, pen.colour, coverage)


def _perspective_coefficients(photo_corners: np.ndarray, sheet_corners: np.ndarray) -> list[float]:
    """Solve for Pillow's PERSPECTIVE data mapping photo pixels to sheet pixels."""
    rows = []
    for (x, y), (u, v) in zip(photo_corners, sheet_corners, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    solution = np.linalg.solve(np.array(rows, dtype=np.float64), sheet_corners.reshape(8))
    return [float(value) for value in solution]


def _table(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Return a table top, float (h, w, 3): wood, dark, light desk or a coloured mat."""
    kind = _pick(rng, {"wood": 0.4, "dark": 0.25, "light": 0.25, "mat": 0.1})
    small_w, small_h = max(8, width // 4), max(8, height // 4)
    texture = 0.04 * _smooth_noise(rng, small_h, small_w, 5)
    if kind == "wood":
        base = np.array([rng.uniform(120, 180), rng.uniform(75, 115), rng.uniform(40, 75)])
        angle = rng.uniform(-0.2, 0.2) + (math.pi / 2 if rng.random() < 0.5 else 0.0)
        ys, xs = np.mgrid[0:small_h, 0:small_w].astype(np.float32)
        across = xs * math.cos(angle) + ys * math.sin(angle)
        warp = 4.0 * _smooth_noise(rng, small_h, small_w, 4)
        grain = np.sin(across / rng.uniform(1.5, 4.0) + warp) * 0.1 + texture
    elif kind == "dark":
        base = np.full(3, rng.uniform(30, 85)) + rng.uniform(-6, 6, 3)
        grain = texture * 2.0
    elif kind == "light":
        base = np.full(3, rng.uniform(170, 215)) + np.array([6.0, 0.0, -10.0]) * rng.random()
        grain = texture
    else:
        base = np.array(
            _hsv(rng.choice([0.35, 0.6, 0.0]), rng.uniform(0.3, 0.6), rng.uniform(0.3, 0.6))
        )
        grain = texture
    shade = Image.fromarray(grain.astype(np.float32)).resize(
        (width, height), Image.Resampling.BILINEAR
    )
    return base.astype(np.float32) * (1.0 + np.asarray(shade, dtype=np.float32)[..., None])


def _lighting(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Return a multiplicative light field (h, w): gradient, vignette, maybe a soft shadow."""
    small_w, small_h = max(8, width // 8), max(8, height // 8)
    ys, xs = np.mgrid[-1 : 1 : small_h * 1j, -1 : 1 : small_w * 1j]
    direction = rng.uniform(0, _TAU)
    light = 1.0 + rng.uniform(0.0, 0.25) * (xs * math.cos(direction) + ys * math.sin(direction))
    light *= 1.0 - rng.uniform(0.0, 0.35) * (xs**2 + ys**2) / 2
    if rng.random() < 0.3:  # the shadow of the phone or a hand, with a soft edge
        angle = rng.uniform(0, _TAU)
        distance = xs * math.cos(angle) + ys * math.sin(angle) - rng.uniform(0.2, 0.9)
        softness = rng.uniform(0.1, 0.3)
        light *= 1.0 - rng.uniform(0.15, 0.4) / (1.0 + np.exp(-distance / softness))
    light *= rng.uniform(0.75, 1.05)  # auto exposure
    field = Image.fromarray(light.astype(np.float32)).resize(
        (width, height), Image.Resampling.BILINEAR
    )
    return np.asarray(field, dtype=np.float32)


def _photograph(sheet: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """Photograph a sheet lying on a table: tilt, light, blur, noise and JPEG softness."""
    sheet_h, sheet_w = sheet.shape[:2]
    aspect = float(rng.choice([4 / 3, 16 / 9, 1.0], p=[0.6, 0.3, 0.1]))
    portrait = (sheet_h >= sheet_w) == (rng.random() < 0.8)
    unit_w, unit_h = (1.0, aspect) if portrait else (aspect, 1.0)
    # How much of the frame the sheet fills; now and then it runs off the edges.
    fill = rng.uniform(0.92, 1.0) if rng.random() < 0.15 else rng.uniform(0.55, 0.9)
    scale = max(sheet_w / unit_w, sheet_h / unit_h) / fill
    photo_w, photo_h = round(unit_w * scale), round(unit_h * scale)

    corners = np.array([[0, 0], [sheet_w, 0], [sheet_w, sheet_h], [0, sheet_h]], dtype=np.float64)
    centred = corners - [sheet_w / 2, sheet_h / 2]
    keystone = rng.uniform(0.0, 0.12)  # the camera leans over the sheet: the far edge shrinks
    centred[:2, 0] *= 1.0 - keystone
    angle = rng.uniform(-0.2, 0.2)
    turn = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    placed = centred @ turn.T + rng.normal(0.0, 0.02 * min(sheet_w, sheet_h), (4, 2))
    slack = np.maximum(0.0, [photo_w - sheet_w, photo_h - sheet_h]) / 2
    placed += [photo_w / 2, photo_h / 2] + rng.uniform(-0.7, 0.7, 2) * slack
    coefficients = _perspective_coefficients(placed, corners)

    size = (photo_w, photo_h)
    paper = _to_image(sheet).transform(
        size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC
    )
    cover = Image.new("L", (sheet_w, sheet_h), 255).transform(
        size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BILINEAR
    )
    table = _table(rng, photo_w, photo_h)
    coverage = np.asarray(cover, dtype=np.float32)[..., None] / _WHITE
    if rng.random() < 0.6:  # the sheet casts a soft shadow on the table
        shift = (int(rng.integers(-6, 7)), int(rng.integers(-6, 7)))
        blurred = cover.filter(ImageFilter.GaussianBlur(photo_w / 150)).rotate(0, translate=shift)
        table *= (
            1.0
            - rng.uniform(0.15, 0.35) * np.asarray(blurred, dtype=np.float32)[..., None] / _WHITE
        )
    photo = table * (1.0 - coverage) + np.asarray(paper, dtype=np.float32) * coverage

    cast = 1.0 + rng.uniform(-0.06, 0.06, 3)  # white balance
    photo *= _lighting(rng, photo_w, photo_h)[..., None] * cast.astype(np.float32)
    image = _to_image(photo).filter(
        ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2) * photo_w / 1000)
    )
    # Sensor noise, generated at half resolution like demosaiced colour noise.
    half = (max(1, photo_h // 2), max(1, photo_w // 2))
    noise = rng.normal(0.0, rng.uniform(1.5, 6.0), (*half, 3)).astype(np.float32)
    noisy = (
        np.asarray(image, dtype=np.float32)
        + np.asarray(
            _to_image(noise + 128.0).resize(size, Image.Resampling.BILINEAR), dtype=np.float32
        )
        - 128.0
    )
    return _reencode(_to_image(noisy), "JPEG", int(rng.integers(60, 93)))


# =============================================================================================
# 4. Public API


def render_face(
    face: Face, rng: np.random.Generator, style: str = "digital", size: int = 256
) -> Image.Image:
    """Render a face in a style; `rng` only chooses the style's own randomness (pen, light...).

    For "paper", `size` is the sheet's shorter side in the photo; the photo is larger.
    """
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")
    if style == "paper":
        return _photograph(_paper_sheet(face, rng, size), rng)
    mask = _ink_mask(face, size, size * rng.uniform(0.012, 0.045))
    if style == "digital":
        return _digital(mask, rng)
    if style == "dark":
        return _dark(mask, rng)
    return _transparent(mask, rng)


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
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {IMAGE_FORMATS}")
    image = draw_smiley(label, rng, style, size)
    return encode(image, fmt, int(rng.integers(70, 96)))


def encode(image: Image.Image, fmt: str, quality: int = 90) -> bytes:
    """Encode an image; for JPEG, transparency is flattened onto a contrasting background."""
    if fmt == "JPEG" and image.mode == "RGBA":
        image = _flatten(image)
    buffer = io.BytesIO()
    if fmt == "PNG":
        image.save(buffer, format="PNG")
    else:
        image.save(buffer, format=fmt, quality=quality)
    return buffer.getvalue()


def _reencode(image: Image.Image, fmt: str, quality: int) -> Image.Image:
    """Round-trip through a lossy format to pick up its artefacts."""
    with Image.open(io.BytesIO(encode(image, fmt, quality))) as reloaded:
        return reloaded.convert("RGB")


def _flatten(image: Image.Image) -> Image.Image:
    """Put an RGBA drawing on white, or on black when its strokes are light."""
    rgba = np.asarray(image, dtype=np.float32)
    alpha = rgba[..., 3] / _WHITE
    weight = max(float(alpha.sum()), 1e-6)
    stroke = (rgba[..., :3] * alpha[..., None]).sum(axis=(0, 1)) / weight
    light_strokes = float(stroke @ np.array([0.299, 0.587, 0.114])) > _WHITE / 2
    background = Image.new("RGB", image.size, (0, 0, 0) if light_strokes else (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


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
