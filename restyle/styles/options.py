"""Which styles a video is painted in, and how they hand over in time, declared once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import ClassVar

from ..errors import InputError
from ..options import OptionGroup, at_least, between, option
from ..registries import EASINGS, KEYFRAME_PICKERS, TRANSITIONS
from .spec import parse_style_spec
from .style import Style

StyleRef = str | Style  # a --style spec (path, path:weight, builtin:N) or a computed Style


def absolute_spec(ref: StyleRef) -> StyleRef:
    """A style spec with its image path made absolute (built-ins and Styles as they are)."""
    if isinstance(ref, Style):
        return ref
    spec = parse_style_spec(ref)
    if spec.builtin is not None:
        return ref
    path = os.path.abspath(spec.source)
    return path if spec.weight == 1.0 and ref.strip() == spec.source else f"{path}:{spec.weight:g}"


@dataclass(frozen=True)
class Styles(OptionGroup):
    """The style plan of a video: style images or a style video, and the transitions.

    Attributes:
        styles: style specs (``painting.jpg``, ``painting.jpg:0.7``, ``builtin:7``) or
            computed :class:`~restyle.styles.style.Style` objects; several are blended, or
            take turns with ``transition="segments"``.
        style_video: take the styles from this video instead: ``keyframes`` keyframes picked
            by ``keyframe_method`` take turns, or the style follows the video's own time
            (``transition="follow"``).
        transition: ``"segments"`` or ``"follow"``; None: one style (or segments for a
            style video).
        easing, hold: the shape of a hand-over, and the fraction 0..1 of each part in which
            its style stays pure.
    """

    group: ClassVar[str] = "styles"

    styles: tuple[StyleRef, ...] = option(
        (),
        "style image, optionally weighted (painting.jpg:0.7), or a built-in style "
        "(builtin:0 .. builtin:25); repeat to blend several",
        key="style",
        flag="--style",
        short="-s",
        metavar="STYLE",
    )
    style_video: str | None = option(
        None,
        "take the style from a video whose look changes as it plays (instead of --style)",
        metavar="VIDEO",
    )
    keyframes: int = option(
        5, "style keyframes picked from --style-video", check=at_least(1), metavar="N"
    )
    keyframe_method: str = option(
        "diverse", "how keyframes are picked", choices=KEYFRAME_PICKERS.names
    )
    transition: str | None = option(
        None,
        "how styles hand over in time (default: segments with --style-video; with several "
        "--style they are blended unless this is given)",
        choices=TRANSITIONS.names,
    )
    easing: str = option("smooth", "the shape of a hand-over", choices=EASINGS.names)
    hold: float = option(
        0.3,
        "fraction 0..1 of each part in which its style stays pure",
        check=between(0.0, 1.0),
        metavar="F",
    )

    def check(self) -> None:
        """Style specs must parse; a style video excludes style images; follow needs one."""
        for ref in self.styles:
            if isinstance(ref, str):
                parse_style_spec(ref)
        if self.style_video is not None and self.styles:
            raise InputError("give either --style or --style-video, not both")
        if self.transition == "follow" and self.style_video is None:
            raise InputError("--transition follow needs --style-video; use segments with --style")
