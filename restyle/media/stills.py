"""Still frames of a video at chosen times, upright, for grids and previews."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from restyle.errors import InputError
from restyle.media.reader import open_video

VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".wmv")


def is_video_path(source: object) -> bool:
    """Whether ``source`` is a path with a video file's extension."""
    if not isinstance(source, str | os.PathLike):
        return False
    return Path(os.fspath(source)).suffix.lower() in VIDEO_SUFFIXES


def spread_times(duration: float, count: int) -> list[float]:
    """``count`` times spread evenly over ``duration`` seconds: the middles of equal parts."""
    if count < 1:
        raise InputError(f"the number of frames must be at least 1, not {count}")
    return [(k + 0.5) * duration / count for k in range(count)]


def _upright(image: np.ndarray, rotation: int) -> np.ndarray:
    k = (rotation // 90) % 4
    return np.ascontiguousarray(np.rot90(image, k)) if k else image


def frames_at(
    path: str | os.PathLike[str],
    times: Sequence[float] | None = None,
    count: int | None = None,
) -> list[tuple[float, np.ndarray]]:
    """Frames of a video at ``times`` seconds (or ``count`` frames spread over it), upright.

    Returns (the frame's own time, HxWx3 uint8 RGB) per request, in the order asked: the
    frame shown at that time.

    Raises:
        InputError: not a readable video, a time that is negative or past its end.
    """
    with open_video(path) as reader:
        duration = reader.info.duration
    if times is None:
        times = spread_times(duration, 3 if count is None else count)
    found = []
    for t in times:
        if not (isinstance(t, int | float) and math.isfinite(t) and t >= 0):
            raise InputError(f"a frame time must be a number of seconds >= 0, not {t!r}")
        if t >= duration:
            raise InputError(f"{path} is {duration:.2f} s long; there is no frame at {t:g} s")
        with open_video(path, start=t) as reader:
            first = next(iter(reader), None)
            rotation = reader.info.rotation
        if first is None:
            raise InputError(f"{path} has no frame at {t:g} s")
        found.append((t + first.time, _upright(first.image, rotation)))
    return found
