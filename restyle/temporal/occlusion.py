"""Where a flow field can be trusted: forward-backward consistency, frame edges, motion edges.

All masks here are HxW bool arrays in the grid of the flow's first frame ``a`` (flow(a, b)
maps a pixel ``p`` of ``a`` to ``p + w_f(p)`` in ``b``), True where the flow is reliable.
"""

from __future__ import annotations

import cv2
import numpy as np

from restyle.temporal.warping import sample_coords, warp

# Sundaram, Brox and Keutzer 2010 ("Dense point trajectories by GPU-accelerated large
# displacement optical flow"), as used by Ruder, Dosovitskiy and Brox 2016.
CONSISTENCY_REL = 0.01
CONSISTENCY_ABS = 0.5  # pixels squared
BOUNDARY_REL = 0.01
BOUNDARY_ABS = 0.002


def out_of_frame_mask(flow: np.ndarray) -> np.ndarray:
    """Return an HxW bool mask, True where ``p + flow(p)`` falls outside the frame.

    A pixel counts as inside when its target lies in ``[-0.5, W-0.5] x [-0.5, H-0.5]``, the
    area the frame's pixels cover (within half a pixel of the edge, sampling repeats the edge
    pixel, which is what that pixel shows).
    """
    h, w = flow.shape[:2]
    xs, ys = sample_coords(flow)
    return (xs < -0.5) | (xs > w - 0.5) | (ys < -0.5) | (ys > h - 0.5)


def motion_boundary_mask(
    flow: np.ndarray, rel: float = BOUNDARY_REL, abs_tol: float = BOUNDARY_ABS
) -> np.ndarray:
    """Return an HxW bool mask, True on motion boundaries of an HxWx2 flow.

    A pixel is on a motion boundary when
    ``|grad u|^2 + |grad v|^2 > rel * |w|^2 + abs_tol`` with ``w = (u, v)`` the flow and
    gradients taken by central differences (3x3 Sobel / 8), as in Sundaram et al. 2010.
    """
    norm2 = flow[..., 0] ** 2 + flow[..., 1] ** 2
    return _gradient2(flow) > rel * norm2 + abs_tol


def flow_stretch(flow: np.ndarray) -> np.ndarray:
    """How much an HxWx2 flow stretches or shears the picture it moves, per pixel (HxW
    float32): ``sqrt(|grad u|^2 + |grad v|^2)``, pixels of motion per pixel, 0 for a pan.

    A zoom of 1 % a frame reads 0.014; the trailing edge of an object moving over a still
    background, where the flow's smooth fill drags the object's motion into what it has
    just uncovered, reads 0.3 and more (the object's speed over the few pixels the flow's
    smoothing spreads it across).
    """
    return cv2.sqrt(_gradient2(flow))


def _gradient2(flow: np.ndarray) -> np.ndarray:
    """``|grad u|^2 + |grad v|^2`` of an HxWx2 flow (central differences: 3x3 Sobel / 8)."""
    grad2 = np.zeros(flow.shape[:2], np.float32)
    for c in range(2):
        comp = np.ascontiguousarray(flow[..., c])
        gx = cv2.Sobel(comp, cv2.CV_32F, 1, 0, ksize=3, scale=0.125)
        gy = cv2.Sobel(comp, cv2.CV_32F, 0, 1, ksize=3, scale=0.125)
        grad2 += gx * gx + gy * gy
    return grad2


def consistency_mask(
    forward: np.ndarray,
    backward: np.ndarray,
    rel: float = CONSISTENCY_REL,
    abs_tol: float = CONSISTENCY_ABS,
    motion_boundaries: bool = False,
) -> np.ndarray:
    """Return an HxW bool mask of the pixels of ``a`` whose flow to ``b`` is reliable.

    With ``w_f = forward`` (flow(a, b)) and ``w_b~(p) = backward(p + w_f(p))`` (flow(b, a)
    sampled bilinearly where ``w_f`` lands), a pixel is *occluded* (Sundaram et al. 2010,
    Ruder et al. 2016) when the two do not cancel out:

        |w_f + w_b~|^2 > rel * (|w_f|^2 + |w_b~|^2) + abs_tol

    with ``rel = 0.01`` and ``abs_tol = 0.5`` pixels squared by default, in the units of the
    flows given. A pixel is reliable when it is not occluded, ``p + w_f(p)`` lies inside the
    frame, and (with ``motion_boundaries``) it is not on a motion boundary of ``w_f``
    (``motion_boundary_mask``).

    Arguments:
        forward: HxWx2 float32 flow(a, b).
        backward: HxWx2 float32 flow(b, a), same size.
        rel: Relative tolerance of the consistency check.
        abs_tol: Absolute tolerance of the check, in pixels squared.
        motion_boundaries: Also mark motion boundaries unreliable.

    Returns:
        HxW bool mask, True where ``forward`` can be trusted.

    Raises:
        ValueError: The flows are not HxWx2 of the same size.
    """
    if forward.shape != backward.shape or forward.ndim != 3 or forward.shape[2] != 2:
        raise ValueError(f"flows must be HxWx2 of one size, got {forward.shape}, {backward.shape}")
    back = warp(backward, forward, border="replicate")
    total = forward + back
    err2 = total[..., 0] ** 2 + total[..., 1] ** 2
    mag2 = (forward**2).sum(axis=2) + (back**2).sum(axis=2)
    ok = err2 <= rel * mag2 + abs_tol
    ok &= ~out_of_frame_mask(forward)
    if motion_boundaries:
        ok &= ~motion_boundary_mask(forward)
    return ok
