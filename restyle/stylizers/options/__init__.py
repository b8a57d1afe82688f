"""What a picture is painted with: the look (strength, colour, size), and each method's options.

The look applies to every method. A method's own options are a :class:`MethodOptions`
subclass declared in the method's own module beside this one (``network.py``,
``gatys.py``, ``segmented.py``), which registers the method; adding a method is adding
a file here (its options) and its stylizer in ``restyle/stylizers/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ...errors import InputError
from ...options import ChoiceOptions, OptionGroup, at_least, between, import_choices, option
from ...registries import STYLIZERS

MIN_SIDE = 32  # the smallest picture (and --max-size) the networks paint
STYLE_FITS = ("crop", "whole")


def parse_max_size(text: str) -> int | None:
    """``--max-size``: a number of pixels, or 0 / none / full for the picture's own size."""
    if text.strip().lower() in ("0", "none", "full"):
        return None
    return int(text)


@dataclass(frozen=True)
class Look(OptionGroup):
    """How strongly and at what resolution a style is painted, whatever the method.

    Attributes:
        strength: 0..1; 1 is the full style, 0 stays close to the content.
        preserve_color: keep the content's colours, take only the stylized luminance.
        style_fit: how a painting is fitted to the style network's square: ``crop`` (its
            centre square) or ``whole`` (padded).
        max_size: longest side the network paints at; larger frames are painted at this size
            and scaled back. None paints at the frame's own size.
    """

    group: ClassVar[str] = "look"

    strength: float = option(
        1.0, "how much of the style, 0..1", check=between(0.0, 1.0), metavar="S"
    )
    preserve_color: bool = option(False, "keep the content's colours, paint only luminance")
    style_fit: str = option(
        "crop",
        "crop: the style network sees the centre square of the painting; whole: the painting "
        "padded to a square",
        choices=STYLE_FITS,
    )
    max_size: int | None = option(
        1280,
        "longest side painted; larger frames are painted at this size and scaled back "
        "(0: full size)",
        check=at_least(MIN_SIDE),
        parse=parse_max_size,
        metavar="PX",
    )


def parse_rect(value: str | Sequence[int]) -> tuple[int, int, int, int]:
    """Parse ``"x,y,w,h"`` (or four numbers) as a box with a positive width and height.

    Raises:
        InputError: not four whole numbers, a negative corner or an empty box.
    """
    parts = value.split(",") if isinstance(value, str) else list(value)
    try:
        x, y, w, h = (int(str(p).strip()) for p in parts)
    except ValueError:
        raise InputError(f"bad foreground box {value!r}; use x,y,w,h in pixels") from None
    if x < 0 or y < 0 or w < 2 or h < 2:
        raise InputError(f"bad foreground box {value!r}; x, y >= 0 and w, h >= 2 pixels")
    return x, y, w, h


class MethodOptions(ChoiceOptions):
    """A method's own options; each method declares a subclass in its own module.

    In a job file: ``"method": {"name": "gatys", "iterations": 200}``; in the API:
    ``method=restyle.Gatys(iterations=200)`` or the flat ``method="gatys", iterations=200``.
    """

    group: ClassVar[str] = "method"
    registry: ClassVar[Any] = STYLIZERS
    selector: ClassVar[str] = "name"
    choose: ClassVar[str] = "method"
    default_choice: ClassVar[str] = "network"

    def absolute(self) -> MethodOptions:
        """A copy whose file paths are absolute, so a job means the same from any folder."""
        return self

    def own_styles(self) -> tuple[str, ...]:
        """Styles the method names itself (besides ``--style``), for the job's check."""
        return ()


def method_options(name: str | None = None, **values: Any) -> MethodOptions:
    """The options of the method ``name`` (default ``network``) with flat values.

    Raises:
        InputError: an unknown method, or an option it does not take.
    """
    return MethodOptions.make(name, values)


# every module here registers its choice when imported: a new file is a new choice
import_choices(__name__, __path__, first="network")

from .gatys import Gatys  # noqa: E402
from .network import Network  # noqa: E402
from .segmented import Segmented  # noqa: E402

__all__ = [
    "MIN_SIDE",
    "Gatys",
    "Look",
    "MethodOptions",
    "Network",
    "Segmented",
    "method_options",
    "parse_max_size",
    "parse_rect",
]
