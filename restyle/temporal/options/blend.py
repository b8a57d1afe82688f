"""The ``blend`` filter's options: how much of the previous frame is mixed in."""

from __future__ import annotations

from dataclasses import dataclass

from ...registries import TEMPORAL_FILTERS
from . import FilterOptions, smooth_option


@TEMPORAL_FILTERS.register(
    "blend",
    "restyle.temporal.filters.blend:BlendFilter",
    "the previous painted frame blended in without moving it (ghosts on motion)",
)
@dataclass(frozen=True)
class Blend(FilterOptions):
    """The previous output blended in, not moved.

    Attributes:
        smooth: the weight of the previous output (None: 0.5).
    """

    smooth: float | None = smooth_option("default 0.5")
