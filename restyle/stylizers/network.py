"""What the feed-forward methods share: size handling, one network call, colour preservation."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from ..models.networks import MULTIPLE, StyleTransformer
from ..models.session import CPU_PROVIDER, providers_for
from ..models.tiled import TILE_PIXELS, TiledTransformer
from ..styles.style import Style
from .base import Stylizer, check_frames, per_frame_styles
from .color import keep_colors
from .resample import from_network, paint_in_tiles, to_network, working_size


class NetworkStylizer(Stylizer):
    """A stylizer that is one transformer network run at the frame's own size.

    Subclasses give the network, and may move the styles toward the content (strength in
    style space) or fade the painted frames toward the content (strength in pixels).
    """

    threads: int | None = None  # ONNX Runtime threads per call; None: one per core

    def network(self) -> StyleTransformer:
        """The loaded network (cached per device, folder, precision and threads)."""
        raise NotImplementedError

    def use_workers(self, workers: int | None = None) -> int:
        """Split the CPU cores between ``workers`` frames painted at once (default: 2).

        On a CPU, frames painted side by side, each on its share of the cores, go faster
        than one frame at a time on all of them: ONNX Runtime's threads wait for each other
        at every layer, and on a machine also busy decoding, encoding and computing optical
        flow one of them is often held up (benchmarks/video_speed.py). The frames are
        independent, so this changes nothing in the output. On CUDA one frame at a time.
        """
        if providers_for(self.device)[0] != CPU_PROVIDER:
            return 1  # decided without loading the network: it loads once, split or not
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        cores = cores or os.cpu_count() or 1
        workers = max(1, min(workers or 2, cores))
        if workers > 1:
            self.threads = max(1, cores // workers)
            self.network()  # load it here once, not in each painting thread at the same time
        return workers

    def tiled_network(self) -> TiledTransformer | None:
        """The tile painter for pictures above TILE_PIXELS (None: paint them whole)."""
        return None

    def active_device(self) -> str:
        """The device the network's session runs on."""
        return self.network().device

    def toward_content(
        self, frames: Sequence[np.ndarray], styles: list[Style], content_style: Style | None
    ) -> list[Style]:
        """Styles adjusted for strength < 1 before painting (unchanged by default)."""
        return styles

    def fade(self, frames: Sequence[np.ndarray], painted: list[np.ndarray]) -> list[np.ndarray]:
        """Painted frames adjusted for strength < 1 after painting (unchanged by default)."""
        return painted

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
        if self.options.strength < 1.0:
            styles = self.toward_content(frames, styles, content_style)
        size = working_size(h, w, self.options.max_size)
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
        if self.options.strength < 1.0:
            out = self.fade(frames, out)
        if self.options.preserve_color:
            out = [keep_colors(o, f) for o, f in zip(out, frames, strict=True)]
        return out
