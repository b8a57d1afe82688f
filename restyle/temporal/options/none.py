"""The ``none`` filter: every frame as painted; no options."""

from __future__ import annotations

from dataclasses import dataclass

from ...registries import TEMPORAL_FILTERS
from . import FilterOptions


@TEMPORAL_FILTERS.register(
    "none",
    "restyle.temporal.filters.base:TemporalFilter",
    "every frame painted on its own (flickers)",
)
@dataclass(frozen=True)
class NoFilter(FilterOptions):
    """No flicker removal: every frame as the network painted it."""
