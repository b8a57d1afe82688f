"""Checks that a chunked render is the one-shot video: frames, timestamps, rate, rotation, audio."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

import restyle
from support.engines import EXACT
from support.media_factory import make_video

NTSC = Fraction(30000, 1001)
STYLE = "builtin:5"
# lossless (RGB, exact) and exact across thread counts, so pieces can be compared with a
# one-shot render frame for frame; the shipped network, so the filter is the two-way one
# (a network trained here gets the carry filter, whose pieces are not bit-exact: 1 % of a
# different start is left after the warm-up)
OPTIONS = {
    "temporal": "flow",
    "model": "original",
    "crf": 0,
    "max_size": None,
    "device": "cpu",
    **EXACT,
}


def make_clip(folder: Path) -> Path:
    """1.3 s at 29.97 fps, turned 90 degrees, with a tone: what the chunked tests cut up."""
    return make_video(
        folder / "clip.mp4", width=96, height=64, frames=40, fps=NTSC, rotation=90, audio=True
    )


def paint_one_shot(clip: Path, folder: Path) -> Path:
    """The clip painted in one piece with :data:`OPTIONS`: what every chunked render must equal."""
    out = folder / "one.mp4"
    restyle.stylize_video(clip, out, STYLE, **OPTIONS)
    return out


def video_of(path: Path) -> dict:
    """Frames, timestamps, rate, rotation and audio packets of a file."""
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        frames = [(f.pts, f.to_ndarray(format="rgb24"), f.rotation) for f in c.decode(stream)]
        rate, tb = stream.average_rate, stream.time_base
    with av.open(str(path)) as c:
        audio = [(p.pts, p.size) for p in c.demux(c.streams.audio[0]) if p.size]
    return {
        "pts": [f[0] for f in frames],
        "images": [f[1] for f in frames],
        "rotation": {f[2] for f in frames},
        "rate": rate,
        "time_base": tb,
        "audio": audio,
    }


def assert_same_video(a: Path, b: Path, frames: int = 40, boundary_tolerance: float = 0.0) -> None:
    """``b`` has ``a``'s frames (exactly, or within ``boundary_tolerance`` mean levels), times
    and audio."""
    va, vb = video_of(a), video_of(b)
    assert len(vb["pts"]) == len(va["pts"]) == frames
    assert vb["pts"] == va["pts"]
    assert vb["rate"] == va["rate"] == NTSC
    assert vb["time_base"] == va["time_base"]
    assert vb["rotation"] == va["rotation"]
    assert vb["audio"] == va["audio"] and len(va["audio"]) > 10
    # crf 0 is lossless RGB, so the files hold the painted frames: the pieces paint what the
    # one-shot render paints (the filter's state after a second of warm-up included)
    pairs = list(zip(va["images"], vb["images"], strict=True))
    diff = [np.abs(x.astype(int) - y).mean() for x, y in pairs]
    if boundary_tolerance == 0:
        assert all(np.array_equal(x, y) for x, y in pairs), diff
    assert max(diff) <= boundary_tolerance, diff
