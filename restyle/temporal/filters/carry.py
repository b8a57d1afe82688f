"""``--temporal carry``: the painted strokes carried along the motion, frame after frame.

The flow filters average each fresh painting with its neighbours, which removes flicker
from one frame to the next but forgets within a few frames: ten frames on, the strokes
are mostly the network's new ones. This filter keeps the previous output and moves it
along the optical flow into the new frame (bicubic, so repeated moves do not blur),
keeping most of it (``smooth``, 0.9) wherever the flow explains the source frame. The
fresh painting fills in where it does not (disocclusions, moving objects the flow loses,
lighting changes), where the carried colours have left the fresh painting's (a smear the
flow dragged in, paint gone stale), where the flow stretches the picture (behind a moving
edge, where carried strokes would streak: ``STRETCH``) and, a little each frame,
everywhere, so the carried
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

import cv2
import numpy as np

from ...imaging.blend import carry
from ..flow import FlowPair
from ..occlusion import flow_stretch
from .forward import FlowFilter

# the share of the carried painting where the flow holds: 0.9 keeps the edges of a panned
# photo at 0.96-0.97 of the shipped network's (0.95: 0.94-0.95; each carry moves the paint
# off the source's edges a little), for 0.01-0.02 more of per-frame's error ten frames
# apart on the hand-held clips (benchmarks/quality/strokes.py; docs/flicker.md)
DEFAULT_CARRY = 0.9
# what is left of a start, after ``settle`` frames, to count as forgotten: 1 % (44 frames
# at 0.9); with the colour check at 60 levels the share stays near 0.9 in more places:
# a chunked render's pieces then differed from one render by 0.025 levels (mean) at 5 %
# (29 frames), 0.009 at 2 % (38) and 0.007 at 1 %
SETTLED = 0.01
# the flow's stretch (px of motion per px) at which the carried share falls to 1/e: behind
# a moving object the flow drags the object's motion into what it uncovers, the background
# there is often smooth enough to pass the photometric check, and paint carried along it
# streaks; a pan reads 0, a zoom of 1 % a frame 0.014 (gate 0.9992), such a trailing edge
# 0.3 and more. 0.5 keeps the strip a card uncovers at an SSIM of 0.87 to the fresh
# painting at the video's size (0.6: 0.84, 0.4: 0.90; benchmarks/quality/temporal.py
# --card-only) for 0.01 more of per-frame's error ten frames apart on the cockatoo
STRETCH = 0.5


class CarryFilter(FlowFilter):
    """Carry the previous output along the flow; the fresh painting fills in and refreshes.

    Arguments: as :class:`~restyle.temporal.filters.forward.FlowFilter`; ``smooth`` is
    the share of the carried painting where the flow is reliable (default 0.9).
    """

    name = "carry"
    default_smooth = DEFAULT_CARRY
    kernel = "cubic"  # repeated moves: bilinear would blur the strokes frame after frame
    # moved bicubic, its texture held at the fresh painting's: the same at the painted size
    # (a 720p video painted at 640 px: long-term error 0.767 against 0.769, detail 0.6 %
    # lower, 2.6 times faster)
    at_paint_size = True

    def __init__(self, smooth: float = DEFAULT_CARRY, **flow: object) -> None:
        super().__init__(smooth=smooth, **flow)  # type: ignore[arg-type]
        # a piece of a chunked render warms up until a different start has faded (44
        # frames at 0.9: its pieces join without a jump where one render would have none)
        self.settle = math.ceil(math.log(SETTLED) / math.log(smooth)) if smooth > 0 else 1

    def _trust(self, pair: FlowPair, share: np.ndarray) -> np.ndarray:
        """Less of the carried painting where the flow stretches the picture (``STRETCH``):
        the trailing edges of moving objects, where carried paint would streak."""
        stretch = cv2.GaussianBlur(flow_stretch(pair.working_forward), (0, 0), 1.0)
        cv2.multiply(stretch, 1.0 / STRETCH, dst=stretch)
        gate = cv2.exp(-cv2.multiply(stretch, stretch))
        h, w = share.shape
        if gate.shape != (h, w):
            gate = cv2.resize(gate, (w, h), interpolation=cv2.INTER_LINEAR)
        return cv2.multiply(share, gate)

    def _mix(self, moved: np.ndarray, fresh: np.ndarray, share: np.ndarray) -> np.ndarray:
        """The carried painting mixed in, its texture held at the fresh painting's strength
        (:func:`~restyle.imaging.blend.carry`)."""
        return carry(moved, fresh, share)
