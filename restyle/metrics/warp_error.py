"""The flicker meter: warp error of a stylized video along its source's optical flow.

Warp error, after Lai et al. 2018 ("Learning Blind Video Temporal Consistency"). For each
frame ``t >= 1`` of a source video ``S`` and its stylized version ``O`` (values in [0, 1]):

- ``w_t = flow(S_t, S_{t-1})`` is computed on the *source* frames (so ``S_t(p) ~
  S_{t-1}(p + w_t(p))``; ``restyle.temporal.flow``), with the reverse flow for the check;
- ``M_t(p) = 1`` where ``w_t`` passes the forward-backward consistency check and
  ``p + w_t(p)`` lies inside the frame (``restyle.temporal.occlusion.consistency_mask``),
  0 on occluded and out-of-frame pixels;
- ``O~_{t-1}(p) = O_{t-1}(p + w_t(p))`` is the previous stylized frame warped to ``t``
  (bilinear, ``restyle.temporal.warping``);
- the frame's error is the masked mean over pixels of the mean over the 3 channels of the
  squared difference::

      E_t(O) = sum_p M_t(p) * (1/3) sum_c (O_t(p, c) - O~_{t-1}(p, c))^2 / sum_p M_t(p)

- the video's warp error is ``E(O) = mean_t E_t(O)`` over the frames counted.

The *source floor* is ``E(S)``, the same quantity for the source warped by the same flow
and mask: what flow error, lighting change and compression leave even in a video with no
flicker at all. The *ratio* is ``E(O) / E(S)``. Lai et al. sum over channels instead of
averaging, so their figures are 3x these.

Frames where the source cuts to a new shot (``restyle.temporal.scenecut``), or where fewer
than ``min_reliable`` of the pixels pass the check, are skipped: there is nothing to be
consistent with there. Memory holds two frames and one float per frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from restyle.errors import InputError
from restyle.imaging.similarity import conform, to_float
from restyle.temporal.flow import FlowEstimator, FlowFrame, FlowPair
from restyle.temporal.scenecut import SceneCutDetector
from restyle.temporal.warping import warp

MIN_RELIABLE = 0.05


@dataclass
class WarpErrorResult:
    """What the flicker meter found (see the module docstring for the formulas).

    ``warp_error``: ``E(O)``, mean squared error in [0, 1] units of the stylized video;
    ``source_floor``: ``E(S)``, the same for the source; ``ratio``: their quotient (NaN
    when no frame was counted, inf when the floor is 0); ``per_frame`` and
    ``source_per_frame``: ``E_t`` of each counted frame; ``frames``: frames counted;
    ``skipped``: frames skipped for a scene cut or too few reliable pixels;
    ``reliable_fraction``: mean fraction of pixels inside the mask on counted frames.
    """

    warp_error: float
    source_floor: float
    ratio: float
    per_frame: list[float] = field(default_factory=list)
    source_per_frame: list[float] = field(default_factory=list)
    frames: int = 0
    skipped: int = 0
    reliable_fraction: float = float("nan")


def masked_warp_error(current: np.ndarray, warped: np.ndarray, mask: np.ndarray) -> float:
    """Return ``sum_p M(p) mean_c (current - warped)^2 / sum_p M(p)`` for float32 HxWx3 images.

    Returns NaN when the mask is empty.
    """
    count = int(np.count_nonzero(mask))
    if count == 0:
        return float("nan")
    diff = current - warped
    per_pixel = np.einsum("hwc,hwc->hw", diff, diff) / np.float32(diff.shape[2])
    return float(per_pixel[mask].sum(dtype=np.float64) / count)


def floor_ratio(error: float, floor: float) -> float:
    """A warp error over its source floor: inf for a floor of 0, NaN when both are 0."""
    if floor > 0:
        return error / floor
    return float("inf") if error > 0 else float("nan")


class SourceMotion:
    """Streaming flow from each HxWx3 uint8 RGB source frame to the previous one.

    ``update(frame)`` returns ``None`` for the first frame and afterwards a FlowPair with
    ``forward = flow(S_t, S_{t-1})``, ``backward = flow(S_{t-1}, S_t)`` and ``reliable``, the
    mask ``M_t`` in frame ``t``'s grid. Compute it once per source and feed the pairs to
    several WarpErrorMeters to score many stylized versions of one video.

    Arguments:
        estimator: Flow estimator to use (default: ``FlowEstimator()``).
        motion_boundaries: Also exclude motion boundaries from ``M_t``.
    """

    def __init__(
        self, estimator: FlowEstimator | None = None, motion_boundaries: bool = False
    ) -> None:
        self.estimator = estimator or FlowEstimator()
        self.motion_boundaries = motion_boundaries
        self._previous: FlowFrame | None = None

    def update(self, frame: np.ndarray) -> FlowPair | None:
        """Return the FlowPair between ``frame`` and the previous frame (None for the first)."""
        current = self.estimator.prepare(frame)
        previous, self._previous = self._previous, current
        if previous is None:
            return None
        if previous.full_size != current.full_size:
            raise InputError(
                f"The source video changes frame size mid-stream ({previous.full_size} to "
                f"{current.full_size}); re-encode it at one size."
            )
        return self.estimator.pair(current, previous, motion_boundaries=self.motion_boundaries)


class WarpErrorMeter:
    """Streaming warp error of a stylized video against its source (module docstring).

    Feed ``update(source_frame, stylized_frame)`` for every frame in order (HxWx3 uint8 RGB;
    a stylized frame of a different size but the same shape is resized to the source's),
    then read ``result()``. The flow is computed here unless a FlowPair from
    ``SourceMotion`` for the same source frame is passed in.

    Arguments:
        estimator: Flow estimator (default: ``FlowEstimator()``); ignored when pairs are
            passed to ``update``.
        skip_cuts: Skip frames where the source cuts to a new shot.
        min_reliable: Skip frames where a smaller fraction of the pixels is reliable.
        motion_boundaries: Also exclude motion boundaries from the mask.
    """

    def __init__(
        self,
        estimator: FlowEstimator | None = None,
        skip_cuts: bool = True,
        min_reliable: float = MIN_RELIABLE,
        motion_boundaries: bool = False,
    ) -> None:
        self._motion = SourceMotion(estimator, motion_boundaries)
        self._cuts = SceneCutDetector() if skip_cuts else None
        self.min_reliable = min_reliable
        self._prev_src: np.ndarray | None = None
        self._prev_out: np.ndarray | None = None
        self._errors: list[float] = []
        self._floors: list[float] = []
        self._reliable: list[float] = []
        self._skipped = 0

    def update(
        self,
        source: np.ndarray,
        stylized: np.ndarray,
        pair: FlowPair | None = None,
    ) -> float | None:
        """Add one frame; return its ``E_t`` for the stylized frame, or None if not counted.

        Arguments:
            source: Source frame ``S_t``, HxWx3 uint8 RGB.
            stylized: Stylized frame ``O_t``, HxWx3 uint8 RGB.
            pair: Optional precomputed ``SourceMotion.update(source)`` result for this frame.

        Returns:
            ``E_t(O)``, or None for the first frame and skipped frames.

        Raises:
            InputError: The frames cannot be compared (shape mismatch).
        """
        stylized = conform(stylized, source, "source and stylized frames")
        if pair is None:
            pair = self._motion.update(source)
        cut = False
        if self._cuts is not None:
            failure = None if pair is None else pair.unmatched_fraction
            cut = self._cuts.update(source, failure)
        src_f, out_f = to_float(source), to_float(stylized)
        prev_src, prev_out = self._prev_src, self._prev_out
        self._prev_src, self._prev_out = src_f, out_f
        if prev_src is None or prev_out is None or pair is None:
            return None
        if pair.reliable.shape != source.shape[:2]:
            raise InputError("The flow passed to the meter does not match the frame size.")
        fraction = 1.0 - pair.unreliable_fraction
        if cut or fraction < self.min_reliable:
            self._skipped += 1
            return None
        error = masked_warp_error(out_f, warp(prev_out, pair.forward), pair.reliable)
        floor = masked_warp_error(src_f, warp(prev_src, pair.forward), pair.reliable)
        self._errors.append(error)
        self._floors.append(floor)
        self._reliable.append(fraction)
        return error

    def result(self) -> WarpErrorResult:
        """Return the warp error, the source floor and their ratio over the frames so far."""
        n = len(self._errors)
        if n == 0:
            nan = float("nan")
            return WarpErrorResult(nan, nan, nan, skipped=self._skipped)
        error = float(np.mean(self._errors))
        floor = float(np.mean(self._floors))
        return WarpErrorResult(
            warp_error=error,
            source_floor=floor,
            ratio=floor_ratio(error, floor),
            per_frame=list(self._errors),
            source_per_frame=list(self._floors),
            frames=n,
            skipped=self._skipped,
            reliable_fraction=float(np.mean(self._reliable)),
        )
