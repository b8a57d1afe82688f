"""Backward warping of HxWxC uint8 or float32 images along a dense flow field (cv2.remap)."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

KERNELS = {"linear": cv2.INTER_LINEAR, "cubic": cv2.INTER_CUBIC}  # how a warp samples
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


@lru_cache(maxsize=8)
def _grid2(height: int, width: int) -> np.ndarray:
    grid = np.dstack(_grid(height, width))
    grid.setflags(write=False)
    return grid


def _coords(flow: np.ndarray) -> np.ndarray:
    """HxWx2 float32 ``p + flow(p)``: one map for cv2.remap (one pass, no strided copies)."""
    if flow.dtype != np.float32:
        flow = flow.astype(np.float32)
    return cv2.add(flow, _grid2(flow.shape[0], flow.shape[1]))


def sample_coords(flow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the (x, y) float32 maps ``p + flow(p)`` that cv2.remap samples for an HxWx2 flow."""
    xs, ys = _grid(flow.shape[0], flow.shape[1])
    return xs + flow[..., 0], ys + flow[..., 1]


def _check_flow(flow: np.ndarray) -> None:
    if flow.ndim != 3 or flow.shape[2] != 2:
        raise ValueError(f"flow must be HxWx2, got shape {flow.shape}")


def warp(
    image: np.ndarray,
    flow: np.ndarray,
    border: str = "replicate",
    border_value: float = 0.0,
    kernel: str = "linear",
) -> np.ndarray:
    """Backward-warp an HxW or HxWxC uint8/float32 image: ``out(p) = image(p + flow(p))``.

    With ``flow = flow(a, b)`` (see ``restyle.temporal.flow``), ``warp(b, flow)`` brings frame
    ``b``'s content into frame ``a``'s pixel grid. Sampling is bilinear (``kernel``
    ``"cubic"``: bicubic, sharper, for a picture warped again and again). Where ``p + flow(p)``
    falls outside the image the value comes from the border rule: ``"replicate"`` (default,
    the nearest edge pixel), ``"constant"`` (``border_value``) or ``"reflect"``. Those pixels
    are not trustworthy either way; exclude them with ``out_of_frame_mask``.

    Arguments:
        image: Image to sample, HxW or HxWxC, uint8 or float32, same HxW as ``flow``.
        flow: HxWx2 float32 flow, ``flow[y, x] = (dx, dy)`` in pixels.
        border: ``"replicate"``, ``"constant"`` or ``"reflect"``.
        border_value: Fill value for ``"constant"``.
        kernel: ``"linear"`` or ``"cubic"``.

    Returns:
        The warped image, same shape and dtype as ``image``.

    Raises:
        ValueError: Mismatched sizes, a flow that is not HxWx2, or an unknown border rule
            or kernel.
    """
    _check_flow(flow)
    if image.shape[:2] != flow.shape[:2]:
        raise ValueError(f"image {image.shape[:2]} and flow {flow.shape[:2]} differ in size")
    if border not in BORDERS:
        raise ValueError(f"unknown border rule {border!r}; use one of {sorted(BORDERS)}")
    if kernel not in KERNELS:
        raise ValueError(f"unknown kernel {kernel!r}; use one of {sorted(KERNELS)}")
    return _remap(image, _coords(flow), None, border, border_value, KERNELS[kernel])


def _remap(
    image: np.ndarray,
    map1: np.ndarray,
    map2: np.ndarray | None,
    border: str,
    border_value: float,
    interpolation: int = cv2.INTER_LINEAR,
) -> np.ndarray:
    """cv2.remap of any number of channels (cv2.remap itself takes at most 4)."""
    mode = BORDERS[border]
    fill = (float(border_value),) * 4
    channels = 1 if image.ndim == 2 else image.shape[2]
    if channels <= 4:
        out = cv2.remap(image, map1, map2, interpolation, borderMode=mode, borderValue=fill)
        return out.reshape(image.shape)
    chunks = [
        cv2.remap(
            np.ascontiguousarray(image[..., i : i + 4]),
            map1,
            map2,
            interpolation,
            borderMode=mode,
            borderValue=fill,
        ).reshape(*image.shape[:2], -1)
        for i in range(0, channels, 4)
    ]
    return np.concatenate(chunks, axis=2)


@lru_cache(maxsize=8)
def _border_fixes(
    fh: int, fw: int, h: int, w: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where resizing positions from (fh, fw) to (h, w) clamps: columns, errors, rows, errors."""

    def along(n_small: int, n_full: int) -> tuple[np.ndarray, np.ndarray]:
        s = n_full / n_small
        ramp = (np.arange(n_small, dtype=np.float32) * s + (s - 1) / 2)[None, :]
        resized = cv2.resize(ramp, (n_full, 1), interpolation=cv2.INTER_LINEAR)[0]
        error = np.arange(n_full, dtype=np.float32) - resized
        where = np.flatnonzero(np.abs(error) > 1e-4)
        fix = error[where]
        where.setflags(write=False)  # cached: shared by every call
        fix.setflags(write=False)
        return where, fix

    cols, col_fix = along(fw, w)
    rows, row_fix = along(fh, h)
    return cols, col_fix, rows, row_fix


class WarpMap:
    """One flow field prepared for warping many images along it (the filters' hot path).

    The sampling positions ``p + flow(p)`` are turned once into cv2's fixed-point tables
    (1/32 pixel), which warp a uint8 image about twice as fast as float positions; the
    result differs from :func:`warp` by at most 1/64 pixel of position.

    Arguments:
        flow: HxWx2 float32 flow, ``flow[y, x] = (dx, dy)`` in pixels.
    """

    def __init__(self, flow: np.ndarray) -> None:
        _check_flow(flow)
        self._set(_coords(flow))

    def _set(self, coords: np.ndarray) -> None:
        self.shape = coords.shape[:2]
        self._map1, self._map2 = cv2.convertMaps(coords, None, cv2.CV_16SC2)

    @classmethod
    def from_working(cls, flow: np.ndarray, full_size: tuple[int, int]) -> WarpMap:
        """The WarpMap of a flow computed at a smaller size, for images of ``full_size`` (h, w).

        Equal to ``WarpMap`` of the flow's vectors scaled to full-size pixels and resized
        bilinearly (``FlowEstimator``'s full-size flow), without making that flow: the
        sampling positions are formed at the working size (a linear function survives
        bilinear resizing) and resized once, and only the border rows and columns, where
        resizing clamps, are corrected.
        """
        _check_flow(flow)
        h, w = full_size
        fh, fw = flow.shape[:2]
        if (fh, fw) == (h, w):
            return cls(flow)
        sx, sy = w / fw, h / fh
        grid = _grid2(fh, fw)
        # full-size position of working pixel q: s * q + (s - 1) / 2, plus the scaled vector
        coords = cv2.multiply(cv2.add(flow.astype(np.float32, copy=False), grid), (sx, sy, 1, 1))
        coords = cv2.add(coords, ((sx - 1) / 2, (sy - 1) / 2, 0, 0))
        coords = cv2.resize(coords, (w, h), interpolation=cv2.INTER_LINEAR)
        cols, col_fix, rows, row_fix = _border_fixes(fh, fw, h, w)
        coords[:, cols, 0] += col_fix
        coords[rows, :, 1] += row_fix[:, None]
        warp_map = cls.__new__(cls)
        warp_map._set(coords)
        return warp_map

    def __call__(self, image: np.ndarray, border: str = "replicate") -> np.ndarray:
        """Return ``image`` warped along the flow: ``out(p) = image(p + flow(p))``, bilinear."""
        if image.shape[:2] != self.shape:
            raise ValueError(f"image {image.shape[:2]} and flow {self.shape} differ in size")
        if border not in BORDERS:
            raise ValueError(f"unknown border rule {border!r}; use one of {sorted(BORDERS)}")
        return _remap(image, self._map1, self._map2, border, 0.0)
