"""Stylization methods behind one interface; adding a method is adding a file and a registry line.

The methods are listed in :data:`restyle.registries.STYLIZERS` (``--method``):
``network`` (:class:`NetworkStylizer`, the default), ``gatys`` (:class:`GatysStylizer`,
needs PyTorch) and ``segmented`` (:class:`SegmentedStylizer`).
"""

from __future__ import annotations

from ..models.engine import Engine
from ..registries import STYLIZERS
from .base import Stylizer
from .options import Look, MethodOptions, method_options

DEFAULT_METHOD = "network"


def create_stylizer(
    method: MethodOptions | str | None = None,
    look: Look | None = None,
    engine: Engine | None = None,
) -> Stylizer:
    """The stylizer of ``method`` (its options, or just its name), made once for many frames.

    Raises:
        InputError: an unknown method.
        DependencyError: the method needs an optional package (gatys: PyTorch).
    """
    if method is None or isinstance(method, str):
        method = method_options(method or DEFAULT_METHOD)
    cls = STYLIZERS.load(method.name)
    return cls(look or Look(), engine or Engine(), method)


__all__ = [
    "DEFAULT_METHOD",
    "Look",
    "MethodOptions",
    "Stylizer",
    "create_stylizer",
    "method_options",
]
