"""The default method: Magenta's arbitrary image stylization network (Ghiasi et al. 2017)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..models.networks import StyleTransformer, load_transformer
from ..models.tiled import TiledTransformer, load_tiled
from ..styles.embed import embed_images
from ..styles.style import ARBITRARY, Style
from .network import NetworkStylizer


class ArbitraryStylizer(NetworkStylizer):
    """Paints any style vector from the style prediction network, at the frame's own size.

    Strength interpolates the style vector toward the content's own style vector, as
    Magenta does, rather than fading pixels.
    """

    name = "arbitrary"
    space = ARBITRARY

    def network(self) -> StyleTransformer:
        """The arbitrary-style transformer (fast float graph, or the shipped int8 one)."""
        return load_transformer(self.device, self.model_dir, self.precision, self.threads)

    def tiled_network(self) -> TiledTransformer | None:
        """The float transformer's tile painter (the shipped int8 graph paints whole)."""
        if self.precision != "float":
            return None
        return load_tiled("arbitrary_transform", self.device, self.model_dir, self.threads)

    def content_style(self, frame: np.ndarray) -> Style:
        """The content's own style vector, the strength-0 end of the interpolation."""
        vec = embed_images(
            [frame], device=self.device, model_dir=self.model_dir, precision=self.precision
        )[0]
        return Style(ARBITRARY, vec, "content")

    def toward_content(
        self, frames: Sequence[np.ndarray], styles: list[Style], content_style: Style | None
    ) -> list[Style]:
        """Each style moved toward the content's own style by 1 - strength."""
        own = [content_style or self.content_style(f) for f in frames]
        return [o.mix(s, self.options.strength) for o, s in zip(own, styles, strict=True)]
