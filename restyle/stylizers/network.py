"""The default method (``--method network``): a feed-forward transformer network per frame.

Style images are painted by Magenta's arbitrary image stylization network (Ghiasi et al.
2017, :mod:`.arbitrary`); the 26 built-in styles by the conditional-instance-norm network
they were trained into (Dumoulin et al. 2017, :mod:`.builtin`). Which one paints a frame
follows from its style's space, so one stylizer serves both.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InputError
from ..models.session import CPU_PROVIDER, providers_for
from ..models.trained import painting_model
from ..styles.embed import resolve_style
from ..styles.style import ARBITRARY, Style
from .arbitrary import ArbitraryPainter
from .base import Stylizer, per_frame_styles
from .builtin import BuiltinPainter
from .painter import Painter

PAINTERS: dict[str, type[Painter]] = {p.space: p for p in (ArbitraryPainter, BuiltinPainter)}


def _painter_class(space: str) -> type[Painter]:
    if space not in PAINTERS:
        raise InputError(f"the network method cannot paint a {space} style")
    return PAINTERS[space]


def default_workers(cores: int) -> int:
    """Frames painted at once on ``cores`` CPU cores (NetworkStylizer.use_workers)."""
    return 2 if cores < 8 else min(8, cores // 4)


class NetworkStylizer(Stylizer):
    """Paints style vectors with the network their space belongs to, at the frame's own size."""

    name = "network"
    blends_styles = True
    paints_style_vectors = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.threads: int | None = None
        self._painters: dict[str, Painter] = {}
        self._lock = threading.Lock()

    def resolve(self, styles: Any | Sequence[Any]) -> Style:
        """Style images become the predictor's style vectors; ``builtin:N`` the 26 weights."""
        return resolve_style(styles, fit=self.look.style_fit, engine=self.engine)

    def painter(self, space: str, model: str | None = None) -> Painter:
        """The painter of ``space`` with ``model``'s weights (None: the engine's), made and its
        network loaded once (threads may race here)."""
        engine = self.engine
        if model is not None and model != engine.model:
            engine = dataclasses.replace(engine, model=model)
        key = f"{space}/{engine.model}"
        with self._lock:
            if key not in self._painters:
                painter = _painter_class(space)(self.look, engine, self.threads)
                painter.network()
                self._painters[key] = painter
            return self._painters[key]

    def content_style(self, frame: np.ndarray, style: Style) -> Style | None:
        """The frame's own style vector (arbitrary styles below full strength), else None."""
        if self.look.strength >= 1.0:
            return None
        return self.painter(style.space).content_style(frame)

    def use_workers(self, workers: int | None = None) -> int:
        """Split the CPU cores between ``workers`` frames painted at once (default: see below).

        On a CPU, frames painted side by side, each on its share of the cores, go faster
        than one frame at a time on all of them: a runtime's threads wait for each other at
        every layer, and on a machine also busy decoding, encoding and computing optical
        flow one of them is often held up (benchmarks/speed/video_speed.py). The frames are
        independent, so this changes nothing in the output. The default is two frames on
        up to 7 cores (on 2 cores: one thread each), and on more a frame per 4 cores (at
        most 8): this network's layers are small (32 channels at a quarter of the frame),
        so one call gains little beyond 4 threads. On CUDA one frame at a time.
        """
        if providers_for(self.engine.device)[0] != CPU_PROVIDER:
            return 1
        cores = available_cores()
        workers = max(1, min(workers or default_workers(cores), cores))
        if workers > 1 or cores < (os.cpu_count() or cores):
            self.threads = max(1, cores // workers)
            self._painters.clear()  # made again with their share of the cores
        return workers

    def active_device(self) -> str:
        """The device the network's session runs on."""
        for painter in self._painters.values():
            return painter.network().device
        return "cpu" if providers_for(self.engine.device)[0] == CPU_PROVIDER else "cuda"

    def stylize(
        self,
        frames: Sequence[np.ndarray],
        style: Style | Sequence[Style],
        content_style: Style | None = None,
    ) -> list[np.ndarray]:
        """Paint HxWx3 uint8 frames of one size with one style or one per frame; same-size out."""
        return self._stylize(frames, style, content_style, as_sized=False)

    def stylize_as_sized(
        self,
        frames: Sequence[np.ndarray],
        style: Style | Sequence[Style],
        content_style: Style | None = None,
    ) -> list[np.ndarray]:
        """Paint frames at their own size, not brought to ``--max-size`` (see the base)."""
        return self._stylize(frames, style, content_style, as_sized=True)

    def _stylize(
        self,
        frames: Sequence[np.ndarray],
        style: Style | Sequence[Style],
        content_style: Style | None,
        as_sized: bool,
    ) -> list[np.ndarray]:
        styles = per_frame_styles(style, len(frames))
        spaces = {s.space for s in styles}
        if len(spaces) != 1:
            raise InputError("the styles of one call must belong to one network")
        space = spaces.pop()
        if space == ARBITRARY and content_style is not None and content_style.space != space:
            raise InputError("the content style belongs to another network")
        # built-in styles the trained network does not paint well keep the shipped one
        model = painting_model(self.engine.model, space, (s.vector for s in styles))
        painter = self.painter(space, model)
        return painter.paint(frames, styles, content_style, as_sized=as_sized)


def available_cores() -> int:
    """The cores this process may use: its CPU affinity, capped by ``OMP_NUM_THREADS``.

    Ray sets ``OMP_NUM_THREADS`` to the CPUs a task asked for, so a task on a big node
    does not spread itself over cores other tasks are using.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cores = cores or os.cpu_count() or 1
    limit = os.environ.get("OMP_NUM_THREADS", "")
    if limit.isdigit() and int(limit) > 0:
        cores = min(cores, int(limit))
    return cores
