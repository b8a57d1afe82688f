"""Parse style specifications as users write them: ``a.jpg``, ``a.jpg:0.7``, ``builtin:7``."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from ..models.networks import BUILTIN_STYLES


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
