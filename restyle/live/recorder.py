"""Recording a live stream: painted (or camera) frames into a browser-playable H.264 file."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..media.writer import VideoWriter

if TYPE_CHECKING:
    from .frames import Painted

TIME_BASE = Fraction(1, 1000)  # frames keep the times they were painted at, to the ms
NOMINAL_RATE = 30  # the stream's nominal rate; real frame times come from the stream


class LiveRecorder:
    """Writes live frames, as they come, to an H.264 ``yuv420p`` file at one even size.

    The size is the first frame's; a later frame of another size (the size was changed
    while recording) is scaled to it. Times start at 0 with the first frame. The file
    appears only when :meth:`close` succeeds.
    """

    def __init__(self, path: str | Path, raw: bool = False, preset: str = "veryfast") -> None:
        self.path = Path(path)
        self.raw = raw
        self.preset = preset
        self.frames = 0
        self._writer: VideoWriter | None = None
        self._start = 0.0

    def write(self, painted: Painted) -> None:
        """Add one painted frame (or its camera frame when recording the raw take)."""
        image = painted.source if self.raw else painted.image
        if self._writer is None:
            h, w = image.shape[:2]
            self._writer = VideoWriter(
                self.path,
                width=w - w % 2,
                height=h - h % 2,
                frame_rate=NOMINAL_RATE,
                time_base=TIME_BASE,
                preset=self.preset,
            )
            self._start = painted.done
        writer = self._writer
        if image.shape[:2] != (writer.height, writer.width):
            image = cv2.resize(image, (writer.width, writer.height), interpolation=cv2.INTER_AREA)
        writer.write(np.ascontiguousarray(image), painted.done - self._start)
        self.frames += 1

    def close(self) -> Path | None:
        """Finish the file; its path, or None when no frame was written."""
        if self._writer is None:
            return None
        self._writer.close()
        return self.path

    def abort(self) -> None:
        """Stop and leave nothing behind."""
        if self._writer is not None:
            self._writer.abort()
