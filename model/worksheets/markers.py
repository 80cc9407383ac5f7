"""The corner markers: ArUco's 4x4 dictionary, drawn for printing and found in photos.

A 4x4 marker (6x6 cells with its black border) is the coarsest ArUco offers, so it stays
readable in the smallest and blurriest photos; its 50-marker dictionary leaves ids to
spare for other sheets later. Each corner has its own id, so a photo turned any way round
still tells which corner is which.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from model.worksheets.layout import Corner

__all__ = ["CELLS", "find_markers", "marker_pixels"]

CELLS = 6  # 4x4 bits inside a one-cell black border
_DICTIONARY = cv2.aruco.DICT_4X4_50


@functools.cache
def _dictionary() -> cv2.aruco.Dictionary:
    return cv2.aruco.getPredefinedDictionary(_DICTIONARY)


@functools.cache
def _detector() -> cv2.aruco.ArucoDetector:
    parameters = cv2.aruco.DetectorParameters()
    # Sub-pixel corners: the homography rests on them, and a box is cut from 16 points.
    parameters.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    return cv2.aruco.ArucoDetector(_dictionary(), parameters)


def marker_pixels(corner: Corner, side: int) -> np.ndarray:
    """Return the marker of `corner` as a (side, side) uint8 image, 0 black and 255 white."""
    cell = np.asarray(cv2.aruco.generateImageMarker(_dictionary(), corner.marker_id, CELLS))
    # Scaling the 6x6 cells ourselves keeps every edge sharp at any side, even one that is
    # not a multiple of six pixels.
    edges = np.linspace(0, CELLS, side, endpoint=False).astype(np.int64)
    return np.ascontiguousarray(cell[np.ix_(edges, edges)])


def find_markers(grey: np.ndarray) -> dict[Corner, np.ndarray]:
    """Return the corners (4, 2) in pixels of each page marker found in a uint8 grey photo.

    Markers of other ids are ignored; where one id shows twice (a second sheet in the
    photo), the larger is kept.
    """
    found_corners, ids, _ = _detector().detectMarkers(grey)
    by_corner: dict[Corner, np.ndarray] = {}
    if ids is None:
        return by_corner
    corners_by_id = {corner.marker_id: corner for corner in Corner}
    for points, marker_id in zip(found_corners, ids.ravel(), strict=True):
        corner = corners_by_id.get(int(marker_id))
        if corner is None:
            continue
        quad = np.asarray(points, dtype=np.float64).reshape(4, 2)
        if corner not in by_corner or _area(quad) > _area(by_corner[corner]):
            by_corner[corner] = quad
    return by_corner


def _area(quad: np.ndarray) -> float:
    return float(abs(cv2.contourArea(quad.astype(np.float32))))
