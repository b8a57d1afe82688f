"""``--temporal forward``: the previous output moved along the flow and blended in (one way).

The causal form of the flow filter: it holds no frame back (nothing to wait for, so it
suits previews and live use), but at the same sharpness it leaves more flicker than the
two-way default (benchmarks/quality/temporal.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from ...errors import InputError
from ...registries import FLOW_QUALITIES
from ..flow import FlowEstimator, FlowFrame, FlowPair
from ..scenecut import SceneCutDetector
from ..warping import warp
from .ahead import FlowAhead, advance, lowpass
from .base import TemporalFilter

if TYPE_CHECKING:
    from typing import Self

    from ..options import FilterOptions

DEFAULT_FLOW_WEIGHT = 0.55  # benchmarks/quality/temporal.py: ~0.2-0.3x the per-frame warp error
DEFAULT_FLOW_SIZE = 320


class FlowFilter(TemporalFilter):
    """Warp the previous output along the source's optical flow and blend where it is reliable.

    Arguments:
        smooth: weight of the warped history, 0..1.
        flow_size: long side of the frames the optical flow is computed at.
        feather: blur, in pixels, of the reliability mask, so no seam shows at its edges.
        scene_cuts: start afresh at a detected scene cut.
        preset: OpenCV DIS preset of the flow (``"fast"``; see FlowEstimator).
        check: where the flow is trusted, ``"photometric"`` (default: one flow) or
            ``"consistency"`` (forward-backward, two flows); see FlowEstimator.pair.
        dis: the DIS settings (refine iterations, patch stride, descent iterations) of a
            flow quality (:data:`restyle.registries.FLOW_QUALITIES`), or None for the
            preset's own.
    """

    name = "forward"
    default_smooth = DEFAULT_FLOW_WEIGHT  # the weight when the job gives none
    kernel = "linear"  # how the previous output is moved (restyle.temporal.warping.KERNELS)

    def __init__(
        self,
        smooth: float = DEFAULT_FLOW_WEIGHT,
        flow_size: int = DEFAULT_FLOW_SIZE,
        feather: float = 1.5,
        scene_cuts: bool = True,
        preset: str = "fast",
        check: str = "photometric",
        dis: tuple[int, int, int] | None = None,
    ) -> None:
        if not 0.0 <= smooth < 1.0:
            raise InputError(f"the flow blend weight must be in [0, 1), got {smooth}")
        self.smooth = smooth
        self.feather = feather
        refine, stride, descent = dis or (None, None, None)
        # DIS "fast" and the photometric check: half the cost of "medium" with the
        # forward-backward check, and as much flicker removed at the same sharpness
        self.flow = FlowEstimator(
            max_side=flow_size,
            preset=preset,
            refine_iterations=refine,
            patch_stride=stride,
            descent_iterations=descent,
        )
        self.check = check
        self.cuts = SceneCutDetector() if scene_cuts else None
        self.prev_out: np.ndarray | None = None
        self.prev_src: FlowFrame | None = None
        self._ahead = FlowAhead(self._motion)

    @classmethod
    def configure(cls, options: FilterOptions, *, steady: bool = False) -> Self:
        """The one-way filter with the job's weight, flow size and flow quality."""
        return cls(
            smooth=cls.default_smooth if options.smooth is None else options.smooth,
            flow_size=options.flow_size or DEFAULT_FLOW_SIZE,
            dis=FLOW_QUALITIES.load(options.flow_quality),
        )

    def _motion(self, source: np.ndarray) -> FlowPair | None:
        """Flow from this source frame to the previous one; None at the start or at a cut.

        Runs in frame order (on the worker thread when ``prepare`` is used).
        """
        frames = advance(self, source)
        if frames is None:
            return None
        pair = self.flow.pair(*frames, check=self.check)
        if self.cuts and self.cuts.update(source, pair.unmatched_fraction):
            return None
        return pair

    def prepare(self, source: np.ndarray) -> None:
        """Start computing this frame's optical flow while the network paints it."""
        self._ahead.submit(source)

    def reset(self) -> None:
        """Forget the previous frame; the next one is written as stylized."""
        self._ahead.cancel()
        self.prev_out = None
        self.prev_src = None
        if self.cuts:
            self.cuts.reset()

    def close(self) -> None:
        """Stop the flow worker thread."""
        self._ahead.close()

    def __call__(self, source: np.ndarray, stylized: np.ndarray, time: float) -> np.ndarray:
        """Combine the fresh stylization with the warped previous output."""
        pair = self._ahead.take(source)
        fresh = stylized.astype(np.float32)
        if pair is None or self.prev_out is None or self.prev_out.shape != fresh.shape:
            self.prev_out = fresh  # start afresh: the first frame, a cut, a new size
            return stylized
        moved = warp(self.prev_out, pair.forward, kernel=self.kernel)
        share = pair.reliable.astype(np.float32)
        if self.feather > 0:
            share = lowpass(share, self.feather)
        share *= self.smooth
        share = self._trust(pair, share)
        out = self._mix(moved, fresh, share)
        self.prev_out = out
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)

    def _trust(self, pair: FlowPair, share: np.ndarray) -> np.ndarray:
        """The share of the moved previous output (HxW float32), lowered where this filter
        trusts the flow less than its reliability mask does (here: nowhere)."""
        return share

    def _mix(self, moved: np.ndarray, fresh: np.ndarray, share: np.ndarray) -> np.ndarray:
        """``share`` (HxW) of the moved previous output and the rest of the fresh painting
        (float32 HxWx3): a plain blend."""
        return cv2.blendLinear(fresh, moved, 1.0 - share, share)
