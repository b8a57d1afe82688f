"""``--temporal flow``, the default: smooth along the optical flow, past and future frames.

Each fresh frame is averaged with the painted frames before and after it (a symmetric
exponential kernel, 3 to 8 frames ahead), each moved into the current frame along the
optical flow of the source frames, wherever the flow is reliable (it explains the source
frame's brightness and points inside the frame), and by how textured the paint is there:
strokes are where a network's output flickers, flat paint is where smoothing would show as
blur. Elsewhere (disocclusions, lighting changes, scene cuts) the fresh frame is kept. How
much is mixed in is steered as the video plays to keep a sharpness target (SSIM to the frame
as painted), or fixed (``smooth``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import cv2
import numpy as np

from ...errors import InputError
from ...imaging.similarity import ssim
from ...registries import FLOW_QUALITIES
from ..flow import FlowEstimator, FlowFrame, FlowPair
from ..options import DEFAULT_SHARPNESS
from ..scenecut import SceneCutDetector
from ..warping import WarpMap
from .ahead import FlowAhead, advance, lowpass
from .base import TemporalFilter

if TYPE_CHECKING:
    from ..options import FilterOptions

DEFAULT_TWO_WAY_WEIGHT = 0.55  # on textured pixels; flat ones get less (texture_weight)
SHARPNESS_WEIGHTS = (0.2, 0.8)  # the range the sharpness control moves the weight in
# ... for a network whose strokes already follow the content (--model steady): on its
# paintings the control sits at the top of any range (they stay sharper than the target),
# and there the lighter blend keeps the detail the strong one blurs (docs/flicker.md)
STEADY_WEIGHTS = (0.1, 0.3)
SHARPNESS_GAIN = 2.0  # weight change per unit of SSIM off target, once per block
MIN_AUTO_FLOW_SIZE = 320  # the flow's long side follows the video within these bounds
MAX_AUTO_FLOW_SIZE = 640
TEXTURE_SCALE = 0.005  # local variance (0..1 scale) at which the history gets half its weight


def flow_size_for(height: int, width: int) -> int:
    """The default long side of the flow for a video: half its long side, within 320..640 px.

    Finer flow follows motion more closely (less flicker at the same sharpness); half the
    frame keeps the flow's share of the time about the same at every frame size.
    """
    return int(min(MAX_AUTO_FLOW_SIZE, max(MIN_AUTO_FLOW_SIZE, round(max(height, width) / 2))))


def texture_weight(frame: np.ndarray, scale: float = TEXTURE_SCALE) -> np.ndarray:
    """Per-pixel 0..1 weight of how textured an HxWx3 uint8 frame is: ``v / (v + scale)``.

    ``v`` is the local variance of the luminance (0..1 scale) in a Gaussian window of sigma
    1.5 px, the window SSIM uses; ``scale`` is the variance at which the weight is 1/2.
    """
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)
    grey *= np.float32(1 / 255)
    mean = cv2.GaussianBlur(grey, (0, 0), 1.5)
    var = cv2.GaussianBlur(grey * grey, (0, 0), 1.5)
    var -= mean * mean
    np.maximum(var, 0.0, out=var)
    return var / (var + np.float32(scale))


@dataclass
class _Link:
    """The flow from one held frame to the next: a warp pulling the next into this one."""

    pull: WarpMap
    weight: np.ndarray  # k: weight of the pulled frame, per pixel
    keep: np.ndarray  # 1 - k


@dataclass
class _Held:
    """A frame the two-way filter has not returned yet."""

    fresh: np.ndarray  # uint8, as painted
    forward: np.ndarray  # uint8, the forward pass's output
    strength: np.ndarray | None  # float32 HxW: the history's weight where the flow is reliable
    link: _Link | None = None  # to the next frame; None at a cut or at the newest frame


class TwoWayFlowFilter(TemporalFilter):
    """Smooth along the optical flow both ways in time: the past and a few frames ahead.

    Forward pass: each output ``F_t`` is the fresh frame ``f_t`` blended with ``F_{t-1}``
    pulled into frame t along the flow (weight ``k_t``). Backward pass: the same recursion
    run from a few frames ahead back to this one, ``B_t = (1 - k) f_t + k W(B_{t+1})``.
    The output, ``(F_t + k W(B_{t+1})) / (1 + k)``, is a symmetric exponential kernel over
    the frames around this one that follows the motion; at the same sharpness it removes
    more flicker than the past alone (benchmarks/quality/temporal.py).

    The weight ``k`` is ``smooth`` times the flow's reliability (feathered) times how
    textured the fresh frame is there (:func:`texture_weight`): painted texture is where
    strokes flicker, and where a small change of detail costs least sharpness; flat areas
    stay as painted, so no blur or ghost shows there. Scene cuts and unreliable flow stop
    both passes.

    Frames come out late (:meth:`push`): the backward pass runs once per ``block`` frames,
    from ``block + lookahead - 1`` frames ahead, so each frame sees ``lookahead`` to
    ``block + lookahead - 1`` frames of its future for about 1.3 warps, where a sliding
    window would cost ``lookahead``. Frames are kept as uint8 and warped with fixed-point
    tables (:class:`~restyle.temporal.warping.WarpMap`).

    How strong: with ``smooth`` given, that weight throughout. Without it (the default) the
    filter keeps the output as sharp as asked: once per block it measures the SSIM of one
    output frame (on tiles spread over it) to the frame as painted, and moves the
    weight (within ``weights``, starting at ``DEFAULT_TWO_WAY_WEIGHT`` or the nearest end) toward
    ``sharpness``. Styles and clips differ in how much the network's output jitters from
    frame to frame, so one fixed weight leaves some too soft and others flickering; a
    sharpness target removes as much flicker as each clip allows at the same sharpness.

    Arguments:
        smooth: the history's weight on fully textured, reliably tracked pixels (``--smooth``);
            None to follow ``sharpness``.
        sharpness: the mean SSIM to the per-frame painting to hold when ``smooth`` is None.
        flow_size: long side of the optical flow; None follows the video (:func:`flow_size_for`).
        lookahead: the fewest frames ahead the backward pass starts from.
        block: frames finished per backward pass.
        texture_scale: see :func:`texture_weight`; 0 gives every pixel the full weight.
        feather: blur, in pixels, of the reliability mask, so no seam shows at its edges.
        weights: the range the sharpness control moves the weight in (``SHARPNESS_WEIGHTS``;
            ``STEADY_WEIGHTS`` for a network whose strokes already follow the content).
        scene_cuts: start afresh at a detected scene cut.
        preset, refine_iterations, patch_stride, descent_iterations: the DIS optical
            flow's settings (see FlowEstimator).
    """

    name = "flow"

    def __init__(
        self,
        smooth: float | None = None,
        sharpness: float = DEFAULT_SHARPNESS,
        flow_size: int | None = None,
        lookahead: int = 3,
        block: int = 6,
        texture_scale: float = TEXTURE_SCALE,
        feather: float = 1.5,
        scene_cuts: bool = True,
        preset: str = "fast",
        refine_iterations: int | None = 0,
        patch_stride: int | None = 5,
        descent_iterations: int | None = 12,
        weights: tuple[float, float] = SHARPNESS_WEIGHTS,
    ) -> None:
        if smooth is not None and not 0.0 <= smooth < 1.0:
            raise InputError(f"the flow blend weight must be in [0, 1), got {smooth}")
        if not 0.0 < sharpness < 1.0:
            raise InputError(f"sharpness must be in (0, 1), got {sharpness}")
        if lookahead < 1 or block < 1:
            raise InputError(
                f"lookahead and block must be at least 1 frame, got {lookahead}, {block}"
            )
        self.adaptive = smooth is None
        self.weights = weights
        start = min(max(DEFAULT_TWO_WAY_WEIGHT, weights[0]), weights[1])
        self.weight = start if smooth is None else smooth  # steered if adaptive
        self.sharpness = sharpness
        self.measured: list[float] = []  # the SSIMs the sharpness control measured
        self._rng = np.random.default_rng(0)  # where the sharpness is measured
        self.flow_size = flow_size
        self.lookahead = lookahead
        self.latency = block + lookahead - 1
        self.block = block
        self.period = block  # the blocks' grid (a piece starts its warm-up on it)
        self.texture_scale = texture_scale
        self.feather = feather
        # DIS "fast" without variational refinement, patches 5 px apart, 12 descent steps:
        # a third of the preset's time at 640 px for ~4 % more warp error (benchmarks)
        self._flow_options = {
            "preset": preset,
            "refine_iterations": refine_iterations,
            "patch_stride": patch_stride,
            "descent_iterations": descent_iterations,
        }
        self.flow: FlowEstimator | None = (
            None if flow_size is None else FlowEstimator(max_side=flow_size, **self._flow_options)
        )
        self.cuts = SceneCutDetector() if scene_cuts else None
        self.prev_src: FlowFrame | None = None
        self.prev_out: np.ndarray | None = None  # the forward pass's last output
        self.window: deque[_Held] = deque()
        self._ahead = FlowAhead(self._motion)

    @classmethod
    def configure(cls, options: FilterOptions, *, steady: bool = False) -> TemporalFilter:
        """The default filter with the job's weight or sharpness, flow size and quality.

        For a network whose strokes already follow the content (``steady``) and no
        sharpness asked for, the strokes are carried along the flow instead
        (:class:`~restyle.temporal.filters.carry.CarryFilter`, ``smooth`` its share): they
        stay put for seconds where this filter's average forgets them within a few frames
        (docs/flicker.md). With ``--sharpness`` it is this filter, in a lighter range of
        weights.
        """
        if steady and options.sharpness is None:
            from .carry import CarryFilter

            return CarryFilter.configure(options)
        refine, stride, descent = FLOW_QUALITIES.load(options.flow_quality)
        return cls(
            smooth=options.smooth,
            sharpness=options.sharpness or DEFAULT_SHARPNESS,
            weights=STEADY_WEIGHTS if steady else SHARPNESS_WEIGHTS,
            flow_size=options.flow_size,
            refine_iterations=refine,
            patch_stride=stride,
            descent_iterations=descent,
        )

    def _motion(self, source: np.ndarray) -> tuple[WarpMap, np.ndarray, WarpMap, np.ndarray] | None:
        """Warps to the previous frame and from it to this one, with their reliability.

        One flow computation serves both (FlowEstimator.pair_both_ways). None at the
        start, at a change of size and at a scene cut. Runs in frame order.
        """
        if self.flow is None or (
            self.flow_size is None
            and self.prev_src is not None
            and self.prev_src.full_size != source.shape[:2]
        ):
            size = self.flow_size or flow_size_for(*source.shape[:2])
            self.flow = FlowEstimator(max_side=size, **self._flow_options)
            self.prev_src = None
        frames = advance(self, source)
        if frames is None:
            return None
        back, ahead = self.flow.pair_both_ways(*frames, full_size=False)
        if self.cuts and self.cuts.update(source, back.unmatched_fraction):
            return None
        full = frames[0].full_size
        assert back.working_forward is not None and ahead.working_forward is not None
        return (
            WarpMap.from_working(back.working_forward, full),
            self._weight(back, frames[0]),
            WarpMap.from_working(ahead.working_forward, full),
            self._weight(ahead, frames[0]),
        )

    def _weight(self, pair: FlowPair, frame: FlowFrame) -> np.ndarray:
        """The reliability mask, feathered at the flow's size, at full size (uint8, 255: 1)."""
        mask = pair.working_reliable
        assert mask is not None
        k = mask.view(np.uint8) * np.uint8(255)
        sigma = self.feather / max(frame.scale)
        if sigma > 0.3:
            k = lowpass(k, sigma)
        h, w = frame.full_size
        return k if k.shape == (h, w) else cv2.resize(k, (w, h), interpolation=cv2.INTER_LINEAR)

    def prepare(self, source: np.ndarray) -> None:
        """Start this frame's optical flow while the network paints it."""
        self._ahead.submit(source)

    def reset(self) -> None:
        """Start afresh at the next frame (frames already held are still finished)."""
        self._ahead.cancel()
        self.prev_src = None
        self.prev_out = None
        if self.cuts:
            self.cuts.reset()

    def close(self) -> None:
        """Stop the flow worker thread."""
        self._ahead.close()

    def push(
        self,
        source: np.ndarray,
        stylized: np.ndarray,
        time: float,
        settled: np.ndarray | None = None,
    ) -> list[np.ndarray]:
        """Take the next frame; return the frames finished now (a block at a time), oldest first.

        Where ``settled`` (strokes that already stick to the scene) the frame is smoothed
        less, not at all where it is 1: the filter works on what the camera's motion leaves.
        """
        motion = self._ahead.take(source)
        if self.texture_scale > 0:
            strength = texture_weight(stylized, self.texture_scale)
            strength *= np.float32(self.weight)
        else:
            strength = np.full(stylized.shape[:2], self.weight, np.float32)
        if settled is not None:
            h, w = strength.shape
            if settled.shape != (h, w):
                settled = cv2.resize(settled, (w, h), interpolation=cv2.INTER_LINEAR)
            strength *= 1.0 - settled
        prev = self.prev_out
        if motion is None or prev is None or prev.shape != stylized.shape:
            forward = stylized
        else:
            back_pull, back_mask, ahead_pull, ahead_mask = motion
            k = _masked(back_mask, strength)
            forward = cv2.blendLinear(stylized, back_pull(prev), 1.0 - k, k)
            if self.window:  # the previous frame, still held: chain it to this one
                last = self.window[-1]
                assert last.strength is not None
                k = _masked(ahead_mask, last.strength)
                last.link = _Link(ahead_pull, k, 1.0 - k)
        self.prev_out = forward
        if self.window:
            self.window[-1].strength = None  # used by its link only: free it
        self.window.append(_Held(stylized, forward, strength))
        finished: list[np.ndarray] = []
        while len(self.window) >= self.block + self.lookahead:
            finished += self._finish(self.block)
        return finished

    def flush(self) -> list[np.ndarray]:
        """Finish the held frames with the look-ahead that is left; the next push starts afresh."""
        finished: list[np.ndarray] = []
        while self.window:
            finished += self._finish(min(self.block, len(self.window)))
        self.prev_out = None
        return finished

    def __call__(self, source: np.ndarray, stylized: np.ndarray, time: float) -> np.ndarray:
        """Not available: this filter returns frames late; use push and flush."""
        raise TypeError("TwoWayFlowFilter returns frames late: call push() and flush()")

    def _finish(self, count: int) -> list[np.ndarray]:
        """Run the backward pass over the window; return (and drop) its ``count`` oldest frames."""
        held = list(self.window)
        top = min(len(held), count + self.lookahead) - 1
        out: list[np.ndarray] = [held[i].forward for i in range(count)]
        back = held[top].fresh
        for i in range(top - 1, -1, -1):
            frame = held[i]
            link = frame.link
            if link is None:
                back = frame.fresh
                continue
            pulled = link.pull(back)
            if i < count:
                ones = _ones(link.weight.shape)
                out[i] = cv2.blendLinear(frame.forward, pulled, ones, link.weight)
            if i:
                back = cv2.blendLinear(frame.fresh, pulled, link.keep, link.weight)
        middle = count // 2
        if self.adaptive and held[middle].forward is not held[middle].fresh:
            self._steer(out[middle], held[middle].fresh)  # not a frame without history
        for _ in range(count):
            self.window.popleft()
        return out

    def _steer(self, output: np.ndarray, fresh: np.ndarray) -> None:
        """Move the weight toward the sharpness target, from one frame's SSIM to its painting.

        The SSIM is measured on 16 tiles of 64 px, one in each cell of a 4x4 grid at a
        random place (a 30th of a 720p frame's pixels, spread over all of it).
        """
        h, w = output.shape[:2]
        size = 64
        if h < 4 * size or w < 4 * size:
            score = ssim(output, fresh)
        else:
            scores = []
            for row in range(4):
                for col in range(4):
                    y = row * h // 4 + int(self._rng.integers(0, h // 4 - size + 1))
                    x = col * w // 4 + int(self._rng.integers(0, w // 4 - size + 1))
                    tile = (slice(y, y + size), slice(x, x + size))
                    scores.append(ssim(output[tile], fresh[tile]))
            score = float(np.mean(scores))
        self.measured.append(score)
        low, high = self.weights
        step = SHARPNESS_GAIN * (score - self.sharpness)
        self.weight = float(min(high, max(low, self.weight + step)))


def _masked(mask: np.ndarray, strength: np.ndarray) -> np.ndarray:
    """Per-pixel weight: a uint8 reliability mask (255: reliable) times a float strength."""
    return cv2.multiply(mask, strength, scale=1 / 255, dtype=cv2.CV_32F)


@lru_cache(maxsize=4)
def _ones(shape: tuple[int, int]) -> np.ndarray:
    ones = np.ones(shape, np.float32)
    ones.setflags(write=False)
    return ones
