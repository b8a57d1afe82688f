"""Painting a camera in real time: the live painter, its recorder, and ``restyle live``.

:class:`LivePainter` takes frames one at a time and paints the latest on a worker thread
(frames it cannot keep up with are dropped, never queued), with a flicker filter that
holds no frame back (``carry`` for strokes that follow the content, else ``forward``), a
style that can be switched while it runs, and its fps and delay. The web page's
Live tab (:mod:`restyle.ui.live`) and ``restyle live`` (:mod:`restyle.live.player`) are
built on it.
"""

from __future__ import annotations

from .frames import Painted
from .painter import (
    DEFAULT_SIZE,
    DEFAULT_SMOOTH,
    DEFAULT_STYLE,
    HANDOVER,
    SIZES,
    LiveClosed,
    LivePainter,
    LiveStats,
    painted_size,
)
from .recorder import LiveRecorder

__all__ = [
    "DEFAULT_SIZE",
    "DEFAULT_SMOOTH",
    "DEFAULT_STYLE",
    "HANDOVER",
    "SIZES",
    "LiveClosed",
    "LivePainter",
    "LiveRecorder",
    "LiveStats",
    "Painted",
    "painted_size",
]
