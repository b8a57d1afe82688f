"""The interface every stylization method implements, and the look options they share."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..errors import InputError
from ..styles.style import Style

MIN_SIDE = 32


@dataclass(frozen=True)
class LookOptions:
    """How strongly and at what resolution a style is painted.

    Attributes:
        max_size: longest side the network paints at; larger frames are painted at this size
            and scaled back. ``None`` paints at the frame's own size.
        strength: 0..1; 1 is the full style, 0 stays close to the content.
        preserve_color: keep the content's colours, take only the stylized luminance.
    """

    max_size: int | None = 1280
    strength: float = 1.0
    preserve_color: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.strength <= 1.0:
            raise InputError(f"strength must be between 0 and 1, got {self.strength}")
        if self.max_size is not None and self.max_size < MIN_SIDE:
            raise InputError(f"max size must be at least {MIN_SIDE} pixels, got {self.max_size}")


class Stylizer(ABC):
    """A stylization method: frames (HxWx3 uint8 RGB) and a style in, painted frames out.

    Output frames always have their input's exact size. Subclasses set ``name`` (the
    ``--method`` value) and ``space`` (the style space they paint with).
    """

    name: ClassVar[str]
    space: ClassVar[str]

    def __init__(
        self,
        options: LookOptions | None = None,
        *,
        device: str = "auto",
        model_dir: str | os.PathLike[str] | None = None,
        precision: str = "float",
    ) -> None:
        self.options = options or LookOptions()
        self.device = device
        self.model_dir = model_dir
        self.precision = precision

    def active_device(self) -> str:
        """The device the method really runs on (``"cpu"`` or ``"cuda"``), for reports."""
        return "cpu" if self.device == "auto" else self.device

    def check_style(self, style: Style) -> None:
        """Raise InputError if ``style`` belongs to another network's style space."""
        if style.space != self.space:
            raise InputError(f"the {self.name} method cannot paint a {style.space} style")

    @abstractmethod
    def stylize(
        self,
        frames: Sequence[np.ndarray],
        style: Style | Sequence[Style],
        content_style: Style | None = None,
    ) -> list[np.ndarray]:
        """Paint frames (HxWx3 uint8, all one size) with one style or one style per frame.

        ``content_style`` is the content's own style, used when strength < 1 (computed from
        each frame if not given; a video passes one for all frames so it cannot flicker).
        """

    def stylize_image(self, image: np.ndarray, style: Style) -> np.ndarray:
        """Paint one HxWx3 uint8 image; returns HxWx3 uint8 of the same size."""
        return self.stylize([image], style)[0]

    def use_workers(self, workers: int | None = None) -> int:
        """Get ready to paint several frames at once from separate threads; return how many.

        A video pipeline calls this once before its first frame. Methods that keep state
        from frame to frame (Gatys, segmentation) paint in order, one at a time: 1.
        """
        return 1


def check_frames(frames: Sequence[np.ndarray]) -> tuple[int, int]:
    """Check frames are HxWx3 uint8 of one size, at least MIN_SIDE pixels; return (h, w)."""
    if len(frames) == 0:
        raise InputError("no frames to stylize")
    shapes = {f.shape for f in frames}
    if len(shapes) != 1:
        raise InputError("frames of one call must share one size")
    shape = shapes.pop()
    if len(shape) != 3 or shape[2] != 3 or frames[0].dtype != np.uint8:
        raise InputError(f"frames must be HxWx3 uint8 RGB arrays, got {shape} {frames[0].dtype}")
    h, w = shape[:2]
    if min(h, w) < MIN_SIDE:
        raise InputError(f"image is too small ({w}x{h}); both sides need at least {MIN_SIDE}px")
    return h, w


def per_frame_styles(style: Style | Sequence[Style], count: int) -> list[Style]:
    """Expand one style to ``count`` frames, or check a list has one style per frame."""
    if isinstance(style, Style):
        return [style] * count
    styles = list(style)
    if len(styles) != count:
        raise InputError(f"got {len(styles)} styles for {count} frames")
    return styles
