"""File paths as users give them: checked to be paths before anything opens them."""

from __future__ import annotations

import os
from pathlib import Path

from restyle.errors import InputError, kind_of


def as_path(value: object, what: str) -> Path:
    """``value`` (a str or os.PathLike naming a file) as a Path.

    Raises:
        InputError: anything else (a number, None, bytes, an empty string), naming ``what``.
    """
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value or "\0" in value:
        shown = repr(value) if isinstance(value, str) else kind_of(value)
        raise InputError(f"{what} must be a file path, got {shown}")
    return Path(value)
