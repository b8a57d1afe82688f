"""The one error family restyle raises; the CLI turns each into one line and exit code 2."""

from __future__ import annotations


class RestyleError(Exception):
    """Base class for every error a user can act on."""


class InputError(RestyleError):
    """A file, option or value given by the user cannot be used."""


class OutputError(RestyleError):
    """The output cannot be written where the user asked."""


class ModelError(RestyleError):
    """A network's weights are missing, corrupt or cannot be loaded."""


class DeviceError(RestyleError):
    """The requested compute device (e.g. CUDA) is not available."""


class DependencyError(RestyleError):
    """An optional dependency (e.g. PyTorch) is needed and not installed."""


def kind_of(value: object) -> str:
    """How an unexpected value is named in an error message: its type, and a short repr."""
    if value is None:
        return "None"
    name = type(value).__name__
    text = repr(value)
    return f"{name} {text}" if len(text) <= 40 and not isinstance(value, bytes) else name
