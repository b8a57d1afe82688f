"""The segmented method's options: a GrabCut foreground and the background painted apart."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...errors import InputError
from ...options import declared, foreign_option, option
from ...registries import STYLIZERS
from . import MethodOptions, parse_rect

SEGMENT_MODES = ("hard", "feather", "blur")
SEGMENT_FILLS = ("inpaint", "mean")
SEGMENT_BASES = ("network", "gatys")


@STYLIZERS.register(
    "segmented",
    "restyle.stylizers.segmented:SegmentedStylizer",
    "a GrabCut foreground and the background painted apart and combined",
)
@dataclass(frozen=True)
class Segmented(MethodOptions):
    """Foreground and background painted apart and combined; a base method paints each part.

    Attributes:
        fg_rect: foreground box ``(x, y, w, h)`` in pixels for GrabCut; None: a centred box.
        fg_mask: an image file whose bright pixels mark the foreground (instead of a box).
        segment_mode: ``"hard"``, ``"feather"`` or ``"blur"`` (the Gaussian-blur variant).
        segment_fill: ``"inpaint"`` (the background filled in behind the foreground) or
            ``"mean"`` (each part's other part filled by its mean colour).
        segment_base: method that paints each part, ``"network"`` or ``"gatys"``.
        style_fg, style_bg: style specs for the foreground / background (default: --style).
        base: the options of the base method (``segment_base``); its defaults when None.
            Flat options of the base method (``iterations=50`` with ``segment_base="gatys"``)
            go here; a job file holds them as ``"base": {...}``.
    """

    fg_rect: tuple[int, int, int, int] | None = option(
        None,
        "foreground box in pixels for GrabCut (default: the centred 60%x80% box)",
        parse=parse_rect,
        metavar="X,Y,W,H",
    )
    fg_mask: str | None = option(
        None,
        "an image whose white pixels mark the foreground (GrabCut refines it), instead of "
        "--fg-rect",
        metavar="FILE",
    )
    segment_mode: str = option(
        "feather",
        "hard edges, feathered edges, or blur: each part painted from a frame whose other "
        "part is Gaussian-blurred",
        choices=SEGMENT_MODES,
    )
    segment_fill: str = option(
        "inpaint",
        "(hard, feather) what each part is painted from: inpaint (the background with the "
        "foreground filled in from around it, the foreground in its own surroundings: no "
        "halo) or mean (each part with the other filled by its mean colour)",
        choices=SEGMENT_FILLS,
    )
    segment_base: str = option("network", "the method painting each part", choices=SEGMENT_BASES)
    style_fg: tuple[str, ...] = option(
        (), "style of the foreground (default: --style); repeat to blend", metavar="STYLE"
    )
    style_bg: tuple[str, ...] = option(
        (), "style of the background (default: --style); repeat to blend", metavar="STYLE"
    )
    base: MethodOptions | None = field(default=None)

    def check(self) -> None:
        """A real foreground box; base options that belong to the base method."""
        if self.fg_rect is not None:
            parse_rect(self.fg_rect)
        if self.base is None:
            object.__setattr__(self, "base", MethodOptions.make(self.segment_base))
        elif not isinstance(self.base, MethodOptions) or self.base.name != self.segment_base:
            raise InputError(
                f"the segmented method's base options must be those of --segment-base "
                f"{self.segment_base}, got {self.base!r}"
            )

    @classmethod
    def flat_values(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """Its own flat options, and the base method's gathered into ``base``."""
        own_keys = {item.key for item in declared(cls)}
        own = {k: v for k, v in values.items() if k in own_keys}
        rest = {k: v for k, v in values.items() if k not in own_keys}
        mine = super().flat_values(own)
        base_name = mine.get("segment_base", cls.segment_base)
        if rest:
            base_cls = MethodOptions.choice(base_name)
            if not isinstance(base_name, str) or base_cls is Segmented:
                raise InputError(foreign_option(cls, next(iter(rest))))
            for key in rest:
                if key not in {item.key for item in declared(base_cls)}:
                    raise InputError(foreign_option(cls, key))
            mine["base"] = MethodOptions.make(base_name, rest)
        return mine

    @classmethod
    def nested(cls) -> tuple[str, ...]:
        """A job file's ``base`` holds the base method's options."""
        return ("base",)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> MethodOptions:
        """Its fields, with ``base`` as the base method's own mapping."""
        data = dict(data)
        base = data.pop("base", None)
        name = data.get("segment_base", SEGMENT_BASES[0])
        if base is not None:
            if not isinstance(base, Mapping):
                raise InputError("'method.base' in the job must be a mapping of options")
            if not isinstance(name, str) or name not in SEGMENT_BASES:
                return cls(**data)  # the bad segment_base is named by its own check
            data["base"] = MethodOptions.from_dict({"name": name, **base})
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Its fields, and the base method's options under ``base``."""
        data = super().to_dict()
        assert self.base is not None
        base = self.base.to_dict()
        base.pop(self.selector, None)
        data["base"] = base
        return data

    def absolute(self) -> Segmented:
        """Mask and per-part style paths made absolute."""
        from ...styles.options import absolute_spec

        return dataclasses.replace(
            self,
            fg_mask=None if self.fg_mask is None else os.path.abspath(self.fg_mask),
            style_fg=tuple(str(absolute_spec(s)) for s in self.style_fg),
            style_bg=tuple(str(absolute_spec(s)) for s in self.style_bg),
        )

    def own_styles(self) -> tuple[str, ...]:
        """The per-part styles."""
        return self.style_fg + self.style_bg
