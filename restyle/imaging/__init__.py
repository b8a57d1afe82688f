"""Image math shared by the stages and the meters (below both temporal/ and metrics/)."""

from restyle.imaging.blend import crossfade, mix
from restyle.imaging.similarity import (
    conform,
    edge_map,
    edge_ssim,
    luminance,
    ssim,
    ssim_map,
    to_float,
)

__all__ = [
    "conform",
    "crossfade",
    "edge_map",
    "edge_ssim",
    "luminance",
    "mix",
    "ssim",
    "ssim_map",
    "to_float",
]
