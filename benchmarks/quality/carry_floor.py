"""The carry floor: how far a painting carried along the flow, with no fresh paint at all,
stays from the long-term meter's own warp.

A flicker filter that keeps its strokes perfectly would carry frame ``t - gap``'s painting
along the flow from frame to frame into frame ``t``. The long-term meter
(:mod:`restyle.metrics.long_term`) instead warps frame ``t - gap``'s output by one flow
estimated directly between the two source frames. On rigid motion the two transports
agree; on fast, non-rigid motion (a bird turning its head) ten chained flows and one
direct flow part, and the meter counts that as error. This measures it: each painted
frame ``t - gap`` is carried ``gap`` frames along the carry filter's own flows (its size,
quality and bicubic kernel, at the painted size), with share 1 everywhere, and compared
as the meter compares, so a filter's long-term figure can be read against what carrying
alone reaches under this meter. Where a filter reads near it (the hand-held cockatoo),
carrying more cannot lower the figure; where it reads below it (the panned photos, whose
chained bicubic moves soften what is carried), the fresh painting, which follows the
content, is doing the work.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def carry_floor(source: Path, painted: Path, gap: int, frames: int) -> float:
    """Mean long-term warp error of ``painted``'s frames carried ``gap`` frames along the
    carry filter's flows (no fresh paint), as the meter measures a video's."""
    from restyle.imaging.similarity import conform, to_float
    from restyle.media import open_video
    from restyle.metrics.long_term import LongTermMotion
    from restyle.metrics.warp_error import MIN_RELIABLE, masked_warp_error
    from restyle.temporal.filters.carry import CarryFilter
    from restyle.temporal.options.carry import Carry
    from restyle.temporal.warping import warp

    with open_video(source) as a, open_video(painted) as b:
        pairs = [(s.image, p.image) for s, p, _ in zip(a, b, range(frames), strict=False)]
    flow = CarryFilter.configure(Carry()).flow  # the filter's own flow settings
    small = [cv2.resize(s, p.shape[1::-1], interpolation=cv2.INTER_AREA) for s, p in pairs]
    steps = [None] + [flow.flow(small[t], small[t - 1]) for t in range(1, len(small))]
    motion, errors = LongTermMotion(gap), []
    for t, (src, _) in enumerate(pairs):
        direct = motion.update(src)
        if direct is None or 1.0 - direct.unreliable_fraction < MIN_RELIABLE:
            continue
        carried = pairs[t - gap][1].astype(np.float32)
        for k in range(t - gap + 1, t + 1):
            carried = warp(carried, steps[k], kernel=CarryFilter.kernel)
        carried = np.clip(carried + 0.5, 0, 255).astype(np.uint8)
        earlier = to_float(conform(pairs[t - gap][1], src))
        now = to_float(conform(carried, src))
        errors.append(masked_warp_error(now, warp(earlier, direct.forward), direct.reliable))
    return float(np.mean(errors)) if errors else float("nan")
