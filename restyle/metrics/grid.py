"""Pictures a person can judge: labelled grids of contents by styles (the report's Figure 4)."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

LABEL_HEIGHT = 22
GAP = 6
BACKGROUND = (255, 255, 255)


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


def compose_grid(
    cells: Sequence[Sequence[np.ndarray]],
    row_headers: Sequence[np.ndarray] | None = None,
    col_headers: Sequence[np.ndarray] | None = None,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    cell: int = 256,
) -> np.ndarray:
    """Lay out rows x columns of HxWx3 uint8 images with optional header images and labels.

    Each image is scaled to fit a ``cell``-pixel square and centred in it. Row headers go in
    a first column, column headers in a first row, labels under each header. Returns the
    grid as an HxWx3 uint8 RGB array.
    """
    rows = len(cells)
    cols = max((len(r) for r in cells), default=0)
    lead_col = 1 if row_headers is not None else 0
    lead_row = 1 if col_headers is not None else 0
    pitch_w, pitch_h = cell + GAP, cell + LABEL_HEIGHT + GAP
    width = GAP + (cols + lead_col) * pitch_w
    height = GAP + (rows + lead_row) * pitch_h
    canvas = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    font = _font()

    def put(img: np.ndarray | None, r: int, c: int, label: str | None) -> None:
        x0, y0 = GAP + c * pitch_w, GAP + r * pitch_h
        if img is not None:
            small = fit_cell(img, cell)
            sh, sw = small.shape[:2]
            canvas.paste(Image.fromarray(small), (x0 + (cell - sw) // 2, y0 + (cell - sh) // 2))
        if label:
            draw.text((x0 + 2, y0 + cell + 3), _shorten(label), fill=(20, 20, 20), font=font)

    for c in range(cols if col_headers is not None else 0):
        put(col_headers[c], 0, c + lead_col, col_labels[c] if col_labels else None)
    for r in range(rows):
        if row_headers is not None:
            put(row_headers[r], r + lead_row, 0, row_labels[r] if row_labels else None)
        for c, img in enumerate(cells[r]):
            put(img, r + lead_row, c + lead_col, None)
    return np.asarray(canvas, dtype=np.uint8).copy()
