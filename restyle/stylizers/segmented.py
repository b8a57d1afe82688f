"""Segmentation-based stylization (the report's 5.2): foreground and background painted apart.

A foreground mask comes from OpenCV's GrabCut, started from a box (``fg_rect``, default a
centred box) or from a mask image (``fg_mask``). Each part is painted as its own picture by
the base method (the arbitrary-style network, or Gatys optimization), in its own style if
``style_fg``/``style_bg`` are given, and the two paintings are combined with the mask:

* ``hard``: a binary mask (hard edges);
* ``feather`` (default): a mask whose edges are blurred;
* ``blur``: the report's Gaussian-blur variant: the foreground is painted from the frame with
  its background Gaussian-blurred, the background from the frame with its foreground
  blurred; combined with the feathered mask.

What ``hard`` and ``feather`` paint each part from (``segment_fill``):

* ``inpaint`` (default): the background from the frame with the foreground filled in from
  around it (OpenCV's Telea inpainting), so the background painting carries on behind the
  foreground instead of painting its outline; the foreground from the whole frame, so near
  its edge it is painted in its real surroundings. This is what removes the halo: near the
  edge each painting sees what the network would see painting the frame whole, where a flat
  fill made it paint a glow along the mask (benchmarks/quality/segment_halo.py);
* ``mean``: each part with the other filled by its own mean colour (the report's 5.2).

For video the mask follows the content: the previous mask is warped along the optical flow
to the new frame and GrabCut is re-seeded from it (sure foreground/background away from the
warped edge, "probable" near it), so the mask does not jump from frame to frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

from ..errors import InputError
from ..imaging.blend import mix
from ..media.image import load_image
from ..styles.style import Style
from .base import Stylizer, check_frames, own_options, per_frame_styles
from .options.segmented import Segmented

WORK_SIDE = 320  # GrabCut runs with the long side at most this many pixels
FIRST_ITERATIONS = 5  # GrabCut iterations on the first frame
TRACK_ITERATIONS = 2  # and on later frames, re-seeded from the warped mask
FEATHER = 0.012  # Gaussian sigma of feathered edges, as a fraction of the long side
BLUR = 0.03  # Gaussian sigma of the blur variant's blurred part, fraction of the long side
FRINGE = 0.006  # the inpainted hole reaches this far past the mask, fraction of the long side
INPAINT_SIDE = 320  # inpainting runs with the long side at most this many pixels
INPAINT_RADIUS = 3  # Telea's neighbourhood, in pixels of that small copy
# GrabCut's colour models start from k-means drawn from OpenCV's per-thread random state:
# seeded before every cut, so the same frame always gives the same mask
GRABCUT_SEED = 12345


def default_rect(height: int, width: int) -> tuple[int, int, int, int]:
    """The centred box used when no foreground is given: the middle 60% x 80% of the frame."""
    x, y = round(width * 0.2), round(height * 0.1)
    return x, y, width - 2 * x, height - 2 * y


def check_rect(rect: tuple[int, int, int, int], height: int, width: int) -> None:
    """Raise InputError unless the box lies inside the frame and leaves some background."""
    x, y, w, h = rect
    if x + w > width or y + h > height:
        raise InputError(
            f"foreground box {x},{y},{w},{h} does not fit in the {width}x{height} frame"
        )
    if w >= width and h >= height:
        raise InputError("the foreground box covers the whole frame; leave some background")


def _small(image: np.ndarray, side: int) -> np.ndarray:
    h, w = image.shape[:2]
    s = side / max(h, w)
    if s >= 1:
        return image
    size = (max(8, round(w * s)), max(8, round(h * s)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def seed_labels(mask: np.ndarray, band: int, sure_inside: bool = True) -> np.ndarray:
    """GrabCut labels from a boolean mask: sure fg/bg farther than ``band`` px from its edge.

    With ``sure_inside=False`` (a user's rough mask, like a box) nothing inside is sure:
    only the outside is taken as background.
    """
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band + 1, 2 * band + 1))
    m = mask.astype(np.uint8)
    labels = np.where(mask, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    if sure_inside:
        labels[cv2.erode(m, kernel) > 0] = cv2.GC_FGD
    labels[cv2.erode(1 - m, kernel) > 0] = cv2.GC_BGD
    return labels


def _run_grabcut(image: np.ndarray, labels: np.ndarray | None, rect: Any, iterations: int):
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    bgr = np.ascontiguousarray(image[:, :, ::-1])
    cv2.setRNGSeed(GRABCUT_SEED)
    try:
        if labels is None:
            labels = np.zeros(image.shape[:2], np.uint8)
            cv2.grabCut(bgr, labels, rect, bgd, fgd, iterations, cv2.GC_INIT_WITH_RECT)
        else:
            labels = labels.copy()
            cv2.grabCut(bgr, labels, None, bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)
    except cv2.error as exc:
        raise InputError(f"GrabCut could not separate the foreground: {exc.err}") from None
    return (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)


def grabcut_mask(
    image: np.ndarray,
    rect: tuple[int, int, int, int] | None = None,
    seed: np.ndarray | None = None,
    iterations: int = FIRST_ITERATIONS,
    work_side: int = WORK_SIDE,
) -> np.ndarray:
    """Foreground mask (HxW bool) of an HxWx3 uint8 RGB image by GrabCut.

    Arguments:
        image: the picture.
        rect: foreground box ``(x, y, w, h)`` in the image's pixels (default: centred box).
        seed: an HxW bool mask to start from instead of a box (e.g. a user's rough mask).
        iterations: GrabCut iterations.
        work_side: GrabCut runs at this long side at most; the mask is scaled back.

    Raises:
        InputError: the box does not fit the image, or the seed has no foreground or no
            background.
    """
    h, w = image.shape[:2]
    small = _small(image, work_side)
    sh, sw = small.shape[:2]
    sx, sy = sw / w, sh / h
    if seed is not None:
        seed_small = cv2.resize(seed.astype(np.uint8), (sw, sh), interpolation=cv2.INTER_NEAREST)
        if seed_small.all() or not seed_small.any():
            raise InputError("the foreground mask must mark some foreground and some background")
        labels = seed_labels(seed_small > 0, max(2, max(sh, sw) // 40), sure_inside=False)
        result = _run_grabcut(small, labels, None, iterations)
    else:
        rect = rect or default_rect(h, w)
        check_rect(rect, h, w)
        x, y, rw, rh = rect
        box = (
            int(x * sx),
            int(y * sy),
            max(2, min(sw, round((x + rw) * sx)) - int(x * sx)),
            max(2, min(sh, round((y + rh) * sy)) - int(y * sy)),
        )
        result = _run_grabcut(small, None, box, iterations)
    if (sh, sw) != (h, w):
        soft = cv2.resize(result.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
        return soft > 0.5
    return result


class MaskTracker:
    """The foreground mask of a video's frames, each re-seeded from the previous one's.

    The first frame (or the first after :meth:`reset`) is cut from the box or seed mask;
    every later one from the previous mask warped along the optical flow between the frames.
    """

    def __init__(
        self,
        rect: tuple[int, int, int, int] | None = None,
        seed: np.ndarray | None = None,
        work_side: int = WORK_SIDE,
    ) -> None:
        self.rect = rect
        self.seed = seed
        self.work_side = work_side
        self._flow: Any = None
        self.reset()

    def reset(self) -> None:
        """Forget the previous frame; the next mask comes from the box or seed again."""
        self._prev_small: np.ndarray | None = None
        self._prev_mask: np.ndarray | None = None

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        """The HxW bool foreground mask of the next HxWx3 uint8 frame."""
        h, w = frame.shape[:2]
        small = _small(frame, self.work_side)
        prev = self._prev_mask
        if prev is None or self._prev_small is None or self._prev_small.shape != small.shape:
            mask = grabcut_mask(frame, self.rect, self.seed, FIRST_ITERATIONS, self.work_side)
        else:
            from ..temporal.flow import FlowEstimator
            from ..temporal.warping import warp

            if self._flow is None:
                self._flow = FlowEstimator(max_side=None)
            flow = self._flow.flow(small, self._prev_small)  # pulls the previous into this grid
            moved = warp(prev.astype(np.float32), flow) > 0.5
            if moved.all() or not moved.any():
                mask = grabcut_mask(frame, self.rect, self.seed, FIRST_ITERATIONS, self.work_side)
            else:
                sh, sw = small.shape[:2]
                labels = seed_labels(moved, max(2, max(sh, sw) // 40))
                found = _run_grabcut(small, labels, None, TRACK_ITERATIONS)
                mask = found
                if (sh, sw) != (h, w):
                    mask = cv2.resize(found.astype(np.float32), (w, h)) > 0.5
        sh, sw = small.shape[:2]
        self._prev_small = small
        nearest = cv2.INTER_NEAREST
        self._prev_mask = cv2.resize(mask.astype(np.uint8), (sw, sh), interpolation=nearest) > 0
        return mask


def fill_behind(image: np.ndarray, hole: np.ndarray, work_side: int = INPAINT_SIDE) -> np.ndarray:
    """An HxWx3 uint8 image with the ``hole`` (HxW bool) filled in from around it.

    OpenCV's Telea inpainting at a long side of at most ``work_side`` (a fill is smooth, so
    a small copy loses nothing and takes a fraction of the time), scaled back; pixels
    outside the hole are the image's own.
    """
    h, w = hole.shape
    if not hole.any() or hole.all():
        return image
    scale = min(1.0, work_side / max(h, w))
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    small_hole = cv2.resize(hole.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST)
    small_hole = cv2.dilate(small_hole, np.ones((3, 3), np.uint8))  # cover the scaled edge
    filled = cv2.inpaint(small, small_hole * 255, INPAINT_RADIUS, cv2.INPAINT_TELEA)
    filled = cv2.resize(filled, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.where(hole[..., None], filled, image)


def split_parts(
    frame: np.ndarray, mask: np.ndarray, mode: str, fill: str = "inpaint"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pictures each part is painted from, and the float HxW weight of the foreground.

    Returns ``(foreground picture, background picture, weight)``; see the module docstring
    for the modes and fills.
    """
    h, w = mask.shape
    m = mask.astype(np.float32)
    long_side = max(h, w)
    weight = m if mode == "hard" else cv2.GaussianBlur(m, (0, 0), max(0.5, FEATHER * long_side))
    if mode != "blur" and fill == "inpaint":
        # the foreground in its own surroundings; the background with the foreground (and
        # its fringe, where GrabCut's edge may still hold foreground colours) filled in
        grow = max(1, round(FRINGE * long_side))
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
        hole = cv2.dilate(mask.astype(np.uint8), kernel) > 0
        return frame, fill_behind(frame, hole), weight
    img = frame.astype(np.float32)
    if mode == "blur":
        blurred = cv2.GaussianBlur(img, (0, 0), max(1.0, BLUR * long_side))
        fg_pic = m[..., None] * img + (1 - m[..., None]) * blurred
        bg_pic = (1 - m[..., None]) * img + m[..., None] * blurred
    else:
        fg_fill = img[mask].mean(axis=0) if mask.any() else img.mean(axis=(0, 1))
        bg_fill = img[~mask].mean(axis=0) if (~mask).any() else img.mean(axis=(0, 1))
        fg_pic = np.where(mask[..., None], img, fg_fill)
        bg_pic = np.where(mask[..., None], bg_fill, img)
    to_u8 = lambda a: np.clip(a + 0.5, 0, 255).astype(np.uint8)  # noqa: E731
    return to_u8(fg_pic), to_u8(bg_pic), weight


def combine(fg: np.ndarray, bg: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``weight * fg + (1 - weight) * bg`` of two HxWx3 uint8 pictures; HxWx3 uint8."""
    return mix(fg, bg, weight[..., None])


class SegmentedStylizer(Stylizer):
    """Paints foreground and background apart (GrabCut mask) and combines them.

    The base method (``segment_base``) paints each part: the arbitrary-style network (or
    the 26-style network for built-in styles), or Gatys optimization.
    """

    name = "segmented"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.settings = own_options(self.method, Segmented)
        seed = None
        if self.settings.fg_mask is not None:
            seed = load_image(self.settings.fg_mask).mean(axis=2) > 127
        self.tracker = MaskTracker(self.settings.fg_rect, seed)
        self.video = False
        self.last_mask: np.ndarray | None = None
        self.fg_style: Style | None = None
        self.bg_style: Style | None = None
        # one base stylizer per part: a video's parts keep their own history (gatys)
        from . import create_stylizer

        base = self.settings.base
        self._bases = {part: create_stylizer(base, self.look, self.engine) for part in ("fg", "bg")}

    def resolve(self, styles: Any) -> Style:
        """Resolve the main style and the per-part styles (``style_fg``/``style_bg``).

        Returns the main style (the per-part one when no main style is given).

        Raises:
            InputError: no style at all, or an unusable style.
        """
        s = self.settings
        resolve = self._bases["fg"].resolve
        self.fg_style = resolve(list(s.style_fg)) if s.style_fg else None
        self.bg_style = resolve(list(s.style_bg)) if s.style_bg else None
        given = list(styles) if isinstance(styles, list | tuple) else [styles]
        given = [g for g in given if g is not None]
        if given:
            return resolve(given)
        if self.fg_style is None and self.bg_style is None:
            raise InputError("no style given; use --style, or --style-fg and --style-bg")
        return self.fg_style or self.bg_style  # type: ignore[return-value]

    def active_device(self) -> str:
        """The device of the base method."""
        return self._bases["fg"].active_device()

    def start_video(self, temporal: str) -> bool:
        """Frames of one video follow in order: track the mask; True if the base handles
        ``temporal`` itself (Gatys with flow), so the runner adds no post-filter."""
        self.video = True
        self.tracker.reset()
        return all([base.start_video(temporal) for base in self._bases.values()])

    def mask(self, frame: np.ndarray) -> np.ndarray:
        """The HxW bool foreground mask of a frame (tracked from the previous one in video)."""
        if not self.video:
            self.tracker.reset()
        self.last_mask = self.tracker(frame)
        return self.last_mask

    def stylize(
        self,
        frames: Sequence[np.ndarray],
        style: Style | Sequence[Style],
        content_style: Style | None = None,
    ) -> list[np.ndarray]:
        """Paint HxWx3 uint8 frames (in video order) part by part; same-size uint8 out."""
        check_frames(frames)
        styles = per_frame_styles(style, len(frames))
        out = []
        for frame, s in zip(frames, styles, strict=True):
            mode = self.settings.segment_mode
            fg_pic, bg_pic, weight = split_parts(
                frame, self.mask(frame), mode, self.settings.segment_fill
            )
            fg_style, bg_style = self.fg_style or s, self.bg_style or s
            fg = self._bases["fg"].stylize([fg_pic], fg_style)[0]
            bg = self._bases["bg"].stylize([bg_pic], bg_style)[0]
            out.append(combine(fg, bg, weight))
        return out
