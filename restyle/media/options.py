"""The options of reading part of a video and of encoding the result, declared once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..errors import InputError
from ..options import OptionGroup, at_least, between, option, positive

X264_PRESETS = (
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
    "placebo",
)
MAX_CRF = 63  # VP9's top; H.264 stops at 51 (checked against the output's type)
MAX_H264_CRF = 51


def parse_seconds(text: str) -> float:
    """Seconds as 12.5, or [[hh:]mm:]ss(.ms) like ffmpeg.

    Raises:
        InputError: not a time.
    """
    try:
        parts = [float(p) for p in text.split(":")]
    except ValueError:
        raise InputError(f"not a time: {text!r}; use seconds or mm:ss") from None
    if len(parts) > 3 or any(p < 0 for p in parts):
        raise InputError(f"not a time: {text!r}; use seconds or mm:ss")
    value = 0.0
    for p in parts:
        value = value * 60.0 + p
    return value


@dataclass(frozen=True)
class Range(OptionGroup):
    """Which frames of the source are painted: a part of it, resampled or thinned.

    Attributes:
        start: skip to this many seconds, like ``ffmpeg -ss``.
        duration: paint this many seconds, like ``ffmpeg -t``.
        fps: resample to this frame rate (the nearest source frame each time).
        every: keep every N-th frame (after ``fps``), for a quick preview.
    """

    group: ClassVar[str] = "range"

    start: float | None = option(
        None,
        "start at T seconds (or mm:ss), like ffmpeg -ss",
        check=at_least(0),
        parse=parse_seconds,
        metavar="T",
    )
    duration: float | None = option(
        None,
        "paint T seconds only, like ffmpeg -t",
        check=positive,
        parse=parse_seconds,
        metavar="T",
    )
    fps: float | None = option(None, "resample to this frame rate", check=positive, metavar="FPS")
    every: int = option(
        1, "keep every N-th frame, for a quick preview", check=at_least(1), metavar="N"
    )


@dataclass(frozen=True)
class Encode(OptionGroup):
    """How the result is written.

    Attributes:
        crf: quality, lower is better (None: H.264 18, VP9 31); 0 is lossless: RGB that
            decodes to exactly the painted frames, which browsers do not play.
        preset: x264 speed preset (also mapped to a VP9 speed).
        side_by_side: write ``source | painted`` with the current style(s) in a corner.
    """

    group: ClassVar[str] = "encode"

    crf: int | None = option(
        None,
        f"quality, lower is better (H.264 up to {MAX_H264_CRF}, default 18; VP9 up to "
        f"{MAX_CRF}, default 31); 0: lossless RGB, exactly the painted frames, which "
        "browsers do not play",
        check=between(0, MAX_CRF),
        metavar="Q",
    )
    preset: str = option(
        "veryfast",
        "x264 speed preset, so the encoder does not slow the painting down; slower presets "
        "give smaller files at the same quality",
        choices=X264_PRESETS,
    )
    side_by_side: bool = option(
        False, "write source | stylized, with the current style(s) in a corner"
    )
