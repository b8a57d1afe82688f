"""What the flow filters share: the flow computed ahead on a worker thread, frame pairing."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

import cv2
import numpy as np

from ..flow import FlowEstimator, FlowFrame
from ..scenecut import SceneCutDetector


class _Pairing(Protocol):
    flow: FlowEstimator
    prev_src: FlowFrame | None
    cuts: SceneCutDetector | None


def lowpass(image: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur of ``sigma`` pixels."""
    return cv2.GaussianBlur(image, (0, 0), sigmaX=sigma, sigmaY=sigma)


def advance(filt: _Pairing, source: np.ndarray) -> tuple[FlowFrame, FlowFrame] | None:
    """Prepare ``source`` for flow as the filter's newest frame; (it, the previous) or None.

    None at the first frame and at a change of size (the scene-cut detector still sees the
    frame). ``filt`` has ``flow`` (a FlowEstimator), ``prev_src`` and ``cuts``.
    """
    current = filt.flow.prepare(source)
    previous, filt.prev_src = filt.prev_src, current
    if previous is None or previous.full_size != current.full_size:
        if filt.cuts:
            filt.cuts.update(source)
        return None
    return current, previous


class FlowAhead:
    """Runs a filter's per-frame motion step on a worker thread, ahead of the network.

    ``submit(source)`` starts the step for the next frame (``TemporalFilter.prepare``);
    ``take(source)`` returns the oldest started result, or runs the step now when none was
    started. The step runs in frame order, on one thread.
    """

    def __init__(self, step: Callable[[np.ndarray], Any]) -> None:
        self.step = step
        self._pending: deque[Future] = deque()
        self._worker: ThreadPoolExecutor | None = None

    def submit(self, source: np.ndarray) -> None:
        """Start the step for the next frame in the background."""
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="restyle-flow")
        self._pending.append(self._worker.submit(self.step, source))

    def take(self, source: np.ndarray) -> Any:
        """The step's result for this frame: the oldest started one, or computed now."""
        return self._pending.popleft().result() if self._pending else self.step(source)

    def cancel(self) -> None:
        """Drop the started steps, waiting for a running one so no stale work follows."""
        for future in self._pending:
            future.cancel()
        while self._pending:
            future = self._pending.popleft()
            if not future.cancelled():
                future.exception()

    def close(self) -> None:
        """Stop the worker thread."""
        if self._worker is not None:
            self._worker.shutdown(wait=True, cancel_futures=True)
            self._worker = None
        self._pending.clear()
