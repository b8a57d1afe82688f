"""Synthetic frames with known motion for the flow, occlusion and warp-error tests.

All frames are HxWx3 uint8 RGB. A *texture* is smooth multi-scale colour noise (band-limited,
so sub-pixel shifts are well defined). ``translating_clip`` moves one texture by a constant
velocity ``(vx, vy)`` pixels per frame: frame ``k`` shows at pixel ``p`` what frame ``k-1``
showed at ``p - v``, so the true flow(k, k-1) is ``-v`` everywhere and flow(k-1, k) is ``+v``.
"""

from __future__ import annotations

import cv2
import numpy as np


def texture(height: int, width: int, seed: int = 0, palette: str = "any") -> np.ndarray:
    """Return a smooth random colour texture, HxWx3 uint8 RGB, full contrast.

    ``palette``: ``"any"`` (all colours), ``"warm"`` (reds/yellows) or ``"cool"`` (blues).
    """
    rng = np.random.default_rng(seed)
    img = np.zeros((height, width, 3), np.float32)
    for sigma in (1.5, 4.0, 12.0):
        noise = cv2.GaussianBlur(
            rng.standard_normal((height, width, 3)).astype(np.float32), (0, 0), sigma
        )
        img += noise / noise.std()
    img = (img - img.min()) / (img.max() - img.min())
    if palette == "warm":
        img = img * np.float32([0.4, 0.3, 0.15]) + np.float32([0.6, 0.35, 0.0])
    elif palette == "cool":
        img = img * np.float32([0.15, 0.3, 0.4]) + np.float32([0.0, 0.2, 0.6])
    return np.clip(img * 255 + 0.5, 0, 255).astype(np.uint8)


def shifted(image: np.ndarray, x: float, y: float, height: int, width: int) -> np.ndarray:
    """Return the height x width window of ``image`` whose top-left corner is at (x, y).

    Bicubic sampling, so (x, y) may be fractional; outside ``image`` the border is reflected.
    """
    m = np.float32([[1, 0, x], [0, 1, y]])
    return cv2.warpAffine(
        image,
        m,
        (width, height),
        flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REFLECT,
    )


def translating_clip(
    frames: int,
    height: int,
    width: int,
    velocity: tuple[float, float],
    seed: int = 0,
    palette: str = "any",
) -> list[np.ndarray]:
    """Return ``frames`` frames of a texture moving by ``velocity = (vx, vy)`` px per frame."""
    vx, vy = velocity
    margin = int(np.ceil(max(abs(vx), abs(vy)) * frames)) + 8
    tex = texture(height + 2 * margin, width + 2 * margin, seed, palette)
    return [shifted(tex, margin - k * vx, margin - k * vy, height, width) for k in range(frames)]


def object_clip(
    frames: int,
    height: int,
    width: int,
    background_velocity: tuple[float, float],
    object_velocity: tuple[int, int],
    object_size: int = 48,
    start: tuple[int, int] = (40, 40),
    seed: int = 0,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return frames of a textured square moving over a moving textured background.

    The square (a different texture) moves by the integer ``object_velocity`` per frame from
    top-left corner ``start``; the background by ``background_velocity``. Also returns,
    per frame, the HxW bool mask of the square.
    """
    background = translating_clip(frames, height, width, background_velocity, seed)
    patch = texture(object_size, object_size, seed + 101, palette="warm")
    out, masks = [], []
    for k in range(frames):
        x = start[0] + k * object_velocity[0]
        y = start[1] + k * object_velocity[1]
        frame = background[k].copy()
        frame[y : y + object_size, x : x + object_size] = patch
        mask = np.zeros((height, width), bool)
        mask[y : y + object_size, x : x + object_size] = True
        out.append(frame)
        masks.append(mask)
    return out, masks
