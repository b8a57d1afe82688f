"""Painting in the anchor's plane: where each frame is painted so its strokes stay on the scene.

The style networks paint on a 4-pixel grid: content moved by a multiple of 4 px gets the
same strokes, content moved by 1-3 px new ones. :class:`Anchoring` follows the camera
(:class:`~restyle.motion.registration.Registrar`) and gives each frame a :class:`Plane`: the
frame warped into the plane of its anchor frame, where the content of a pan stands still,
on a crop whose origin sits on the network's period; painted there and warped back, the
strokes move with the scene instead of being repainted. Nothing is averaged, so nothing
blurs but the two resamplings (a sharp cubic kernel).

An anchor is renewed (the next frame made the anchor) when the camera's motion no longer
explains the frame (a shot cut, a new view), when the frame has moved so far that less than
``min_overlap`` of it still shows the anchor's view, or when a zoom has made the strokes
more than ``max_zoom`` larger or smaller than painting the frame where it is would (the
strokes grow and shrink with the scene in between). A zoom goes on, mostly, the way it
went: an anchor renewed by one is painted ``max_zoom ** 0.75`` the other way (larger for a
zoom in, so its strokes start smaller and grow through their natural size), which holds
the same bound on the strokes' size over 1.75 times the zoom, so fewer renewals, and
leaves a margin (3 % at the default bound) for a zoom that stops there. Any new anchor,
the first one too, also looks ``LOOK_AHEAD`` frames ahead when it is given that frame
(``later``): a zoom under way there (beyond ``max_zoom ** (1/8)``, which reaches the bound
within about 64 frames) is painted ahead the same way from the start. A
renewal that is not a cut is crossfaded over ``fade`` frames: each is painted in the old
anchor's plane too and the two paintings blended, their texture kept
(:func:`restyle.imaging.blend.crossfade`), so the strokes change gradually; a long fade is
cheap in the flicker meters, whose error is squared (ten frames of a 20-frame fade change
half as much, a quarter of the error).

Where the camera's motion does not explain a part of the frame (parallax, a person, a car:
:attr:`~restyle.motion.registration.Registration.explained`), that part falls back to the
frame painted where it is, blended by how well the motion explains each pixel; a frame
with next to nothing unexplained is painted once. Where the motion explains most of a
frame its strokes stay on the scene, so the flicker filter leaves them as painted and
works on the rest (:meth:`Plane.settled`): no blur where nothing flickers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from .registration import Registrar, Registration, pixel_scaling

PERIOD = 4  # the networks' sampling grid (two stride-2 convolutions)
MAX_ZOOM = 1.12  # renew the anchor beyond this scale change (either way)
ZOOM_AHEAD = 0.75  # a zoom's new anchor is painted max_zoom ** this the other way
LOOK_AHEAD = 8  # frames: a new anchor looks this far ahead to see which way a zoom goes
ZOOMING = 1 / 8  # ... and takes it for a zoom beyond max_zoom ** this there
MIN_OVERLAP = 0.5  # renew when less of the frame than this shows the anchor's view
MARGIN = 8  # pixels of context around the frame's footprint, painted and cut away
FADE = 20  # frames a renewal is crossfaded over (0: a cut to the new strokes)
SETTLE_INLIERS = 0.8  # the camera's motion explains this much of a frame: its strokes stay
FALLBACK_SHARE = 0.01  # paint a frame where it is too when more of it than this is unexplained


@dataclass(frozen=True)
class Plane:
    """Where one frame is painted: a crop of its anchor's plane.

    Attributes:
        transform: 3x3; maps the frame's pixels to the crop's.
        size: the crop's (width, height), multiples of the period.
        frame_size: the frame's (width, height).
        renewed: this frame is a new anchor (painted where it is).
        fade_from: the previous anchor's plane while a renewal is crossfaded (None after).
        weight: this plane's share of the blend with ``fade_from``.
        explained: per frame pixel (HxW float32 0..1, any size), the share of the plane's
            painting; the rest is the frame painted where it is. None: all of it.
        settles: the camera's motion explains most of the frame, so its strokes stay on
            the scene from the frame before (where ``explained``).
    """

    transform: np.ndarray
    size: tuple[int, int]
    frame_size: tuple[int, int]
    renewed: bool = False
    fade_from: Plane | None = None
    weight: float = 1.0
    explained: np.ndarray | None = None
    settles: bool = False

    def settled(self) -> np.ndarray | None:
        """Per frame pixel (float32 0..1, any size), where the painting's strokes stay on the
        scene from the frame before: the share painted in the plane. None where nothing
        does: a new anchor, or a frame the camera's motion explains too little of (on
        a hand-held close-up the strokes it places still swim by a pixel or two)."""
        if not self.settles:
            return None
        if self.explained is not None:
            return self.explained
        w, h = self.frame_size
        return np.ones((max(1, h // 8), max(1, w // 8)), np.float32)

    def into(self, frame: np.ndarray) -> np.ndarray:
        """The frame (HxWx3 uint8) warped into the crop, borders mirrored."""
        return cv2.warpPerspective(
            frame, self.transform, self.size, flags=cv2.INTER_CUBIC,
            borderMode=cv2.BORDER_REFLECT101,
        )  # fmt: skip

    def back(self, painted: np.ndarray) -> np.ndarray:
        """The crop's painting (HxWx3 uint8) warped back onto the frame's pixels."""
        return cv2.warpPerspective(
            painted, self.transform, self.frame_size,
            flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE,
        )  # fmt: skip


class Anchoring:
    """Gives frames, in order, the plane they are painted in (see the module docstring).

    Arguments:
        scale: painted pixels per frame pixel (the network paints a frame larger than its
            ``max_size`` smaller); the period is in painted pixels.
        registrar: registers frames to the anchor (a fresh one by default).
    """

    def __init__(
        self,
        scale: float = 1.0,
        *,
        period: int = PERIOD,
        max_zoom: float = MAX_ZOOM,
        min_overlap: float = MIN_OVERLAP,
        registrar: Registrar | None = None,
        fade: int = FADE,
    ) -> None:
        self.scale = scale
        self.period = period
        self.max_zoom = max_zoom
        self.min_overlap = min_overlap
        self.fade = fade
        self.registrar = registrar or Registrar()
        self.renewals = 0
        self._anchor_size: tuple[int, int] | None = None
        self._zoom = 1.0  # the anchor's plane's scale over the anchor frame's
        # the old anchor while a renewal is crossfaded: its registrar, zoom and frames left
        self._fading: tuple[Registrar, float, int] | None = None

    def plane(self, frame: np.ndarray, later: np.ndarray | None = None) -> Plane:
        """The plane the next frame (HxWx3 uint8 RGB, in order) is painted in.

        ``later``: the frame ``LOOK_AHEAD`` frames on (or the last one), if known: where the
        frame becomes an anchor, it says which way a zoom is going.
        """
        h, w = frame.shape[:2]
        found = None
        if self._anchor_size == (w, h):
            found = self.registrar.register(frame)
            if found is not None and self._holds(found, w, h):
                plane = self._faded(self._crop(found.homography, w, h, self._zoom), frame)
                settles = found.inliers >= SETTLE_INLIERS
                return replace(plane, explained=_fallback(found), settles=settles)
        # a new anchor; crossfaded from the old one unless the old one lost the view (a cut)
        old, old_zoom = self.registrar, self._zoom
        self.registrar = Registrar(old.flow_side, old.refine_side, old.refine)
        self.registrar.set_anchor(frame)
        self._anchor_size = (w, h)
        self.renewals += 1
        self._zoom = self._ahead(frame, later, found, old_zoom)
        fading = found is not None and self.fade > 0
        self._fading = (old, old_zoom, self.fade) if fading else None
        plane = self._crop(np.eye(3), w, h, self._zoom)  # the margin of the frames after it
        plane = Plane(plane.transform, plane.size, plane.frame_size, renewed=True)
        if self._fading is not None and found is not None:
            return self._blend(plane, self._crop(found.homography, w, h, old_zoom))
        return plane

    def _ahead(
        self,
        frame: np.ndarray,
        later: np.ndarray | None,
        found: Registration | None,
        old_zoom: float,
    ) -> float:
        """The new anchor's plane's scale: painted ahead of a zoom under way, seen in the
        frame ``later`` or, failing that, in the zoom that ended the old anchor."""
        ahead = self.max_zoom**ZOOM_AHEAD
        if later is not None and later.shape == frame.shape:
            seen = self.registrar.register(later, explain=False)
            if seen is not None:
                if seen.zoom < self.max_zoom**-ZOOMING:  # zooming in: paint larger
                    return ahead
                return 1 / ahead if seen.zoom > self.max_zoom**ZOOMING else 1.0
        if found is not None:
            strokes = found.zoom * old_zoom  # painted pixels per frame pixel, over 1
            if strokes < 1 / self.max_zoom:
                return ahead
            if strokes > self.max_zoom:
                return 1 / ahead
        return 1.0

    def _faded(self, plane: Plane, frame: np.ndarray) -> Plane:
        """``plane``, blended with the old anchor's while a renewal is crossfaded."""
        if self._fading is None:
            return plane
        old, zoom, _ = self._fading
        found = old.register(frame, explain=False)  # its homography only
        if found is None:
            self._fading = None
            return plane
        h, w = frame.shape[:2]
        return self._blend(plane, self._crop(found.homography, w, h, zoom))

    def _blend(self, plane: Plane, previous: Plane) -> Plane:
        """The new plane with the old one's share falling frame by frame to nothing."""
        assert self._fading is not None
        old, zoom, left = self._fading
        weight = 1.0 - left / (self.fade + 1)
        self._fading = (old, zoom, left - 1) if left > 1 else None
        return replace(plane, fade_from=previous, weight=weight)

    def _holds(self, found: Registration, w: int, h: int) -> bool:
        """Whether the frame can still be painted in the anchor's plane."""
        if not 1 / self.max_zoom <= found.zoom * self._zoom <= self.max_zoom:
            return False
        corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32).reshape(-1, 1, 2)
        footprint = cv2.perspectiveTransform(corners, found.homography).reshape(-1, 2)
        inside, _ = cv2.intersectConvexConvex(footprint, corners.reshape(-1, 2))
        return inside >= self.min_overlap * w * h

    def _crop(self, homography: np.ndarray, w: int, h: int, zoom: float) -> Plane:
        """The frame's footprint in the anchor's plane (scaled, and by the anchor's
        ``zoom``), snapped to the period."""
        scale = self.scale * zoom
        plane = pixel_scaling(scale, scale) @ homography
        corners = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float64)
        footprint = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), plane).reshape(-1, 2)
        p = self.period
        x0 = math.floor((footprint[:, 0].min() - MARGIN) / p) * p
        y0 = math.floor((footprint[:, 1].min() - MARGIN) / p) * p
        x1 = math.ceil((footprint[:, 0].max() + MARGIN + 1) / p) * p
        y1 = math.ceil((footprint[:, 1].max() + MARGIN + 1) / p) * p
        shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1.0]])
        return Plane(shift @ plane, (x1 - x0, y1 - y0), (w, h))


def _fallback(found: Registration) -> np.ndarray | None:
    """The registration's per-pixel map where enough of the frame is unexplained, else None."""
    if found.explained is None or (found.explained < 0.99).mean() <= FALLBACK_SHARE:
        return None
    return found.explained
