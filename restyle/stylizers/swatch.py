"""Swatches: a style painted on one fixed, neutral test picture, to show a style that has no
painting of its own (a built-in style, a blend, a Style computed elsewhere)."""

from __future__ import annotations

import functools

import numpy as np

from ..models.engine import Engine
from ..styles.style import Style
from .options import Look

SWATCH_SIDE = 256


@functools.lru_cache(maxsize=2)
def neutral_scene(side: int = SWATCH_SIDE) -> np.ndarray:
    """A fixed side x side x 3 uint8 test picture in low-saturation greys: sky, sphere, ground.

    A soft vertical gradient, a shaded sphere, two posts of different greys and a darker
    ground: smooth areas, edges and shading at several contrasts, so a style's palette,
    strokes and edges all show, and nothing of the picture's own colour does.
    """
    y, x = np.mgrid[0:side, 0:side].astype(np.float32) / side
    sky = 0.78 - 0.22 * y
    img = np.stack([sky * 0.97, sky, sky * 1.04], axis=2)
    ground = y > 0.7
    img[ground] = (np.array([0.42, 0.41, 0.38]) - 0.12 * (y[ground, None] - 0.7)).clip(0, 1)
    cx, cy, r = 0.38, 0.5, 0.2
    d2 = (x - cx) ** 2 + (y - cy) ** 2
    sphere = d2 < r * r
    shade = np.clip(0.35 + 0.6 * (1 - np.sqrt(d2) / r) - 0.5 * (x - cx + y - cy), 0.05, 1.0)
    img[sphere] = np.repeat(shade[sphere, None], 3, axis=1) * np.array([0.95, 0.95, 0.92])
    for left, width, grey in ((0.66, 0.06, 0.25), (0.8, 0.1, 0.6)):
        post = (x >= left) & (x < left + width) & (y > 0.3) & (y < 0.85)
        img[post] = grey
    return np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)


def swatch(style: Style, *, side: int = SWATCH_SIDE, engine: Engine | None = None) -> np.ndarray:
    """``style`` painted on :func:`neutral_scene`: a side x side x 3 uint8 picture."""
    from . import create_stylizer

    stylizer = create_stylizer("network", Look(max_size=None), engine)
    return stylizer.stylize_image(neutral_scene(side), style)
