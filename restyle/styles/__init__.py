"""What style applies when: style embeddings, keyframes from a style video, transition schedules."""

from .embed import builtin_style, embed_images, resolve_style, style_input, style_vector
from .spec import StyleSpec, parse_style_spec
from .style import ARBITRARY, BUILTIN, Style, blend

__all__ = [
    "ARBITRARY",
    "BUILTIN",
    "Style",
    "StyleSpec",
    "blend",
    "builtin_style",
    "embed_images",
    "parse_style_spec",
    "resolve_style",
    "style_input",
    "style_vector",
]
