"""The 26 built-in styles: a conditional-instance-norm network (Dumoulin et al. 2017)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..models.networks import StyleTransformer
from ..models.tiled import TiledTransformer, load_tiled
from ..styles.style import BUILTIN
from .painter import Painter


class BuiltinPainter(Painter):
    """Paints the 26 built-in styles and weighted blends of them.

    This network has no notion of the content's own style, so strength < 1 fades the
    painted frame toward the original.
    """

    space = BUILTIN

    def network(self) -> StyleTransformer:
        """The 26-style network (rebuilt as a fast float graph)."""
        return self.engine.multistyle(self.threads)

    def tiled_network(self) -> TiledTransformer:
        """The 26-style network's tile painter."""
        engine = self.engine
        return load_tiled(
            "multistyle26", engine.device, engine.model_dir, self.threads, engine.model
        )

    def fade(self, frames: Sequence[np.ndarray], painted: list[np.ndarray]) -> list[np.ndarray]:
        """Each painted frame mixed with its original, ``strength`` of the painting."""
        s = self.look.strength
        return [
            np.clip(s * p + (1.0 - s) * f.astype(np.float32) + 0.5, 0, 255).astype(np.uint8)
            for p, f in zip(painted, frames, strict=True)
        ]
