"""Dense optical flow between HxWx3 uint8 RGB frames (OpenCV DIS at a reduced working size).

Convention used everywhere in restyle: ``flow = estimate_flow(a, b)`` is an HxWx2 float32
array in pixels of the full-size frames, ``flow[y, x] = (dx, dy)``, such that the content
at pixel ``p = (x, y)`` of frame ``a`` is found at ``p + flow[y, x]`` in frame ``b``::

    a[y, x] ~ b[y + dy, x + dx]

So ``warp(b, estimate_flow(a, b))`` (backward warping with ``cv2.remap``) rebuilds ``a``
from ``b``. For temporal consistency you want ``estimate_flow(current, previous)``: it
pulls the previous output into the current frame's pixel grid. This is the convention of
``cv2.DISOpticalFlow.calc(I0, I1)`` and ``cv2.calcOpticalFlowFarneback``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from restyle.temporal.occlusion import consistency_mask, motion_boundary_mask, out_of_frame_mask
from restyle.temporal.warping import warp

PRESETS = {
    "ultrafast": cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
    "fast": cv2.DISOPTICAL_FLOW_PRESET_FAST,
    "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM,
}
DEFAULT_MAX_SIDE = 320
MATCH_TOLERANCE = 12  # grey levels (0-255)
# grey levels: the photometric check's bound (see FlowEstimator.pair). 30 rather than 20 keeps
# the flow filter's history on motion-blurred texture: less flicker at the same sharpness on
# both shared clips with both styles measured, and on the cockatoo with every third frame
# (3x the motion): 0.315x per-frame instead of 0.327x
PHOTOMETRIC_TOLERANCE = 30
CHECKS = ("consistency", "photometric")
INVERT_ITERATIONS = 2
_NEIGHBOURS = np.ones((3, 3), np.uint8)


@dataclass(frozen=True)
class FlowFrame:
    """A frame prepared for flow: greyscale uint8 at the working size, plus the full size."""

    grey: np.ndarray
    full_size: tuple[int, int]  # (height, width) of the original frame

    @property
    def scale(self) -> tuple[float, float]:
        """Full-size pixels per working pixel, as (x scale, y scale)."""
        h, w = self.full_size
        return w / self.grey.shape[1], h / self.grey.shape[0]


@dataclass(frozen=True)
class FlowPair:
    """Forward (and optionally backward) flow between two frames, and where forward is reliable.

    ``forward`` is flow(a, b) and ``backward`` flow(b, a) (None unless asked for), both HxWx2
    float32 in full-size pixels (see the module docstring for the convention). ``reliable``
    is an HxW bool mask in frame ``a``'s grid: True where ``forward`` passes the check (see
    :meth:`FlowEstimator.pair`) and points inside frame ``b``; False on occlusions,
    out-of-frame pixels and (if asked for) motion boundaries. ``unmatched_fraction`` is the
    fraction of frame ``a``'s pixels the flow does not explain: unreliable, or reliable but
    more than ``MATCH_TOLERANCE`` grey levels away from frame ``b`` warped along the flow (at
    the working size). It is near 1 across a scene cut, where the flow is noise, and the
    best cut signal motion gives. ``working_forward`` and ``working_reliable`` are the flow
    (in working-size pixels) and the mask at the working size, before they are resized;
    ``forward`` and ``reliable`` are None when only those were asked for
    (:meth:`FlowEstimator.pair_both_ways`).
    """

    forward: np.ndarray | None
    backward: np.ndarray | None
    reliable: np.ndarray | None
    unmatched_fraction: float = float("nan")
    working_reliable: np.ndarray | None = None  # the mask at the working size of the flow
    working_forward: np.ndarray | None = None  # the flow at its working size

    @property
    def unreliable_fraction(self) -> float:
        """Fraction of frame ``a``'s pixels whose forward flow is not reliable."""
        mask = self.reliable if self.reliable is not None else self.working_reliable
        assert mask is not None
        return 1.0 - float(np.count_nonzero(mask)) / mask.size


def working_size(height: int, width: int, max_side: int | None) -> tuple[int, int]:
    """Return the (height, width) flow is computed at: the long side capped at ``max_side``."""
    if max_side is None or max(height, width) <= max_side:
        return height, width
    s = max_side / max(height, width)
    return max(8, round(height * s)), max(8, round(width * s))


def _check_frame(frame: np.ndarray) -> None:
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise ValueError(
            f"expected an HxWx3 uint8 RGB frame, got shape {frame.shape} dtype {frame.dtype}"
        )


class FlowEstimator:
    """Computes dense optical flow between HxWx3 uint8 RGB frames with OpenCV's DIS.

    Flow is computed on greyscale frames shrunk so the long side is at most ``max_side``
    (``None``: full size), then resized back with bilinear interpolation and its vectors
    multiplied by the size ratio per axis. Consistency thresholds are applied at the working
    size, so their pixel tolerances do not depend on the input resolution.

    The default (long side 320, preset MEDIUM refined down to the working size itself) took
    about 30 ms per flow and 60 ms per ``pair`` at 640x360 on one core, and gave a lower
    warp error on the shared clips than 512 px with the preset's own finest scale (half
    size; about 40 ms per pair). ``preset="fast"`` is about twice as fast.

    One estimator holds one DIS instance; it is not thread-safe, so use one per thread.

    Arguments:
        max_side: Long side of the working size in pixels, or None to work at full size.
        preset: DIS preset, ``"ultrafast"``, ``"fast"`` or ``"medium"``.
        finest_scale: Finest pyramid level DIS refines to (0: the working size itself;
            the presets use 1 or 2, i.e. half or a quarter of it). None keeps the preset's.
        refine_iterations: Variational refinement iterations per pyramid level (the
            presets use 5 or none); None keeps the preset's. 0 halves the time of
            ``"fast"`` at 640 px.
        patch_stride: Pixels between the patches DIS matches (the presets use 3 or 4);
            None keeps the preset's. 5 is about a third faster than 4.
        descent_iterations: Gradient descent iterations per patch (the presets use 12 to
            25); None keeps the preset's.

    Raises:
        ValueError: An unknown preset or a non-positive ``max_side``.
    """

    def __init__(
        self,
        max_side: int | None = DEFAULT_MAX_SIDE,
        preset: str = "medium",
        finest_scale: int | None = 0,
        refine_iterations: int | None = None,
        patch_stride: int | None = None,
        descent_iterations: int | None = None,
    ) -> None:
        if preset not in PRESETS:
            raise ValueError(f"unknown DIS preset {preset!r}; use one of {sorted(PRESETS)}")
        if max_side is not None and max_side < 16:
            raise ValueError(f"max_side must be at least 16 pixels, got {max_side}")
        self.max_side = max_side
        self.preset = preset
        self._dis = cv2.DISOpticalFlow_create(PRESETS[preset])
        if finest_scale is not None:
            self._dis.setFinestScale(int(finest_scale))
        if refine_iterations is not None:
            self._dis.setVariationalRefinementIterations(int(refine_iterations))
        if patch_stride is not None:
            self._dis.setPatchStride(int(patch_stride))
        if descent_iterations is not None:
            self._dis.setGradientDescentIterations(int(descent_iterations))

    def prepare(self, frame: np.ndarray | FlowFrame) -> FlowFrame:
        """Turn an HxWx3 uint8 RGB frame into a greyscale working-size FlowFrame (cacheable)."""
        if isinstance(frame, FlowFrame):
            return frame
        _check_frame(frame)
        h, w = frame.shape[:2]
        grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
        wh, ww = working_size(h, w, self.max_side)
        if (wh, ww) != (h, w):
            grey = cv2.resize(grey, (ww, wh), interpolation=cv2.INTER_AREA)
        return FlowFrame(grey=grey, full_size=(h, w))

    def _raw(self, a: FlowFrame, b: FlowFrame) -> np.ndarray:
        if a.full_size != b.full_size:
            raise ValueError(f"frames differ in size: {a.full_size} and {b.full_size}")
        return self._dis.calc(a.grey, b.grey, None)

    @staticmethod
    def _to_full(flow: np.ndarray, frame: FlowFrame) -> np.ndarray:
        h, w = frame.full_size
        if flow.shape[:2] == (h, w):
            return flow
        sx, sy = frame.scale
        # scale the vectors at the working size (a fraction of the pixels), then resize:
        # bilinear resizing is linear, so the order does not change the result
        scaled = cv2.multiply(flow, (sx, sy, 1.0, 1.0))
        return cv2.resize(scaled, (w, h), interpolation=cv2.INTER_LINEAR)

    def flow(self, a: np.ndarray | FlowFrame, b: np.ndarray | FlowFrame) -> np.ndarray:
        """Return flow(a, b): HxWx2 float32 full-size pixels with ``a(p) ~ b(p + flow(p))``.

        Arguments:
            a: Frame whose pixel grid the flow lives on (HxWx3 uint8 RGB or a FlowFrame).
            b: Frame the flow points into, same size.

        Returns:
            The flow field, ``flow[y, x] = (dx, dy)``.

        Raises:
            ValueError: The frames are not HxWx3 uint8 or differ in size.
        """
        fa, fb = self.prepare(a), self.prepare(b)
        return self._to_full(self._raw(fa, fb), fa)

    def pair(
        self,
        a: np.ndarray | FlowFrame,
        b: np.ndarray | FlowFrame,
        motion_boundaries: bool = False,
        keep_backward: bool = False,
        check: str = "consistency",
    ) -> FlowPair:
        """Return flow(a, b), the mask of frame-``a`` pixels whose flow is reliable, and flow(b, a).

        Two checks decide where the flow is reliable, both at the working size, the mask then
        resized to full size (nearest) and pixels whose flow leaves the frame removed:

        * ``consistency`` (default; Sundaram et al. 2010, the flicker meter's): flow(b, a) is
          computed too and a pixel is kept where the two flows cancel out
          (``restyle.temporal.occlusion.consistency_mask``).
        * ``photometric``: only flow(a, b) is computed; a pixel is kept where frame ``b``
          warped along it matches frame ``a`` within ``PHOTOMETRIC_TOLERANCE`` grey levels,
          with its 3x3 neighbourhood (an erosion, so the mask does not reach into the edges
          of a disocclusion). Half the cost; on the shared clips the flow filter removed as
          much flicker with it, at the same sharpness (benchmarks/quality/temporal.py).

        Arguments:
            a: Frame whose pixel grid the forward flow and the mask live on.
            b: The other frame, same size.
            motion_boundaries: Also mark pixels with a large flow gradient unreliable.
            keep_backward: Also return flow(b, a) at full size (``consistency`` only: it is
                computed for the check, but scaling it to full size costs time).
            check: ``"consistency"`` or ``"photometric"``.

        Returns:
            A FlowPair.

        Raises:
            ValueError: The frames are not HxWx3 uint8 or differ in size, or an unknown check.
        """
        if check not in CHECKS:
            raise ValueError(f"unknown flow check {check!r}; use one of {', '.join(CHECKS)}")
        fa, fb = self.prepare(a), self.prepare(b)
        fwd_w = self._raw(fa, fb)
        if check == "photometric":
            return self._photometric(fa, fb, fwd_w, motion_boundaries)
        diff = cv2.absdiff(fa.grey, warp(fb.grey, fwd_w))
        bwd_w = self._raw(fb, fa)
        ok = consistency_mask(fwd_w, bwd_w, motion_boundaries=motion_boundaries)
        backward = self._to_full(bwd_w, fa) if keep_backward else None
        return self._finish(fa, fwd_w, ok, diff, backward)

    def pair_both_ways(
        self, a: np.ndarray | FlowFrame, b: np.ndarray | FlowFrame, full_size: bool = True
    ) -> tuple[FlowPair, FlowPair]:
        """flow(a, b) and flow(b, a) from one flow computation, each with the photometric check.

        flow(b, a) is flow(a, b) inverted (:func:`invert_flow`) at the working size; where
        the inversion is wrong (occlusions), the photometric check marks it unreliable.
        Half the cost of two ``pair`` calls. ``full_size=False`` leaves the flows and masks at
        the working size (``working_forward``, ``working_reliable``; ``forward`` and
        ``reliable`` None), for callers that bring them to full size their own way
        (:meth:`~restyle.temporal.warping.WarpMap.from_working`).
        """
        fa, fb = self.prepare(a), self.prepare(b)
        fwd_w = self._raw(fa, fb)
        there = self._photometric(fa, fb, fwd_w, full_size=full_size)
        return there, self._photometric(fb, fa, invert_flow(fwd_w), full_size=full_size)

    def _photometric(
        self,
        fa: FlowFrame,
        fb: FlowFrame,
        fwd_w: np.ndarray,
        motion_boundaries: bool = False,
        full_size: bool = True,
    ) -> FlowPair:
        diff = cv2.absdiff(fa.grey, warp(fb.grey, fwd_w))
        close = (diff <= PHOTOMETRIC_TOLERANCE).view(np.uint8)
        ok = cv2.erode(close, _NEIGHBOURS, borderType=cv2.BORDER_REPLICATE) > 0
        ok &= ~out_of_frame_mask(fwd_w)
        if motion_boundaries:
            ok &= ~motion_boundary_mask(fwd_w)
        return self._finish(fa, fwd_w, ok, diff, None, full_size)

    def _finish(
        self,
        fa: FlowFrame,
        fwd_w: np.ndarray,
        ok: np.ndarray,
        diff: np.ndarray,
        backward: np.ndarray | None,
        full_size: bool = True,
    ) -> FlowPair:
        """The FlowPair from working-size flow, mask and photometric error (full size too)."""
        matched = ok & (diff <= MATCH_TOLERANCE)
        unmatched = 1.0 - float(np.count_nonzero(matched)) / matched.size
        h, w = fa.full_size
        forward = full = None
        if full_size:
            forward = self._to_full(fwd_w, fa)
            full = ok
            if ok.shape != (h, w):
                full = cv2.resize(ok.view(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0
            full &= ~out_of_frame_mask(forward)
        return FlowPair(
            forward=forward,
            backward=backward,
            reliable=full,
            unmatched_fraction=unmatched,
            working_reliable=ok,
            working_forward=fwd_w,
        )


def invert_flow(flow: np.ndarray, iterations: int = INVERT_ITERATIONS) -> np.ndarray:
    """Approximate flow(b, a) from an HxWx2 flow(a, b) on the same grid.

    Solves ``v(q) = -u(q + v(q))`` by fixed-point iteration from ``v = -u`` (exact for a
    translation; it converges where the flow is smooth). Where several pixels of ``a`` land
    on one of ``b`` (occlusions) the answer is one of them: check it before trusting it.
    """
    inverse = -flow
    for _ in range(iterations):
        inverse = -warp(flow, inverse)
    return inverse


def estimate_flow(
    a: np.ndarray, b: np.ndarray, max_side: int | None = DEFAULT_MAX_SIDE
) -> np.ndarray:
    """Return flow(a, b) between two HxWx3 uint8 RGB frames: ``a(p) ~ b(p + flow(p))``.

    A one-off convenience; for a stream, keep one FlowEstimator and reuse prepared frames.

    Arguments:
        a: Frame whose pixel grid the flow lives on.
        b: Frame the flow points into, same size.
        max_side: Long side of the working size (None: full size).

    Returns:
        HxWx2 float32 flow in full-size pixels, ``flow[y, x] = (dx, dy)``.

    Raises:
        ValueError: The frames are not HxWx3 uint8 or differ in size.
    """
    return FlowEstimator(max_side=max_side).flow(a, b)
