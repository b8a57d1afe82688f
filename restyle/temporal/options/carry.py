"""The ``carry`` filter's options: the share of the carried painting, the flow's size."""

from __future__ import annotations

from dataclasses import dataclass

from ...registries import TEMPORAL_FILTERS
from . import FilterOptions, flow_quality_option, flow_size_option, smooth_option


@TEMPORAL_FILTERS.register(
    "carry",
    "restyle.temporal.filters.carry:CarryFilter",
    "the painted strokes carried along the optical flow from frame to frame, the fresh "
    "painting filling in where the flow fails: strokes that stay put for seconds (the "
    "default with --model steady); holds no frames back",
)
@dataclass(frozen=True)
class Carry(FilterOptions):
    """The carry filter: the previous output moved along the flow and mostly kept.

    Attributes:
        smooth: the share of the carried painting where the flow holds (None: 0.9).
        flow_size: long side the optical flow is computed at (None: 320).
        flow_quality: how finely the optical flow is solved (``fast``, ``high``).
    """

    smooth: float | None = smooth_option("default 0.9: strokes held for seconds")
    flow_size: int | None = flow_size_option()
    flow_quality: str = flow_quality_option()
