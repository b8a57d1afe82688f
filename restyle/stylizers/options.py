"""Options of the baseline methods (Gatys optimization, segmentation), as plain values."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

from ..errors import InputError

OPTIMIZERS = ("lbfgs", "adam")
SEGMENT_MODES = ("hard", "feather", "blur")
SEGMENT_BASES = ("network", "gatys")


@dataclass(frozen=True)
class MethodOptions:
    """Settings of ``--method gatys`` and ``--method segmented`` (other methods ignore them).

    Attributes:
        iterations: optimization steps per image (L-BFGS iterations or Adam steps).
        optimizer: ``"lbfgs"`` (default, as Gatys et al.) or ``"adam"``.
        features: feature network, ``"predictor"`` (default, no download) or ``"vgg19"``.
        gatys_size: longest side the image is optimized at (also capped by max_size).
        content_weight, style_weight, tv_weight: weights of the loss terms.
        temporal_weight: weight of the short-term temporal loss (video, ``--temporal flow``).
        learning_rate: Adam's step size, in pixel units of [0, 1].
        fg_rect: foreground box ``(x, y, w, h)`` in pixels for GrabCut; None: a centred box.
        fg_mask: an image file whose bright pixels mark the foreground (instead of a box).
        segment_mode: ``"hard"``, ``"feather"`` or ``"blur"`` (the Gaussian-blur variant).
        segment_base: method that paints each part, ``"network"`` or ``"gatys"``.
        style_fg, style_bg: style specs for the foreground / background (default: --style).
    """

    iterations: int = 100
    optimizer: str = "lbfgs"
    features: str = "predictor"
    gatys_size: int = 512
    content_weight: float = 1.0
    style_weight: float = 10.0
    tv_weight: float = 10.0
    temporal_weight: float = 200.0
    learning_rate: float = 0.02
    fg_rect: tuple[int, int, int, int] | None = None
    fg_mask: str | None = None
    segment_mode: str = "feather"
    segment_base: str = "network"
    style_fg: tuple[str, ...] = ()
    style_bg: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.iterations < 1:
            raise InputError(f"iterations must be at least 1, got {self.iterations}")
        if self.optimizer not in OPTIMIZERS:
            raise InputError(f"unknown optimizer {self.optimizer!r}; use lbfgs or adam")
        from .features import FEATURE_NETWORKS

        if self.features not in FEATURE_NETWORKS:
            raise InputError(f"unknown feature network {self.features!r}; use predictor or vgg19")
        if self.gatys_size < 32:
            raise InputError(f"gatys size must be at least 32 pixels, got {self.gatys_size}")
        for name in ("content_weight", "style_weight", "tv_weight", "temporal_weight"):
            if not getattr(self, name) >= 0:
                raise InputError(f"{name.replace('_', ' ')} must be >= 0")
        if self.segment_mode not in SEGMENT_MODES:
            raise InputError(f"unknown segment mode {self.segment_mode!r}; use hard, feather, blur")
        if self.segment_base not in SEGMENT_BASES:
            raise InputError(f"unknown segment base {self.segment_base!r}; use network or gatys")
        if self.fg_rect is not None:
            object.__setattr__(self, "fg_rect", parse_rect(self.fg_rect))
        if self.fg_mask is not None and not os.path.isfile(self.fg_mask):
            raise InputError(f"foreground mask file not found: {self.fg_mask}")
        for name in ("style_fg", "style_bg"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))

    @classmethod
    def of(cls, value: MethodOptions | Mapping[str, object] | None) -> MethodOptions:
        """Options from an instance, a mapping of field names (``None`` values skipped), or None.

        Raises:
            InputError: an unknown option name or a bad value.
        """
        if value is None:
            return cls()
        if isinstance(value, MethodOptions):
            return value
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(value) - known)
        if unknown:
            raise InputError(f"unknown method option {unknown[0]!r}")
        return cls(**{k: v for k, v in value.items() if v is not None})  # type: ignore[arg-type]


def parse_rect(value: str | Sequence[int]) -> tuple[int, int, int, int]:
    """Parse ``"x,y,w,h"`` (or four numbers) as a box with a positive width and height.

    Raises:
        InputError: not four whole numbers, a negative corner or an empty box.
    """
    parts = value.split(",") if isinstance(value, str) else list(value)
    try:
        x, y, w, h = (int(str(p).strip()) for p in parts)
    except ValueError:
        raise InputError(f"bad foreground box {value!r}; use x,y,w,h in pixels") from None
    if x < 0 or y < 0 or w < 2 or h < 2:
        raise InputError(f"bad foreground box {value!r}; x, y >= 0 and w, h >= 2 pixels")
    return x, y, w, h
