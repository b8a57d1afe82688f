"""The 26 built-in styles: a conditional-instance-norm network (Dumoulin et al. 2017)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..models.networks import MULTIPLE, load_multistyle
from ..styles.style import BUILTIN, Style
from .base import Stylizer, check_frames, per_frame_styles
from .color import keep_colors
from .resample import from_network, to_network, working_size


class BuiltinStylizer(Stylizer):
    """Paints the 26 built-in styles and weighted blends of them.

    This network has no notion of the content's own style, so strength < 1 fades the
    painted frame toward the original.
    """

    name = "builtin"
    space = BUILTIN

    def active_device(self) -> str:
        """The device the network's session runs on."""
        return load_multistyle(self.device, self.model_dir).device

    def stylize(
        self,
        frames: Sequence[np.ndarray],
        style: Style | Sequence[Style],
        content_style: Style | None = None,
    ) -> list[np.ndarray]:
        """Paint frames (HxWx3 uint8, one size) with built-in style weights; same-size uint8 out."""
        h, w = check_frames(frames)
        styles = per_frame_styles(style, len(frames))
        for s in styles:
            self.check_style(s)
        size = working_size(h, w, self.options.max_size)
        network = load_multistyle(self.device, self.model_dir)
        batch = to_network(list(frames), size, MULTIPLE)
        out = from_network(network.run(batch, np.stack([s.vector for s in styles])), size, (h, w))
        strength = self.options.strength
        if strength < 1.0:
            out = [
                np.clip(
                    strength * o + (1.0 - strength) * f.astype(np.float32) + 0.5, 0, 255
                ).astype(np.uint8)
                for o, f in zip(out, frames, strict=True)
            ]
        if self.options.preserve_color:
            out = [keep_colors(o, f) for o, f in zip(out, frames, strict=True)]
        return out
