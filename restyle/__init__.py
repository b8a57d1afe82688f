"""restyle: turn an ordinary video into a painted one.

The public API is small: :func:`stylize_image`, :func:`style_vector` and :func:`style_grid`
for pictures; video functions join them as the pipeline grows. Every error a user can act
on is a :class:`RestyleError`.
"""

from .api import (
    evaluate,
    extract_keyframes,
    style_grid,
    style_vector,
    stylize_image,
    stylize_video,
)
from .errors import (
    DependencyError,
    DeviceError,
    InputError,
    ModelError,
    OutputError,
    RestyleError,
)
from .styles.keyframes import Keyframe
from .styles.style import Style

__version__ = "0.1.0"

__all__ = [
    "DependencyError",
    "DeviceError",
    "InputError",
    "Keyframe",
    "ModelError",
    "OutputError",
    "RestyleError",
    "Style",
    "__version__",
    "evaluate",
    "extract_keyframes",
    "style_grid",
    "style_vector",
    "stylize_image",
    "stylize_video",
]
