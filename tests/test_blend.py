"""Blending two paintings of a frame: the crossfade keeps the texture a plain mix softens."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from restyle.imaging.blend import crossfade, mix
from restyle.metrics.detail import gradient_energy


def _painting(seed: int) -> np.ndarray:
    """Shared shapes, strokes of their own (fine noise): two paintings of one frame."""
    yy, xx = np.mgrid[0:120, 0:160].astype(np.float32)
    shapes = (128 + 50 * np.sin(xx / 13) * np.cos(yy / 17))[..., None].repeat(3, axis=2)
    noise = np.random.default_rng(seed).normal(0, 60, (120, 160, 3)).astype(np.float32)
    return np.clip(shapes + cv2.GaussianBlur(noise, (0, 0), 1.0), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("share", [0.25, 0.5, 0.75])
def test_a_crossfade_keeps_the_strokes_contrast(share):
    a, b = _painting(1), _painting(2)
    both = (gradient_energy(a) + gradient_energy(b)) / 2
    assert gradient_energy(mix(a, b, share)) < 0.7 * both  # a plain mix goes soft mid-way
    assert gradient_energy(crossfade(a, b, share)) > 0.88 * both
    # the shapes are the mix's: the coarse picture is not changed
    coarse = cv2.GaussianBlur(crossfade(a, b, share).astype(np.float32), (0, 0), 4)
    plain = cv2.GaussianBlur(mix(a, b, share).astype(np.float32), (0, 0), 4)
    assert np.abs(coarse - plain).mean() < 1.5


def test_a_crossfade_of_a_picture_with_itself_is_the_picture():
    a, b = _painting(1), _painting(2)
    assert np.array_equal(crossfade(a, a, 0.4), a)  # where the two agree nothing changes
    assert np.array_equal(crossfade(a, b, 1.0), a) and np.array_equal(crossfade(a, b, 0.0), b)
