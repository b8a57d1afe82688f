"""Blending two paintings of one frame: a plain mix, and a crossfade that keeps the texture.

Two paintings of the same frame with their strokes in different places (an old and a new
anchor's, :mod:`restyle.motion.plane`) share their colours and shapes but not their fine
texture. Mixed half and half, the shared part stays and the strokes, uncorrelated, keep
only ``sqrt(0.5**2 + 0.5**2)``, 71 %, of their contrast: mid-way through a crossfade the
picture goes soft. :func:`crossfade` mixes the coarse picture (a Gaussian blur of
``COARSE_SIGMA``) plainly and gives the mixed fine detail back the contrast the two had, in
proportion to their shares, measured locally (``ENERGY_SIGMA``): where the two agree
(shared edges) nothing changes, where their strokes differ they keep their strength (after
the texture-preserving blends of procedural texturing, e.g. Heitz and Neyret 2018).
"""

from __future__ import annotations

import cv2
import numpy as np

COARSE_SIGMA = 2.0  # px: below this blur is the texture whose contrast a crossfade keeps
ENERGY_SIGMA = 4.0  # px: the neighbourhood the texture's contrast is measured over
MAX_GAIN = 1.5  # the most the mixed texture is strengthened (sqrt 2 for two unrelated)


def mix(a: np.ndarray, b: np.ndarray, share: float | np.ndarray) -> np.ndarray:
    """``share`` of ``a`` and the rest of ``b`` (uint8 pictures; share a number or HxWx1)."""
    mixed = share * a.astype(np.float32) + (1 - share) * b.astype(np.float32)
    return np.clip(mixed + 0.5, 0, 255).astype(np.uint8)


def crossfade(a: np.ndarray, b: np.ndarray, share: float) -> np.ndarray:
    """``share`` of ``a`` and the rest of ``b`` (HxWx3 uint8), their texture kept as strong
    as the two had it (see the module docstring)."""
    if share >= 1.0 or share <= 0.0:
        return (a if share >= 1.0 else b).copy()
    fa, fb = a.astype(np.float32), b.astype(np.float32)
    coarse_a = cv2.GaussianBlur(fa, (0, 0), COARSE_SIGMA)
    coarse_b = cv2.GaussianBlur(fb, (0, 0), COARSE_SIGMA)
    fine_a, fine_b = fa - coarse_a, fb - coarse_b
    fine = cv2.addWeighted(fine_a, share, fine_b, 1 - share, 0)

    def energy(x: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur((x * x).sum(axis=2), (0, 0), ENERGY_SIGMA)

    wanted = share * energy(fine_a) + (1 - share) * energy(fine_b)
    gain = np.sqrt((wanted + 1.0) / (energy(fine) + 1.0))
    np.clip(gain, 1.0, MAX_GAIN, out=gain)
    out = cv2.addWeighted(coarse_a, share, coarse_b, 1 - share, 0.5)
    out += fine * gain[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)
