"""A painted frame of a live painting, as the painter hands it to the page and the recorder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Painted:
    """One painted frame and where it came from.

    Attributes:
        image: the painted frame, HxWx3 uint8 RGB, at the painted size.
        source: the camera frame as it was painted (scaled to the painted size).
        index: the count of painted frames before this one.
        frame: the number of the camera frame it was painted from (submit order, from 0).
        time: the camera frame's timestamp (the painter's clock, seconds).
        done: when its painting was finished (same clock).
        style: the style it was painted in (mid-way during a hand-over).
        tag: whatever the caller passed to :meth:`LivePainter.submit` with the frame.
    """

    image: np.ndarray
    source: np.ndarray
    index: int
    frame: int
    time: float
    done: float
    style: str
    tag: Any = None

    @property
    def delay(self) -> float:
        """Seconds from the camera frame's timestamp to its painting."""
        return self.done - self.time
