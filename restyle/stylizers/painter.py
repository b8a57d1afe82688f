"""One transformer network run at a frame's own size: what both feed-forward networks share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from ..models.engine import Engine
from ..models.networks import MULTIPLE, StyleTransformer
from ..models.tiled import TILE_PIXELS, TiledTransformer
from ..styles.style import Style
from .base import check_frames
from .color import keep_colors
from .options import Look
from .resample import from_network, paint_in_tiles, to_network, working_size


class Painter:
    """One transformer network run at the frame's own size, for the styles of one space.

    Subclasses give the network, and may move the styles toward the content (strength in
    style space) or fade the painted frames toward the content (strength in pixels).
    """

    space: ClassVar[str]

    def __init__(self, look: Look, engine: Engine, threads: int | None) -> None:
        self.look = look
        self.engine = engine
        self.threads = threads  # ONNX Runtime threads per call; None: one per core

    def network(self) -> StyleTransformer:
        """The loaded network (cached per device, folder, precision and threads)."""
        raise NotImplementedError

    def tiled_network(self) -> TiledTransformer | None:
        """The tile painter for pictures above TILE_PIXELS (None: paint them whole)."""
        return None

    def content_style(self, frame: np.ndarray) -> Style | None:
        """The content's own style for strength < 1, or None if strength acts in pixels."""
        return None

    def toward_content(
        self, frames: Sequence[np.ndarray], styles: list[Style], content_style: Style | None
    ) -> list[Style]:
        """Styles adjusted for strength < 1 before painting (unchanged by default)."""
        return styles

    def fade(self, frames: Sequence[np.ndarray], painted: list[np.ndarray]) -> list[np.ndarray]:
        """Painted frames adjusted for strength < 1 after painting (unchanged by default)."""
        return painted

    def paint(
        self,
        frames: Sequence[np.ndarray],
        styles: list[Style],
        content_style: Style | None,
        as_sized: bool = False,
    ) -> list[np.ndarray]:
        """Paint HxWx3 uint8 frames of one size, one style each; same-size uint8 out
        (``as_sized``: at that size, not brought to ``--max-size``)."""
        h, w = check_frames(frames)
        strength = self.look.strength
        if strength < 1.0:
            styles = self.toward_content(frames, styles, content_style)
        size = (h, w) if as_sized else working_size(h, w, self.look.max_size)
        tiles = self.tiled_network() if size[0] * size[1] > TILE_PIXELS else None
        if tiles is not None:  # large: in tiles sharing one set of statistics
            out = [
                paint_in_tiles(tiles, f, s.vector, size)
                for f, s in zip(frames, styles, strict=True)
            ]
        else:
            batch = to_network(list(frames), size, MULTIPLE)
            vectors = np.stack([s.vector for s in styles])
            out = from_network(self.network().run(batch, vectors), size, (h, w))
        if strength < 1.0:
            out = self.fade(frames, out)
        if self.look.preserve_color:
            out = [keep_colors(o, f) for o, f in zip(out, frames, strict=True)]
        return out
