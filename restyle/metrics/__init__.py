"""restyle.metrics: the flicker meter (warp error), fidelity and content-structure measures."""

from restyle.imaging.similarity import edge_ssim, ssim
from restyle.metrics.similarity import EdgeSSIMMeter, MeanScore, SSIMMeter
from restyle.metrics.warp_error import SourceMotion, WarpErrorMeter, WarpErrorResult

__all__ = [
    "EdgeSSIMMeter",
    "MeanScore",
    "SSIMMeter",
    "SourceMotion",
    "WarpErrorMeter",
    "WarpErrorResult",
    "edge_ssim",
    "ssim",
]
