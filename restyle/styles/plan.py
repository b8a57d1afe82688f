"""Turn what the user asked for (style images, a style video, a transition) into a schedule."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..media.image import load_image
from ..media.reader import open_video
from .embed import StyleLike, resolve_style
from .keyframes import DEFAULT_SAMPLES, Keyframe, extract_keyframes, sample_styles
from .schedule import TRANSITIONS, Constant, Follow, Schedule, Segments
from .spec import StyleSpec, parse_style_spec
from .style import Style


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


def _picture(item: StyleLike) -> np.ndarray | None:
    """The painting a style came from (for previews), or None for a built-in or a Style."""
    if isinstance(item, Style):
        return None
    if isinstance(item, StyleSpec | str | os.PathLike):
        spec = item if isinstance(item, StyleSpec) else parse_style_spec(os.fspath(item))
        return None if spec.builtin is not None else load_image(spec.source)
    return load_image(item)


def plan_styles(
    style: StyleLike | Sequence[StyleLike] | None,
    duration: float,
    *,
    style_video: str | os.PathLike[str] | None = None,
    keyframes: int = 5,
    keyframe_method: str = "diverse",
    transition: str | None = None,
    easing: str = "smooth",
    hold: float = 0.3,
    follow_smooth: float = 0.5,
    samples: int = DEFAULT_SAMPLES,
    fit: str = "crop",
    device: str = "auto",
    model_dir: str | os.PathLike[str] | None = None,
    precision: str = "float",
) -> StylePlan:
    """The style schedule of a video ``duration`` seconds long.

    Arguments:
        style: style image(s)/specs; several are blended, or with ``transition="segments"``
            take turns.
        duration: length of the output in seconds.
        style_video: take the styles from this video instead (``transition`` default
            ``"segments"`` over ``keyframes`` keyframes picked by ``keyframe_method``).
        transition: ``"segments"`` or ``"follow"`` (style video only); None: one style.
        easing, hold: how segments hand over (see :class:`~restyle.styles.schedule.Segments`).
        follow_smooth: Gaussian smoothing of ``follow`` in output seconds.
        samples: frames of the style video sampled by ``diverse`` and ``follow``.
        fit, device, model_dir, precision: how styles are computed.

    Returns:
        A :class:`StylePlan`.

    Raises:
        InputError: both or neither of style and style_video, an unknown transition,
            ``follow`` without a style video, an unreadable or too short style video.
    """
    where = {"device": device, "model_dir": model_dir, "precision": precision}
    if transition is not None and transition not in TRANSITIONS:
        raise InputError(f"unknown transition {transition!r}; use {', '.join(TRANSITIONS)}")
    items = [] if style is None else list(style) if isinstance(style, list | tuple) else [style]
    if style_video is not None:
        if items:
            raise InputError("give either --style or --style-video, not both")
        if transition == "follow":
            samples_ = sample_styles(style_video, samples=samples, fit=fit, **where)
            with open_video(style_video) as reader:
                source_duration = reader.info.duration
            schedule = Follow(
                [s.time for s in samples_],
                [s.style for s in samples_],
                source_duration=source_duration,
                duration=duration,
                smooth=follow_smooth,
            )
            return StylePlan(schedule, [s.thumbnail for s in samples_])
        keys = extract_keyframes(
            style_video, keyframes, method=keyframe_method, samples=samples, fit=fit, **where
        )
        schedule = Segments([k.style for k in keys], duration, easing=easing, hold=hold)
        return StylePlan(schedule, [k.image for k in keys], keys)
    if not items:
        raise InputError("no style given; use --style painting.jpg or --style-video art.mp4")
    if transition is None:
        return StylePlan(Constant(resolve_style(items, fit=fit, **where)), [None])
    if transition == "follow":
        raise InputError("--transition follow needs --style-video; use segments with --style")
    styles = [resolve_style(item, fit=fit, **where) for item in items]
    schedule = Segments(styles, duration, easing=easing, hold=hold)
    return StylePlan(schedule, [_picture(item) for item in items])
