"""Stylization methods behind one interface; adding a method is adding a file and a line here."""

from __future__ import annotations

import os

from ..errors import InputError
from ..styles.style import ARBITRARY, BUILTIN
from .arbitrary import ArbitraryStylizer
from .base import LookOptions, Stylizer
from .builtin import BuiltinStylizer

# --method value -> stylizer class per style space
METHODS: dict[str, dict[str, type[Stylizer]]] = {
    "network": {ARBITRARY: ArbitraryStylizer, BUILTIN: BuiltinStylizer},
}
DEFAULT_METHOD = "network"


def create_stylizer(
    method: str = DEFAULT_METHOD,
    space: str = ARBITRARY,
    options: LookOptions | None = None,
    *,
    device: str = "auto",
    model_dir: str | os.PathLike[str] | None = None,
    precision: str = "float",
) -> Stylizer:
    """The stylizer for ``method`` that paints styles of ``space``.

    Raises:
        InputError: unknown method, or a method that cannot paint that kind of style.
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    by_space = METHODS[method]
    if space not in by_space:
        raise InputError(f"the {method} method cannot paint {space} styles")
    return by_space[space](options, device=device, model_dir=model_dir, precision=precision)


__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "ArbitraryStylizer",
    "BuiltinStylizer",
    "LookOptions",
    "Stylizer",
    "create_stylizer",
]
