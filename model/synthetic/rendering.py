"""Rendering a face: strokes rasterised into ink, then a picture in one of several styles.

The strokes are rasterised (supersampled for antialiasing) into an ink coverage mask. A
rendering style turns the mask into a picture: a drawing app ("digital"), a photo of a sheet
of paper on a table ("paper"), light strokes on a dark canvas ("dark"), a transparent PNG
("transparent"), or a sticker like an emoji: a yellow face with dark features ("emoji").
"""

import colorsys
import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from model.synthetic.faces import Face, Stroke, pick

STYLES = ("digital", "paper", "dark", "transparent", "emoji")
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP")

Colour = tuple[float, float, float]

_WHITE = 255.0
_TAU = 2.0 * math.pi


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
    kind = pick(rng, {"black": 0.3, "blue": 0.2, "hue": 0.5})
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
    kind = pick(rng, {"dark": 0.4, "light": 0.3, "any": 0.3})
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


def _emoji(face: Face, rng: np.random.Generator, size: int, pen_width: float) -> Image.Image:
    """Render a sticker: a filled yellow head with dark features, on white (transparent
    stickers are the "transparent" style's business)."""
    angles = np.linspace(0.0, _TAU, 96)
    head = Stroke(np.column_stack((np.cos(angles), np.sin(angles))), closed=True, filled=True)
    disc = _ink_mask(Face(face.label, (head,), face.radius, face.centre, face.transform), size, 1)
    features = _ink_mask(face, size, pen_width)
    yellow = _hsv(rng.uniform(0.1, 0.16), rng.uniform(0.6, 1.0), rng.uniform(0.9, 1.0))
    dark = _hsv(rng.uniform(0.02, 0.1), rng.uniform(0.3, 0.9), rng.uniform(0.1, 0.4))
    white = np.full((size, size, 3), _WHITE, dtype=np.float32)
    return _to_image(_paint(_paint(white, yellow, disc), dark, features))


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
    kind = pick(rng, {"blue": 0.35, "black": 0.25, "pencil": 0.2, "marker": 0.2})
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
    mask = _pen_coverage(face, pen, area, rng)
    top = int(rng.integers(0, height - area + 1))
    left = int(rng.integers(0, width - area + 1))
    coverage = np.zeros((height, width), dtype=np.float32)
    coverage[top : top + area, left : left + area] = mask
    return _paint(paper, pen.colour, coverage)


def _pen_coverage(face: Face, pen: _Pen, side: int, rng: np.random.Generator) -> np.ndarray:
    """Return how much of the paper `pen` covers with the face on a side x side square."""
    mask = _ink_mask(face, side, pen.width * side)
    if pen.grain:
        mask = mask * (1.0 - pen.grain * rng.uniform(0, 1, mask.shape)).astype(np.float32)
    coverage: np.ndarray = mask * pen.opacity
    return coverage


def draw_on_paper(
    paper: np.ndarray, face: Face, rng: np.random.Generator, left: int, top: int, side: int
) -> np.ndarray:
    """Draw `face` with a real pen (ballpoint, pencil or marker) on a square of a sheet.

    Args:
        paper: The sheet, float (h, w, 3) on the 0-255 scale; it is not changed.
        face: The face, posed on a side x side canvas.
        rng: Picks the pen and its grain.
        left: The square's left edge on the sheet, in pixels.
        top: The square's top edge, in pixels.
        side: The square's side, in pixels.
    """
    pen = _paper_pen(rng)
    coverage = np.zeros(paper.shape[:2], dtype=np.float32)
    coverage[top : top + side, left : left + side] = _pen_coverage(face, pen, side, rng)
    return _paint(paper, pen.colour, coverage)


def photograph(
    sheet: Image.Image, rng: np.random.Generator, *, shadow: bool | None = None
) -> Image.Image:
    """Photograph any sheet (a drawing, a printed worksheet) lying on a table, as "paper" does.

    The camera tilts and leans over it; light falls unevenly; the photo is blurred, noisy
    and JPEG-compressed. `shadow` forces the soft shadow of a phone or a hand on or off
    (None: it falls now and then, as in "paper").
    """
    return _photograph(np.asarray(sheet.convert("RGB"), dtype=np.float32), rng, shadow=shadow)


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
    kind = pick(rng, {"wood": 0.4, "dark": 0.25, "light": 0.25, "mat": 0.1})
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


def _lighting(
    rng: np.random.Generator, width: int, height: int, shadow: bool | None = None
) -> np.ndarray:
    """Return a multiplicative light field (h, w): gradient, vignette, maybe a soft shadow."""
    small_w, small_h = max(8, width // 8), max(8, height // 8)
    ys, xs = np.mgrid[-1 : 1 : small_h * 1j, -1 : 1 : small_w * 1j]
    direction = rng.uniform(0, _TAU)
    light = 1.0 + rng.uniform(0.0, 0.25) * (xs * math.cos(direction) + ys * math.sin(direction))
    light *= 1.0 - rng.uniform(0.0, 0.35) * (xs**2 + ys**2) / 2
    # The shadow of the phone or a hand, with a soft edge. (The draw happens even when
    # `shadow` decides, so that the "paper" style's photos stay what they were.)
    falls = rng.random() < 0.3
    if falls if shadow is None else shadow:
        angle = rng.uniform(0, _TAU)
        distance = xs * math.cos(angle) + ys * math.sin(angle) - rng.uniform(0.2, 0.9)
        softness = rng.uniform(0.1, 0.3)
        light *= 1.0 - rng.uniform(0.15, 0.4) / (1.0 + np.exp(-distance / softness))
    light *= rng.uniform(0.75, 1.05)  # auto exposure
    field = Image.fromarray(light.astype(np.float32)).resize(
        (width, height), Image.Resampling.BILINEAR
    )
    return np.asarray(field, dtype=np.float32)


def _photograph(
    sheet: np.ndarray, rng: np.random.Generator, *, shadow: bool | None = None
) -> Image.Image:
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
    photo *= _lighting(rng, photo_w, photo_h, shadow)[..., None] * cast.astype(np.float32)
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
    # Mostly pens and fine brushes; sometimes a fat marker.
    pen_width = size * (
        rng.uniform(0.012, 0.045) if rng.random() < 0.85 else rng.uniform(0.045, 0.06)
    )
    if style == "emoji":
        return _emoji(face, rng, size, pen_width)
    mask = _ink_mask(face, size, pen_width)
    if style == "digital":
        return _digital(mask, rng)
    if style == "dark":
        return _dark(mask, rng)
    return _transparent(mask, rng)


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
