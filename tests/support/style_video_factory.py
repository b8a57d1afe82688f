"""Synthetic style videos for tests: runs of distinct textures and colours, cuts or crossfades.

Typical use in a test (tests/ is on sys.path under pytest; helpers live in tests/support/)::

    from support.style_video_factory import make_style_video
    path = make_style_video(tmp_path / "art.mp4", [("stripes", 10), ("checks", 10)])
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

PATTERNS = ("stripes", "checks", "dots", "waves", "noise")


def pattern_frame(name: str, index: int, width: int, height: int) -> np.ndarray:
    """Frame ``index`` of texture ``name`` (slowly drifting) as an HxWx3 uint8 RGB array."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    x = x + index / 3.0  # a slow drift, so neighbouring frames differ a little
    if name == "stripes":  # warm diagonal stripes
        on = (np.floor((x + y) / 6.0) % 2).astype(bool)
        colours = np.array([[230, 50, 20], [250, 210, 30]], np.float32)
    elif name == "checks":  # blue and white checkerboard
        on = ((np.floor(x / 8.0) + np.floor(y / 8.0)) % 2).astype(bool)
        colours = np.array([[20, 40, 190], [235, 240, 250]], np.float32)
    elif name == "dots":  # green dots on dark purple
        on = ((x % 12 - 6) ** 2 + (y % 12 - 6) ** 2) < 12
        colours = np.array([[70, 20, 90], [60, 230, 80]], np.float32)
    elif name == "waves":  # teal and orange swirling bands
        on = np.sin(x / 5.0 + 2.0 * np.sin(y / 9.0)) > 0
        colours = np.array([[10, 150, 150], [250, 140, 40]], np.float32)
    elif name == "noise":  # grey blotches
        rng = np.random.default_rng(7)
        field = rng.random((height // 4 + 2, width // 4 + 2)).astype(np.float32)
        big = np.kron(field, np.ones((4, 4), np.float32))[:height, :width]
        on = big > 0.5
        colours = np.array([[90, 90, 90], [200, 200, 200]], np.float32)
    elif name == "black":
        return np.zeros((height, width, 3), np.uint8)
    else:
        raise ValueError(f"unknown pattern {name!r}")
    return colours[on.astype(np.int64)].astype(np.uint8)


def make_style_video(
    path: str | os.PathLike[str],
    segments: Sequence[tuple[str, int]],
    *,
    width: int = 96,
    height: int = 64,
    fps: int = 10,
    crossfade: int = 0,
) -> Path:
    """Write an H.264 video of texture runs ``[(pattern, frames), ...]`` and return its path.

    With ``crossfade=n`` the last ``n`` frames of each run blend into the next pattern.
    """
    path = Path(path)
    frames: list[tuple[str, int, str | None, float]] = []
    for k, (name, count) in enumerate(segments):
        nxt = segments[k + 1][0] if k + 1 < len(segments) else None
        for i in range(count):
            left = count - i
            weight = (crossfade - left + 1) / (crossfade + 1) if nxt and left <= crossfade else 0
            frames.append((name, i, nxt, weight))
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=Fraction(fps), options={"crf": "18"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for n, (name, i, nxt, weight) in enumerate(frames):
            image = pattern_frame(name, i, width, height).astype(np.float32)
            if nxt and weight > 0:
                image = (1 - weight) * image + weight * pattern_frame(nxt, 0, width, height)
            frame = av.VideoFrame.from_ndarray(image.round().astype(np.uint8), format="rgb24")
            frame.pts = n
            frame.time_base = Fraction(1, fps)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def segment_bounds(segments: Sequence[tuple[str, int]]) -> list[tuple[int, int]]:
    """First and one-past-last frame number of each run."""
    bounds, start = [], 0
    for _, count in segments:
        bounds.append((start, start + count))
        start += count
    return bounds
