"""restyle.temporal: optical flow, occlusion masks, warping and scene cuts between frames."""

from restyle.temporal.flow import FlowEstimator, FlowFrame, FlowPair, estimate_flow
from restyle.temporal.occlusion import (
    consistency_mask,
    flow_stretch,
    motion_boundary_mask,
    out_of_frame_mask,
)
from restyle.temporal.scenecut import SceneCutDetector, is_scene_cut
from restyle.temporal.warping import WarpMap, warp

__all__ = [
    "FlowEstimator",
    "FlowFrame",
    "FlowPair",
    "SceneCutDetector",
    "WarpMap",
    "consistency_mask",
    "estimate_flow",
    "flow_stretch",
    "is_scene_cut",
    "motion_boundary_mask",
    "out_of_frame_mask",
    "warp",
]
