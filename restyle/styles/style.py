"""A style: a point in a network's style space, which can be blended and interpolated."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError

ARBITRARY = "arbitrary"  # 100-number vectors of the style prediction network
BUILTIN = "builtin"  # 26 weights over the multistyle26 network's built-in styles


@dataclass(frozen=True, eq=False)
class Style:
    """A style vector and the style space it belongs to.

    Attributes:
        space: ``"arbitrary"`` (100 numbers from the predictor) or ``"builtin"`` (26 weights).
        vector: the numbers, float32.
        label: a short human-readable name (file name, ``builtin:7``, a blend).
    """

    space: str
    vector: np.ndarray = field(repr=False)
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "vector", np.asarray(self.vector, np.float32).reshape(-1))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Style):
            return NotImplemented
        return (
            self.space == other.space
            and self.label == other.label
            and np.array_equal(self.vector, other.vector)
        )

    def __hash__(self) -> int:
        return hash((self.space, self.label, self.vector.tobytes()))

    def to_dict(self) -> dict[str, object]:
        """The style as JSON-ready values (a job file can carry a computed style)."""
        return {"space": self.space, "vector": [float(v) for v in self.vector], "label": self.label}

    @classmethod
    def from_json(cls, data: object) -> Style | None:
        """A Style from :meth:`to_dict`'s mapping, or None when ``data`` is not one."""
        if not isinstance(data, dict) or set(data) - {"space", "vector", "label"}:
            return None
        try:
            return cls(
                str(data["space"]),
                np.asarray(data["vector"], np.float32),
                str(data.get("label", "")),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def mix(self, other: Style, t: float) -> Style:
        """The style a fraction ``t`` of the way from this one to ``other`` (linear)."""
        _same_space([self, other])
        vec = (1.0 - t) * self.vector + t * other.vector
        return Style(self.space, vec, f"{self.label}>{other.label}@{t:.2f}")

    def distance(self, other: Style) -> float:
        """Euclidean distance between two styles of the same space."""
        _same_space([self, other])
        return float(np.linalg.norm(self.vector - other.vector))


def _same_space(styles: Sequence[Style]) -> None:
    spaces = {s.space for s in styles}
    if len(spaces) > 1:
        raise InputError(
            "cannot blend built-in styles with style images: they belong to different networks"
        )


def blend(styles: Sequence[Style], weights: Sequence[float] | None = None) -> Style:
    """Weighted mean of styles of one space; weights are normalised to sum to 1.

    Raises:
        InputError: no styles, negative or all-zero weights, or mixed spaces.
    """
    if not styles:
        raise InputError("no style given")
    _same_space(styles)
    w = np.ones(len(styles), np.float32) if weights is None else np.asarray(weights, np.float32)
    if len(w) != len(styles) or (w < 0).any() or w.sum() <= 0:
        raise InputError("style weights must be non-negative and not all zero")
    w = w / w.sum()
    vec = np.sum([wi * s.vector for wi, s in zip(w, styles, strict=True)], axis=0)
    if len(styles) == 1:
        return styles[0]
    label = "+".join(f"{s.label}:{wi:.2g}" for s, wi in zip(styles, w, strict=True))
    return Style(styles[0].space, vec, label)
