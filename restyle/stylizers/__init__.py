"""Stylization methods behind one interface; adding a method is adding a file and a line here."""

from __future__ import annotations

import os

from ..errors import InputError
from ..styles.style import ARBITRARY, BUILTIN
from .arbitrary import ArbitraryStylizer
from .base import LookOptions, Stylizer
from .builtin import BuiltinStylizer
from .gatys import GatysStylizer
from .options import MethodOptions
from .segmented import SegmentedStylizer

ANY_SPACE = "*"  # the method reads the paintings itself: its .resolve() makes its styles

# --method value -> stylizer class per style space
METHODS: dict[str, dict[str, type[Stylizer]]] = {
    "network": {ARBITRARY: ArbitraryStylizer, BUILTIN: BuiltinStylizer},
    "gatys": {ANY_SPACE: GatysStylizer},
    "segmented": {ANY_SPACE: SegmentedStylizer},
}
DEFAULT_METHOD = "network"


def resolves_own_styles(method: str) -> bool:
    """Whether ``method`` turns style images into styles itself (``stylizer.resolve``)."""
    return ANY_SPACE in METHODS.get(method, {})


def create_stylizer(
    method: str = DEFAULT_METHOD,
    space: str | None = ARBITRARY,
    options: LookOptions | None = None,
    *,
    device: str = "auto",
    model_dir: str | os.PathLike[str] | None = None,
    precision: str = "float",
    method_options: MethodOptions | None = None,
) -> Stylizer:
    """The stylizer for ``method`` that paints styles of ``space``.

    ``method_options`` go to the methods that take them (gatys, segmented); ``space`` is
    ignored by those (their ``resolve`` makes their styles).

    Raises:
        InputError: unknown method, or a method that cannot paint that kind of style.
        DependencyError: the method needs an optional package (gatys: PyTorch).
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    by_space = METHODS[method]
    cls = by_space.get(space or "") or by_space.get(ANY_SPACE)
    if cls is None:
        raise InputError(f"the {method} method cannot paint {space} styles")
    extra = {"method_options": method_options} if getattr(cls, "takes_method_options", 0) else {}
    return cls(options, device=device, model_dir=model_dir, precision=precision, **extra)


__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "ArbitraryStylizer",
    "BuiltinStylizer",
    "GatysStylizer",
    "LookOptions",
    "MethodOptions",
    "SegmentedStylizer",
    "Stylizer",
    "create_stylizer",
    "resolves_own_styles",
]
