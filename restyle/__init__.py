"""restyle: turn an ordinary video into a painted one.

The public API is small. Pictures: :func:`stylize_image`, :func:`style_vector`,
:func:`style_grid`, :func:`load_image`, :func:`save_image`. Videos: :func:`stylize_video`
for one call, or a :class:`VideoJob` (a render as data: printed, saved, sent elsewhere)
run by :func:`render`, with :class:`Progress` events and a :class:`Cancelled` error; a
:class:`Span` renders a piece of a job. A method's own options are a :class:`Network`,
:class:`Gatys` or :class:`Segmented`; a flicker filter's a :class:`Flow`, :class:`Carry`,
:class:`Forward`, :class:`Blend` or :class:`NoFilter`. Style videos:
:func:`extract_keyframes`. Measuring: :func:`evaluate`. Every error a user can act on is a
:class:`RestyleError`.
"""

from .api import (
    evaluate,
    extract_keyframes,
    painter,
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
from .job import SCHEMA_VERSION, Run, VideoJob
from .media.image import load_image, save_image
from .media.options import Encode, Range
from .metrics.report import Evaluation
from .models.engine import Engine
from .rendering import Cancelled, Progress, Span, VideoResult, render
from .styles.keyframes import Keyframe
from .styles.options import Styles
from .styles.style import Style
from .stylizers.options import Gatys, Look, MethodOptions, Network, Segmented
from .temporal.options import Blend, Carry, FilterOptions, Flow, Forward, NoFilter

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "Blend",
    "Cancelled",
    "Carry",
    "DependencyError",
    "DeviceError",
    "Encode",
    "Engine",
    "Evaluation",
    "FilterOptions",
    "Flow",
    "Forward",
    "Gatys",
    "InputError",
    "Keyframe",
    "Look",
    "MethodOptions",
    "ModelError",
    "Network",
    "NoFilter",
    "OutputError",
    "Progress",
    "Range",
    "RestyleError",
    "Run",
    "Segmented",
    "Span",
    "Style",
    "Styles",
    "VideoJob",
    "VideoResult",
    "__version__",
    "evaluate",
    "extract_keyframes",
    "load_image",
    "painter",
    "render",
    "save_image",
    "style_grid",
    "style_vector",
    "stylize_image",
    "stylize_video",
]
