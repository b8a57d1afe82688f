"""Optical flow, warping, occlusion masks and scene cuts checked against synthetic known motion."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from restyle.temporal import (
    FlowEstimator,
    SceneCutDetector,
    consistency_mask,
    estimate_flow,
    flow_stretch,
    is_scene_cut,
    motion_boundary_mask,
    out_of_frame_mask,
    warp,
)
from restyle.temporal.flow import PHOTOMETRIC_TOLERANCE, invert_flow, working_size
from restyle.temporal.warping import WarpMap
from support.motion_factory import object_clip, texture, translating_clip

H, W = 144, 208
M = 16  # interior margin for accuracy checks


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


def _constant_flow(dx: float, dy: float, h: int = H, w: int = W) -> np.ndarray:
    flow = np.empty((h, w, 2), np.float32)
    flow[..., 0], flow[..., 1] = dx, dy
    return flow


@pytest.mark.parametrize("velocity", [(3.0, 0.0), (2.6, -1.3), (-5.5, 4.0)])
def test_flow_recovers_translation(velocity):
    vx, vy = velocity
    frames = translating_clip(3, H, W, velocity)
    est = FlowEstimator()
    forward = est.flow(frames[2], frames[1])  # content of frame 2 sits at p - v in frame 1
    backward = est.flow(frames[1], frames[2])
    assert forward.shape == (H, W, 2) and forward.dtype == np.float32
    epe_f = np.hypot(forward[..., 0] + vx, forward[..., 1] + vy)[M:-M, M:-M].mean()
    epe_b = np.hypot(backward[..., 0] - vx, backward[..., 1] - vy)[M:-M, M:-M].mean()
    assert epe_f < 0.15
    assert epe_b < 0.15


def test_flow_is_scaled_back_from_the_working_size():
    frames = translating_clip(2, 2 * H, 2 * W, (6.0, -3.0))
    est = FlowEstimator(max_side=W)  # works at half size
    assert working_size(2 * H, 2 * W, W) == (H, W)
    flow = est.flow(frames[1], frames[0])
    assert flow.shape == (2 * H, 2 * W, 2)
    interior = flow[2 * M : -2 * M, 2 * M : -2 * M]
    np.testing.assert_allclose(interior[..., 0].mean(), -6.0, atol=0.15)
    np.testing.assert_allclose(interior[..., 1].mean(), 3.0, atol=0.15)
    epe = np.hypot(interior[..., 0] + 6.0, interior[..., 1] - 3.0).mean()
    assert epe < 0.3


def test_estimate_flow_matches_estimator_and_zero_motion_gives_zero_flow():
    frames = translating_clip(2, H, W, (2.0, 1.0))
    np.testing.assert_allclose(
        estimate_flow(frames[1], frames[0]), FlowEstimator().flow(frames[1], frames[0])
    )
    still = estimate_flow(frames[0], frames[0])
    assert np.abs(still).max() < 0.05


def test_flow_rejects_bad_frames():
    frame = texture(H, W)
    est = FlowEstimator()
    with pytest.raises(ValueError):
        est.flow(frame[..., 0], frame[..., 0])
    with pytest.raises(ValueError):
        est.flow(frame, frame[:, :-8])
    with pytest.raises(ValueError):
        FlowEstimator(preset="slowest")


@pytest.mark.parametrize("velocity", [(3.0, 0.0), (2.6, -1.3)])
def test_warp_along_estimated_flow_reconstructs_the_frame(velocity):
    frames = translating_clip(3, H, W, velocity)
    flow = FlowEstimator().flow(frames[2], frames[1])
    rebuilt = warp(frames[1], flow)
    assert rebuilt.dtype == np.uint8 and rebuilt.shape == frames[2].shape
    err = np.abs(rebuilt.astype(np.float32) - frames[2])[M:-M, M:-M].mean()
    assert err < 1.5  # out of 255
    moved = np.abs(frames[1].astype(np.float32) - frames[2])[M:-M, M:-M].mean()
    assert moved > 10 * err  # the frames really differ before warping


def test_warp_with_an_integer_flow_is_an_exact_shift():
    rng = np.random.default_rng(1)
    image = rng.random((H, W, 3), dtype=np.float32)
    out = warp(image, _constant_flow(4, -2))  # out(x, y) = image(x + 4, y - 2)
    np.testing.assert_allclose(out[2:, : W - 4], image[: H - 2, 4:], atol=1e-6)
    assert out.dtype == np.float32


def test_warp_border_rules_and_many_channels():
    image = np.full((H, W), 100, np.uint8)
    flow = _constant_flow(-10, 0)  # the 10 leftmost columns sample outside the image
    assert (warp(image, flow, border="constant", border_value=7)[:, :10] == 7).all()
    assert (warp(image, flow)[:, :10] == 100).all()  # replicate
    stack = np.random.default_rng(2).random((H, W, 6), dtype=np.float32)
    out = warp(stack, _constant_flow(1, 0))
    assert out.shape == (H, W, 6)
    np.testing.assert_allclose(out[:, :-1], stack[:, 1:], atol=1e-6)
    with pytest.raises(ValueError):
        warp(image, flow, border="wrap")
    with pytest.raises(ValueError):
        warp(image[:-1], flow)


def test_consistency_mask_on_exact_flows():
    forward = _constant_flow(3, -2)
    ok = consistency_mask(forward, -forward)
    outside = out_of_frame_mask(forward)
    assert outside.sum() > 0
    assert (ok == ~outside).all()
    # a backward flow that does not undo the forward one fails the check everywhere
    assert not consistency_mask(forward, forward).any()
    # a small disagreement (0.5 px) is tolerated, a large one (2 px) is not
    assert consistency_mask(forward, -forward + np.float32([0.5, 0]))[M:-M, M:-M].all()
    assert not consistency_mask(forward, -forward + np.float32([2, 0]))[M:-M, M:-M].any()


def test_out_of_frame_mask_is_the_entering_strip():
    flow = _constant_flow(-3, 0)
    mask = out_of_frame_mask(flow)
    assert mask[:, :3].all() and not mask[:, 3:].any()


def test_motion_boundary_mask_marks_only_the_flow_edge():
    flow = _constant_flow(0, 0)
    flow[:, W // 2 :, 0] = 6.0
    edge = motion_boundary_mask(flow)
    cols = np.nonzero(edge.any(axis=0))[0]
    assert edge.any() and cols.min() >= W // 2 - 2 and cols.max() <= W // 2 + 1


def test_flow_stretch_reads_nothing_for_a_pan_and_a_zoom_by_its_rate():
    assert np.abs(flow_stretch(_constant_flow(3.5, -1.25))).max() < 1e-6
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
    zoom = np.dstack([0.01 * (xs - W / 2), 0.01 * (ys - H / 2)])  # 1 % a frame
    inside = flow_stretch(zoom)[2:-2, 2:-2]
    assert np.allclose(inside, 0.01 * np.sqrt(2), atol=1e-5)
    edge = _constant_flow(0, 0)
    edge[:, W // 2 :, 0] = 6.0  # an object moving 6 px a frame over a still background
    stretch = flow_stretch(edge)
    assert stretch[:, W // 2 - 1 : W // 2 + 1].min() > 1.0 and stretch[:, : W // 2 - 2].max() == 0


@pytest.mark.parametrize("velocity", [(3.0, 0.0), (2.6, -1.3), (-5.5, 4.0)])
def test_occlusion_mask_flags_the_disoccluded_border_strip(velocity):
    vx, vy = velocity
    frames = translating_clip(3, H, W, velocity)
    pair = FlowEstimator().pair(frames[2], frames[1])
    ys, xs = np.mgrid[0:H, 0:W]
    # pixels of frame 2 whose content was outside frame 1 (entered this frame)
    truth = (xs - vx < -0.5) | (xs - vx > W - 0.5) | (ys - vy < -0.5) | (ys - vy > H - 0.5)
    unreliable = ~pair.reliable
    assert _iou(unreliable, truth) > 0.6
    assert unreliable[M:-M, M:-M].mean() < 0.01  # the interior is trusted
    np.testing.assert_allclose(pair.unreliable_fraction, unreliable.mean())


def test_pair_gives_the_backward_flow_only_when_asked():
    frames = translating_clip(3, H, W, (3.0, -2.0))
    est = FlowEstimator()
    assert est.pair(frames[2], frames[1]).backward is None
    pair = est.pair(frames[2], frames[1], keep_backward=True)
    inner = (slice(M, -M), slice(M, -M))
    np.testing.assert_allclose(np.median(pair.forward[inner], axis=(0, 1)), [-3.0, 2.0], atol=0.3)
    np.testing.assert_allclose(np.median(pair.backward[inner], axis=(0, 1)), [3.0, -2.0], atol=0.3)


@pytest.mark.parametrize(
    ("background", "obj", "min_iou", "min_recall"),
    [
        ((0.0, 0.0), (5, 0), 0.35, 0.7),
        # relative motion (6.5, 1.5): the uncovered L has a 1.5 px arm, hard at any resolution
        ((-1.5, 0.5), (5, 2), 0.15, 0.45),
        ((1.0, 0.0), (-6, 3), 0.35, 0.8),
    ],
)
def test_occlusion_mask_flags_background_uncovered_by_a_moving_object(
    background, obj, min_iou, min_recall
):
    frames, masks = object_clip(3, H, W, background, obj, start=(80, 50))
    pair = FlowEstimator().pair(frames[2], frames[1])
    bx, by = background
    ys, xs = np.mgrid[0:H, 0:W]
    src_x = np.clip(np.round(xs - bx).astype(int), 0, W - 1)
    src_y = np.clip(np.round(ys - by).astype(int), 0, H - 1)
    # background pixels of frame 2 that the square covered in frame 1
    uncovered = ~masks[2] & masks[1][src_y, src_x]
    unreliable = ~pair.reliable & ~out_of_frame_mask(_constant_flow(-bx, -by))
    recall = (unreliable & uncovered).sum() / uncovered.sum()
    assert recall > min_recall
    assert _iou(unreliable, uncovered) > min_iou
    # everything flagged lies near the square (flow is blurred across its edges, no further)
    near = np.zeros_like(uncovered)
    ys_o, xs_o = np.nonzero(masks[1] | masks[2])
    near[max(ys_o.min() - 8, 0) : ys_o.max() + 9, max(xs_o.min() - 8, 0) : xs_o.max() + 9] = True
    near[:3], near[-3:], near[:, :3], near[:, -3:] = True, True, True, True  # frame edge
    assert not (unreliable & ~near).any()


@pytest.mark.parametrize("velocity", [(3.0, 0.0), (-5.5, 4.0)])
def test_photometric_check_trusts_a_translation_and_flags_the_new_strip(velocity):
    vx, vy = velocity
    frames = translating_clip(3, H, W, velocity)
    pair = FlowEstimator().pair(frames[2], frames[1], check="photometric")
    assert pair.backward is None
    ys, xs = np.mgrid[0:H, 0:W]
    entered = (xs - vx < -0.5) | (xs - vx > W - 0.5) | (ys - vy < -0.5) | (ys - vy > H - 0.5)
    assert not (pair.reliable & entered).any()
    assert pair.reliable[M:-M, M:-M].mean() > 0.97


def test_photometric_check_flags_what_the_flow_does_not_explain_near_a_moving_object():
    frames, masks = object_clip(3, H, W, (0.0, 0.0), (5, 0), start=(80, 50))
    est = FlowEstimator()  # these frames are under the working size: masks are exact here
    pair = est.pair(frames[2], frames[1], check="photometric")
    grey = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames]
    diff = cv2.absdiff(grey[2], warp(grey[1], pair.forward))
    # no pixel kept whose brightness the flow misses (the warped history would ghost there)
    assert not (pair.reliable & (diff > PHOTOMETRIC_TOLERANCE)).any()
    uncovered = ~masks[2] & masks[1]
    missed = uncovered & (diff > PHOTOMETRIC_TOLERANCE)
    assert missed.any() and not (pair.reliable & missed).any()
    far = np.ones_like(uncovered)
    ys_o, xs_o = np.nonzero(masks[1] | masks[2])
    far[max(ys_o.min() - 8, 0) : ys_o.max() + 9, max(xs_o.min() - 8, 0) : xs_o.max() + 9] = False
    assert pair.reliable[far].mean() > 0.97


def test_inverted_flow_undoes_the_flow():
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
    # a smooth rotation-and-zoom field, a few pixels at most
    flow = np.dstack([0.02 * (xs - W / 2) - 0.03 * (ys - H / 2), 0.03 * (xs - W / 2)])
    flow = flow.astype(np.float32)
    inverse = invert_flow(flow)
    # going there and back lands where it started
    there = warp(inverse, flow) + flow
    np.testing.assert_allclose(there[M:-M, M:-M], 0.0, atol=0.05)
    translation = np.zeros((H, W, 2), np.float32) + np.array([2.5, -1.0], np.float32)
    np.testing.assert_allclose(invert_flow(translation), -translation, atol=1e-5)


def test_pair_both_ways_matches_two_flows():
    frames = translating_clip(3, H, W, (3.0, -2.0))
    back, ahead = FlowEstimator().pair_both_ways(frames[2], frames[1])
    inner = (slice(M, -M), slice(M, -M))
    np.testing.assert_allclose(np.median(back.forward[inner], axis=(0, 1)), [-3.0, 2.0], atol=0.3)
    np.testing.assert_allclose(np.median(ahead.forward[inner], axis=(0, 1)), [3.0, -2.0], atol=0.3)
    assert back.reliable[inner].mean() > 0.97 and ahead.reliable[inner].mean() > 0.97


def test_pair_both_ways_can_leave_flows_and_masks_at_the_working_size():
    frames = translating_clip(3, H, W, (3.0, -2.0))
    est = FlowEstimator(max_side=104)  # half size
    full, _ = est.pair_both_ways(frames[2], frames[1])
    small, _ = est.pair_both_ways(frames[2], frames[1], full_size=False)
    assert small.reliable is None and small.forward is None
    assert small.working_reliable.shape == (72, 104)
    np.testing.assert_array_equal(small.working_forward, full.working_forward)
    assert abs(small.unreliable_fraction - full.unreliable_fraction) < 0.02
    # the working-size flow warps full-size frames as the full-size flow does
    image = frames[1]
    np.testing.assert_allclose(
        WarpMap.from_working(small.working_forward, (H, W))(image).astype(float),
        WarpMap(full.forward)(image).astype(float),
        atol=2,
    )


@pytest.mark.parametrize("velocity", [(2.0, 1.0), (-3.3, 0.6)])
def test_warp_map_warps_as_warp_does(velocity):
    frame = texture(H, W, seed=2)
    flow = _constant_flow(*velocity)
    flow[:, : W // 2, 0] += 1.7  # not a single translation
    pulled = WarpMap(flow)(frame)
    diff = np.abs(pulled.astype(int) - warp(frame, flow))
    assert diff.max() <= 2 and diff.mean() < 0.3  # fixed-point positions: 1/32 px
    with pytest.raises(ValueError, match="differ in size"):
        WarpMap(flow)(frame[:-1])


def test_dis_settings_reach_the_flow():
    est = FlowEstimator(preset="fast", refine_iterations=0, patch_stride=5, descent_iterations=12)
    dis = est._dis
    assert dis.getVariationalRefinementIterations() == 0
    assert (dis.getPatchStride(), dis.getGradientDescentIterations()) == (5, 12)
    frames = translating_clip(3, H, W, (3.0, 1.0))
    flow = est.flow(frames[2], frames[1])
    np.testing.assert_allclose(np.median(flow[M:-M, M:-M], axis=(0, 1)), [-3.0, -1.0], atol=0.3)


def test_unknown_flow_check_is_refused():
    frames = translating_clip(2, H, W, (1.0, 0.0))
    with pytest.raises(ValueError, match="unknown flow check"):
        FlowEstimator().pair(frames[1], frames[0], check="psychic")


def test_motion_boundaries_option_flags_more():
    frames, _ = object_clip(3, H, W, (0.0, 0.0), (5, 0), start=(80, 50))
    est = FlowEstimator()
    plain = est.pair(frames[2], frames[1])
    strict = est.pair(frames[2], frames[1], motion_boundaries=True)
    assert not (strict.reliable & ~plain.reliable).any()
    assert strict.reliable.sum() < plain.reliable.sum()


def test_scene_cut_detected_on_a_switch_of_colour_palette():
    shot_a = translating_clip(5, H, W, (2.0, 1.0), seed=3, palette="warm")
    shot_b = translating_clip(3, H, W, (2.0, 1.0), seed=4, palette="cool")
    detector = SceneCutDetector()
    cuts = [detector.update(f) for f in shot_a + shot_b]
    assert cuts == [True, False, False, False, False, True, False, False]
    assert detector.last_distance is not None and detector.last_distance < 0.2


def test_scene_cut_between_similar_colours_needs_the_flow():
    shot_a = translating_clip(3, H, W, (2.0, 1.0), seed=3)
    other = translating_clip(1, H, W, (0.0, 0.0), seed=5)[0]
    est = FlowEstimator()
    normal = est.pair(shot_a[2], shot_a[1])
    cut = est.pair(other, shot_a[2])
    assert not is_scene_cut(shot_a[2], other)  # same palette: colour alone cannot tell
    assert cut.unmatched_fraction > 0.8 > 0.1 > normal.unmatched_fraction
    assert is_scene_cut(shot_a[2], other, cut.unmatched_fraction)
    assert not is_scene_cut(shot_a[1], shot_a[2], normal.unmatched_fraction)


def test_scene_cut_detector_reset_starts_a_new_shot():
    frames = translating_clip(3, H, W, (1.0, 0.0))
    detector = SceneCutDetector()
    assert detector.update(frames[0]) and not detector.update(frames[1])
    detector.reset()
    assert detector.update(frames[2])


@pytest.mark.parametrize("small", [(H // 2, W // 2), (H // 3, 70), (H, W)])
def test_warp_map_from_a_working_size_flow_matches_the_full_size_flow(small):
    frame = texture(H, W, seed=3)
    sy, sx = H / small[0], W / small[1]
    working = np.zeros((*small, 2), np.float32) + np.array([1.5 / sx, -2.25 / sy], np.float32)
    working[:, : small[1] // 3, 1] += 0.8 / sy  # not a single translation
    full = cv2.resize(working * np.array([sx, sy], np.float32), (W, H), cv2.INTER_LINEAR)
    pulled = WarpMap.from_working(working, (H, W))(frame)
    expected = WarpMap(full)(frame)
    diff = np.abs(pulled.astype(int) - expected)
    assert diff.max() <= 2 and diff.mean() < 0.1  # the same positions, to 1/32 px
    # border rows and columns too, where resizing positions would be off by half a pixel
    for edge in (diff[0], diff[-1], diff[:, 0], diff[:, -1]):
        assert edge.max() <= 2
