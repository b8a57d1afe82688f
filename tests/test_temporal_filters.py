"""Flicker removal: the flow filter removes flicker without ghosts, resets at cuts, is tunable."""

from __future__ import annotations

import numpy as np
import pytest

from restyle.errors import InputError
from restyle.imaging.similarity import ssim
from restyle.metrics.long_term import LongTermMeter, LongTermMotion
from restyle.metrics.warp_error import WarpErrorMeter
from restyle.registries import TEMPORAL_FILTERS
from restyle.temporal.filters import (
    BlendFilter,
    CarryFilter,
    FlowFilter,
    TemporalFilter,
    TwoWayFlowFilter,
    build_filter,
    filter_options,
    flow_size_for,
    texture_weight,
)
from restyle.temporal.filters.carry import DEFAULT_CARRY
from restyle.temporal.filters.two_way import MIN_AUTO_FLOW_SIZE
from support.motion_factory import texture, translating_clip


def create_filter(filter: str = "flow", smooth: float | None = None, **options) -> TemporalFilter:
    """The filter the command line's --temporal and its options build."""
    if smooth is not None:
        options["smooth"] = smooth
    return build_filter(filter_options(filter, **options))


H, W = 96, 128


def flickering(frames: list[np.ndarray], amount: float = 40.0, seed: int = 1) -> list[np.ndarray]:
    """A stand-in 'stylization': a colour transform plus fresh per-frame noise (flicker)."""
    rng = np.random.default_rng(seed)
    out = []
    for f in frames:
        painted = 255.0 - f.astype(np.float32)[:, :, ::-1]
        noise = rng.normal(0.0, amount, f.shape)
        out.append(np.clip(painted + noise, 0, 255).astype(np.uint8))
    return out


def run(filt: TemporalFilter, sources, fresh) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    for i, (s, f) in enumerate(zip(sources, fresh, strict=True)):
        out += filt.push(s, f, i / 25.0)
    out += filt.flush()
    assert len(out) == len(sources)
    return out


def warp_error(sources, outputs) -> float:
    meter = WarpErrorMeter()
    for s, o in zip(sources, outputs, strict=True):
        meter.update(s, o)
    return meter.result().warp_error


@pytest.fixture(scope="module")
def clip():
    sources = translating_clip(16, H, W, velocity=(2.0, 1.0))
    return sources, flickering(sources)


def test_none_is_the_fresh_stylization(clip):
    sources, fresh = clip
    out = run(create_filter("none"), sources, fresh)
    assert all(np.array_equal(a, b) for a, b in zip(out, fresh, strict=True))


@pytest.mark.parametrize(
    "options", [{}, {"preset": "medium", "check": "consistency"}], ids=["default", "fwd-bwd"]
)
@pytest.mark.slow
def test_flow_filter_removes_most_flicker(clip, options):
    sources, fresh = clip
    base = warp_error(sources, fresh)
    flow = warp_error(sources, run(FlowFilter(smooth=0.8, **options), sources, fresh))
    assert flow < 0.35 * base


@pytest.mark.slow
def test_flow_filter_more_smoothing_less_flicker(clip):
    sources, fresh = clip
    runs = [run(FlowFilter(smooth=a), sources, fresh) for a in (0.3, 0.6, 0.9)]
    errors = [warp_error(sources, out) for out in runs]
    assert errors[0] > errors[1] > errors[2]


def test_flow_does_not_ghost_where_blend_does(clip):
    # moving content: the unwarped blend mixes in the previous position (ghosts), the flow
    # filter moves the history with the content
    sources, _ = clip
    clean = flickering(sources, amount=0.0)
    blend = run(BlendFilter(smooth=0.8), sources, clean)
    flow = run(FlowFilter(smooth=0.8), sources, clean)
    fid_blend = np.mean([ssim(o, c) for o, c in zip(blend[4:], clean[4:], strict=True)])
    fid_flow = np.mean([ssim(o, c) for o, c in zip(flow[4:], clean[4:], strict=True)])
    assert fid_flow > 0.9 > fid_blend


def test_first_frame_and_scene_cut_start_afresh(clip):
    sources, fresh = clip
    other = [texture(H, W, seed=9, palette="cool")] * 3
    other_fresh = flickering(other, seed=5)
    filt = FlowFilter(smooth=0.9)
    out = run(filt, sources[:6] + other, fresh[:6] + other_fresh)
    assert np.array_equal(out[0], fresh[0])
    assert np.array_equal(out[6], other_fresh[0])  # the cut: nothing of the old shot
    assert not np.array_equal(out[7], other_fresh[1])  # then smoothing resumes


def test_reset_forgets_history(clip):
    sources, fresh = clip
    filt = FlowFilter()
    run(filt, sources[:4], fresh[:4])
    filt.reset()
    assert np.array_equal(filt(sources[4], fresh[4], 0.2), fresh[4])


def test_blend_baseline_is_the_plain_average(clip):
    sources, fresh = clip
    filt = BlendFilter(smooth=0.5, scene_cuts=False)
    a = filt(sources[0], fresh[0], 0.0)
    b = filt(sources[1], fresh[1], 0.04)
    expected = np.clip(0.5 * a.astype(np.float32) + 0.5 * fresh[1] + 0.5, 0, 255).astype(np.uint8)
    assert np.abs(b.astype(int) - expected).max() <= 1


@pytest.mark.parametrize(
    "method, smooth, named",
    [("wobble", None, "--temporal"), ("flow", 1.0, "--smooth"), ("blend", -0.1, "--smooth")],
)
def test_bad_options_are_input_errors_naming_the_option(method, smooth, named):
    with pytest.raises(InputError, match=named):
        create_filter(method, smooth)


def test_every_registered_filter_is_built_from_its_options(clip):
    sources, fresh = clip
    for name in TEMPORAL_FILTERS.names():
        filt = create_filter(name)
        assert isinstance(filt, TemporalFilter)
        assert len(run(filt, sources[:5], fresh[:5])) == 5
        filt.close()


@pytest.mark.parametrize(
    "size, expected",
    [((360, 640), 320), ((436, 1024), 512), ((720, 1280), 640), ((2160, 3840), 640)],
)
def test_default_flow_size_follows_the_video(size, expected):
    assert flow_size_for(*size) == expected


def test_flow_size_reaches_the_flow_and_is_checked(clip):
    sources, fresh = clip
    assert create_filter("flow", flow_size=640).flow.max_side == 640
    auto = create_filter("flow")
    auto.push(sources[0], fresh[0], 0.0)
    assert auto.flow.max_side == MIN_AUTO_FLOW_SIZE  # 128x96: the 320 px floor, full size
    with pytest.raises(InputError, match="--flow-size"):
        create_filter("flow", flow_size=32)


@pytest.mark.parametrize("quality, settings", [("fast", (0, 5, 12)), ("high", (5, 4, 16))])
@pytest.mark.slow
def test_flow_quality_sets_the_flow_solver_and_removes_flicker(clip, quality, settings):
    sources, fresh = clip
    filt = create_filter("flow", 0.6, flow_size=320, flow_quality=quality)
    dis = filt.flow._dis
    solver = (
        dis.getVariationalRefinementIterations(),
        dis.getPatchStride(),
        dis.getGradientDescentIterations(),
    )
    assert solver == settings
    assert warp_error(sources, run(filt, sources, fresh)) < 0.35 * warp_error(sources, fresh)


def test_unknown_flow_quality_is_an_input_error():
    with pytest.raises(InputError, match="--flow-quality .* must be one of fast, high"):
        create_filter("flow", flow_quality="best")


def test_texture_weight_is_low_on_flat_paint_and_high_on_strokes():
    flat = np.full((32, 32, 3), 120, np.uint8)
    strokes = np.zeros((32, 32, 3), np.uint8)
    strokes[:, ::4] = strokes[:, 1::4] = 200  # 2 px stripes
    smooth = texture(32, 32, seed=3)  # a soft gradient-like texture: in between
    assert texture_weight(flat).max() < 1e-3
    assert texture_weight(strokes).min() > 0.8
    assert 0.01 < np.median(texture_weight(smooth)) < 0.5


def test_prepared_ahead_gives_the_same_frames(clip):
    sources, fresh = clip
    plain = run(FlowFilter(), sources, fresh)
    ahead = FlowFilter()
    for s in sources[:3]:
        ahead.prepare(s)  # the pipeline announces frames before the network paints them
    out = []
    for i, (s, f) in enumerate(zip(sources, fresh, strict=True)):
        if i + 3 < len(sources):
            ahead.prepare(sources[i + 3])
        out.append(ahead(s, f, i / 25.0))
    ahead.close()
    assert all(np.array_equal(a, b) for a, b in zip(plain, out, strict=True))


def test_two_way_holds_frames_back_and_returns_each_once_in_order(clip):
    sources, fresh = clip  # 16 frames
    filt = TwoWayFlowFilter(lookahead=3, block=4)
    pairs = enumerate(zip(sources, fresh, strict=True))
    got = [len(filt.push(s, f, i / 25.0)) for i, (s, f) in pairs]
    # a block of 4 once 3 more frames are in: after the 7th frame, then every 4th
    assert got == [0] * 6 + [4, 0, 0, 0, 4, 0, 0, 0, 4, 0]
    assert len(filt.flush()) == 4 and filt.flush() == []
    with pytest.raises(TypeError):
        filt(sources[0], fresh[0], 0.0)


def test_two_way_blocks_match_a_sliding_window(clip):
    # the backward pass run once per block (each frame sees 3 to 8 frames ahead) gives the
    # frames a sliding window of 8 frames ahead gives, to rounding
    sources, fresh = clip
    blocks = run(TwoWayFlowFilter(smooth=0.55, lookahead=3, block=6), sources, fresh)
    sliding = run(TwoWayFlowFilter(smooth=0.55, lookahead=8, block=1), sources, fresh)
    diff = [np.abs(a.astype(int) - b).mean() for a, b in zip(blocks, sliding, strict=True)]
    assert max(diff) < 1.0
    assert np.abs(blocks[4].astype(int) - fresh[4]).mean() > 5  # and both do smooth


def test_two_way_leaves_flat_paint_as_painted(clip):
    # flicker on flat paint is not smoothed (little of it, and blur would show there);
    # on textured paint it is
    sources, _ = clip
    painted = flickering(sources, amount=0.0)
    rng = np.random.default_rng(4)
    fresh = []
    for p in painted:
        f = p.astype(np.float32)
        f[:, : W // 2] = 128.0 + rng.normal(0.0, 1.5, f[:, : W // 2].shape)
        f[:, W // 2 :] += rng.normal(0.0, 30.0, f[:, W // 2 :].shape)
        fresh.append(np.clip(f, 0, 255).astype(np.uint8))
    out = run(TwoWayFlowFilter(), sources, fresh)
    flat = np.mean(
        [
            np.abs(o[:, 8 : W // 2 - 8].astype(int) - f[:, 8 : W // 2 - 8]).mean()
            for o, f in zip(out, fresh, strict=True)
        ]
    )
    textured = np.mean(
        [
            np.abs(o[:, W // 2 + 8 :].astype(int) - f[:, W // 2 + 8 :]).mean()
            for o, f in zip(out, fresh, strict=True)
        ]
    )
    assert flat < 0.6 < 8 < textured


def test_two_way_keeps_a_steady_painting_as_it_is(clip):
    sources, _ = clip
    clean = flickering(sources, amount=0.0)
    out = run(TwoWayFlowFilter(), sources, clean)
    # only the flow's own small errors: no blur, no ghost
    assert min(ssim(o, c) for o, c in zip(out, clean, strict=True)) > 0.9


def test_two_way_removes_more_flicker_than_one_way_at_equal_sharpness(clip):
    sources, fresh = clip
    one = run(FlowFilter(smooth=0.55), sources, fresh)
    two = run(TwoWayFlowFilter(smooth=0.4, texture_scale=0.0), sources, fresh)
    clean = flickering(sources, amount=0.0)
    fid_one = np.mean([ssim(o, c) for o, c in zip(one, clean, strict=True)])
    fid_two = np.mean([ssim(o, c) for o, c in zip(two, clean, strict=True)])
    assert warp_error(sources, two) < 0.8 * warp_error(sources, one)
    assert fid_two > fid_one - 0.01


def test_two_way_does_not_reach_across_a_scene_cut(clip):
    sources, fresh = clip
    other = [texture(H, W, seed=9, palette="cool")] * 4
    other_fresh = flickering(other, seed=5)
    out = run(TwoWayFlowFilter(smooth=0.9), sources[:6] + other, fresh[:6] + other_fresh)
    before, after = out[5].astype(float), out[6].astype(float)
    # the last frame of the first shot holds nothing of the second, and the other way round
    assert np.abs(before - fresh[5]).mean() < np.abs(before - other_fresh[0]).mean() / 3
    assert np.abs(after - other_fresh[0]).mean() < np.abs(after - fresh[5]).mean() / 3


@pytest.fixture(scope="module")
def long_clip():
    sources = translating_clip(60, H, W, velocity=(1.5, 0.5), seed=7)
    return sources, flickering(sources, amount=25.0, seed=3)


@pytest.mark.parametrize("target", [0.82, 0.9])
def test_sharpness_target_is_held(long_clip, target):
    # without --smooth, the weight is steered so each frame keeps the asked SSIM to its
    # painting; a higher target smooths less
    sources, fresh = long_clip
    filt = TwoWayFlowFilter(sharpness=target)
    out = run(filt, sources, fresh)
    held = np.mean([ssim(o, f) for o, f in zip(out[30:], fresh[30:], strict=True)])
    assert abs(held - target) < 0.03
    assert filt.measured and abs(np.mean(filt.measured[-4:]) - target) < 0.03


@pytest.mark.slow
def test_higher_sharpness_removes_less_flicker(long_clip):
    sources, fresh = long_clip
    soft = warp_error(sources, run(TwoWayFlowFilter(sharpness=0.82), sources, fresh))
    sharp = warp_error(sources, run(TwoWayFlowFilter(sharpness=0.9), sources, fresh))
    assert soft < 0.8 * sharp


def test_a_given_smooth_weight_is_kept(long_clip):
    sources, fresh = long_clip
    filt = TwoWayFlowFilter(smooth=0.3)
    run(filt, sources, fresh)
    assert filt.weight == 0.3 and filt.measured == []
    with pytest.raises(InputError, match="--sharpness"):
        create_filter("flow", sharpness=1.2)


def test_the_flow_filter_leaves_settled_strokes_as_painted():
    """Where strokes already stick to the scene (``settled``), the frame is not smoothed."""
    sources = translating_clip(8, H, W, (1.5, 0.5), seed=4)
    fresh = flickering(sources)
    left = np.zeros((H, W), np.float32)
    left[:, : W // 2] = 1.0  # the left half settled, the right half not
    filt = create_filter("flow", smooth=0.6)
    out = []
    for i, (s, f) in enumerate(zip(sources, fresh, strict=True)):
        out += filt.push(s, f, i / 25.0, settled=left)
    out += filt.flush()
    for o, f in zip(out, fresh, strict=True):
        assert np.array_equal(o[:, : W // 2 - 8], f[:, : W // 2 - 8])
    right = slice(W // 2 + 8, W - 8)
    assert any(np.abs(o[8:-8, right].astype(int) - f[8:-8, right]).mean() > 5 for o, f in
               zip(out[2:], fresh[2:], strict=True))  # fmt: skip


def test_steady_strokes_get_a_lighter_range_of_weights():
    from restyle.temporal.filters.two_way import SHARPNESS_WEIGHTS, STEADY_WEIGHTS

    assert STEADY_WEIGHTS[1] < SHARPNESS_WEIGHTS[1]
    assert create_filter("flow").weights == SHARPNESS_WEIGHTS
    # with a sharpness asked for, steady strokes get the two-way filter, lighter
    steady = build_filter(filter_options("flow", sharpness=0.855), steady=True)
    assert steady.weights == STEADY_WEIGHTS and steady.weight <= STEADY_WEIGHTS[1]
    sources = translating_clip(14, H, W, (1.5, 0.5), seed=4)
    run(steady, sources, flickering(sources, amount=5.0))  # sharp already: steered up
    assert STEADY_WEIGHTS[0] <= steady.weight <= STEADY_WEIGHTS[1]


def test_steady_strokes_are_carried_by_default():
    """The default filter for a network whose strokes follow the content carries them;
    a weight the user gives is the carried share; the shipped network keeps the two-way."""
    carried = build_filter(filter_options("flow"), steady=True)
    assert isinstance(carried, CarryFilter) and carried.smooth == DEFAULT_CARRY
    assert build_filter(filter_options("flow", smooth=0.7), steady=True).smooth == 0.7
    assert isinstance(build_filter(filter_options("flow")), TwoWayFlowFilter)
    assert create_filter("carry", flow_size=160).flow.max_side == 160


def _long_term(sources, outputs, gap: int = 8) -> float:
    motion, meter = LongTermMotion(gap), LongTermMeter(gap)
    for s, o in zip(sources, outputs, strict=True):
        meter.update(s, o, motion.update(s))
    return meter.result().warp_error


def test_carry_holds_the_strokes_for_many_frames_and_keeps_their_detail():
    """Strokes that move with the content but flicker each frame: carried, they change
    less eight frames on than the one-way blend leaves them, and keep the fresh painting's
    detail where the blend softens it."""
    from restyle.metrics.detail import gradient_energy

    sources = translating_clip(24, H, W, (1.3, 0.4), seed=5)
    fresh = flickering(sources, amount=12.0, seed=3)
    carried = run(create_filter("carry"), sources, fresh)
    blended = run(create_filter("forward"), sources, fresh)
    assert _long_term(sources, carried) < 0.7 * _long_term(sources, blended)
    assert _long_term(sources, carried) < 0.2 * _long_term(sources, fresh)

    def detail(outputs: list[np.ndarray]) -> float:
        return float(np.mean([gradient_energy(o) / gradient_energy(f)
                              for o, f in zip(outputs[8:], fresh[8:], strict=True)]))  # fmt: skip

    assert detail(carried) > 0.9 > 0.75 > detail(blended), (detail(carried), detail(blended))


def test_carry_leaves_no_streak_behind_a_moving_object(monkeypatch):
    """Behind a card moving over a smooth background the flow drags the card's motion into
    what it uncovers, and the smooth source passes the photometric check there: the stretch
    gate hands that strip to the fresh painting, where carried strokes would streak."""
    import cv2

    import restyle.temporal.filters.carry as carry_module

    h, w, size, speed = 96, 160, 40, 3
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    background = np.dstack([90 + 0.3 * xs, 120 + 0.2 * ys, 140 - 0.1 * xs])
    noise = np.random.default_rng(3).normal(0, 75, (h, w, 3)).astype(np.float32)
    strokes = cv2.GaussianBlur(noise, (0, 0), 1.2)  # the background's steady strokes
    card = texture(size, size, 5, "warm")
    sources, fresh, boxes = [], [], []
    for k in range(24):
        x, y = 10 + speed * k, 28
        source, painted = background.copy(), 255 - background[:, :, ::-1] + strokes
        source[y : y + size, x : x + size] = card
        painted[y : y + size, x : x + size] = 255 - card[:, :, ::-1]
        sources.append(np.clip(source + 0.5, 0, 255).astype(np.uint8))
        fresh.append(np.clip(painted + 0.5, 0, 255).astype(np.uint8))
        boxes.append((slice(y, y + size), slice(x - 24, x)))  # the strip just uncovered

    def strip_error() -> float:
        out = run(create_filter("carry"), sources, fresh)
        return float(
            np.mean(
                [
                    np.abs(out[i][b].astype(float) - fresh[i][b]).mean()
                    for i, b in enumerate(boxes)
                    if i >= 6
                ]
            )
        )

    gated = strip_error()
    monkeypatch.setattr(carry_module, "STRETCH", 1e9)  # the gate off
    assert gated < 0.6 * strip_error()


def test_carry_starts_afresh_at_a_scene_cut_and_keeps_new_content(clip):
    sources, fresh = clip
    other = translating_clip(8, H, W, (-1.0, 2.0), seed=9, palette="cool")
    cut_sources = sources[:8] + other
    cut_fresh = fresh[:8] + flickering(other, seed=4)
    out = run(create_filter("carry"), cut_sources, cut_fresh)
    assert np.array_equal(out[0], cut_fresh[0]) and np.array_equal(out[8], cut_fresh[8])


def test_a_render_carries_steady_strokes_unless_the_style_moves(tmp_path):
    """The default filter of a render: carried strokes for one style image with the steady
    network; the two-way average while styles take turns (carried paint would trail the
    hand-over) and for the shipped network's built-in styles."""
    from restyle.job import VideoJob
    from restyle.rendering.runner import job_filter

    def built(*styles: str, **options) -> TemporalFilter:
        job = VideoJob.build(tmp_path / "in.mp4", tmp_path / "out.mp4", list(styles), **options)
        filt = job_filter(job)
        filt.close()
        return filt

    assert isinstance(built("a.png"), CarryFilter)
    assert isinstance(built("a.png", "b.png", transition="segments"), TwoWayFlowFilter)
    assert isinstance(built("builtin:3"), TwoWayFlowFilter)
    assert isinstance(built("builtin:20"), CarryFilter)  # the trained 26-style network's
    assert isinstance(built("a.png", sharpness=0.9), TwoWayFlowFilter)
    assert isinstance(built("a.png", model="original"), TwoWayFlowFilter)


class _Shift(TemporalFilter):
    """A stand-in filter: holds one frame back and lightens what it returns by 10 levels."""

    latency = 1

    def __init__(self) -> None:
        self.held: list[np.ndarray] = []
        self.seen: list[tuple[int, int]] = []

    def push(self, source, stylized, time, settled=None):
        self.seen.append(source.shape[:2])
        self.held.append(stylized)
        return [self._out(self.held.pop(0))] if len(self.held) > 1 else []

    def flush(self):
        return [self._out(f) for f in self.held]

    @staticmethod
    def _out(frame):
        return np.clip(frame.astype(np.int16) + 10, 0, 255).astype(np.uint8)


def test_a_filter_at_the_painted_size_brings_its_change_to_the_frame():
    """AtPaintSize: the inner filter sees source and painting at the painted size, in
    order, held frames included; its change comes back at the frame's size, added to the
    full-size painting (an unchanged frame comes back exactly as painted)."""
    from restyle.temporal.filters.sized import AtPaintSize

    sources = translating_clip(5, 2 * H, 2 * W, (1.0, 0.5), seed=3)
    painted = flickering(sources, seed=5)
    inner = _Shift()
    sized = AtPaintSize(inner, (H, W))
    for s in sources[:2]:
        sized.prepare(s)
    out = run(sized, sources, painted)
    assert inner.seen == [(H, W)] * 5
    for o, p in zip(out, painted, strict=True):
        expected = np.clip(p.astype(np.int16) + 10, 0, 255)
        assert o.shape == p.shape and np.abs(o.astype(np.int16) - expected).max() <= 1

    same = AtPaintSize(create_filter("none"), (H, W))
    assert all(
        np.array_equal(o, p) for o, p in zip(run(same, sources, painted), painted, strict=True)
    )
    small = [s[::2, ::2].copy() for s in sources]
    alone, inside = run(_Shift(), small, small), run(AtPaintSize(_Shift(), (H, W)), small, small)
    assert all(np.array_equal(a, b) for a, b in zip(alone, inside, strict=True))


def test_a_render_runs_the_carry_filter_at_the_painted_size(tmp_path):
    """A render painted below the frame's size (``--max-size``) carries its strokes at the
    painted size; the two-way filter, whose sharpness target reads the frame itself, and a
    frame painted at its own size run as they are."""
    from restyle.job import VideoJob
    from restyle.rendering.runner import at_paint_size, job_filter
    from restyle.temporal.filters.sized import AtPaintSize

    def built(frame: tuple[int, int], *styles: str, **options) -> TemporalFilter:
        job = VideoJob.build(tmp_path / "in.mp4", tmp_path / "out.mp4", list(styles), **options)
        filt = at_paint_size(job, job_filter(job), frame)
        filt.close()
        return filt

    sized = built((720, 1280), "a.png", max_size=640)
    assert isinstance(sized, AtPaintSize) and isinstance(sized.inner, CarryFilter)
    assert sized.size == (360, 640)
    assert isinstance(built((360, 640), "a.png", max_size=640), CarryFilter)
    assert isinstance(built((720, 1280), "a.png", max_size=640, sharpness=0.9), TwoWayFlowFilter)


def test_carrying_at_the_painted_size_removes_flicker_as_at_the_frame_s(tmp_path):
    """The carry filter at half the frame's size, its change scaled up, removes as much
    flicker as at the full size, as sharp (a painting scaled up from half size, as
    --max-size makes it)."""
    import cv2

    from restyle.metrics.detail import gradient_energy
    from restyle.temporal.filters.sized import AtPaintSize

    def up(frames):
        return [cv2.resize(f, (2 * W, 2 * H), interpolation=cv2.INTER_CUBIC) for f in frames]

    small = translating_clip(16, H, W, (0.7, 0.3), seed=2)
    # strokes a few pixels across, as a network paints them (not pixel noise)
    strokes = [cv2.GaussianBlur(f, (0, 0), 1.0) for f in flickering(small, amount=40, seed=7)]
    sources, painted = up(small), up(strokes)
    full = run(create_filter("carry"), sources, painted)
    at_size = run(AtPaintSize(create_filter("carry"), (H, W)), sources, painted)
    before, after, sized = (warp_error(sources, v) for v in (painted, full, at_size))
    # each removes most of it, and at the painted size within 2 % of it of the full size
    assert after < 0.5 * before and abs(sized - after) < 0.02 * before, (before, after, sized)
    sharp = [np.mean([gradient_energy(f) for f in v]) for v in (full, at_size)]
    assert abs(sharp[1] / sharp[0] - 1) < 0.05, sharp
