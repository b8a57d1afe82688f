"""The ``forward`` filter's options: the weight of the previous frame, the flow's size."""

from __future__ import annotations

from dataclasses import dataclass

from ...registries import TEMPORAL_FILTERS
from . import FilterOptions, flow_quality_option, flow_size_option, smooth_option


@TEMPORAL_FILTERS.register(
    "forward",
    "restyle.temporal.filters.forward:FlowFilter",
    "the previous painted frame moved along the flow and blended in; holds no frames back, "
    "but leaves more flicker than flow at the same sharpness",
)
@dataclass(frozen=True)
class Forward(FilterOptions):
    """The one-way flow filter: the previous output moved along the flow and blended in.

    Attributes:
        smooth: the weight of the previous output (None: 0.55).
        flow_size: long side the optical flow is computed at (None: 320).
        flow_quality: how finely the optical flow is solved (``fast``, ``high``).
    """

    smooth: float | None = smooth_option("default 0.55")
    flow_size: int | None = flow_size_option()
    flow_quality: str = flow_quality_option()
