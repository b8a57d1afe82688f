"""The ``flow`` filter's options (the default): its sharpness target, or a fixed weight."""

from __future__ import annotations

from dataclasses import dataclass

from ...options import between, option
from ...registries import TEMPORAL_FILTERS
from . import (
    DEFAULT_SHARPNESS,
    FilterOptions,
    flow_quality_option,
    flow_size_option,
    smooth_option,
)


@TEMPORAL_FILTERS.register(
    "flow",
    "restyle.temporal.filters.two_way:TwoWayFlowFilter",
    "each frame averaged with the painted frames before and after it, moved along the "
    "optical flow, where the flow is reliable and most where the paint is textured "
    "(the default; with --model steady and one style held still it carries the strokes, "
    "as carry does, unless --sharpness is given)",
)
@dataclass(frozen=True)
class Flow(FilterOptions):
    """The two-way flow filter: the past and a few frames ahead, holding a sharpness (for a
    network whose strokes follow the content and no sharpness given: the carry filter).

    Attributes:
        sharpness: the mean SSIM of each output frame to the frame painted on its own that
            the filter holds (None: 0.855).
        smooth: a fixed weight of the neighbouring frames instead of ``sharpness``.
        flow_size: long side the optical flow is computed at; None follows the video.
        flow_quality: how finely the optical flow is solved (``fast``, ``high``).
    """

    sharpness: float | None = option(
        None,
        "how close each frame stays to the frame painted on its own (mean SSIM, 0.5 to "
        f"<1; default {DEFAULT_SHARPNESS}): higher keeps more detail, removes less flicker",
        check=between(0.5, 1.0, high_open=True),
        metavar="Q",
    )
    smooth: float | None = smooth_option("instead of --sharpness; on textured paint")
    flow_size: int | None = flow_size_option()
    flow_quality: str = flow_quality_option()
