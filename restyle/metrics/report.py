"""One evaluation of a stylized video against its source: flicker, fidelity, structure, style."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from ..errors import InputError
from ..media.reader import open_video
from .detail import DetailMeter
from .long_term import DEFAULT_GAP, LongTermMeter, LongTermMotion
from .similarity import EdgeSSIMMeter, SSIMMeter
from .warp_error import SourceMotion, WarpErrorMeter

STYLE_SAMPLES = 16  # output frames embedded for the style distance


@dataclass
class Evaluation:
    """What ``restyle eval`` reports (formulas in restyle.metrics.warp_error / similarity).

    ``warp_error``, ``source_floor``, ``ratio``: the flicker meter (Lai et al. 2018).
    ``fidelity``: mean SSIM of output frames to the reference (per-frame) video, if given.
    ``content``: mean edge SSIM of output frames to source frames (structure kept).
    ``style_distance``: mean Euclidean distance between the style vectors of sampled
    output frames and the nearest given style; ``source_style_distance``: the same for the
    source frames (how far the untouched video is from the style).
    ``per_frame_warp_error``, ``per_frame_source_floor``: ``E_t`` of the stylized video and
    of the source at each frame, None where not measured (the first frame, cuts); ``restyle
    eval --json`` prints them and the page plots them.
    ``gap``, ``long_term_warp_error``, ``long_term_source_floor``, ``long_term_ratio``: the
    same meter between frames ``gap`` apart, the flow estimated directly between them
    (:mod:`restyle.metrics.long_term`): whether paint stays put, not only from frame to frame.
    With a reference: ``reference_warp_error`` and ``reference_long_term_warp_error``, the
    reference's own errors, ``vs_reference`` and ``long_term_vs_reference`` the stylized
    video's as fractions of them, and ``detail``, its gradient energy over the reference's
    (:mod:`restyle.metrics.detail`: 1 keeps the per-frame texture, below 1 is blur), split
    in ``texture`` (away from the source's edges: brushwork) and ``outline`` (along them).
    """

    frames: int
    warp_error: float
    source_floor: float
    ratio: float
    content: float
    fidelity: float | None = None
    style_distance: float | None = None
    source_style_distance: float | None = None
    skipped: int = 0
    notes: list[str] = field(default_factory=list)
    per_frame_warp_error: list[float | None] = field(default_factory=list)
    per_frame_source_floor: list[float | None] = field(default_factory=list)
    gap: int = DEFAULT_GAP
    long_term_warp_error: float = float("nan")
    long_term_source_floor: float = float("nan")
    long_term_ratio: float = float("nan")
    reference_warp_error: float | None = None
    reference_long_term_warp_error: float | None = None
    vs_reference: float | None = None
    long_term_vs_reference: float | None = None
    detail: float | None = None
    texture: float | None = None
    outline: float | None = None

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready values (NaN becomes None)."""
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }


def evaluate_video(
    source: str | os.PathLike[str],
    stylized: str | os.PathLike[str],
    *,
    reference: str | os.PathLike[str] | None = None,
    style_vectors: np.ndarray | None = None,
    embed: Callable[[Sequence[np.ndarray]], np.ndarray] | None = None,
    progress: Callable[[int, int], None] | None = None,
    gap: int = DEFAULT_GAP,
) -> Evaluation:
    """Measure a stylized video against its source, streaming all files in step.

    Arguments:
        source: the original video.
        stylized: the stylized video (same frame count; its size may differ, it is resized).
        reference: the per-frame stylization of the same source, for fidelity.
        style_vectors: K x D style vectors of the style image(s), for the style distance.
        embed: turns HxWx3 uint8 frames into style vectors (the predictor), with styles.
        progress: called as ``progress(frames_done, frames_expected)``.
        gap: frames between the two frames the long-term warp error compares.

    Raises:
        InputError: unreadable videos, or videos with different frame counts.
    """
    readers = [open_video(source), open_video(stylized)]
    if reference is not None:
        readers.append(open_video(reference))
    total = readers[0].info.frame_count
    step = max(1, total // STYLE_SAMPLES) if total else 1
    motion, far = SourceMotion(), LongTermMotion(gap)
    warp, ref_warp = WarpErrorMeter(), WarpErrorMeter()
    long_term, ref_long_term = LongTermMeter(gap), LongTermMeter(gap)
    content = EdgeSSIMMeter()
    fidelity = SSIMMeter()
    detail = DetailMeter()
    per_frame: list[float | None] = []
    sampled_out: list[np.ndarray] = []
    sampled_src: list[np.ndarray] = []
    count = 0
    notes: list[str] = []
    try:
        iters = [iter(r) for r in readers]
        while True:
            frames = [next(it, None) for it in iters]
            if all(f is None for f in frames):
                break
            if frames[0] is not None and all(f is None for f in frames[1:]):
                notes.append(f"the source is longer; measured its first {count} frames")
                break
            if any(f is None for f in frames):
                names = ["source", "stylized", "reference"][: len(frames)]
                short = names[frames.index(None)]
                raise InputError(
                    f"the {short} video has fewer frames than the others (after {count}); "
                    "evaluate videos made from the same frames"
                )
            src, out = frames[0].image, frames[1].image
            pair, far_pair = motion.update(src), far.update(src)
            per_frame.append(warp.update(src, out, pair))
            long_term.update(src, out, far_pair)
            content.update(out, src)
            if reference is not None:
                ref = frames[2].image
                fidelity.update(out, ref)
                detail.update(out, ref, src)
                ref_warp.update(src, ref, pair)
                ref_long_term.update(src, ref, far_pair)
            if style_vectors is not None and count % step == 0:
                sampled_out.append(out)
                sampled_src.append(src)
            count += 1
            if progress:
                progress(count, max(total, count))
    finally:
        for r in readers:
            r.close()
    if count < 2:
        raise InputError("need at least 2 frames to measure flicker")
    w, lt = warp.result(), long_term.result()
    result = Evaluation(
        frames=count,
        warp_error=w.warp_error,
        source_floor=w.source_floor,
        ratio=w.ratio,
        content=content.result().mean,
        fidelity=fidelity.result().mean if reference is not None else None,
        skipped=w.skipped,
        notes=notes,
        per_frame_warp_error=per_frame,
        per_frame_source_floor=_align(per_frame, w.source_per_frame),
        gap=gap,
        long_term_warp_error=lt.warp_error,
        long_term_source_floor=lt.source_floor,
        long_term_ratio=lt.ratio,
    )
    if reference is not None:
        ref_short, ref_long = ref_warp.result().warp_error, ref_long_term.result().warp_error
        result.reference_warp_error = ref_short
        result.reference_long_term_warp_error = ref_long
        result.vs_reference = _fraction(w.warp_error, ref_short)
        result.long_term_vs_reference = _fraction(lt.warp_error, ref_long)
        result.detail = detail.result()
        result.texture, result.outline = detail.split()
        if lt.frames == 0:
            notes.append(f"too few frames for the long-term error at a gap of {gap}")
    if style_vectors is not None and embed is not None and sampled_out:
        result.style_distance = _nearest(embed(sampled_out), style_vectors)
        result.source_style_distance = _nearest(embed(sampled_src), style_vectors)
    return result


def _fraction(value: float, of: float) -> float:
    """``value / of``, NaN when ``of`` is not a positive number."""
    return value / of if of > 0 and not math.isnan(of) else float("nan")


def _align(measured: list[float | None], values: list[float]) -> list[float | None]:
    """``values`` (one per measured frame) placed at the frames where ``measured`` is set."""
    found = iter(values)
    return [None if m is None else next(found) for m in measured]


def _nearest(vectors: np.ndarray, styles: np.ndarray) -> float:
    """Mean over ``vectors`` of the distance to the nearest row of ``styles``."""
    d = np.linalg.norm(vectors[:, None, :] - styles[None, :, :], axis=2)
    return float(d.min(axis=1).mean())
