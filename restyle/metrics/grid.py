"""Pictures a person can judge: labelled grids of contents by styles (the report's Figures 4, 5).

Layout: column labels in a band at the top, centred over their columns; the column headers
(the style paintings, or swatches) under them; row labels in a column at the left, each
centred on its own row; the row headers (the contents) next to them; then the cells. A
label is never between two rows or two columns, so it cannot be read as the next one's.
Each image is scaled to fit a ``cell`` x ``cell`` box (keeping its shape); a row is as tall
as its tallest image.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

LABEL_HEIGHT = 22  # the column labels' band
LABEL_WIDTH_MAX = 220  # the row labels' column is at most this wide
GAP = 6
BACKGROUND = (255, 255, 255)
INK = (20, 20, 20)


def fit_cell(image: np.ndarray, cell: int) -> np.ndarray:
    """Scale an HxWx3 uint8 image to fit a cell x cell box, keeping its aspect ratio."""
    h, w = image.shape[:2]
    scale = cell / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, size, interpolation=interp)


def _font() -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=14)
    except TypeError:  # Pillow < 10.1 has no sized default font
        return ImageFont.load_default()


def _shorten(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class GridLayout:
    """Where everything of a grid goes, in pixels.

    ``xs``/``ys`` are the left edges of the columns and top edges of the rows, the header
    column and header row first when there are headers; ``heights`` the rows' heights.
    """

    width: int
    height: int
    xs: tuple[int, ...]
    ys: tuple[int, ...]
    heights: tuple[int, ...]
    cell: int
    label_width: int  # the row labels' column (0: none)
    header_row: bool
    header_column: bool

    def box(self, row: int, column: int) -> tuple[int, int, int, int]:
        """(x, y, width, height) of the box of cell (row, column), headers counted."""
        return self.xs[column], self.ys[row], self.cell, self.heights[row]


def grid_layout(
    sizes: Sequence[Sequence[tuple[int, int]]],
    header_sizes: Sequence[tuple[int, int]] | None,
    row_header_sizes: Sequence[tuple[int, int]] | None,
    row_labels: Sequence[str] | None,
    col_labels: Sequence[str] | None,
    cell: int,
) -> GridLayout:
    """Lay out a grid from the (h, w) sizes of its images after fitting them to ``cell``."""
    font = _font()
    label_width = 0
    if row_labels and any(row_labels):
        widest = max(font.getlength(_shorten(t)) for t in row_labels)
        label_width = min(LABEL_WIDTH_MAX, int(widest) + 2 * GAP)
    top = GAP + (LABEL_HEIGHT if col_labels and any(col_labels) else 0)
    cols = max([len(r) for r in sizes] + [len(header_sizes or [])])
    lead = 1 if row_header_sizes is not None else 0
    left = GAP + label_width
    xs = tuple(left + c * (cell + GAP) for c in range(cols + lead))
    heights = []
    if header_sizes is not None:
        heights.append(max((h for h, _ in header_sizes), default=cell))
    for r, row in enumerate(sizes):
        tallest = [h for h, _ in row] + ([row_header_sizes[r][0]] if row_header_sizes else [])
        heights.append(max(tallest, default=cell))
    ys, y = [], top
    for h in heights:
        ys.append(y)
        y += h + GAP
    width = (xs[-1] + cell + GAP) if xs else left
    return GridLayout(
        width,
        y,
        xs,
        tuple(ys),
        tuple(heights),
        cell,
        label_width,
        header_sizes is not None,
        row_header_sizes is not None,
    )


def compose_grid(
    cells: Sequence[Sequence[np.ndarray]],
    row_headers: Sequence[np.ndarray | None] | None = None,
    col_headers: Sequence[np.ndarray | None] | None = None,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    cell: int = 256,
) -> np.ndarray:
    """Lay out rows x columns of HxWx3 uint8 images with optional header images and labels.

    Row headers go in a first column, column headers in a first row; a header may be None
    (an empty box). See the module docstring for where the labels go. Returns the grid as an
    HxWx3 uint8 RGB array; :func:`grid_layout` says where each cell is.
    """
    fitted = [[fit_cell(img, cell) for img in row] for row in cells]
    heads = None if col_headers is None else [_fit(h, cell) for h in col_headers]
    sides = None if row_headers is None else [_fit(h, cell) for h in row_headers]
    layout = grid_layout(
        [[f.shape[:2] for f in row] for row in fitted],
        None if heads is None else [_size(h, cell) for h in heads],
        None if sides is None else [_size(h, cell) for h in sides],
        row_labels,
        col_labels,
        cell,
    )
    canvas = Image.new("RGB", (layout.width, layout.height), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    font = _font()
    first_row = 1 if heads is not None else 0
    first_col = 1 if sides is not None else 0

    def put(img: np.ndarray | None, r: int, c: int) -> None:
        if img is None:
            return
        x, y, w, h = layout.box(r, c)
        sh, sw = img.shape[:2]
        canvas.paste(Image.fromarray(img), (x + (w - sw) // 2, y + (h - sh) // 2))

    for c, head in enumerate(heads or []):
        put(head, 0, c + first_col)
    for c, text in enumerate(col_labels or []):
        if text:
            x = layout.xs[c + first_col] + cell / 2
            draw.text((x, GAP + LABEL_HEIGHT / 2), _shorten(text), INK, font, anchor="mm")
    for r, row in enumerate(fitted):
        if sides is not None:
            put(sides[r], r + first_row, 0)
        for c, img in enumerate(row):
            put(img, r + first_row, c + first_col)
        if row_labels and row_labels[r]:
            y = layout.ys[r + first_row] + layout.heights[r + first_row] / 2
            draw.text((GAP, y), _shorten(row_labels[r]), INK, font, anchor="lm")
    return np.asarray(canvas, dtype=np.uint8).copy()


def _fit(image: np.ndarray | None, cell: int) -> np.ndarray | None:
    return None if image is None else fit_cell(image, cell)


def _size(image: np.ndarray | None, cell: int) -> tuple[int, int]:
    return (cell, cell) if image is None else image.shape[:2]
