"""A flicker filter run at the size the network paints at, its change brought to the frame's.

With ``--max-size`` below the video's size (the default 1280 on a 1080p or 4K video, or a
smaller one for speed) the network paints a smaller picture that is scaled up to the
frame. Filtering the scaled-up frame costs the frame's pixels, while the painting holds
no detail finer than the network's own: on a 720p video painted at 640 px the filter did
four times the work for nothing. :class:`AtPaintSize` gives the filter the source and the
painting at the painted size (area-averaged, as the network saw them) and adds what the
filter changed, scaled up (bicubic), to the full-size painting. Where the filter keeps the
fresh painting the frame is written exactly as painted; where it moves or mixes paint, the
change follows at the painting's own resolution.
"""

from __future__ import annotations

from collections import deque

import cv2
import numpy as np

from .base import TemporalFilter


class AtPaintSize(TemporalFilter):
    """Run ``inner`` at ``size`` (h, w), the size the network paints at (module docstring).

    Frames already that size go through untouched. The filter's ``period``, ``latency`` and
    ``settle`` are the inner filter's.
    """

    def __init__(self, inner: TemporalFilter, size: tuple[int, int]) -> None:
        self.inner = inner
        self.size = size
        self.name = inner.name
        self.latency = inner.latency
        self.period = inner.period
        self.settle = inner.settle
        self._prepared: deque[tuple[np.ndarray, np.ndarray]] = deque()
        # the paintings the inner filter holds, full size and as it got them, oldest first
        self._held: deque[tuple[np.ndarray, np.ndarray]] = deque()

    def _shrink(self, image: np.ndarray) -> np.ndarray:
        """An HxWx3 uint8 frame at the painted size (area-averaged), or itself."""
        h, w = self.size
        if image.shape[0] <= h and image.shape[1] <= w:
            return image
        return cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)

    def _source(self, source: np.ndarray) -> np.ndarray:
        """The source at the painted size, shrunk once when ``prepare`` saw it first."""
        while self._prepared:
            frame, small = self._prepared.popleft()
            if frame is source:
                return small
        return self._shrink(source)

    def prepare(self, source: np.ndarray) -> None:
        """Shrink the next source frame and let the inner filter start on it."""
        small = self._shrink(source)
        self._prepared.append((source, small))
        self.inner.prepare(small)

    def reset(self) -> None:
        """Forget the past (frames already held are still finished)."""
        self._prepared.clear()
        self.inner.reset()

    def close(self) -> None:
        """Release the inner filter's threads."""
        self.inner.close()

    def __call__(self, source: np.ndarray, stylized: np.ndarray, time: float) -> np.ndarray:
        """The frame to write (for filters that hold nothing back)."""
        (out,) = self.push(source, stylized, time)
        return out

    def push(
        self,
        source: np.ndarray,
        stylized: np.ndarray,
        time: float,
        settled: np.ndarray | None = None,
    ) -> list[np.ndarray]:
        """Filter the next frame at the painted size; the frames finished now, full size."""
        small = self._shrink(stylized)
        self._held.append((stylized, small))
        done = self.inner.push(self._source(source), small, time, settled)
        return [self._grow(out) for out in done]

    def flush(self) -> list[np.ndarray]:
        """Finish the frames the inner filter still holds, full size."""
        return [self._grow(out) for out in self.inner.flush()]

    def _grow(self, filtered: np.ndarray) -> np.ndarray:
        """The full-size painting plus the filter's change to it, scaled up."""
        full, small = self._held.popleft()
        if full is small:
            return filtered
        change = cv2.subtract(filtered, small, dtype=cv2.CV_16S)
        h, w = full.shape[:2]
        change = cv2.resize(change, (w, h), interpolation=cv2.INTER_CUBIC)
        return cv2.add(full, change, dtype=cv2.CV_8U)
