"""The worksheet's geometry in mm on an A4 page: the one place rendering and reading share.

The page, portrait, holds an ArUco marker in each corner, an instruction line between the
top two, and a grid of square boxes, one row per label, the label printed above its row.
Everything is measured from the page's top-left corner, x to the right, y down.

The margins are for home printers: most cannot print the outer 3 to 5 mm (some inkjets
12 mm at the bottom), and a marker needs a white quiet zone of at least one of its cells
around it to be found, so nothing is printed near the markers either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "DEFAULT_COLUMNS",
    "DEFAULT_LAYOUT",
    "DEFAULT_ROWS",
    "PAGE_HEIGHT_MM",
    "PAGE_WIDTH_MM",
    "Corner",
    "Rect",
    "SheetLayout",
]

PAGE_WIDTH_MM = 210.0  # A4 portrait
PAGE_HEIGHT_MM = 297.0
PAGE_MARGIN_MM = 12.0  # from the paper's edge to the markers' outer edges
MARKER_MM = 18.0  # 6 cells of 3 mm: about 9 photo pixels a cell in a Telegram-sized photo
MARKER_QUIET_MM = 5.0  # white around each marker
INSTRUCTION_HEIGHT_MM = 10.0  # two lines of text at most, between the top markers
LABEL_BAND_MM = 7.0  # above each row: the label, or a line to write one on
ROW_GAP_MM = 3.0
COLUMN_GAP_MM = 6.0
BOX_BORDER_MM = 0.4
# Cut this far inside a box: the printed border stays out of the cut even when the
# homography is off by a millimetre or two (a sheet that does not lie flat).
BOX_INSET_MM = 3.0
DEFAULT_COLUMNS = 3
DEFAULT_ROWS = 4


class Corner(StrEnum):
    """A corner of the page, each with its own marker; the order is the markers' ids."""

    TOP_LEFT = "top-left"
    TOP_RIGHT = "top-right"
    BOTTOM_RIGHT = "bottom-right"
    BOTTOM_LEFT = "bottom-left"

    @property
    def marker_id(self) -> int:
        """Return the ArUco id printed in this corner."""
        return list(Corner).index(self)


@dataclass(frozen=True)
class Rect:
    """An axis-parallel rectangle on the page, in mm."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        """Return the x of the right edge."""
        return self.left + self.width

    @property
    def bottom(self) -> float:
        """Return the y of the bottom edge."""
        return self.top + self.height

    def inset(self, amount: float) -> Rect:
        """Return the rectangle shrunk by `amount` mm on every side."""
        return Rect(
            self.left + amount, self.top + amount, self.width - 2 * amount, self.height - 2 * amount
        )

    def corners(self) -> tuple[tuple[float, float], ...]:
        """Return the corners clockwise from the top-left, as ArUco orders a marker's."""
        return (
            (self.left, self.top),
            (self.right, self.top),
            (self.right, self.bottom),
            (self.left, self.bottom),
        )


@dataclass(frozen=True)
class SheetLayout:
    """A worksheet: `rows` x `columns` boxes, one label per row (None: a blank field)."""

    columns: int = DEFAULT_COLUMNS
    rows: int = DEFAULT_ROWS
    labels: tuple[str | None, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.columns < 1 or self.rows < 1:
            raise ValueError(f"a worksheet needs at least one box, not {self.columns}x{self.rows}")
        if len(self.labels) > self.rows:
            raise ValueError(f"{len(self.labels)} labels for {self.rows} rows")
        if self.box_side < 2 * BOX_INSET_MM + 10.0:
            raise ValueError(f"{self.columns}x{self.rows} boxes do not fit on an A4 page")

    @classmethod
    def for_labels(cls, labels: tuple[str, ...], columns: int = DEFAULT_COLUMNS) -> SheetLayout:
        """Return a layout with one row per label."""
        return cls(columns=columns, rows=len(labels), labels=labels)

    def label(self, row: int) -> str | None:
        """Return the label printed above `row`, or None for a blank field."""
        return self.labels[row] if row < len(self.labels) else None

    def marker(self, corner: Corner) -> Rect:
        """Return where the marker of `corner` is printed."""
        left = PAGE_MARGIN_MM
        right = PAGE_WIDTH_MM - PAGE_MARGIN_MM - MARKER_MM
        top = PAGE_MARGIN_MM
        bottom = PAGE_HEIGHT_MM - PAGE_MARGIN_MM - MARKER_MM
        x, y = {
            Corner.TOP_LEFT: (left, top),
            Corner.TOP_RIGHT: (right, top),
            Corner.BOTTOM_RIGHT: (right, bottom),
            Corner.BOTTOM_LEFT: (left, bottom),
        }[corner]
        return Rect(x, y, MARKER_MM, MARKER_MM)

    @property
    def instruction(self) -> Rect:
        """Return the band of the instruction text, between the top markers."""
        left = PAGE_MARGIN_MM + MARKER_MM + MARKER_QUIET_MM
        top = PAGE_MARGIN_MM + (MARKER_MM - INSTRUCTION_HEIGHT_MM) / 2
        return Rect(left, top, PAGE_WIDTH_MM - 2 * left, INSTRUCTION_HEIGHT_MM)

    @property
    def grid(self) -> Rect:
        """Return the area the rows may fill: below the top markers, above the bottom ones."""
        top = PAGE_MARGIN_MM + MARKER_MM + MARKER_QUIET_MM
        bottom = PAGE_HEIGHT_MM - PAGE_MARGIN_MM - MARKER_MM - MARKER_QUIET_MM
        width = PAGE_WIDTH_MM - 2 * PAGE_MARGIN_MM
        return Rect(PAGE_MARGIN_MM, top, width, bottom - top)

    @property
    def box_side(self) -> float:
        """Return the side of the square boxes: as large as the rows and columns allow."""
        grid = self.grid
        across = (grid.width - (self.columns - 1) * COLUMN_GAP_MM) / self.columns
        down = (grid.height - self.rows * LABEL_BAND_MM - (self.rows - 1) * ROW_GAP_MM) / self.rows
        return min(across, down)

    def label_band(self, row: int) -> Rect:
        """Return the band above `row` that holds its label."""
        first = self.box(row, 0)
        width = self.columns * self.box_side + (self.columns - 1) * COLUMN_GAP_MM
        return Rect(first.left, first.top - LABEL_BAND_MM, width, LABEL_BAND_MM)

    def box(self, row: int, column: int) -> Rect:
        """Return the printed box at (row, column), counted from 0 at the top-left."""
        if not (0 <= row < self.rows and 0 <= column < self.columns):
            raise IndexError(f"no box ({row}, {column}) in a {self.rows}x{self.columns} sheet")
        side, grid = self.box_side, self.grid
        # The grid is centred on the page both ways; spare room goes around it, not into gaps.
        used_width = self.columns * side + (self.columns - 1) * COLUMN_GAP_MM
        used_height = self.rows * (LABEL_BAND_MM + side) + (self.rows - 1) * ROW_GAP_MM
        left = grid.left + (grid.width - used_width) / 2 + column * (side + COLUMN_GAP_MM)
        top = (
            grid.top
            + (grid.height - used_height) / 2
            + row * (LABEL_BAND_MM + side + ROW_GAP_MM)
            + LABEL_BAND_MM
        )
        return Rect(left, top, side, side)

    def cut(self, row: int, column: int) -> Rect:
        """Return the part of a box that is read: inside its border, with room to spare."""
        return self.box(row, column).inset(BOX_INSET_MM)


DEFAULT_LAYOUT = SheetLayout()
