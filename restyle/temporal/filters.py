"""Flicker removal after the network: each method sees the source and the fresh stylized frame.

A filter takes frames in order, ``filter.push(source, stylized, time)`` with HxWx3 uint8
RGB frames, and returns the frames it has finished (one per frame, in order, some of them
late for filters that look ahead; ``flush()`` finishes the rest). It keeps its own state
(the previous output, the previous source) and starts afresh after
:meth:`TemporalFilter.reset` or at a scene cut it detects itself.

* ``none``: the fresh stylization, frame by frame (flickers).
* ``blend``: ``out = a * previous_out + (1 - a) * fresh`` -- cheap, but moving edges leave
  ghosts because the previous frame is not moved with the content.
* ``flow`` (:class:`TwoWayFlowFilter`): each fresh frame is averaged with the painted
  frames before and after it (a symmetric exponential kernel, up to ``lookahead`` frames
  ahead), each moved into the current frame along the optical flow of the source frames,
  wherever the flow is reliable (it explains the source frame's brightness and points
  inside the frame); elsewhere (disocclusions, lighting changes, scene cuts) the fresh frame
  is kept. Built on :class:`FlowFilter`, the one-way (causal) form: the previous *output*
  warped into the current frame and blended with the fresh one. With ``alpha_low`` that
  blend is done per frequency band (measured in benchmarks/temporal.py; not the default,
  it gained little). The two-way form removes more flicker at the same sharpness, at the
  price of holding ``lookahead`` frames back (:meth:`TemporalFilter.push`).
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

import cv2
import numpy as np

from ..errors import InputError
from .flow import FlowEstimator, FlowFrame, FlowPair
from .scenecut import SceneCutDetector
from .warp import warp

METHODS = ("none", "blend", "flow")
DEFAULT_FLOW_WEIGHT = 0.55  # benchmarks/temporal.py: ~0.2-0.3x the per-frame warp error
DEFAULT_TWO_WAY_WEIGHT = 0.4  # both ways: less flicker than 0.55 one way, at equal sharpness
DEFAULT_FLOW_SIZE = 320  # long side of the flow; 640 on 720p: ~15 % less flicker, 2x the flow time
MIN_FLOW_SIZE = 64


class TemporalFilter:
    """Base class: the identity (per-frame stylization)."""

    name = "none"

    def prepare(self, source: np.ndarray) -> None:
        """Announce the next source frame before it is stylized (lets work overlap the network).

        Called in frame order, optionally; ``__call__`` must work without it.
        """

    def reset(self) -> None:
        """Forget the past: the next frame is taken as it is."""

    def close(self) -> None:
        """Release background resources (threads); the filter may not be used afterwards."""

    def __call__(self, source: np.ndarray, stylized: np.ndarray, time: float) -> np.ndarray:
        """Return the HxWx3 uint8 frame to write for this source/stylized pair."""
        return stylized

    def push(self, source: np.ndarray, stylized: np.ndarray, time: float) -> list[np.ndarray]:
        """Take the next frame; return the frames finished now, oldest first.

        Filters that look ahead hold frames back and return none, then several; the
        frames come out in the order they went in, one for each. The default returns
        ``[self(source, stylized, time)]``.
        """
        return [self(source, stylized, time)]

    def flush(self) -> list[np.ndarray]:
        """Finish the frames still held back, oldest first (after the last ``push``)."""
        return []


class BlendFilter(TemporalFilter):
    """Blend each output with the previous output, unwarped (the simple baseline)."""

    name = "blend"

    def __init__(self, alpha: float = 0.5, scene_cuts: bool = True) -> None:
        if not 0.0 <= alpha < 1.0:
            raise ValueError(f"blend weight must be in [0, 1), got {alpha}")
        self.alpha = alpha
        self.cuts = SceneCutDetector() if scene_cuts else None
        self.prev: np.ndarray | None = None

    def reset(self) -> None:
        """Forget the previous output (and the scene-cut detector's memory)."""
        self.prev = None
        if self.cuts:
            self.cuts.reset()

    def __call__(self, source: np.ndarray, stylized: np.ndarray, time: float) -> np.ndarray:
        """Blend the fresh frame with the previous output."""
        fresh = stylized.astype(np.float32)
        cut = self.cuts.update(source) if self.cuts else False
        if self.prev is None or cut or self.prev.shape != fresh.shape:
            out = fresh
        else:
            out = self.alpha * self.prev + (1.0 - self.alpha) * fresh
        self.prev = out
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _lowpass(image: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), sigmaX=sigma, sigmaY=sigma)


def _advance(filt, source: np.ndarray) -> tuple[FlowFrame, FlowFrame] | None:
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


def _weights(reliable: np.ndarray, alpha: float, feather: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel weights (1 - k, k) of the warped frame, k = alpha * the feathered mask."""
    k = reliable.astype(np.float32)
    if feather > 0:
        k = _lowpass(k, feather)
    k *= alpha
    return 1.0 - k, k


def _lerp(fresh: np.ndarray, warped: np.ndarray, weights: tuple[np.ndarray, np.ndarray]):
    """``(1 - k) * fresh + k * warped`` per pixel, in one pass (float32 HxWx3)."""
    return cv2.blendLinear(fresh, warped, weights[0], weights[1])


class FlowFilter(TemporalFilter):
    """Warp the previous output along the source's optical flow and blend where it is reliable.

    Arguments:
        alpha: weight of the warped history for fine detail (texture, strokes), 0..1.
        alpha_low: weight of the warped history for coarse colour (the low-pass band);
            ``None`` uses ``alpha`` for every band (a plain flow blend).
        sigma: Gaussian sigma in pixels (at the working size of the frame) separating the
            coarse band from the fine one.
        flow_size: long side of the frames the optical flow is computed at.
        feather: blur, in pixels, of the reliability mask, so no seam shows at its edges.
        preset: OpenCV DIS preset of the flow (``"fast"``; see FlowEstimator).
        check: where the flow is trusted, ``"photometric"`` (default: one flow) or
            ``"consistency"`` (forward-backward, two flows); see FlowEstimator.pair.
        scene_cuts: start afresh at a detected scene cut.
    """

    name = "flow"

    def __init__(
        self,
        alpha: float = DEFAULT_FLOW_WEIGHT,
        alpha_low: float | None = None,
        sigma: float = 4.0,
        flow_size: int = DEFAULT_FLOW_SIZE,
        feather: float = 1.5,
        scene_cuts: bool = True,
        preset: str = "fast",
        check: str = "photometric",
    ) -> None:
        for value in (alpha, alpha_low if alpha_low is not None else 0.0):
            if not 0.0 <= value < 1.0:
                raise ValueError(f"flow blend weights must be in [0, 1), got {value}")
        self.alpha = alpha
        self.alpha_low = alpha if alpha_low is None else alpha_low
        self.sigma = sigma
        self.feather = feather
        # DIS "fast" and the photometric check: half the cost of "medium" with the
        # forward-backward check, and as much flicker removed at the same sharpness
        self.flow = FlowEstimator(max_side=flow_size, preset=preset)
        self.check = check
        self.cuts = SceneCutDetector() if scene_cuts else None
        self.prev_out: np.ndarray | None = None
        self.prev_src: FlowFrame | None = None
        self.afresh = True  # the last frame started afresh (first frame, scene cut)
        self._pending: deque[Future] = deque()
        self._worker: ThreadPoolExecutor | None = None

    def _motion(self, source: np.ndarray) -> FlowPair | None:
        """Flow from this source frame to the previous one; None at the start or at a cut.

        Runs in frame order (on the worker thread when ``prepare`` is used).
        """
        frames = _advance(self, source)
        if frames is None:
            return None
        pair = self.flow.pair(*frames, check=self.check)
        if self.cuts and self.cuts.update(source, pair.unmatched_fraction):
            return None
        return pair

    def prepare(self, source: np.ndarray) -> None:
        """Start computing this frame's optical flow while the network paints it."""
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="restyle-flow")
        self._pending.append(self._worker.submit(self._motion, source))

    def reset(self) -> None:
        """Forget the previous frame; the next one is written as stylized."""
        for future in self._pending:
            future.cancel()
        while self._pending:
            future = self._pending.popleft()
            if not future.cancelled():
                future.exception()  # wait, so no stale work touches the new state
        self.prev_out = None
        self.prev_src = None
        if self.cuts:
            self.cuts.reset()

    def close(self) -> None:
        """Stop the flow worker thread."""
        if self._worker is not None:
            self._worker.shutdown(wait=True, cancel_futures=True)
            self._worker = None
        self._pending.clear()

    def __call__(self, source: np.ndarray, stylized: np.ndarray, time: float) -> np.ndarray:
        """Combine the fresh stylization with the warped previous output."""
        pair = self._pending.popleft().result() if self._pending else self._motion(source)
        out = self.apply(stylized.astype(np.float32), pair)
        return stylized if self.afresh else np.clip(out + 0.5, 0, 255).astype(np.uint8)

    def apply(self, fresh: np.ndarray, pair: FlowPair | None) -> np.ndarray:
        """Blend float32 ``fresh`` with the previous output warped along ``pair``; the result.

        ``pair`` None (or a change of size) starts afresh: the result is ``fresh`` itself.
        The result becomes the previous output of the next call.
        """
        self.afresh = pair is None or self.prev_out is None or self.prev_out.shape != fresh.shape
        if self.afresh:
            self.prev_out = fresh
            return fresh
        warped = warp(self.prev_out, pair.forward)
        if self.alpha_low == self.alpha:
            out = _lerp(fresh, warped, _weights(pair.reliable, self.alpha, self.feather))
        else:
            mask = _weights(pair.reliable, 1.0, self.feather)[1][..., None]
            diff = warped - fresh
            low = _lowpass(diff, self.sigma)
            out = fresh + mask * (self.alpha_low * low + self.alpha * (diff - low))
        self.prev_out = out
        return out


class TwoWayFlowFilter(TemporalFilter):
    """Smooth along the optical flow both ways in time: the past and a few frames ahead.

    The forward pass is :class:`FlowFilter` (``F``: each output blended with the previous one
    warped along the flow). The backward pass runs the same recursion from ``lookahead``
    frames ahead back to this one (``B``), along the flow from each frame to the next. The
    output is ``(F + B - (1 - b) f) / (1 + b)`` with ``f`` the fresh frame and ``b`` the
    weight: a symmetric exponential kernel ``b^|k|`` over the frames around this one,
    following the motion, where the causal filter's kernel is one-sided. At the same
    sharpness it removes more flicker (benchmarks/temporal.py): a frame's neighbours on
    both sides average out its own jitter, where the past alone lags behind it. Frames
    come out ``lookahead`` frames late (:meth:`push`). Scene cuts and unreliable flow stop
    both passes, as in FlowFilter.
    """

    name = "flow"

    def __init__(
        self,
        alpha: float = DEFAULT_TWO_WAY_WEIGHT,
        lookahead: int = 4,
        flow_size: int = DEFAULT_FLOW_SIZE,
        feather: float = 1.5,
        scene_cuts: bool = True,
        preset: str = "fast",
    ) -> None:
        if lookahead < 1:
            raise ValueError(f"lookahead must be at least 1 frame, got {lookahead}")
        self.alpha = alpha
        self.lookahead = lookahead
        self.feather = feather
        self.causal = FlowFilter(alpha=alpha, feather=feather, scene_cuts=False)
        self.flow = FlowEstimator(max_side=flow_size, preset=preset)
        self.cuts = SceneCutDetector() if scene_cuts else None
        self.prev_src: FlowFrame | None = None
        # held frames, oldest first: [fresh, forward-pass output, link to the next frame]
        self.window: deque[list] = deque()
        self._links: deque[Future] = deque()
        self._worker: ThreadPoolExecutor | None = None

    def _motion(self, source: np.ndarray) -> tuple[FlowPair, tuple] | None:
        """Flow to the previous frame, and flow from it to this one with its blend weights.

        One flow computation serves both passes (FlowEstimator.pair_both_ways). None at the
        start, at a change of size and at a scene cut.
        """
        frames = _advance(self, source)
        if frames is None:
            return None
        back, ahead = self.flow.pair_both_ways(*frames)
        if self.cuts and self.cuts.update(source, back.unmatched_fraction):
            return None
        return back, (ahead.forward, _weights(ahead.reliable, self.alpha, self.feather))

    def prepare(self, source: np.ndarray) -> None:
        """Start this frame's optical flow while the network paints it."""
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="restyle-flow")
        self._links.append(self._worker.submit(self._motion, source))

    def reset(self) -> None:
        """Start afresh at the next frame (frames already held are still finished)."""
        self.causal.reset()
        for future in self._links:
            future.cancel()
        while self._links:
            future = self._links.popleft()
            if not future.cancelled():
                future.exception()
        self.prev_src = None
        if self.cuts:
            self.cuts.reset()
        if self.window:
            self.window[-1][2] = None

    def close(self) -> None:
        """Stop the flow worker threads."""
        self.causal.close()
        if self._worker is not None:
            self._worker.shutdown(wait=True, cancel_futures=True)
            self._worker = None
        self._links.clear()

    def push(self, source: np.ndarray, stylized: np.ndarray, time: float) -> list[np.ndarray]:
        """Take the next frame; return the frame ``lookahead`` frames back, once there is one."""
        motion = self._links.popleft().result() if self._links else self._motion(source)
        back, link = motion if motion is not None else (None, None)
        fresh = stylized.astype(np.float32)
        forward = self.causal.apply(fresh, back)
        if self.window and not self.causal.afresh:
            self.window[-1][2] = link  # the chain runs on from the previous frame to this one
        self.window.append([fresh, forward, None])
        if len(self.window) <= self.lookahead:
            return []
        return [self._finish()]

    def flush(self) -> list[np.ndarray]:
        """Finish the held frames with the look-ahead that is left."""
        return [self._finish() for _ in range(len(self.window))]

    def __call__(self, source: np.ndarray, stylized: np.ndarray, time: float) -> np.ndarray:
        """Not available: this filter returns frames late; use push and flush."""
        raise TypeError("TwoWayFlowFilter returns frames late: call push() and flush()")

    def _finish(self) -> np.ndarray:
        """Combine the oldest held frame's two passes; drop it from the window."""
        b = self.alpha
        back = self.window[-1][0]
        for fresh, _, link in reversed(list(self.window)[:-1]):
            if link is None:
                back = fresh
            else:
                flow, weights = link
                back = _lerp(fresh, warp(back, flow), weights)
        fresh, forward, _ = self.window.popleft()
        out = (forward + back - (1.0 - b) * fresh) * (1.0 / (1.0 + b))
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def create_filter(
    method: str, strength: float | None = None, flow_size: int | None = None
) -> TemporalFilter:
    """The temporal filter for ``--temporal METHOD``; ``strength`` is its history weight.

    ``flow_size``: long side the ``flow`` method computes optical flow at (default 320;
    more follows motion more closely, less flicker, more time).

    Raises:
        InputError: unknown method, a weight outside [0, 1) or a flow size under 64.
    """
    if strength is not None and not 0.0 <= strength < 1.0:
        raise InputError(f"--smooth must be in [0, 1), got {strength}")
    if flow_size is not None and flow_size < MIN_FLOW_SIZE:
        raise InputError(f"--flow-size must be at least {MIN_FLOW_SIZE} pixels, got {flow_size}")
    if method == "none":
        return TemporalFilter()
    if method == "blend":
        return BlendFilter(alpha=0.5 if strength is None else strength)
    if method == "flow":
        return TwoWayFlowFilter(
            alpha=DEFAULT_TWO_WAY_WEIGHT if strength is None else strength,
            flow_size=flow_size or DEFAULT_FLOW_SIZE,
        )
    raise InputError(f"unknown temporal method {method!r}; use one of {', '.join(METHODS)}")
