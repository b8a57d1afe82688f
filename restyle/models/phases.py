"""The fast transformer's 2x2 phase layout: pictures in and out of its space-to-depth form.

Kept apart from :mod:`restyle.models.graph` (which builds graphs with ``onnx``) so painting
a frame imports numpy only.
"""

from __future__ import annotations

import numpy as np


def to_phases(images: np.ndarray) -> np.ndarray:
    """Arrange N x H x W x 3 float32 images as the fast transformer's phase input.

    Reflect-pads by 4 pixels and applies a 2x2 space-to-depth, channels ``(dy*2+dx)*3 + c``.
    H and W must be even.
    """
    n, h, w, c = images.shape
    padded = np.pad(images, ((0, 0), (4, 4), (4, 4), (0, 0)), mode="reflect")
    hp, wp = (h + 8) // 2, (w + 8) // 2
    phases = padded.reshape(n, hp, 2, wp, 2, c).transpose(0, 2, 4, 5, 1, 3)
    return np.ascontiguousarray(phases.reshape(n, 4 * c, hp, wp), dtype=np.float32)


def from_phases(phases: np.ndarray) -> np.ndarray:
    """Turn the fast transformer's N x 12 x h x w phase output into N x 2h x 2w x 3 images."""
    n, ch, h, w = phases.shape
    c = ch // 4
    images = phases.reshape(n, 2, 2, c, h, w).transpose(0, 4, 1, 5, 2, 3)
    return images.reshape(n, 2 * h, 2 * w, c)
