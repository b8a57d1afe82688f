"""Small synthetic stills for tests: a photo-like content image and painting-like style images.

Typical use in a test (tests/ is on sys.path under pytest; helpers live in tests/support/)::

    from support.image_factory import synthetic_photo
    content = synthetic_photo(37, 53)
"""

from __future__ import annotations

import numpy as np


def synthetic_photo(height: int, width: int, seed: int = 0) -> np.ndarray:
    """An HxWx3 uint8 'photo': smooth colour gradients, a bright disc, a dark bar, mild noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    fy, fx = y / max(height - 1, 1), x / max(width - 1, 1)
    img = np.stack([0.25 + 0.5 * fx, 0.3 + 0.4 * fy, 0.6 - 0.3 * fx * fy], axis=2)
    disc = (x - 0.6 * width) ** 2 + (y - 0.4 * height) ** 2 <= (0.2 * min(height, width)) ** 2
    img[disc] = (0.95, 0.85, 0.3)
    img[int(0.7 * height) : int(0.8 * height), int(0.1 * width) : int(0.5 * width)] = 0.1
    img += rng.normal(0.0, 0.02, img.shape).astype(np.float32)
    return np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)


def synthetic_painting(height: int, width: int, palette: str = "warm") -> np.ndarray:
    """An HxWx3 uint8 'painting': bold, saturated diagonal stripes and swirls in one palette."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    colours = {
        "warm": np.array([[230, 40, 20], [250, 200, 10], [120, 10, 60]], np.float32),
        "cool": np.array([[10, 40, 200], [20, 200, 220], [240, 240, 250]], np.float32),
    }[palette]
    phase = np.sin((x + y) / 3.0) + np.sin(np.hypot(x - width / 2, y - height / 2) / 2.5)
    index = np.digitize(phase, [-0.7, 0.7])
    return colours[index].astype(np.uint8)
