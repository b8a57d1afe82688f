"""Readers on files that are odd rather than broken: a stream that changes size midway."""

from __future__ import annotations

from fractions import Fraction

import av

from restyle.media.reader import open_video
from support.media_factory import shapes_frame


def _segment(path, width: int, height: int, first: int, frames: int = 10) -> bytes:
    """An MPEG-TS segment of H.264 frames `first`.. at 25 fps; returns its bytes."""
    with av.open(str(path), "w", format="mpegts") as out:
        stream = out.add_stream("libx264", rate=25, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(shapes_frame(i, width, height), format="rgb24")
            frame.pts, frame.time_base = (first + i) * 3600, Fraction(1, 90000)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path.read_bytes()


def test_a_stream_that_changes_size_is_scaled_to_its_first_size(tmp_path):
    """Two MPEG-TS segments joined byte by byte (as recorded streams are): 64x48 then 96x64."""
    joined = tmp_path / "joined.ts"
    joined.write_bytes(
        _segment(tmp_path / "a.ts", 64, 48, 0) + _segment(tmp_path / "b.ts", 96, 64, 10)
    )
    warnings: list[str] = []
    with open_video(joined, on_warning=warnings.append) as reader:
        frames = list(reader)
    assert len(frames) == 20
    assert {f.image.shape for f in frames} == {(48, 64, 3)}
    assert len(warnings) == 1 and "changes size midway" in warnings[0]
    assert frames[-1].image.std() > 5  # the scaled frames are pictures, not blanks
