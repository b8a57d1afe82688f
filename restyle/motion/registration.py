"""Global camera motion: each frame registered to an anchor frame, to a fraction of a pixel.

A :class:`Registrar` holds an anchor frame and registers later frames to it *directly*
(never chained frame to frame, so the error does not add up over a shot): dense DIS flow
from the anchor to the frame at a working size, a homography fitted to it robustly
(RANSAC, so moving people and cars are outvoted), then refined by ECC on the full-size
greyscale frames, with the pixels the homography does not explain masked out. The result,
a :class:`Registration`, maps the frame's pixels into the anchor's plane and says how much
of the frame the camera's motion explains, overall and pixel by pixel (where the flow
departs from the homography: parallax, people, cars).

Conventions: frames are HxWx3 uint8 RGB; ``homography`` maps a frame pixel ``(x, y, 1)``
to the anchor's pixel grid (pixel centres at integers), so the frame warped into the
anchor's plane is ``cv2.warpPerspective(frame, homography, (w, h))``. Nothing here
depends on the rest of restyle.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

FLOW_SIDE = 480  # long side the coarse flow is computed at
GRID_STEP = 6  # working pixels between the flow samples the homography is fitted to
RANSAC_PX = 1.0  # RANSAC's inlier bound, in working pixels
REFINE_SIDE = 480  # long side ECC refines at (the full frame when smaller)
ECC_ITERATIONS = 40
ECC_EPSILON = 1e-5
ECC_TRUST_PX = 0.6  # an ECC step that moves the frame more than this from the flow's fit is
# not taken: where the picture is flat (a sky) ECC can drift with the blur of a zoom
MIN_INLIERS = 0.2  # below this fraction of samples the camera model does not hold
EXPLAINED_PX = (1.5, 3.0)  # flow this close (full-size px) to the camera's motion is
# explained, this far not; between, in part (DIS flow is good to about a pixel)
EXPLAINED_GREY = (2.0, 6.0)  # grey levels (over twice the frame's own noise) the moved
# frame differs from the anchor, locally averaged: from the first the camera's motion may
# not explain a pixel, the second later it does not
EXPLAINED_SPECK = 7  # working pixels: unexplained specks smaller than this are flow noise
EXPLAINED_GROW = 9  # working pixels an unexplained region is grown by (its edges' flow is soft)
EXPLAINED_SOFT = 3.0  # the blur (working px, sigma) of the map's edges, so a blend is not a seam


@dataclass(frozen=True)
class Registration:
    """A frame's place in the anchor's plane.

    Attributes:
        homography: 3x3 float64; maps frame pixels to anchor pixels.
        inliers: the fraction of flow samples the homography explains (0..1).
        residual: median distance (full-size pixels) between the flow and the homography
            over the explained samples: how well the model fits where it holds.
        refined: whether the ECC refinement converged (else the RANSAC fit is kept).
        explained: per pixel of the frame (HxW float32 0..1, at the flow's working size),
            how well the homography explains the flow there; None where not measured.
    """

    homography: np.ndarray
    inliers: float
    residual: float
    refined: bool
    explained: np.ndarray | None = None

    def to_anchor(self, points: np.ndarray) -> np.ndarray:
        """Nx2 frame pixel coordinates mapped into the anchor's plane."""
        return _apply(self.homography, points)

    @property
    def zoom(self) -> float:
        """How much larger the anchor's plane shows the frame's content (the scale factor)."""
        return float(np.sqrt(abs(np.linalg.det(self.homography[:2, :2]))))


def _apply(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    pts = np.asarray(points, np.float64).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(pts, h).reshape(-1, 2)


def _shrink(grey: np.ndarray, side: int) -> np.ndarray:
    """A greyscale frame with its long side at most ``side``."""
    h, w = grey.shape
    scale = min(1.0, side / max(h, w))
    if scale < 1.0:
        size = (max(8, round(w * scale)), max(8, round(h * scale)))
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    return grey


def pixel_scaling(scale_x: float, scale_y: float) -> np.ndarray:
    """3x3: a grid's pixel coordinates to those of the grid scaled by ``(scale_x, scale_y)``.

    Pixel centres, not corners, line up: ``x`` maps to ``(x + 0.5) * s - 0.5`` (the identity
    at scale 1), as cv2.resize places them.
    """
    return np.array(
        [[scale_x, 0, 0.5 * scale_x - 0.5], [0, scale_y, 0.5 * scale_y - 0.5], [0, 0, 1.0]]
    )


def _in_grid(homography: np.ndarray, to_grid: np.ndarray) -> np.ndarray:
    """A homography between full-size grids as one between the grids ``to_grid`` maps to."""
    return to_grid @ homography @ np.linalg.inv(to_grid)


class Registrar:
    """Registers frames to an anchor frame (see the module docstring)."""

    def __init__(
        self,
        flow_side: int = FLOW_SIDE,
        refine_side: int = REFINE_SIDE,
        refine: bool = True,
    ) -> None:
        self.flow_side = flow_side
        self.refine_side = refine_side
        self.refine = refine
        self._dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        self._anchor_flow: np.ndarray | None = None
        self._anchor_fine: np.ndarray | None = None
        self._size: tuple[int, int] | None = None

    def set_anchor(self, frame: np.ndarray) -> None:
        """Make ``frame`` (HxWx3 uint8 RGB) the anchor later frames are registered to."""
        self._size = frame.shape[:2]
        grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
        self._anchor_flow = _shrink(grey, self.flow_side)
        self._anchor_fine = _shrink(grey, self.refine_side)

    def register(self, frame: np.ndarray, explain: bool = True) -> Registration | None:
        """The frame's registration to the anchor; None where the camera model does not hold.

        ``explain``: also map, pixel by pixel, how well it explains the frame
        (:attr:`Registration.explained`; False leaves it None, for a caller that needs the
        homography only).

        Raises:
            ValueError: no anchor is set, or the frame's size is not the anchor's.
        """
        if self._anchor_flow is None or self._anchor_fine is None or self._size is None:
            raise ValueError("set an anchor before registering frames")
        if frame.shape[:2] != self._size:
            raise ValueError(f"frame size {frame.shape[:2]} is not the anchor's {self._size}")
        h, w = self._size
        grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
        moving = _shrink(grey, self.flow_side)
        flow = self._dis.calc(self._anchor_flow, moving, None)
        wh, ww = moving.shape
        ys, xs = np.mgrid[GRID_STEP // 2 : wh : GRID_STEP, GRID_STEP // 2 : ww : GRID_STEP]
        anchor_pts = np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float64)
        frame_pts = anchor_pts + flow[ys.ravel(), xs.ravel()].astype(np.float64)
        if len(anchor_pts) < 8:
            return None
        fit, mask = cv2.findHomography(
            frame_pts, anchor_pts, cv2.RANSAC, RANSAC_PX, maxIters=2000, confidence=0.999
        )
        if fit is None or mask is None:
            return None
        keep = mask.ravel().astype(bool)
        inliers = float(keep.mean())
        if inliers < MIN_INLIERS:
            return None
        # a least-squares fit on the inliers is more exact than RANSAC's minimal sample
        fit, _ = cv2.findHomography(frame_pts[keep], anchor_pts[keep], 0)
        to_full = np.linalg.inv(pixel_scaling(ww / w, wh / h))
        homography = _in_grid(fit, to_full)
        refined = False
        if self.refine:
            better = self._refine(grey, homography)
            if better is not None and _moved(better, homography, w, h) <= ECC_TRUST_PX:
                homography, refined = better, True
        err = np.linalg.norm(
            _apply(homography, _apply(to_full, frame_pts[keep]))
            - _apply(to_full, anchor_pts[keep]),
            axis=1,
        )
        explained = None
        if explain:
            working = _in_grid(homography, np.linalg.inv(to_full))
            explained = _explained(flow, self._anchor_flow, moving, working, w / ww)
        return Registration(homography, inliers, float(np.median(err)), refined, explained)

    def _refine(self, grey: np.ndarray, homography: np.ndarray) -> np.ndarray | None:
        """ECC on the greyscale frames (at most ``refine_side``) from ``homography``.

        ECC finds ``W`` with ``frame(W(x)) ~ anchor(x)``; the pixels where the frame warped
        into the anchor's plane differs most (moving objects) are masked out first.
        """
        assert self._anchor_fine is not None and self._size is not None
        moving = _shrink(grey, self.refine_side)
        fh, fw = moving.shape
        h, w = self._size
        to_fine = pixel_scaling(fw / w, fh / h)
        fine = _in_grid(homography, to_fine)  # frame -> anchor, fine grid
        warped = cv2.warpPerspective(moving, fine, (fw, fh), flags=cv2.INTER_LINEAR)
        inside = cv2.warpPerspective(np.full_like(moving, 255), fine, (fw, fh)) > 0
        diff = cv2.absdiff(warped, self._anchor_fine)
        bound = max(8.0, float(np.percentile(diff[inside], 80))) if inside.any() else 8.0
        mask = (inside & (diff <= bound)).astype(np.uint8)
        mask = cv2.erode(mask, np.ones((5, 5), np.uint8))
        if mask.mean() < MIN_INLIERS:
            return None
        warp = np.linalg.inv(fine).astype(np.float32)  # anchor -> frame, as ECC wants
        warp /= warp[2, 2]
        criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, ECC_ITERATIONS, ECC_EPSILON)
        try:
            if hasattr(cv2, "findTransformECCWithMask"):  # OpenCV 5: a mask in the anchor
                everywhere = np.full_like(moving, 1)
                _, warp = cv2.findTransformECCWithMask(
                    self._anchor_fine, moving, mask, everywhere, warp,
                    cv2.MOTION_HOMOGRAPHY, criteria, 3,
                )  # fmt: skip
            else:  # OpenCV 4: the mask moved into the frame's grid
                in_frame = cv2.warpPerspective(mask, np.linalg.inv(fine), (fw, fh))
                _, warp = cv2.findTransformECC(
                    self._anchor_fine, moving, warp, cv2.MOTION_HOMOGRAPHY, criteria, in_frame, 3
                )
        except cv2.error:
            return None  # did not converge: the RANSAC fit stands
        fine = np.linalg.inv(warp.astype(np.float64))
        full = _in_grid(fine, np.linalg.inv(to_fine))
        return full / full[2, 2]


def _explained(
    flow: np.ndarray, anchor: np.ndarray, moving: np.ndarray, homography: np.ndarray, px: float
) -> np.ndarray:
    """Per frame pixel (working grid), how well ``homography`` explains the frame there.

    ``flow`` (anchor to frame), the greyscale ``anchor`` and ``moving`` frames and
    ``homography`` (frame to anchor) are on the working grid; ``px`` is full-size pixels per
    working pixel. A pixel is unexplained where both witnesses say so: the flow puts it
    more than ``EXPLAINED_PX`` from where the homography does, and the frame moved by the
    homography differs from the anchor there (``EXPLAINED_GREY``, so where DIS
    errs on a flat or repetitive patch the camera's motion still holds). Unexplained specks
    are dropped as noise, the regions left grown and their edges softened, and the map is
    moved onto the frame's grid. Content the anchor does not share with the frame counts as
    explained: there is nothing to judge it by.
    """
    h, w = flow.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    grid = np.stack([xs, ys], -1)
    target = grid + flow  # where the flow puts each anchor pixel in the frame
    camera = cv2.perspectiveTransform(grid.reshape(-1, 1, 2), np.linalg.inv(homography))
    distance = np.linalg.norm(target - camera.reshape(h, w, 2), axis=-1) * px
    lo, hi = EXPLAINED_PX
    by_flow = np.clip((distance - lo) / (hi - lo), 0, 1)
    moved = cv2.warpPerspective(moving, homography, (w, h), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
    diff = cv2.GaussianBlur(cv2.absdiff(moved, anchor).astype(np.float32), (0, 0), 3.0)
    lo, span = EXPLAINED_GREY
    lo += 2.0 * float(np.percentile(diff, 20))  # the frame's own noise where it is aligned
    by_look = np.clip((diff - lo) / span, 0, 1)
    weight = (1.0 - by_flow * by_look).astype(np.float32)
    gone = (target[..., 0] < 0) | (target[..., 0] > w - 1) | (target[..., 1] < 0)
    weight[gone | (target[..., 1] > h - 1)] = 1.0
    weight = cv2.dilate(weight, np.ones((EXPLAINED_SPECK, EXPLAINED_SPECK), np.uint8))
    grow = EXPLAINED_SPECK + EXPLAINED_GROW
    weight = cv2.erode(weight, np.ones((grow, grow), np.uint8))
    weight = cv2.GaussianBlur(weight, (0, 0), EXPLAINED_SOFT)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP  # frame pixel f reads anchor pixel H f
    return cv2.warpPerspective(weight, homography, (w, h), flags=flags,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=1.0)  # fmt: skip


def _moved(a: np.ndarray, b: np.ndarray, w: int, h: int) -> float:
    """How far apart (anchor pixels, at most) two homographies put the frame's pixels."""
    ys, xs = np.mgrid[0 : h : max(1, h // 8), 0 : w : max(1, w // 8)]
    grid = np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float64)
    return float(np.linalg.norm(_apply(a, grid) - _apply(b, grid), axis=1).max())
