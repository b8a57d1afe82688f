"""Flicker removal after the network: one filter a module, chosen by name from the registry.

Every filter takes frames in order through ``push(source, stylized, time)`` and gives back
the frames it has finished (:class:`TemporalFilter`). The registered filters
(:data:`restyle.registries.TEMPORAL_FILTERS`):

* ``flow`` (:class:`TwoWayFlowFilter`, the default): smooths along the optical flow, the
  past and a few frames ahead, most where the paint is textured, holding a sharpness target.
* ``carry`` (:class:`CarryFilter`): the previous output carried along the flow and mostly
  kept, the fresh painting filling in; what ``flow`` builds for a network whose strokes
  follow the content (``--model steady``) unless a sharpness is asked for.
* ``forward`` (:class:`FlowFilter`): the previous output moved along the flow and blended
  in; holds no frames back.
* ``blend`` (:class:`BlendFilter`): the previous output blended in without moving it.
* ``none`` (:class:`TemporalFilter`): every frame as painted.

A render runs a filter that allows it (``at_paint_size``: ``carry``) at the size the
network painted, below the frame's with ``--max-size`` (:class:`~.sized.AtPaintSize`).
"""

from __future__ import annotations

from ...registries import TEMPORAL_FILTERS
from ..options import FilterOptions, filter_options
from .base import TemporalFilter
from .blend import BlendFilter
from .carry import CarryFilter
from .forward import FlowFilter
from .two_way import TwoWayFlowFilter, flow_size_for, texture_weight


def build_filter(options: FilterOptions | None = None, *, steady: bool = False) -> TemporalFilter:
    """The temporal filter the options name, configured from them (a fresh one each call).

    ``steady``: the network's strokes already follow the content (``--model steady``).

    Raises:
        InputError: an unknown filter name (the options are checked when made).
    """
    options = options or filter_options()
    return TEMPORAL_FILTERS.load(options.name).configure(options, steady=steady)


__all__ = [
    "BlendFilter",
    "CarryFilter",
    "FlowFilter",
    "TemporalFilter",
    "FilterOptions",
    "TwoWayFlowFilter",
    "build_filter",
    "flow_size_for",
    "texture_weight",
]
