"""Streaming means of per-frame similarity over a video: fidelity (SSIM) and content structure.

The measures themselves (SSIM, edge SSIM) are in :mod:`restyle.imaging.similarity`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from restyle.errors import InputError
from restyle.imaging.similarity import conform, edge_ssim, ssim


@dataclass
class MeanScore:
    """A per-frame score averaged over a video: the mean, each frame's value, the count."""

    mean: float
    per_frame: list[float] = field(default_factory=list)
    frames: int = 0


class _MeanMeter:
    def __init__(self) -> None:
        self._scores: list[float] = []

    def _score(self, output: np.ndarray, other: np.ndarray) -> float:
        raise NotImplementedError

    def update(self, output: np.ndarray, other: np.ndarray) -> float:
        """Score one HxWx3 uint8 RGB output frame against its counterpart; return the score.

        The output frame is resized to the counterpart's size when they differ only in scale.

        Raises:
            InputError: The two frames have different shapes that resizing cannot fix.
        """
        output = conform(output, other)
        score = self._score(output, other)
        self._scores.append(score)
        return score

    def result(self) -> MeanScore:
        """Return the mean over the frames seen so far (NaN when there were none)."""
        n = len(self._scores)
        mean = float(np.mean(self._scores)) if n else float("nan")
        return MeanScore(mean=mean, per_frame=list(self._scores), frames=n)


class SSIMMeter(_MeanMeter):
    """Streaming mean SSIM of output frames to reference frames (fidelity to per-frame output).

    Feed ``update(output_frame, reference_frame)`` frame by frame (HxWx3 uint8 RGB), then
    read ``result()``. SSIM as in ``ssim(..., channels)``; memory holds one float per frame.

    Arguments:
        channels: ``"mean"`` (per-channel SSIM averaged, default) or ``"luma"``.
    """

    def __init__(self, channels: str = "mean") -> None:
        super().__init__()
        if channels not in ("mean", "luma"):
            raise InputError(f"channels must be 'mean' or 'luma', got {channels!r}")
        self.channels = channels

    def _score(self, output: np.ndarray, other: np.ndarray) -> float:
        return ssim(output, other, self.channels)


class EdgeSSIMMeter(_MeanMeter):
    """Streaming mean edge SSIM of output frames to source frames (content structure kept).

    Feed ``update(output_frame, source_frame)`` (HxWx3 uint8 RGB), then read ``result()``.
    The measure is ``edge_ssim`` (see the module docstring).
    """

    def _score(self, output: np.ndarray, other: np.ndarray) -> float:
        return edge_ssim(output, other)
