"""The interface of a temporal filter, and the identity filter (``--temporal none``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from typing import Self

    from ..options import FilterOptions


class TemporalFilter:
    """A stage after the network that sees the source and the fresh painted frame, in order.

    ``push(source, stylized, time[, settled])`` takes HxWx3 uint8 RGB frames and returns the
    frames it has finished (one per frame pushed, in order; filters that look ahead return
    some of them late, and ``flush()`` finishes the rest); ``settled`` says where strokes
    already stay on the scene. A filter keeps its own state and starts afresh after
    :meth:`reset` or at a scene cut it detects itself. This base class is the identity:
    every frame is written as painted.
    """

    name = "none"
    latency = 0  # the most frames push() holds back before returning them
    # push() finishes frames in groups of this many, counted from the first frame pushed; a
    # piece of a chunked render starts on this grid so it paints what one render paints
    period = 1
    # frames after which the history no longer tells how the filter started (None: about a
    # second); a piece of a chunked render paints at least this many before it
    settle: int | None = None
    # whether the filter's result at the size the network painted, scaled up, is its result
    # at the frame's size: then a render runs it at the painted size (filters.sized)
    at_paint_size = False

    @classmethod
    def configure(cls, options: FilterOptions, *, steady: bool = False) -> Self:
        """The filter built from the job's temporal options.

        ``steady``: the network's strokes already stay on moving content (``--model
        steady``), so a filter that steers its own strength may smooth less.
        """
        return cls()

    def prepare(self, source: np.ndarray) -> None:
        """Announce the next source frame before it is stylized (lets work overlap the network).

        Called in frame order, optionally; ``push`` must work without it.
        """

    def reset(self) -> None:
        """Forget the past: the next frame is taken as it is."""

    def close(self) -> None:
        """Release background resources (threads); the filter may not be used afterwards."""

    def __call__(self, source: np.ndarray, stylized: np.ndarray, time: float) -> np.ndarray:
        """Return the HxWx3 uint8 frame to write for this source/stylized pair."""
        return stylized

    def push(
        self,
        source: np.ndarray,
        stylized: np.ndarray,
        time: float,
        settled: np.ndarray | None = None,
    ) -> list[np.ndarray]:
        """Take the next frame; return the frames finished now, oldest first.

        Filters that look ahead hold frames back and return none, then several; the
        frames come out in the order they went in, one for each. The default returns
        ``[self(source, stylized, time)]``. ``settled``: per pixel (HxW float32 0..1, any
        size), how much of the painting already stays on the scene from frame to frame
        (strokes that stick, :mod:`restyle.motion.plane`); a filter may smooth less there.
        """
        return [self(source, stylized, time)]

    def flush(self) -> list[np.ndarray]:
        """Finish the frames still held back, oldest first (after the last ``push``)."""
        return []
