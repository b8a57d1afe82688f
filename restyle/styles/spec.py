"""Parse style specifications as users write them: ``a.jpg``, ``a.jpg:0.7``, ``builtin:7``."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..errors import InputError, kind_of
from ..models.networks import BUILTIN_STYLES
from .style import Style

STYLE_KINDS = (
    "a painting (a file path, a PIL image or an HxWx3 array), a spec such as "
    "'painting.jpg:0.7' or 'builtin:7', or a Style from restyle.style_vector()"
)


@dataclass(frozen=True)
class StyleSpec:
    """One parsed ``--style`` value: a style image path or a built-in index, and its weight."""

    source: str  # an image path, or "" for a built-in style
    builtin: int | None = None
    weight: float = 1.0

    @property
    def label(self) -> str:
        """How the style is named in labels and logs."""
        return f"builtin:{self.builtin}" if self.builtin is not None else self.source


def _weight(text: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"bad style weight {text!r} in {spec!r}; use e.g. painting.jpg:0.7"
        ) from None
    if not value >= 0:
        raise InputError(f"style weight must be >= 0 in {spec!r}")
    return value


def parse_style_spec(spec: str) -> StyleSpec:
    """Parse ``path``, ``path:weight``, ``builtin:N`` or ``builtin:N:weight``.

    A trailing ``:number`` is a weight only when it parses as a number, so paths containing
    colons (``C:\\art\\a.jpg``) still work.

    Raises:
        InputError: an empty spec, a bad weight or a built-in index out of range.
    """
    text = spec.strip()
    if not text:
        raise InputError("empty style spec; give a style image path or builtin:N")
    if text.lower().startswith("builtin:"):
        parts = text.split(":")
        if len(parts) not in (2, 3):
            raise InputError(f"bad style spec {spec!r}; use builtin:N or builtin:N:weight")
        try:
            index = int(parts[1])
        except ValueError:
            raise InputError(
                f"bad built-in style index in {spec!r}; use builtin:0 to builtin:25"
            ) from None
        if not 0 <= index < BUILTIN_STYLES:
            raise InputError(f"built-in style index must be 0 to {BUILTIN_STYLES - 1}, got {index}")
        weight = _weight(parts[2], spec) if len(parts) == 3 else 1.0
        return StyleSpec("", index, weight)
    head, sep, tail = text.rpartition(":")
    if sep and head and "/" not in tail and "\\" not in tail:
        try:
            float(tail)
        except ValueError:
            return StyleSpec(text)
        return StyleSpec(head, None, _weight(tail, spec))
    return StyleSpec(text)


def style_item(item: object) -> Style | StyleSpec | Image.Image | np.ndarray:
    """One style as given, checked: a Style, a parsed spec, or a picture (PIL image or array).

    Strings and paths are parsed as ``--style`` values.

    Raises:
        InputError: anything else (a number, None, bytes, ...), naming what a style can be.
    """
    if isinstance(item, Style | StyleSpec | Image.Image | np.ndarray):
        return item
    if isinstance(item, str | os.PathLike):
        text = os.fspath(item)
        if isinstance(text, str):
            return parse_style_spec(text)
    if item is None:
        raise InputError(f"no style given; a style is {STYLE_KINDS}")
    raise InputError(f"a style must be {STYLE_KINDS}; got {kind_of(item)}")
