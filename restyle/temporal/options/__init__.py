"""The options of flicker removal (``--temporal`` and its settings), declared once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..options import OptionGroup, at_least, between, option
from ..registries import FLOW_QUALITIES, TEMPORAL_FILTERS

DEFAULT_SHARPNESS = 0.855  # mean SSIM to the frame painted on its own the flow filter keeps
MIN_FLOW_SIZE = 64
MAX_SMOOTH = 0.95


@dataclass(frozen=True)
class Temporal(OptionGroup):
    """How flicker is removed after the network (restyle.temporal.filters).

    Attributes:
        filter: the temporal filter (``--temporal``), a name in
            :data:`restyle.registries.TEMPORAL_FILTERS`.
        smooth: a fixed weight of the neighbouring frames on textured paint; None: the
            filter's own choice (``flow`` holds ``sharpness``; ``blend`` 0.5).
        sharpness: for ``flow`` without ``smooth``: the mean SSIM of each output frame to the
            frame painted on its own that the filter holds.
        flow_size: long side the optical flow is computed at; None follows the video.
        flow_quality: how finely the optical flow is solved, a name in
            :data:`restyle.registries.FLOW_QUALITIES`.
    """

    group: ClassVar[str] = "temporal"

    filter: str = option(
        "flow",
        "flicker removal",
        key="temporal",
        flag="--temporal",
        choices=TEMPORAL_FILTERS.names,
    )
    smooth: float | None = option(
        None,
        "a fixed weight instead of --sharpness: how much of the neighbouring frames to mix in, "
        f"0 to {MAX_SMOOTH}, on textured paint (flat paint gets less); more removes more "
        "flicker but softens fine texture (default for flow: set as the video plays to keep "
        "--sharpness; 0.5 for blend)",
        check=between(0.0, MAX_SMOOTH),
        metavar="S",
    )
    sharpness: float | None = option(
        None,
        "for flow: how close each frame stays to the frame painted on its own, as mean SSIM, "
        f"0.5 to below 1 (default {DEFAULT_SHARPNESS}): higher keeps more detail and removes "
        "less flicker",
        check=between(0.5, 1.0, high_open=True),
        metavar="Q",
    )
    flow_size: int | None = option(
        None,
        "long side the optical flow is computed at (default: half the video's, 320 to 640): "
        "larger follows motion more closely, less flicker, more time",
        check=at_least(MIN_FLOW_SIZE),
        metavar="PX",
    )
    flow_quality: str = option(
        "fast", "how finely the optical flow is solved", choices=FLOW_QUALITIES.names
    )
