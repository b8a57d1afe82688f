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
