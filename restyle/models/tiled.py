"""Paint pictures of any size in tiles that share one set of instance-norm statistics.

The style transformer normalises every layer over the whole picture (instance norm), which
is why a picture cannot simply be cut into tiles: each tile would normalise itself and come
out in its own colours. Here the statistics are computed once for the whole picture and
then given to every tile:

1. the statistics are measured layer by layer (:func:`exact_stats`: pass k runs the
   network as far as layer k, with the layers before it normalised by what the earlier
   passes found) through a graph whose norms take their statistics as inputs and report
   the sums they meet over each tile's interior. The picture's statistics are estimated
   (:func:`estimate_stats`) from a copy scaled down to at most ``COPY_SIDE`` and half its
   size, corrected for its scale by a few windows measured at full size;
2. each tile, cut with a ``MARGIN`` of context on every side (more than the network's
   receptive radius of 54 px, at offsets that are multiples of 4 so the stride-2 grids line
   up), is painted with those statistics and its interior kept.

With shared statistics a pixel's value depends only on the picture around it, and the margin
holds all of that: the tiles agree exactly where they meet, so there is nothing to blend and
no seam. Memory is that of one tile (about 150 MB for the default 1024 px tile) plus the
picture itself, at any size.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np

from .networks import network_weights
from .phases import from_phases, to_phases
from .session import create_session
from .trained import DEFAULT_MODEL

if TYPE_CHECKING:
    import onnx

    from .tiled_graph import NormLayer

TILE = 1024  # interior side of a tile in pixels (a multiple of 4)
MARGIN = 64  # context kept around a tile's interior (> the receptive radius, a multiple of 4)
COPY_SIDE = 2048  # the copy the statistics start from: this long side, at most half the picture's
SAMPLES = 9  # windows at full size that correct the copy's statistics for its scale
SAMPLE_SIDE = 256  # interior side of those windows
# pictures painted at more pixels than this go in tiles: painting whole takes about 115 bytes
# a pixel (7.2 GiB at 8000x8000), so this many stay under 1 GiB
TILE_PIXELS = 8_000_000
MIN_COPY = 128  # a picture under twice this long side gets its exact statistics


@dataclass
class Stats:
    """Per-channel mean and variance of every normalised layer, in graph order."""

    means: list[np.ndarray]
    variances: list[np.ndarray]

    @classmethod
    def neutral(cls, layers: list[NormLayer]) -> Stats:
        """Zero means and unit variances: a starting point the iteration replaces."""
        return cls(
            [np.zeros(x.channels, np.float32) for x in layers],
            [np.ones(x.channels, np.float32) for x in layers],
        )


class TiledTransformer:
    """A style transformer that paints one tile at a time with given statistics."""

    def __init__(
        self,
        model: onnx.ModelProto,
        layers: list[NormLayer],
        style_dim: int,
        device: str = "auto",
        threads: int | None = None,
    ) -> None:
        self.model = model
        self.layers = layers
        self.style_dim = style_dim
        self.device, self.threads = device, threads
        self.session = create_session(model.SerializeToString(), device, threads, False)
        self._cuts: dict[int, tuple[object, list[str]]] = {}

    def _feed(
        self, tile: np.ndarray, style: np.ndarray, stats: Stats, inner: Box, upto: int
    ) -> dict[str, np.ndarray]:
        feed: dict[str, np.ndarray] = {
            "content": to_phases(tile[None]),
            "style": np.asarray(style, np.float32).reshape(1, self.style_dim),
            "interior": np.asarray(inner, np.int64) // 4,
        }
        for layer, mean, var in zip(
            self.layers[:upto], stats.means[:upto], stats.variances[:upto], strict=True
        ):
            feed[f"mean/{layer.name}"] = mean.astype(np.float32)
            feed[f"var/{layer.name}"] = var.astype(np.float32)
        return feed

    def paint(self, tile: np.ndarray, style: np.ndarray, stats: Stats) -> np.ndarray:
        """Paint an HxWx3 float32 tile in [0, 1] (H, W multiples of 4) with ``stats``."""
        feed = self._feed(tile, style, stats, (0, 0, 4, 4), len(self.layers))
        return from_phases(self.session.run(["stylized"], feed)[0])[0]

    def layer_sums(
        self, k: int, tile: np.ndarray, style: np.ndarray, stats: Stats, inner: Box
    ) -> tuple[np.ndarray, np.ndarray]:
        """Layer k's sums of (x - mean) and (x - mean)^2 per channel over ``inner`` of a tile.

        ``inner``: (top, left, bottom, right) in pixels of the tile, multiples of 4. Runs the
        network only as far as layer k (the graph cut there, once).
        """
        if k not in self._cuts:
            name = self.layers[k].name
            wanted = [f"sum1/{name}", f"sum2/{name}"]
            given = ["content", "style", "interior"] + [
                f"{kind}/{x.name}" for x in self.layers[: k + 1] for kind in ("mean", "var")
            ]
            import onnx.utils

            cut = onnx.utils.Extractor(self.model).extract_model(given, wanted)
            session = create_session(cut.SerializeToString(), self.device, self.threads, False)
            self._cuts[k] = (session, wanted)
        session, wanted = self._cuts[k]
        s1, s2 = session.run(wanted, self._feed(tile, style, stats, inner, k + 1))  # type: ignore[attr-defined]
        return s1, s2


Box = tuple[int, int, int, int]  # (top, left, bottom, right) in pixels
Window = tuple[Box, Box]  # a tile's window (its interior and margin) and its interior


def _padded(image: np.ndarray, box: Box) -> np.ndarray:
    """The ``box`` of an HxWx3 uint8 image reflect-padded at its bottom and right edges to a
    multiple of 4 (as far as the box reaches), as float32 in [0, 1]."""
    y0, x0, y1, x1 = box
    h, w = image.shape[:2]
    part = image[y0 : min(y1, h), x0 : min(x1, w)]
    extra = (max(0, y1 - h), max(0, x1 - w))
    if any(extra):
        part = np.pad(part, ((0, extra[0]), (0, extra[1]), (0, 0)), mode="reflect")
    return part.astype(np.float32) * (1.0 / 255.0)


def _grown(inner: Box, margin: int, height: int, width: int) -> Window:
    """The window around an interior: grown by ``margin``, clipped to the padded picture."""
    hp, wp = -(-height // 4) * 4, -(-width // 4) * 4
    t, le, b, r = inner
    box = (max(0, t - margin), max(0, le - margin), min(hp, b + margin), min(wp, r + margin))
    return box, inner


def tile_windows(height: int, width: int, tile: int = TILE, margin: int = MARGIN) -> list[Window]:
    """Cover a picture padded to multiples of 4 with tiles of about ``tile`` pixels a side.

    Boxes are in picture pixels, multiples of 4; the interiors do not overlap and cover the
    picture; each window is its interior grown by ``margin`` on every side, clipped.
    """
    hp, wp = -(-height // 4) * 4, -(-width // 4) * 4
    rows, cols = max(1, round(hp / tile)), max(1, round(wp / tile))
    ys = [round(hp * i / rows / 4) * 4 for i in range(rows + 1)]
    xs = [round(wp * j / cols / 4) * 4 for j in range(cols + 1)]
    return [
        _grown((top, left, bottom, right), margin, height, width)
        for top, bottom in zip(ys, ys[1:], strict=False)
        for left, right in zip(xs, xs[1:], strict=False)
    ]


def sample_windows(
    height: int, width: int, side: int = SAMPLE_SIDE, count: int = SAMPLES, margin: int = MARGIN
) -> list[Window]:
    """About ``count`` windows with ``side``-pixel interiors spread evenly over a picture."""
    hp, wp = -(-height // 4) * 4, -(-width // 4) * 4
    rows = max(1, round((count * hp / wp) ** 0.5))
    cols = max(1, round(count / rows))
    found = []
    for i in range(rows):
        for j in range(cols):
            top = max(0, round((hp - side) * (i + 0.5) / rows / 4) * 4)
            left = max(0, round((wp - side) * (j + 0.5) / cols / 4) * 4)
            inner = (top, left, min(hp, top + side), min(wp, left + side))
            found.append(_grown(inner, margin, height, width))
    return found


Moments = tuple[np.ndarray, np.ndarray]  # per-channel E[x] and E[x^2], float64


def _moments(
    net: TiledTransformer,
    k: int,
    image: np.ndarray,
    style: np.ndarray,
    stats: Stats,
    windows: list[Window],
) -> Moments:
    """E[x] and E[x^2] of layer k over the interiors of ``windows``, ``stats`` applied."""
    layer = net.layers[k]
    s1 = s2 = np.zeros(layer.channels, np.float64)
    n = 0.0
    for box, (t, le, b, r) in windows:
        inner = (t - box[0], le - box[1], b - box[0], r - box[1])
        a1, a2 = net.layer_sums(k, _padded(image, box), style, stats, inner)
        s1, s2 = s1 + a1, s2 + a2
        n += (b - t) * (r - le) / layer.step**2 * (4 if layer.phases else 1)
    shift = s1 / n  # the sums are centred on the mean given, for float32's sake
    mean = stats.means[k] + shift
    return mean, s2 / n - shift**2 + mean**2


def _take(stats: Stats, k: int, moments: Moments) -> None:
    """Set layer k's mean and variance from its moments."""
    mean, square = moments
    stats.means[k] = mean.astype(np.float32)
    stats.variances[k] = np.maximum(square - mean**2, 1e-8).astype(np.float32)


def exact_stats(
    net: TiledTransformer,
    image: np.ndarray,
    style: np.ndarray,
    windows: list[Window],
    fixed: dict[int, tuple[np.ndarray, np.ndarray]] | None = None,
) -> Stats:
    """The statistics over the interiors of ``windows``, each layer's computed with the
    layers before it normalised by theirs, as painting the picture whole does.

    One pass per normalised layer, each only as far as that layer: pass k makes layer k
    exact, as its inputs are then normalised exactly. (The layers after k cannot be taken
    from the same pass: they still meet wrongly normalised inputs, and may overflow.)
    ``fixed``: layers whose (mean, variance) are given instead; the layers after them are
    measured with those applied.
    """
    stats = Stats.neutral(net.layers)
    for k in range(len(net.layers)):
        if fixed and k in fixed:
            stats.means[k], stats.variances[k] = (v.astype(np.float32) for v in fixed[k])
        else:
            _take(stats, k, _moments(net, k, image, style, stats, windows))
    return stats


def _copy_of(image: np.ndarray, side: int) -> np.ndarray:
    """A copy of an HxWx3 uint8 image scaled to a long side of ``side``, sides multiples of 4."""
    h, w = image.shape[:2]
    scale = side / max(h, w)
    size = (max(4, round(w * scale / 4) * 4), max(4, round(h * scale / 4) * 4))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def estimate_stats(
    net: TiledTransformer,
    image: np.ndarray,
    style: np.ndarray,
    *,
    copy_side: int = COPY_SIDE,
    samples: int = SAMPLES,
    sample_side: int = SAMPLE_SIDE,
    margin: int = MARGIN,
) -> Stats:
    """The whole picture's statistics, estimated from a copy at most half its size.

    A copy (long side ``copy_side``, or half the picture's if less) gives the statistics of
    the whole picture
    at the wrong scale; ``samples`` windows of ``sample_side`` px at full size, against the
    same places in the copy, give that scale's error: each layer's mean is moved by the
    samples' difference, its variance scaled by their ratio (the copy normalised by its own
    statistics, the full size by the estimate's). Measured in benchmarks/quality/tiles.py against
    the picture painted whole.
    """
    h, w = image.shape[:2]
    side = min(copy_side, max(h, w) // 2)
    if side < MIN_COPY:  # small enough to measure exactly
        return exact_stats(net, image, style, tile_windows(h, w, margin=margin))
    copy = _copy_of(image, side)
    ch, cw = copy.shape[:2]
    whole = tile_windows(ch, cw, margin=margin)
    full = sample_windows(h, w, sample_side, samples, margin)

    def down(v: int, scale: float) -> int:
        return int(round(v * scale / 4) * 4)

    sy, sx = ch / h, cw / w
    there = [
        _grown((down(t, sy), down(le, sx), down(b, sy), down(r, sx)), margin, ch, cw)
        for _, (t, le, b, r) in full
    ]
    small, large = Stats.neutral(net.layers), Stats.neutral(net.layers)
    for k in range(len(net.layers)):
        everywhere = _moments(net, k, copy, style, small, whole)
        here_small = _moments(net, k, copy, style, small, there)
        here_large = _moments(net, k, image, style, large, full)
        _take(small, k, everywhere)
        (m_all, q_all), (m_small, q_small), (m_large, q_large) = everywhere, here_small, here_large
        var_all, var_small = q_all - m_all**2, q_small - m_small**2
        var_large = q_large - m_large**2
        # the mean moves by the samples' difference, the variance scales by their ratio
        large.means[k] = (m_all + m_large - m_small).astype(np.float32)
        ratio = np.maximum(var_large, 1e-12) / np.maximum(var_small, 1e-12)
        large.variances[k] = np.maximum(var_all * ratio, 1e-8).astype(np.float32)
    return large


def paint_tiled(
    net: TiledTransformer,
    image: np.ndarray,
    style: np.ndarray,
    *,
    stats: Stats | None = None,
    tile: int = TILE,
    margin: int = MARGIN,
) -> np.ndarray:
    """Paint an HxWx3 uint8 image of any size in tiles; HxWx3 uint8 of the same size.

    ``stats``: the statistics to paint with (default: :func:`estimate_stats`).
    """
    h, w = image.shape[:2]
    if stats is None:
        stats = estimate_stats(net, image, style, margin=margin)
    out = np.empty((h, w, 3), np.uint8)
    for box, (t, le, b, r) in tile_windows(h, w, tile, margin):
        painted = net.paint(_padded(image, box), style, stats)
        part = painted[t - box[0] : min(b, h) - box[0], le - box[1] : min(r, w) - box[1]]
        out[t : min(b, h), le : min(r, w)] = np.clip(part * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return out


@functools.lru_cache(maxsize=4)
def _tiled(
    name: str, device: str, model_dir: str | None, threads: int | None, model: str
) -> TiledTransformer:
    from .tiled_graph import build_tiled_transformer

    weights = network_weights(name, model_dir, model)
    graph, layers = build_tiled_transformer(weights)
    return TiledTransformer(graph, layers, weights.style_dim, device, threads)


def load_tiled(
    name: str,
    device: str = "auto",
    model_dir: str | os.PathLike[str] | None = None,
    threads: int | None = None,
    model: str = DEFAULT_MODEL,
) -> TiledTransformer:
    """The tile painter of ``arbitrary_transform`` or ``multistyle26``, loaded once and reused."""
    folder = os.fspath(model_dir) if model_dir is not None else None
    return _tiled(name, device, folder, threads, model)
