"""Where a long video is cut into pieces: by source frame number, at shot changes where near.

A piece is a run of output frames ``[start, stop)`` of the job's range, decoded exactly (the
video is never cut by stream copy, so no piece starts on the wrong frame). Pieces are about
``seconds`` long; a boundary moves to a shot change within reach of it (a quarter of a piece,
at most one second), where the flicker filter starts afresh anyway, so no warm-up is needed
there and no frame of one shot is smoothed with the next.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..media.reader import Window, open_video
from ..temporal.scenecut import DEFAULT_COLOUR_THRESHOLD, colour_histogram, histogram_distance

CUT_REACH_SECONDS = 1.0  # how far a boundary may move to meet a shot change


@dataclass(frozen=True)
class Chunk:
    """One piece of the range: output frames ``[start, stop)``, ``warmup`` frames before it."""

    index: int
    start: int
    stop: int
    warmup: int
    at_cut: bool = False  # the piece starts at a shot change (no warm-up then)

    @property
    def frames(self) -> int:
        """Frames the piece writes."""
        return self.stop - self.start

    def to_dict(self) -> dict[str, int | bool]:
        """The chunk as JSON-ready values."""
        return {
            "index": self.index,
            "start": self.start,
            "stop": self.stop,
            "warmup": self.warmup,
            "at_cut": self.at_cut,
        }


def frames_per_second(times: Sequence[float]) -> float:
    """The mean frame rate of frame times in seconds (30 when it cannot be told)."""
    if len(times) < 2 or times[-1] <= times[0]:
        return 30.0
    return (len(times) - 1) / (times[-1] - times[0])


def default_warmup(times: Sequence[float], settle: int | None = None) -> int:
    """About one second of frames, or the ``settle`` frames a filter with a longer memory
    needs (:attr:`~restyle.temporal.filters.TemporalFilter.settle`): long enough for the
    flicker filter's history to be the one a single render would have."""
    return max(1, round(frames_per_second(times)), settle or 0)


def plan_chunks(
    times: Sequence[float],
    seconds: float,
    warmup: int,
    cuts: Callable[[int, int], list[int]] | None = None,
) -> list[Chunk]:
    """Pieces of about ``seconds`` over frames with these ``times``.

    Arguments:
        times: the time of every output frame of the range, in seconds.
        seconds: the length of a piece.
        warmup: frames painted before a piece that does not start at a shot change.
        cuts: ``(first, stop) -> frame numbers in [first, stop) that start a new shot``;
            None: boundaries stay where the length puts them.
    """
    n = len(times)
    if n == 0:
        return []
    fps = frames_per_second(times)
    size = max(1, round(seconds * fps))
    reach = min(round(CUT_REACH_SECONDS * fps), size // 4)
    starts = [0]
    at_cut = [False]
    nominal = size
    while nominal < n:
        start, cut = nominal, False
        if cuts is not None and reach > 0:
            low = max(starts[-1] + 1, nominal - reach)
            found = cuts(low, min(n, nominal + reach + 1))
            if found:
                start, cut = min(found, key=lambda f: (abs(f - nominal), f)), True
        if n - start < max(1, size // 4) and not cut:
            break  # a short tail joins the piece before it
        starts.append(start)
        at_cut.append(cut)
        nominal = start + size
    stops = [*starts[1:], n]
    return [
        Chunk(i, a, b, 0 if (cut or a == 0) else min(warmup, a), cut)
        for i, (a, b, cut) in enumerate(zip(starts, stops, at_cut, strict=True))
    ]


class CutFinder:
    """Finds shot changes in a stretch of the job's range by decoding only that stretch."""

    def __init__(self, source: str, times: Sequence[float], **range_options) -> None:
        self.source = source
        self.times = times
        self.range = range_options

    def __call__(self, first: int, stop: int) -> list[int]:
        """Frame numbers in ``[first, stop)`` whose colours break from the frame before."""
        begin = max(0, first - 1)
        until = float(self.times[stop]) if stop < len(self.times) else None
        window = Window(begin, float(self.times[begin]), until)
        found: list[int] = []
        previous: np.ndarray | None = None
        with open_video(self.source, window=window, **self.range) as reader:
            for frame in reader:
                if frame.index >= stop:
                    break
                hist = colour_histogram(frame.image)
                if previous is not None and frame.index >= first:
                    if histogram_distance(previous, hist) > DEFAULT_COLOUR_THRESHOLD:
                        found.append(frame.index)
                previous = hist
        return found
