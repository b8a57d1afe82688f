"""``--temporal blend``: each output blended with the previous output, without moving it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...errors import InputError
from ..scenecut import SceneCutDetector
from .base import TemporalFilter

if TYPE_CHECKING:
    from typing import Self

    from ..options import FilterOptions

DEFAULT_BLEND_WEIGHT = 0.5


class BlendFilter(TemporalFilter):
    """``out = smooth * previous_out + (1 - smooth) * fresh``: cheap, but moving edges ghost.

    The previous frame is not moved with the content, so this is the simple baseline the
    flow filters are measured against. A detected scene cut starts afresh.
    """

    name = "blend"

    def __init__(self, smooth: float = DEFAULT_BLEND_WEIGHT, scene_cuts: bool = True) -> None:
        if not 0.0 <= smooth < 1.0:
            raise InputError(f"the blend weight must be in [0, 1), got {smooth}")
        self.smooth = smooth
        self.cuts = SceneCutDetector() if scene_cuts else None
        self.prev: np.ndarray | None = None

    @classmethod
    def configure(cls, options: FilterOptions, *, steady: bool = False) -> Self:
        """A blend with the job's ``smooth`` weight (0.5 when none is given)."""
        return cls(DEFAULT_BLEND_WEIGHT if options.smooth is None else options.smooth)

    def reset(self) -> None:
        """Forget the previous output (and the scene-cut detector's memory)."""
        self.prev = None
        if self.cuts:
            self.cuts.reset()

    def __call__(self, source: np.ndarray, stylized: np.ndarray, time: float) -> np.ndarray:
        """Blend the fresh frame with the previous output."""
        fresh = stylized.astype(np.float32)
        cut = self.cuts.update(source) if self.cuts else False
        if self.prev is None or cut or self.prev.shape != fresh.shape:
            out = fresh
        else:
            out = self.smooth * self.prev + (1.0 - self.smooth) * fresh
        self.prev = out
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)
