"""The default method: Magenta's arbitrary image stylization network (Ghiasi et al. 2017)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..models.networks import MULTIPLE, load_transformer
from ..styles.embed import embed_images
from ..styles.style import ARBITRARY, Style
from .base import Stylizer, check_frames, per_frame_styles
from .color import keep_colors
from .resample import from_network, to_network, working_size


class ArbitraryStylizer(Stylizer):
    """Paints any style vector from the style prediction network, at the frame's own size.

    Strength interpolates the style vector toward the content's own style vector, as
    Magenta does, rather than fading pixels.
    """

    name = "arbitrary"
    space = ARBITRARY

    def content_style(self, frame: np.ndarray) -> Style:
        """The content's own style vector, the strength-0 end of the interpolation."""
        vec = embed_images(
            [frame], device=self.device, model_dir=self.model_dir, precision=self.precision
        )[0]
        return Style(ARBITRARY, vec, "content")

    def active_device(self) -> str:
        """The device the network's session runs on."""
        return load_transformer(self.device, self.model_dir, self.precision).device

    def stylize(
        self,
        frames: Sequence[np.ndarray],
        style: Style | Sequence[Style],
        content_style: Style | None = None,
    ) -> list[np.ndarray]:
        """Paint HxWx3 uint8 frames of one size with one style or one per frame; same-size out."""
        h, w = check_frames(frames)
        styles = per_frame_styles(style, len(frames))
        for s in styles:
            self.check_style(s)
        strength = self.options.strength
        if strength < 1.0:
            own = [content_style or self.content_style(f) for f in frames]
            styles = [o.mix(s, strength) for o, s in zip(own, styles, strict=True)]
        size = working_size(h, w, self.options.max_size)
        network = load_transformer(self.device, self.model_dir, self.precision)
        batch = to_network(list(frames), size, MULTIPLE)
        vectors = np.stack([s.vector for s in styles])
        out = from_network(network.run(batch, vectors), size, (h, w))
        if self.options.preserve_color:
            out = [keep_colors(o, f) for o, f in zip(out, frames, strict=True)]
        return out
