"""Backward warping of HxWxC uint8 or float32 images along a dense flow field (cv2.remap)."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

BORDERS = {
    "replicate": cv2.BORDER_REPLICATE,
    "constant": cv2.BORDER_CONSTANT,
    "reflect": cv2.BORDER_REFLECT_101,
}


@lru_cache(maxsize=8)
def _grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    xs.setflags(write=False)
    ys.setflags(write=False)
    return xs, ys


def sample_coords(flow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the (x, y) float32 maps ``p + flow(p)`` that cv2.remap samples for an HxWx2 flow."""
    xs, ys = _grid(flow.shape[0], flow.shape[1])
    return xs + flow[..., 0], ys + flow[..., 1]


def warp(
    image: np.ndarray,
    flow: np.ndarray,
    border: str = "replicate",
    border_value: float = 0.0,
) -> np.ndarray:
    """Backward-warp an HxW or HxWxC uint8/float32 image: ``out(p) = image(p + flow(p))``.

    With ``flow = flow(a, b)`` (see ``restyle.temporal.flow``), ``warp(b, flow)`` brings frame
    ``b``'s content into frame ``a``'s pixel grid. Sampling is bilinear. Where ``p + flow(p)``
    falls outside the image the value comes from the border rule: ``"replicate"`` (default,
    the nearest edge pixel), ``"constant"`` (``border_value``) or ``"reflect"``. Those pixels
    are not trustworthy either way; exclude them with ``out_of_frame_mask``.

    Arguments:
        image: Image to sample, HxW or HxWxC, uint8 or float32, same HxW as ``flow``.
        flow: HxWx2 float32 flow, ``flow[y, x] = (dx, dy)`` in pixels.
        border: ``"replicate"``, ``"constant"`` or ``"reflect"``.
        border_value: Fill value for ``"constant"``.

    Returns:
        The warped image, same shape and dtype as ``image``.

    Raises:
        ValueError: Mismatched sizes, a flow that is not HxWx2, or an unknown border rule.
    """
    if flow.ndim != 3 or flow.shape[2] != 2:
        raise ValueError(f"flow must be HxWx2, got shape {flow.shape}")
    if image.shape[:2] != flow.shape[:2]:
        raise ValueError(f"image {image.shape[:2]} and flow {flow.shape[:2]} differ in size")
    if border not in BORDERS:
        raise ValueError(f"unknown border rule {border!r}; use one of {sorted(BORDERS)}")
    if flow.dtype != np.float32:
        flow = flow.astype(np.float32)
    map_x, map_y = sample_coords(flow)
    mode = BORDERS[border]
    fill = (float(border_value),) * 4
    channels = 1 if image.ndim == 2 else image.shape[2]
    if channels <= 4:
        out = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=mode, borderValue=fill)
        return out.reshape(image.shape)
    # cv2.remap handles at most 4 channels: warp in chunks of 4.
    chunks = [
        cv2.remap(
            np.ascontiguousarray(image[..., i : i + 4]),
            map_x,
            map_y,
            cv2.INTER_LINEAR,
            borderMode=mode,
            borderValue=fill,
        ).reshape(*image.shape[:2], -1)
        for i in range(0, channels, 4)
    ]
    return np.concatenate(chunks, axis=2)
