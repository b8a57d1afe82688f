"""Style schedules: which style applies at each output time (a callable ``time -> Style``).

- :class:`Constant`: one style throughout.
- :class:`Segments` (the report): the output is cut into as many equal parts as there are
  styles. Style ``k`` is pure in the middle ``hold`` fraction of part ``k`` and hands over to
  style ``k + 1`` across the boundary between the parts, its vector interpolated with an
  easing curve. With ``hold=1`` the styles cut; with ``hold=0`` they glide from one part's
  middle to the next. Before the first middle and after the last the end styles stay pure.
- :class:`Follow`: the style at output time ``t`` is the style video's style at the same
  *relative* time, interpolated between sampled style vectors and smoothed with a Gaussian
  over ``smooth`` output seconds, so a cut in the style video becomes a short glide.

Every schedule also answers ``position(t)``: which two of its styles are mixed at ``t`` and
how much (for previews). Schedules are pure: the same time always gives the same style.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..registries import EASINGS
from .style import Style


def linear(u: float) -> float:
    """The ``linear`` easing: constant speed from 0 to 1."""
    return min(max(u, 0.0), 1.0)


def smoothstep(u: float) -> float:
    """The ``smooth`` easing: smoothstep ``3u^2 - 2u^3``, starting and stopping gently."""
    u = min(max(u, 0.0), 1.0)
    return u * u * (3.0 - 2.0 * u)


def cosine(u: float) -> float:
    """The ``cosine`` easing: ``(1 - cos(pi u)) / 2``."""
    return 0.5 - 0.5 * math.cos(math.pi * min(max(u, 0.0), 1.0))


def ease(name: str) -> Callable[[float], float]:
    """The easing curve ``name`` (:data:`restyle.registries.EASINGS`): maps progress 0..1 to
    0..1, monotone, fixed ends.

    Raises:
        InputError: an unknown name.
    """
    return EASINGS.load(name)


@dataclass(frozen=True)
class Position:
    """Where a schedule is at a time: style ``after`` weighs ``weight``, ``before`` the rest."""

    before: int
    after: int
    weight: float  # 0: all `before`; 1: all `after`


def _mix(styles: Sequence[Style], pos: Position) -> Style:
    if pos.weight <= 0.0 or pos.before == pos.after:
        return styles[pos.before]
    if pos.weight >= 1.0:
        return styles[pos.after]
    return styles[pos.before].mix(styles[pos.after], pos.weight)


class Constant:
    """One style at every time."""

    def __init__(self, style: Style) -> None:
        self.styles = [style]

    def position(self, time: float) -> Position:
        """Always the one style."""
        return Position(0, 0, 0.0)

    def __call__(self, time: float) -> Style:
        return self.styles[0]


class Segments:
    """Styles in turn over ``duration`` seconds, handing over with an easing (module docstring).

    Arguments:
        styles: the styles, in order (keyframes or style images); one space.
        duration: length of the output in seconds.
        easing: ``"linear"``, ``"smooth"`` (default) or ``"cosine"``.
        hold: fraction 0..1 of each part in which its style stays pure.

    Raises:
        InputError: no styles, mixed style spaces, a duration <= 0, hold outside 0..1.
    """

    def __init__(
        self,
        styles: Sequence[Style],
        duration: float,
        *,
        easing: str = "smooth",
        hold: float = 0.3,
    ) -> None:
        if not styles:
            raise InputError("a schedule needs at least one style")
        if len({s.space for s in styles}) > 1:
            raise InputError("cannot move between built-in styles and style images")
        if not (duration > 0 and math.isfinite(duration)):
            raise InputError(f"the output duration must be > 0 seconds, got {duration}")
        if not 0.0 <= hold <= 1.0:
            raise InputError(f"hold must be between 0 and 1, got {hold}")
        self.styles = list(styles)
        self.duration = float(duration)
        self.hold = float(hold)
        self.part = self.duration / len(self.styles)
        self._ease = ease(easing)

    def transition(self, k: int) -> tuple[float, float]:
        """Start and end (seconds) of the hand-over from style ``k`` to ``k + 1``."""
        if not 0 <= k < len(self.styles) - 1:
            raise InputError(f"there is no transition {k} between {len(self.styles)} styles")
        middle = (k + 1) * self.part
        half = 0.5 * (1.0 - self.hold) * self.part
        return middle - half, middle + half

    def position(self, time: float) -> Position:
        """The two styles mixed at ``time`` and the eased weight of the later one."""
        last = len(self.styles) - 1
        u = time / self.part - 0.5  # 0 at the middle of part 0, 1 at the middle of part 1, ...
        if last == 0 or u <= 0.0:
            return Position(0, 0, 0.0)
        if u >= last:
            return Position(last, last, 0.0)
        k = min(int(math.floor(u)), last - 1)
        frac = u - k
        if self.hold >= 1.0:
            progress = 0.0 if frac < 0.5 else 1.0
        else:
            progress = (frac - 0.5 * self.hold) / (1.0 - self.hold)
        return Position(k, k + 1, self._ease(min(max(progress, 0.0), 1.0)))

    def __call__(self, time: float) -> Style:
        return _mix(self.styles, self.position(time))


class Follow:
    """The style video's style at the same relative time, smoothed (module docstring).

    Arguments:
        times: times (seconds in the style video) of the sampled styles, increasing.
        styles: the sampled styles, one per time.
        source_duration: length of the style video in seconds.
        duration: length of the output in seconds.
        smooth: standard deviation, in output seconds, of the Gaussian smoothing over time
            (0: none, the raw samples are interpolated linearly).

    Raises:
        InputError: no samples, mismatched lengths, times not increasing, bad durations.
    """

    def __init__(
        self,
        times: Sequence[float],
        styles: Sequence[Style],
        *,
        source_duration: float,
        duration: float,
        smooth: float = 0.5,
    ) -> None:
        if not styles or len(times) != len(styles):
            raise InputError("follow needs one sampled style per time, and at least one")
        if len({s.space for s in styles}) > 1:
            raise InputError("cannot follow a mix of built-in styles and style images")
        t = np.asarray(times, np.float64)
        if np.any(np.diff(t) <= 0):
            raise InputError("the sampled style times must increase")
        for name, value in (("style video", source_duration), ("output", duration)):
            if not (value > 0 and math.isfinite(value)):
                raise InputError(f"the {name} duration must be > 0 seconds, got {value}")
        if smooth < 0:
            raise InputError(f"smoothing must be >= 0 seconds, got {smooth}")
        self.styles = list(styles)
        self.duration = float(duration)
        self.times = t * (self.duration / float(source_duration))  # on the output timeline
        raw = np.stack([s.vector for s in styles]).astype(np.float64)
        if smooth > 0 and len(t) > 1:
            gap = self.times[:, None] - self.times[None, :]
            weights = np.exp(-0.5 * (gap / smooth) ** 2)
            raw = weights @ raw / weights.sum(axis=1, keepdims=True)
        self.vectors = raw.astype(np.float32)
        self._space = styles[0].space

    def position(self, time: float) -> Position:
        """The two sampled frames around ``time`` and the weight of the later one."""
        last = len(self.times) - 1
        if time <= self.times[0] or last == 0:
            return Position(0, 0, 0.0)
        if time >= self.times[-1]:
            return Position(last, last, 0.0)
        j = int(np.searchsorted(self.times, time, side="right"))
        i = j - 1
        w = (time - self.times[i]) / (self.times[j] - self.times[i])
        return Position(i, j, float(w))

    def __call__(self, time: float) -> Style:
        pos = self.position(time)
        a, b = self.vectors[pos.before], self.vectors[pos.after]
        vec = (1.0 - pos.weight) * a + pos.weight * b
        return Style(self._space, vec, f"follow@{time:.2f}s")


Schedule = Constant | Segments | Follow
