"""The exact times of the frames a reader will deliver, from a scan of packets (no decoding).

A long video is rendered in pieces by frame number, so each piece must know where its
frames are without decoding everything before them. The packets' presentation times say:
sorted, they are the frames' times in display order, and the same rules as the reader
(:mod:`restyle.media.reader`) turn them into the output timeline of a range (``start``,
``duration``, ``fps``, ``every``). Demuxing reads the file once but decodes nothing, so it
costs a small fraction of a render.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..errors import InputError
from .reader import _EPS, _open_container, resample_slots, video_stream


def frame_times(
    path: str | os.PathLike[str],
    *,
    start: float | None = None,
    duration: float | None = None,
    fps: float | None = None,
    every: int = 1,
) -> np.ndarray:
    """The output-timeline times (seconds, float64, increasing) of every frame of a range.

    Frame ``k`` of ``open_video(path, start=..., duration=..., fps=..., every=...)`` is
    shown at ``frame_times(...)[k]``.

    Raises:
        InputError: not a readable video, no video stream, or packets without timestamps.
    """
    path = Path(path)
    container = _open_container(path)
    try:
        stream = video_stream(container, path)
        tb = stream.time_base or Fraction(1, 90000)
        origin = container.start_time / av.time_base if container.start_time else 0.0
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate or Fraction(25)
        stamps: list[tuple[int, int]] = []
        try:
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue  # the flush packet at the end
                if packet.pts is None:
                    raise InputError(
                        f"{path} has video packets without timestamps; it cannot be split "
                        "into pieces (render it in one go)"
                    )
                stamps.append((packet.pts, packet.duration or 0))
        except av.FFmpegError:
            pass  # a damaged tail: the reader stops there too
    finally:
        container.close()
    begin = float(start or 0.0)
    end = None if duration is None else float(duration)
    fallback = 1 / float(rate)
    timed: list[tuple[None, float, float]] = []
    previous = None
    for pts, ticks in sorted(stamps):
        t = float(pts * tb) - origin - begin
        if t < -_EPS:
            continue
        if end is not None and t >= end - _EPS:
            break
        if previous is not None and t <= previous:
            t = previous + float(tb)  # as the reader: keep times strictly increasing
        previous = t
        timed.append((None, max(t, 0.0), float(ticks * tb) if ticks else fallback))
    times = [t for _, t, _ in timed]
    if fps is None:
        return np.asarray(times[::every], np.float64)
    durations = [b - a for a, b in zip(times, times[1:], strict=False)]
    if timed:
        durations.append(timed[-1][2])
    rate_out = Fraction(fps).limit_denominator(1_000_000)
    paired = ((None, t, d) for t, d in zip(times, durations, strict=True))
    slots = [k for _, k in resample_slots(paired, rate_out, every)]
    return np.asarray(slots, np.float64) / float(rate_out)
