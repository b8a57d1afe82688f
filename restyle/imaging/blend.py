"""Blending two paintings of one frame: a plain mix, a crossfade that keeps the texture, and
the carry of strokes along the motion that holds the texture at the fresh painting's strength.

Two paintings of the same frame with their strokes in different places (an old and a new
anchor's, :mod:`restyle.motion.plane`) share their colours and shapes but not their fine
texture. Mixed half and half, the shared part stays and the strokes, uncorrelated, keep
only ``sqrt(0.5**2 + 0.5**2)``, 71 %, of their contrast: mid-way through a crossfade the
picture goes soft. :func:`crossfade` mixes the coarse picture (a Gaussian blur of
``COARSE_SIGMA``) plainly and gives the mixed fine detail back the contrast the two had, in
proportion to their shares, measured locally (``ENERGY_SIGMA``): where the two agree
(shared edges) nothing changes, where their strokes differ they keep their strength (after
the texture-preserving blends of procedural texturing, e.g. Heitz and Neyret 2018).

:func:`carry` is the same split for a painting carried along the motion frame after frame
(:mod:`restyle.temporal.filters.carry`): there the texture's strength is held at the fresh
painting's, both ways (``MIN_GAIN`` to ``MAX_GAIN``), since a carried painting resampled
again and again would otherwise drift, softer with a smooth kernel, harsher with a sharp one.
"""

from __future__ import annotations

import cv2
import numpy as np

COARSE_SIGMA = 2.0  # px: below this blur is the texture whose contrast a crossfade keeps
ENERGY_SIGMA = 4.0  # px: the neighbourhood the texture's contrast is measured over
MAX_GAIN = 1.5  # the most the mixed texture is strengthened (sqrt 2 for two unrelated)
MIN_GAIN = 0.67  # the most a carried painting's texture is weakened toward the fresh one's
AGREE = 60.0  # levels (0..255) of coarse colour apart at which a carried share falls to 1/e
# (30 before the carry filter's stretch check took the streaks: docs/flicker.md)


def mix(a: np.ndarray, b: np.ndarray, share: float | np.ndarray) -> np.ndarray:
    """``share`` of ``a`` and the rest of ``b`` (uint8 pictures; share a number or HxWx1)."""
    mixed = share * a.astype(np.float32) + (1 - share) * b.astype(np.float32)
    return np.clip(mixed + 0.5, 0, 255).astype(np.uint8)


def crossfade(a: np.ndarray, b: np.ndarray, share: float) -> np.ndarray:
    """``share`` of ``a`` and the rest of ``b`` (HxWx3 uint8), their texture kept as strong
    as the two had it (see the module docstring)."""
    if share >= 1.0 or share <= 0.0:
        return (a if share >= 1.0 else b).copy()
    coarse_a, fine_a = _split(a)
    coarse_b, fine_b = _split(b)
    fine = cv2.addWeighted(fine_a, share, fine_b, 1 - share, 0)
    wanted = share * _energy(fine_a) + (1 - share) * _energy(fine_b)
    gain = np.sqrt((wanted + 1.0) / (_energy(fine) + 1.0))
    np.clip(gain, 1.0, MAX_GAIN, out=gain)
    out = cv2.addWeighted(coarse_a, share, coarse_b, 1 - share, 0.5)
    out += fine * gain[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def carry(carried: np.ndarray, fresh: np.ndarray, share: np.ndarray) -> np.ndarray:
    """``share`` (HxW, 0..1) of the ``carried`` painting and the rest of the ``fresh`` one
    (HxWx3, float32 0..255), less where their coarse colours differ (by ``AGREE`` levels:
    1/e of it), the mixed texture held at the fresh painting's strength (see the module
    docstring); float32, unrounded, for the next frame's carry."""
    coarse_c, fine_c = _split(carried)
    coarse_f, fine_f = _split(fresh)
    # where the carried colours have left the fresh painting's (a smear the flow dragged
    # in, paint gone stale), the fresh painting takes over
    apart = _smooth(cv2.transform(cv2.absdiff(coarse_c, coarse_f), _MEAN))
    cv2.multiply(apart, 1.0 / AGREE, dst=apart)
    k = cv2.multiply(share.astype(np.float32, copy=False), cv2.exp(-cv2.multiply(apart, apart)))
    rest = 1.0 - k
    fine = cv2.blendLinear(fine_c, fine_f, k, rest)
    gain = cv2.sqrt(cv2.divide(_energy(fine_f) + 1.0, _energy(fine) + 1.0))
    np.clip(gain, MIN_GAIN, MAX_GAIN, out=gain)
    out = cv2.blendLinear(coarse_c, coarse_f, k, rest)
    return cv2.add(out, cv2.multiply(fine, cv2.merge([gain, gain, gain])))


_MEAN = np.full((1, 3), 1 / 3, np.float32)  # cv2.transform: the mean of three channels
_SUM = np.ones((1, 3), np.float32)  # ... and their sum


def _split(picture: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A picture (float32) as its coarse part (a blur of COARSE_SIGMA) and the fine rest."""
    fine = picture.astype(np.float32)
    coarse = cv2.GaussianBlur(fine, (0, 0), COARSE_SIGMA)
    return coarse, fine - coarse


def _energy(fine: np.ndarray) -> np.ndarray:
    """The local contrast of fine texture: its squared sum over channels, averaged over
    ENERGY_SIGMA."""
    return _smooth(cv2.transform(cv2.multiply(fine, fine), _SUM))


def _smooth(plane: np.ndarray) -> np.ndarray:
    """A Gaussian blur of ENERGY_SIGMA of one float32 plane, made at half size (it is
    smooth at that scale: 0.5 % from the full-size blur on average, 3 % at most)."""
    h, w = plane.shape[:2]
    half = cv2.resize(plane, ((w + 1) // 2, (h + 1) // 2), interpolation=cv2.INTER_AREA)
    half = cv2.GaussianBlur(half, (0, 0), ENERGY_SIGMA / 2)
    return cv2.resize(half, (w, h), interpolation=cv2.INTER_LINEAR)
