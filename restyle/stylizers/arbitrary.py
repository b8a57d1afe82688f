"""Magenta's arbitrary image stylization network (Ghiasi et al. 2017): any painting's style."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..models.networks import StyleTransformer
from ..models.tiled import TiledTransformer, load_tiled
from ..styles.embed import embed_images
from ..styles.style import ARBITRARY, Style
from .painter import Painter


class ArbitraryPainter(Painter):
    """Paints any style vector from the style prediction network, at the frame's own size.

    Strength interpolates the style vector toward the content's own style vector, as
    Magenta does, rather than fading pixels.
    """

    space = ARBITRARY

    def network(self) -> StyleTransformer:
        """The arbitrary-style transformer (fast float graph, or the shipped int8 one)."""
        return self.engine.transformer(self.threads)

    def tiled_network(self) -> TiledTransformer | None:
        """The float transformer's tile painter (the shipped int8 graph paints whole).

        Tiles run the float graph on ONNX Runtime whatever the engine paints smaller pictures
        with: its norms take their statistics as inputs (restyle.models.tiled).
        """
        if self.engine.precision == "shipped":
            return None
        engine = self.engine
        return load_tiled(
            "arbitrary_transform", engine.device, engine.model_dir, self.threads, engine.model
        )

    def content_style(self, frame: np.ndarray) -> Style:
        """The content's own style vector, the strength-0 end of the interpolation."""
        return Style(ARBITRARY, embed_images([frame], engine=self.engine)[0], "content")

    def toward_content(
        self, frames: Sequence[np.ndarray], styles: list[Style], content_style: Style | None
    ) -> list[Style]:
        """Each style moved toward the content's own style by 1 - strength."""
        own = [content_style or self.content_style(f) for f in frames]
        return [o.mix(s, self.look.strength) for o, s in zip(own, styles, strict=True)]
