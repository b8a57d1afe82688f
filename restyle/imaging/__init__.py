"""Image math shared by the stages and the meters (below both temporal/ and metrics/)."""

from restyle.imaging.similarity import (
    conform,
    edge_map,
    edge_ssim,
    luminance,
    ssim,
    ssim_map,
    to_float,
)

__all__ = ["conform", "edge_map", "edge_ssim", "luminance", "ssim", "ssim_map", "to_float"]
