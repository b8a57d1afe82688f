"""Where weights come from and how a network runs (ONNX Runtime sessions, device choice)."""

from .location import locate
from .networks import (
    BUILTIN_STYLES,
    STYLE_DIM,
    STYLE_SIZE,
    load_multistyle,
    load_predictor,
    load_transformer,
)
from .registry import REGISTRY, ModelSpec, get_spec, register
from .session import available_devices

__all__ = [
    "BUILTIN_STYLES",
    "REGISTRY",
    "STYLE_DIM",
    "STYLE_SIZE",
    "ModelSpec",
    "available_devices",
    "get_spec",
    "load_multistyle",
    "load_predictor",
    "load_transformer",
    "locate",
    "register",
]
