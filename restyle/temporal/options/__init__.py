"""The options of flicker removal: each filter owns its options, declared in its own module.

``--temporal`` names the filter (:data:`restyle.registries.TEMPORAL_FILTERS`); the filter's
options are a :class:`FilterOptions` subclass declared beside this module (``flow.py``,
``carry.py``, ``forward.py``, ``blend.py``, ``none.py``), which registers the filter. In a job file:
``"temporal": {"filter": "flow", "sharpness": 0.9}``; in the API ``temporal=restyle.Flow(
sharpness=0.9)`` or the flat ``sharpness=0.9``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ...options import ChoiceOptions, at_least, between, import_choices, option
from ...registries import FLOW_QUALITIES, TEMPORAL_FILTERS

DEFAULT_SHARPNESS = 0.855  # mean SSIM to the frame painted on its own the flow filter keeps
MIN_FLOW_SIZE = 64
MAX_SMOOTH = 0.95


class FilterOptions(ChoiceOptions):
    """A flicker filter's own options; each filter declares a subclass in its own module."""

    group: ClassVar[str] = "temporal"
    registry: ClassVar[Any] = TEMPORAL_FILTERS
    selector: ClassVar[str] = "filter"
    choose: ClassVar[str] = "temporal"
    default_choice: ClassVar[str] = "flow"

    @property
    def filter(self) -> str:
        """The filter's registered name (``--temporal``)."""
        return self.name


def filter_options(name: str | None = None, **values: Any) -> FilterOptions:
    """The options of the filter ``name`` (default ``flow``) with flat values.

    Raises:
        InputError: an unknown filter, or an option it does not take.
    """
    return FilterOptions.make(name, values)  # type: ignore[return-value]


def smooth_option(default_help: str) -> Any:
    """``--smooth``: a fixed weight of the neighbouring frames (the filters share the name)."""
    return option(
        None,
        "a fixed weight: how much of the neighbouring frames to mix in, "
        f"0 to {MAX_SMOOTH}; more removes more flicker but softens fine texture "
        f"({default_help})",
        check=between(0.0, MAX_SMOOTH),
        metavar="S",
    )


def flow_size_option() -> Any:
    """``--flow-size``: the long side the optical flow is computed at."""
    return option(
        None,
        "long side the optical flow is computed at (default: half the video's, 320 to 640): "
        "larger follows motion more closely, less flicker, more time",
        check=at_least(MIN_FLOW_SIZE),
        metavar="PX",
    )


def flow_quality_option() -> Any:
    """``--flow-quality``: how finely the optical flow is solved."""
    return option("fast", "how finely the optical flow is solved", choices=FLOW_QUALITIES.names)


# every module here registers its choice when imported: a new file is a new choice
import_choices(__name__, __path__, first="flow")

from .blend import Blend  # noqa: E402
from .carry import Carry  # noqa: E402
from .flow import Flow  # noqa: E402
from .forward import Forward  # noqa: E402
from .none import NoFilter  # noqa: E402

__all__ = [
    "DEFAULT_SHARPNESS",
    "Blend",
    "Carry",
    "FilterOptions",
    "Flow",
    "Forward",
    "NoFilter",
    "filter_options",
]
