"""The page's widgets turned into the same options the command line builds.

Each function maps the values of one tab's widgets to the keyword arguments of the public
API (the names the CLI's flags map to), so a render from the page is the render
``restyle video`` would do with the same flags.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError
from ..registries import EASINGS, KEYFRAME_PICKERS, STYLIZERS, TEMPORAL_FILTERS, TRANSITIONS
from ..temporal.options import DEFAULT_SHARPNESS

PREVIEW_SECONDS = 2.0  # a quick preview paints this much from Start
BUILTIN_CHOICES = tuple(f"builtin:{i}" for i in range(26))
TEMPORAL_CHOICES = tuple(TEMPORAL_FILTERS.names())
METHOD_CHOICES = tuple(STYLIZERS.names())
KEYFRAME_CHOICES = tuple(KEYFRAME_PICKERS.names())
TRANSITION_CHOICES = tuple(TRANSITIONS.names())
EASING_CHOICES = tuple(EASINGS.names())


def style_list(style_files: Sequence[Path], builtins: Sequence[str]) -> list[str]:
    """``--style`` values: the uploaded style images (blended) or else the chosen built-ins.

    Raises:
        InputError: neither is given.
    """
    if style_files:
        return [str(p) for p in style_files]
    if builtins:
        return [str(b) for b in builtins]
    raise InputError("no style chosen: upload a style image or pick a built-in style")


def seconds_or_none(value: float | None) -> float | None:
    """A Start/Duration box: empty or 0 means 'not set' (the whole video)."""
    if value is None or value == "":
        return None
    value = float(value)
    if value < 0:
        raise InputError(f"times must not be negative, got {value:g}")
    return value or None


def look_options(strength: float, preserve_color: bool, method: str = "network") -> dict:
    """``--strength``, ``--preserve-color`` and ``--method``."""
    return {"strength": float(strength), "preserve_color": bool(preserve_color), "method": method}


def video_options(
    *,
    strength: float,
    preserve_color: bool,
    temporal: str,
    sharpness: float,
    start: float | None,
    duration: float | None,
    side_by_side: bool,
    preview: bool = False,
    stick: bool = False,
    model: str | None = None,
) -> dict:
    """``restyle video`` options: look, flicker removal, strokes, network, range, side-by-side.

    ``sharpness`` applies to ``--temporal flow`` only (the CLI's ``--sharpness``; the
    slider at its default is the flag not given); a preview paints ``PREVIEW_SECONDS``
    from Start (``--duration``). Values are checked where the CLI's are, by the job.
    """
    start, duration = seconds_or_none(start), seconds_or_none(duration)
    if preview:
        duration = min(duration or PREVIEW_SECONDS, PREVIEW_SECONDS)
    return {
        **look_options(strength, preserve_color),
        "temporal": temporal,
        "sharpness": _sharpness(temporal, sharpness),
        "start": start,
        "duration": duration,
        "side_by_side": bool(side_by_side),
        "strokes": "stick" if stick else "fresh",
        **({"model": model} if model else {}),
    }


def _sharpness(temporal: str, value: float | None) -> float | None:
    """``--sharpness`` as the CLI gives it: only for flow, None at the default."""
    if temporal != "flow" or value is None or float(value) == DEFAULT_SHARPNESS:
        return None
    return float(value)


def style_video_options(
    *,
    keyframes: int,
    keyframe_method: str,
    transition: str,
    easing: str,
    hold: float,
) -> dict:
    """``--keyframes``, ``--keyframe-method``, ``--transition``, ``--easing``, ``--hold``."""
    return {
        "keyframes": int(keyframes),
        "keyframe_method": keyframe_method,
        "transition": transition,
        "easing": easing,
        "hold": float(hold),
    }
