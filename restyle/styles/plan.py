"""Turn what the user asked for (style images, a style video, a transition) into a schedule.

The schedule is made once for the job's whole range, on its own timeline (seconds from the
first frame of the range), so a chunk of the video rendered anywhere paints the same frames
as the whole video rendered at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..media.image import load_image
from ..media.reader import open_video
from ..models.engine import Engine
from ..registries import TRANSITIONS
from .keyframes import DEFAULT_SAMPLES, Keyframe, extract_keyframes, sample_styles
from .options import StyleRef, Styles
from .schedule import Constant, Follow, Schedule, Segments
from .spec import parse_style_spec
from .style import Style

Resolve = Callable[[Sequence[StyleRef]], Style]  # style specs -> one (blended) style
Progress = Callable[[int, int], None]
FOLLOW_SMOOTH = 0.5  # seconds of output time the follow schedule is smoothed over


@dataclass
class StylePlan:
    """A schedule and, for previews, one picture (HxWx3 uint8 or None) per schedule style."""

    schedule: Schedule
    pictures: list[np.ndarray | None] = field(repr=False)
    keyframes: list[Keyframe] = field(default_factory=list, repr=False)

    @property
    def space(self) -> str:
        """The style space of every style in the schedule."""
        return self.schedule.styles[0].space


@dataclass(frozen=True)
class PlanContext:
    """What a plan needs besides the options: how styles are made, and where networks run."""

    resolve: Resolve
    engine: Engine
    fit: str
    blends: bool  # the method can mix styles (transitions)
    progress: Progress | None = None


def picture(item: StyleRef) -> np.ndarray | None:
    """The painting a style came from (for previews), or None for a built-in or a Style."""
    if isinstance(item, Style):
        return None
    spec = parse_style_spec(os.fspath(item))
    return None if spec.builtin is not None else load_image(spec.source)


def plan_styles(options: Styles, duration: float, context: PlanContext) -> StylePlan:
    """The style schedule of a video ``duration`` seconds long.

    With style images: one (blended) style, or with ``transition="segments"`` each in turn.
    With a style video: its keyframes in turn (the default) or its styles followed in time.

    Raises:
        InputError: no style, a transition the method cannot paint, an unreadable or too
            short style video.
    """
    if options.style_video is None and not options.styles:
        raise InputError("no style given; use --style painting.jpg or --style-video art.mp4")
    transition = options.transition
    if options.style_video is not None and transition is None:
        transition = "segments"
    if transition is None:
        return StylePlan(Constant(context.resolve(options.styles)), [None])
    if not context.blends:
        raise InputError("--style-video and --transition need --method network")
    return TRANSITIONS.load(transition)(options, duration, context)


def plan_segments(options: Styles, duration: float, context: PlanContext) -> StylePlan:
    """``segments``: the styles (or the style video's keyframes) take turns, handing over."""
    if options.style_video is not None:
        keys = extract_keyframes(
            options.style_video,
            options.keyframes,
            method=options.keyframe_method,
            samples=DEFAULT_SAMPLES,
            fit=context.fit,
            engine=context.engine,
            progress=context.progress,
        )
        schedule = Segments(
            [k.style for k in keys], duration, easing=options.easing, hold=options.hold
        )
        return StylePlan(schedule, [k.image for k in keys], keys)
    styles = [context.resolve([item]) for item in options.styles]
    schedule = Segments(styles, duration, easing=options.easing, hold=options.hold)
    return StylePlan(schedule, [picture(item) for item in options.styles])


def plan_follow(options: Styles, duration: float, context: PlanContext) -> StylePlan:
    """``follow``: the style video's style at the same relative time, smoothed."""
    assert options.style_video is not None  # Styles.check
    samples = sample_styles(
        options.style_video,
        samples=DEFAULT_SAMPLES,
        fit=context.fit,
        engine=context.engine,
        progress=context.progress,
    )
    with open_video(options.style_video) as reader:
        source_duration = reader.info.duration
    schedule = Follow(
        [s.time for s in samples],
        [s.style for s in samples],
        source_duration=source_duration,
        duration=duration,
        smooth=FOLLOW_SMOOTH,
    )
    return StylePlan(schedule, [s.thumbnail for s in samples])
