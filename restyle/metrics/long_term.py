"""Long-term warp error: does the paint stay put over K frames, not only from one to the next?

The flicker meter (:mod:`restyle.metrics.warp_error`) compares each stylized frame with the
one before it. Strokes can pass that test and still swim: each frame a little off from the
last, drifting over half a second. This meter compares frame ``t`` with frame ``t - K``
(default ``K = 10``) the same way, the flow estimated *directly* between the two source
frames (not chained through the frames between, which would add up their errors):

- ``w = flow(S_t, S_{t-K})`` on the source, ``M`` its forward-backward consistency mask
  (pixels that are visible in both frames and whose flow points inside the frame);
- ``E_t = sum_p M(p) (1/3) sum_c (O_t(p, c) - O_{t-K}(p + w(p), c))^2 / sum_p M(p)``;
- the video's long-term warp error is the mean of ``E_t`` over the counted frames, and the
  *source floor* is the same quantity for the source itself: what flow error and lighting
  change leave in a video that keeps its paint perfectly.

Pairs with a shot cut between ``t - K`` and ``t``, or with fewer than ``min_reliable`` of the
pixels reliable, are skipped. Memory holds K frames (a ring), not the video.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from restyle.errors import InputError
from restyle.imaging.similarity import conform, to_float
from restyle.metrics.warp_error import MIN_RELIABLE, floor_ratio, masked_warp_error
from restyle.temporal.flow import FlowEstimator, FlowFrame, FlowPair
from restyle.temporal.scenecut import SceneCutDetector
from restyle.temporal.warping import warp

DEFAULT_GAP = 10


@dataclass
class LongTermResult:
    """What the long-term meter found: the mean ``E_t`` at this gap, the floor, their ratio."""

    gap: int
    warp_error: float
    source_floor: float
    ratio: float
    frames: int
    skipped: int


class LongTermMotion:
    """Streaming flow from each source frame to the one ``gap`` frames before it.

    ``update(frame)`` returns None for the first ``gap`` frames and after a shot cut until
    ``gap`` frames of the new shot have passed; afterwards a FlowPair with ``forward =
    flow(S_t, S_{t-gap})`` and its mask. Compute it once per source and pass the pairs to
    several :class:`LongTermMeter` objects (one per stylized version).
    """

    def __init__(self, gap: int = DEFAULT_GAP, estimator: FlowEstimator | None = None) -> None:
        if gap < 1:
            raise InputError(f"the gap must be at least 1 frame, got {gap}")
        self.gap = gap
        self.estimator = estimator or FlowEstimator()
        self._cuts = SceneCutDetector()
        self._frames: deque[FlowFrame] = deque(maxlen=gap)
        self._since_cut = 0
        self.skipped = 0

    def update(self, frame: np.ndarray) -> FlowPair | None:
        """The FlowPair between ``frame`` and the source frame ``gap`` before (or None)."""
        current = self.estimator.prepare(frame)
        if self._cuts.update(frame):
            self._since_cut = 0
        pair = None
        if len(self._frames) == self.gap:
            if self._since_cut < self.gap:
                self.skipped += 1
            else:
                earlier = self._frames[0]
                if earlier.full_size != current.full_size:
                    raise InputError("the source video changes frame size mid-stream")
                pair = self.estimator.pair(current, earlier)
        self._frames.append(current)
        self._since_cut += 1
        return pair


class LongTermMeter:
    """Long-term warp error of one stylized video (module docstring).

    Feed ``update(source, stylized, pair)`` for every frame in order, with the pair
    :class:`LongTermMotion` gave for that source frame (None where it gave none).
    """

    def __init__(self, gap: int = DEFAULT_GAP, min_reliable: float = MIN_RELIABLE) -> None:
        self.gap = gap
        self.min_reliable = min_reliable
        self._sources: deque[np.ndarray] = deque(maxlen=gap)
        self._outputs: deque[np.ndarray] = deque(maxlen=gap)
        self._errors: list[float] = []
        self._floors: list[float] = []
        self._skipped = 0

    def update(
        self, source: np.ndarray, stylized: np.ndarray, pair: FlowPair | None
    ) -> float | None:
        """Add one frame (HxWx3 uint8 RGB); its ``E_t``, or None when not counted."""
        stylized = conform(stylized, source, "source and stylized frames")
        error = None
        if pair is not None and len(self._outputs) == self.gap:
            if pair.reliable is None or pair.reliable.shape != source.shape[:2]:
                raise InputError("the flow passed to the meter does not match the frame size")
            if 1.0 - pair.unreliable_fraction < self.min_reliable:
                self._skipped += 1
            else:
                earlier_out = to_float(self._outputs[0])
                earlier_src = to_float(self._sources[0])
                error = masked_warp_error(
                    to_float(stylized), warp(earlier_out, pair.forward), pair.reliable
                )
                floor = masked_warp_error(
                    to_float(source), warp(earlier_src, pair.forward), pair.reliable
                )
                self._errors.append(error)
                self._floors.append(floor)
        self._sources.append(source)
        self._outputs.append(stylized)
        return error

    def result(self) -> LongTermResult:
        """The mean long-term warp error, its source floor and their ratio so far."""
        n = len(self._errors)
        if n == 0:
            nan = float("nan")
            return LongTermResult(self.gap, nan, nan, nan, 0, self._skipped)
        error, floor = float(np.mean(self._errors)), float(np.mean(self._floors))
        return LongTermResult(self.gap, error, floor, floor_ratio(error, floor), n, self._skipped)
