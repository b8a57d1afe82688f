"""Working-size arithmetic for fully convolutional networks: scale down, pad, crop, scale back."""

from __future__ import annotations

import cv2
import numpy as np

from ..models.tiled import TiledTransformer, paint_tiled


def working_size(height: int, width: int, max_size: int | None) -> tuple[int, int]:
    """The (h, w) a network paints at: the frame's own size, or scaled to ``max_size`` long side."""
    if max_size is None or max(height, width) <= max_size:
        return height, width
    scale = max_size / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def to_network(frames: list[np.ndarray], size: tuple[int, int], multiple: int) -> np.ndarray:
    """Resize HxWx3 uint8 frames to ``size``, reflect-pad to a multiple; N x H' x W' x 3 float."""
    h, w = size
    ph, pw = (-h) % multiple, (-w) % multiple
    batch = np.empty((len(frames), h + ph, w + pw, 3), np.float32)
    for i, frame in enumerate(frames):
        if frame.shape[:2] != (h, w):
            frame = cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA)
        img = frame.astype(np.float32) * (1.0 / 255.0)
        batch[i] = np.pad(img, ((0, ph), (0, pw), (0, 0)), mode="reflect") if ph or pw else img
    return batch


def from_network(
    batch: np.ndarray, size: tuple[int, int], out_size: tuple[int, int]
) -> list[np.ndarray]:
    """Crop N x H' x W' x 3 float outputs to ``size``, scale to ``out_size``; uint8 frames."""
    h, w = size
    oh, ow = out_size
    frames = []
    for img in batch:
        frame = np.clip(img[:h, :w] * 255.0 + 0.5, 0, 255).astype(np.uint8)
        frames.append(scale_to(frame, (oh, ow)))
    return frames


def scale_to(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """An HxWx3 uint8 image resized to ``size`` (h, w): area-averaged down, bicubic up.

    Resampled as uint8, so scaling a painting up to a large print costs the print's own
    bytes, not four times that in floats.
    """
    h, w = size
    if image.shape[:2] == (h, w):
        return image
    down = h * w < image.shape[0] * image.shape[1]
    return cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA if down else cv2.INTER_CUBIC)


def paint_in_tiles(
    net: TiledTransformer, frame: np.ndarray, vector: np.ndarray, size: tuple[int, int]
) -> np.ndarray:
    """Paint an HxWx3 uint8 frame at working ``size`` in tiles, back at its own size."""
    painted = paint_tiled(net, scale_to(frame, size), vector)
    return scale_to(painted, frame.shape[:2])
