"""``--temporal carry``: the painted strokes carried along the motion, frame after frame.

The flow filters average each fresh painting with its neighbours, which removes flicker
from one frame to the next but forgets within a few frames: ten frames on, the strokes
are mostly the network's new ones. This filter keeps the previous output and moves it
along the optical flow into the new frame (bicubic, so repeated moves do not blur),
keeping most of it (``smooth``, 0.95) wherever the flow explains the source frame. The
fresh painting fills in where it does not (disocclusions, moving objects the flow loses,
lighting changes), where the carried colours have left the fresh painting's (a smear the
flow dragged in, paint gone stale) and, a little each frame, everywhere, so the carried
painting never drifts far from what the network paints. The mix keeps the fine texture
at the fresh painting's strength (:func:`restyle.imaging.blend.carry`): carrying neither
blurs the strokes nor sharpens them frame after frame. Causal (no frame held back).

It is the default for a network whose strokes already follow the content (``--model
steady``) while the style holds still (:func:`restyle.rendering.runner.job_filter`):
there the fresh painting agrees with the carried one wherever the content moved rigidly,
so carrying holds the strokes for seconds (docs/flicker.md has the figures). With the
shipped network's aliased strokes the carried painting and the fresh one disagree too
often and the style distance grows; the two-way ``flow`` filter suits it better.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ...imaging.blend import carry
from ...registries import FLOW_QUALITIES
from ..warping import warp
from .ahead import lowpass
from .forward import DEFAULT_FLOW_SIZE, FlowFilter

if TYPE_CHECKING:
    from typing import Self

    from ..options import FilterOptions

DEFAULT_CARRY = 0.95  # the share of the carried painting where the flow holds
SETTLED = 0.05  # what is left of a start, after ``settle`` frames, to count as forgotten


class CarryFilter(FlowFilter):
    """Carry the previous output along the flow; the fresh painting fills in and refreshes.

    Arguments: as :class:`~restyle.temporal.filters.forward.FlowFilter`; ``smooth`` is
    the share of the carried painting where the flow is reliable (default 0.95).
    """

    name = "carry"

    def __init__(self, smooth: float = DEFAULT_CARRY, **flow: object) -> None:
        super().__init__(smooth=smooth, **flow)  # type: ignore[arg-type]
        # a piece of a chunked render warms up until a different start has faded (59
        # frames at 0.95: its pieces join without a jump where one render would have none)
        self.settle = math.ceil(math.log(SETTLED) / math.log(smooth)) if smooth > 0 else 1

    @classmethod
    def configure(cls, options: FilterOptions, *, steady: bool = False) -> Self:
        """The carry filter with the job's share, flow size and flow quality."""
        smooth = getattr(options, "smooth", None)
        return cls(
            smooth=DEFAULT_CARRY if smooth is None else smooth,
            flow_size=getattr(options, "flow_size", None) or DEFAULT_FLOW_SIZE,
            dis=FLOW_QUALITIES.load(getattr(options, "flow_quality", "fast")),
        )

    def __call__(self, source: np.ndarray, stylized: np.ndarray, time: float) -> np.ndarray:
        """The fresh painting with the previous output carried into it along the flow."""
        pair = self._ahead.take(source)
        fresh = stylized.astype(np.float32)
        if pair is None or self.prev_out is None or self.prev_out.shape != fresh.shape:
            self.prev_out = fresh  # start afresh: the first frame, a cut, a new size
            return stylized
        carried = warp(self.prev_out, pair.forward, kernel="cubic")
        share = pair.reliable.astype(np.float32)
        if self.feather > 0:
            share = lowpass(share, self.feather)
        share *= self.smooth
        out = carry(carried, fresh, share)
        self.prev_out = out
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)
