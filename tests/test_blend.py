"""Blending two paintings of a frame: the crossfade keeps the texture a plain mix softens."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from restyle.imaging.blend import carry, crossfade, mix
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


def test_carry_holds_the_texture_at_the_fresh_painting_s_strength():
    """A carried painting gone soft gets its texture's contrast back toward the fresh one's,
    one gone harsh is toned down, and where nothing is carried the fresh painting is kept."""
    fresh = _painting(1).astype(np.float32)
    soft = cv2.GaussianBlur(fresh, (0, 0), 1.0)  # as repeated resampling leaves it
    share = np.full(fresh.shape[:2], 0.95, np.float32)
    carried = carry(soft, fresh, share)
    assert gradient_energy(_u8(carried)) > 1.3 * gradient_energy(_u8(soft))
    harsh = np.clip(fresh + 1.0 * (fresh - cv2.GaussianBlur(fresh, (0, 0), 1.0)), 0, 255)
    toned = carry(harsh, fresh, share)
    assert gradient_energy(_u8(toned)) < 0.85 * gradient_energy(_u8(harsh))
    assert abs(gradient_energy(_u8(toned)) / gradient_energy(_u8(fresh)) - 1) < 0.2
    none = carry(soft, fresh, np.zeros_like(share))
    assert np.abs(none - fresh).max() < 0.01  # a hundredth of a level
    # the coarse picture is the carried one's where it is carried
    coarse = cv2.GaussianBlur(carried, (0, 0), 4)
    assert np.abs(coarse - cv2.GaussianBlur(soft, (0, 0), 4)).mean() < 1.5


def _u8(picture: np.ndarray) -> np.ndarray:
    return np.clip(picture + 0.5, 0, 255).astype(np.uint8)
