"""The worksheet's geometry: everything on the page, nothing overlapping, cuts inside boxes."""

from itertools import combinations

import pytest

from model.worksheets.layout import (
    BOX_INSET_MM,
    MARKER_QUIET_MM,
    PAGE_HEIGHT_MM,
    PAGE_MARGIN_MM,
    PAGE_WIDTH_MM,
    Corner,
    Rect,
    SheetLayout,
)


def _overlap(first: Rect, second: Rect, gap: float = 0.0) -> bool:
    return (
        first.left < second.right + gap
        and second.left < first.right + gap
        and first.top < second.bottom + gap
        and second.top < first.bottom + gap
    )


def _all_boxes(layout: SheetLayout) -> list[Rect]:
    return [layout.box(r, c) for r in range(layout.rows) for c in range(layout.columns)]


@pytest.mark.parametrize(("columns", "rows"), [(3, 4), (1, 1), (4, 6), (2, 2)])
def test_boxes_stay_on_the_page_clear_of_the_markers(columns: int, rows: int) -> None:
    layout = SheetLayout(columns=columns, rows=rows)
    printed = _all_boxes(layout) + [layout.label_band(row) for row in range(rows)]
    for rect in [*printed, layout.instruction]:
        assert rect.left >= PAGE_MARGIN_MM and rect.top >= PAGE_MARGIN_MM
        assert rect.right <= PAGE_WIDTH_MM - PAGE_MARGIN_MM
        assert rect.bottom <= PAGE_HEIGHT_MM - PAGE_MARGIN_MM
        for corner in Corner:
            assert not _overlap(rect, layout.marker(corner), MARKER_QUIET_MM - 0.01)
    for first, second in combinations(_all_boxes(layout), 2):
        assert not _overlap(first, second)


def test_the_default_sheet_has_twelve_square_boxes_and_cuts_inside_them() -> None:
    layout = SheetLayout()
    boxes = _all_boxes(layout)
    assert len(boxes) == 12
    assert all(box.width == box.height for box in boxes)
    assert layout.box_side > 40.0  # room for a drawing a person can make
    cut = layout.cut(1, 2)
    box = layout.box(1, 2)
    assert cut.left == box.left + BOX_INSET_MM and cut.bottom == box.bottom - BOX_INSET_MM


def test_markers_have_distinct_ids_in_the_corners() -> None:
    layout = SheetLayout()
    assert sorted(corner.marker_id for corner in Corner) == [0, 1, 2, 3]
    assert layout.marker(Corner.TOP_LEFT).left < layout.marker(Corner.TOP_RIGHT).left
    assert layout.marker(Corner.TOP_LEFT).top < layout.marker(Corner.BOTTOM_LEFT).top


def test_labels_belong_to_rows() -> None:
    layout = SheetLayout.for_labels(("smile", "sad"))
    assert (layout.rows, layout.label(0), layout.label(1)) == (2, "smile", "sad")
    assert SheetLayout(rows=3, labels=("smile",)).label(2) is None
    with pytest.raises(ValueError, match="labels"):
        SheetLayout(rows=1, labels=("smile", "sad"))
    with pytest.raises(ValueError, match="fit"):
        SheetLayout(columns=20, rows=30)
    with pytest.raises(IndexError):
        SheetLayout().box(4, 0)
