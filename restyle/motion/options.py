"""The option of following the camera: strokes that stick to the scene (``--strokes``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..options import OptionGroup, option

STROKES = ("fresh", "stick")


@dataclass(frozen=True)
class Motion(OptionGroup):
    """How a video's frames are placed before they are painted.

    Attributes:
        strokes: ``fresh``: each frame painted where it is; ``stick``: each frame painted in
            the plane of an anchor frame where the camera's motion is undone, so strokes
            move with the scene instead of being repainted (:mod:`restyle.motion.plane`).
    """

    group: ClassVar[str] = "motion"

    strokes: str = option(
        "fresh",
        "stick: strokes stay on the scene as the camera pans; fresh: each frame painted "
        "where it is",
        choices=STROKES,
    )
