"""Pictures for judging style transitions: a labelled keyframe strip, side-by-side video frames."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .grid import BACKGROUND, GAP, LABEL_HEIGHT, fit_cell

THUMB_FRACTION = 0.22  # corner thumbnails are this fraction of the frame height
_WHITE = (255, 255, 255)
_DARK = (20, 20, 20)


def _font(size: int = 14) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has no sized default font
        return ImageFont.load_default()


def format_time(seconds: float) -> str:
    """``m:ss.ss`` for a label."""
    minutes, rest = divmod(max(seconds, 0.0), 60.0)
    return f"{int(minutes)}:{rest:05.2f}"


def keyframe_strip(
    images: Sequence[np.ndarray],
    labels: Sequence[str],
    *,
    cell: int = 256,
    columns: int | None = None,
) -> np.ndarray:
    """Lay out HxWx3 uint8 keyframes in rows of ``columns`` with a label under each; HxWx3 uint8.

    The report's Figure 10: the keyframes of a style video with their timestamps.
    """
    count = len(images)
    cols = max(1, min(columns or count, count))
    rows = -(-count // cols)
    smalls = [fit_cell(image, cell) for image in images]
    height = max((s.shape[0] for s in smalls), default=cell)  # no empty band for wide frames
    pitch_w, pitch_h = cell + GAP, height + LABEL_HEIGHT + GAP
    canvas = Image.new("RGB", (GAP + cols * pitch_w, GAP + rows * pitch_h), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    font = _font()
    for n, (small, label) in enumerate(zip(smalls, labels, strict=True)):
        x0, y0 = GAP + (n % cols) * pitch_w, GAP + (n // cols) * pitch_h
        sh, sw = small.shape[:2]
        canvas.paste(Image.fromarray(small), (x0 + (cell - sw) // 2, y0 + (height - sh) // 2))
        draw.text((x0 + 2, y0 + height + 3), label, fill=_DARK, font=font)
    return np.asarray(canvas, dtype=np.uint8).copy()


class SideBySide:
    """Compose ``source | stylized`` frames with the current style picture(s) in a corner.

    Frames come in and go out as stored in the file (HxWx3 uint8 RGB, before ``rotation``);
    the picture is laid out upright, so a phone video still reads left to right.

    Arguments:
        width, height: stored size of the source frames.
        rotation: counter-clockwise display rotation of the source (0, 90, 180, -90).
        pictures: one HxWx3 uint8 picture (or None) per style of the schedule.
        position: ``position(time) -> (before, after, weight)`` of the schedule.
    """

    def __init__(
        self,
        width: int,
        height: int,
        rotation: int,
        pictures: Sequence[np.ndarray | None],
        position: Callable[[float], object],
    ) -> None:
        self.rotation = int(rotation) % 360
        turned = self.rotation % 180 == 90
        self._w, self._h = (height, width) if turned else (width, height)  # upright size
        side = max(8, round(THUMB_FRACTION * self._h))
        self._thumbs = [None if p is None else _square(p, side) for p in pictures]
        self._side = side
        self._position = position

    @property
    def output_size(self) -> tuple[int, int]:
        """Stored (width, height) of the composed frames."""
        w, h = 2 * self._w, self._h
        return (h, w) if self.rotation % 180 == 90 else (w, h)

    def __call__(self, source: np.ndarray, stylized: np.ndarray, time: float) -> np.ndarray:
        k = self.rotation // 90
        left = np.rot90(source, k) if k else source
        right = np.rot90(stylized, k) if k else stylized
        frame = np.concatenate([left, right], axis=1)
        self._corner(frame, time)
        return np.ascontiguousarray(np.rot90(frame, -k) if k else frame)

    def _corner(self, frame: np.ndarray, time: float) -> None:
        pos = self._position(time)
        before, after, weight = pos.before, pos.after, float(pos.weight)  # type: ignore[attr-defined]
        shown = [before] if before == after or weight <= 0 else [before, after]
        if weight >= 1:
            shown = [after]
        side, pad = self._side, max(2, self._side // 16)
        x = self._w + pad
        y = self._h - side - pad - (pad + 4 if len(shown) == 2 else 0)
        for n in shown:
            thumb = self._thumbs[n] if n < len(self._thumbs) else None
            if thumb is None or x + side > frame.shape[1] or y < 0:
                continue
            frame[y : y + side, x : x + side] = thumb
            cv2.rectangle(frame, (x, y), (x + side - 1, y + side - 1), _WHITE, 1)
            x += side + pad
        if len(shown) == 2 and y + side + pad + 4 <= frame.shape[0]:
            bar_y, bar_w = y + side + pad, 2 * side + pad
            x0 = self._w + pad
            cv2.rectangle(frame, (x0, bar_y), (x0 + bar_w, bar_y + 3), _DARK, -1)
            cv2.rectangle(frame, (x0, bar_y), (x0 + round(weight * bar_w), bar_y + 3), _WHITE, -1)


def _square(picture: np.ndarray, side: int) -> np.ndarray:
    """The centre square of an HxWx3 uint8 picture scaled to side x side."""
    h, w = picture.shape[:2]
    s = min(h, w)
    top, left = (h - s) // 2, (w - s) // 2
    square = picture[top : top + s, left : left + s]
    interp = cv2.INTER_AREA if s > side else cv2.INTER_CUBIC
    return cv2.resize(np.ascontiguousarray(square), (side, side), interpolation=interp)
