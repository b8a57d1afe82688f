"""The flicker meter (warp error) and the SSIM measures on synthetic video with known motion."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from restyle.errors import InputError
from restyle.metrics import (
    EdgeSSIMMeter,
    SourceMotion,
    SSIMMeter,
    WarpErrorMeter,
    edge_ssim,
    ssim,
)
from restyle.metrics.warp_error import masked_warp_error
from support.motion_factory import texture, translating_clip

H, W = 144, 208
MEDIA = Path(__file__).resolve().parents[1] / ".." / "shared" / "media"


def _clip(frames: int = 8, velocity=(2.6, -1.3), seed: int = 0) -> list[np.ndarray]:
    return translating_clip(frames, H, W, velocity, seed)


def _consistent_style(frame: np.ndarray) -> np.ndarray:
    """The same colour transform for every frame: inverted and channels permuted."""
    return np.ascontiguousarray(255 - frame[..., ::-1])


def _meter(source, stylized, **kwargs):
    meter = WarpErrorMeter(**kwargs)
    for s, o in zip(source, stylized, strict=True):
        meter.update(s, o)
    return meter.result()


# --- SSIM -------------------------------------------------------------------------------


def test_ssim_of_identical_images_is_one_and_drops_with_noise():
    img = texture(H, W, seed=1)
    rng = np.random.default_rng(0)
    assert ssim(img, img) == pytest.approx(1.0, abs=1e-6)
    assert ssim(img, img, channels="luma") == pytest.approx(1.0, abs=1e-6)
    scores = []
    for sigma in (5, 20, 60):
        noisy = np.clip(img + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)
        scores.append(ssim(img, noisy))
    assert 1.0 > scores[0] > scores[1] > scores[2]
    assert scores[0] > 0.9 and scores[2] < 0.6


def test_ssim_accepts_float_images_and_rejects_mismatches():
    img = texture(H, W, seed=2)
    as_float = img.astype(np.float32) / 255
    assert ssim(as_float, img) == pytest.approx(1.0, abs=1e-6)
    assert ssim(img, np.zeros_like(img)) < 0.1
    with pytest.raises(InputError):
        ssim(img, img[:-2])
    with pytest.raises(ValueError):
        ssim(img, img, channels="red")


def test_edge_ssim_ignores_contrast_but_not_moved_or_lost_edges():
    img = texture(H, W, seed=3)
    assert edge_ssim(img, img) == pytest.approx(1.0, abs=1e-6)
    dimmer = (img * 0.6 + 40).astype(np.uint8)
    assert edge_ssim(dimmer, img) > 0.95
    blurred = cv2.GaussianBlur(img, (0, 0), 3)
    moved = np.roll(img, 4, axis=1)
    assert edge_ssim(blurred, img) < 0.8
    assert edge_ssim(moved, img) < 0.6


def test_ssim_meters_stream_means_and_conform_sizes():
    frames = _clip(4)
    meter = SSIMMeter()
    edges = EdgeSSIMMeter()
    rng = np.random.default_rng(4)
    expected = []
    for f in frames:
        noisy = np.clip(f + rng.normal(0, 15, f.shape), 0, 255).astype(np.uint8)
        expected.append(ssim(noisy, f))
        assert meter.update(noisy, f) == pytest.approx(expected[-1])
        edges.update(f, f)
    result = meter.result()
    assert result.frames == 4 and result.per_frame == pytest.approx(expected)
    assert result.mean == pytest.approx(np.mean(expected))
    assert edges.result().mean == pytest.approx(1.0, abs=1e-6)
    # a frame at half size (same shape) is resized; a different shape is refused
    half = cv2.resize(frames[0], (W // 2, H // 2), interpolation=cv2.INTER_AREA)
    assert 0.5 < SSIMMeter().update(half, frames[0]) < 1.0
    with pytest.raises(InputError):
        SSIMMeter().update(frames[0][:, : W // 2], frames[0])
    assert math.isnan(SSIMMeter().result().mean)


# --- warp error ---------------------------------------------------------------------------


def test_masked_warp_error_formula():
    a = np.zeros((4, 4, 3), np.float32)
    b = a.copy()
    b[0, 0] = [0.3, 0.0, 0.0]  # per-pixel error 0.09 / 3 = 0.03
    b[3, 3] = [1.0, 1.0, 1.0]  # masked out
    mask = np.ones((4, 4), bool)
    mask[3, 3] = False
    assert masked_warp_error(a, b, mask) == pytest.approx(0.03 / 15)
    assert math.isnan(masked_warp_error(a, b, np.zeros((4, 4), bool)))


def test_consistent_video_sits_at_the_source_floor():
    source = _clip()
    result = _meter(source, [_consistent_style(f) for f in source])
    assert result.frames == len(source) - 1 and result.skipped == 0
    assert len(result.per_frame) == len(result.source_per_frame) == result.frames
    assert 0 < result.source_floor < 2e-4
    assert result.ratio == pytest.approx(1.0, abs=0.01)  # the transform is an isometry
    assert result.reliable_fraction > 0.9
    # the identical video is exactly at the floor
    same = _meter(source, source)
    assert same.ratio == pytest.approx(1.0)
    assert same.warp_error == pytest.approx(same.source_floor)


def test_brightness_flicker_is_measured_as_the_squared_jump():
    source = _clip()
    rng = np.random.default_rng(5)
    offsets = rng.uniform(-0.08, 0.08, len(source))
    offsets[1] = offsets[0] + 0.1  # at least one large jump
    flicker = [
        np.clip(_consistent_style(f) * 0.7 + 30 + d * 255, 0, 255).astype(np.uint8)
        for f, d in zip(source, offsets, strict=True)
    ]
    result = _meter(source, flicker)
    jumps = np.diff(offsets) ** 2
    assert result.ratio > 20
    # each frame's error is the squared brightness jump (plus the small floor)
    np.testing.assert_allclose(result.per_frame, jumps, atol=3e-4)


def test_noise_flicker_is_high():
    source = _clip()
    rng = np.random.default_rng(6)
    sigma = 0.03
    noisy = [
        np.clip(f + rng.normal(0, sigma * 255, f.shape), 0, 255).astype(np.uint8) for f in source
    ]
    result = _meter(source, noisy)
    # E = var(noise_t) + var(bilinear mix of noise_{t-1}); the shift (2.6, -1.3) mixes with
    # weights (0.4, 0.6) x (0.3, 0.7), which keeps sum(w^2) = 0.52 * 0.58 of the variance
    expected = sigma**2 * (1 + 0.52 * 0.58) + result.source_floor
    assert result.warp_error == pytest.approx(expected, rel=0.1)
    assert result.ratio > 10


def test_scene_cut_frames_are_skipped():
    shot_a = translating_clip(4, H, W, (2.0, 1.0), seed=7, palette="warm")
    shot_b = translating_clip(4, H, W, (2.0, 1.0), seed=8, palette="cool")
    source = shot_a + shot_b
    result = _meter(source, source)
    assert result.skipped == 1 and result.frames == len(source) - 2
    counted = _meter(source, source, skip_cuts=False, min_reliable=0.0)
    assert counted.skipped == 0 and counted.frames == len(source) - 1


def test_precomputed_source_motion_gives_the_same_result():
    source = _clip(5)
    styled = [_consistent_style(f) for f in source]
    motion = SourceMotion()
    a, b = WarpErrorMeter(), WarpErrorMeter()
    for s, o in zip(source, styled, strict=True):
        pair = motion.update(s)
        a.update(s, o, pair)
        b.update(s, s, pair)
    alone = _meter(source, styled)
    assert a.result().per_frame == pytest.approx(alone.per_frame)
    assert b.result().ratio == pytest.approx(1.0)


def test_meter_conforms_sizes_and_handles_short_input():
    source = _clip(3)
    half = [cv2.resize(f, (W // 2, H // 2), interpolation=cv2.INTER_AREA) for f in source]
    assert _meter(source, half).frames == 2
    with pytest.raises(InputError):
        _meter(source, [f[:, : W // 2] for f in source])
    one = _meter(source[:1], source[:1])
    assert one.frames == 0 and math.isnan(one.warp_error) and math.isnan(one.ratio)


@pytest.mark.media
def test_source_floor_on_a_real_clip_is_small():
    clip = MEDIA / "sintel_mountain_2.mp4"
    if not clip.exists():
        pytest.skip("../shared/media is not present")
    import av

    meter = WarpErrorMeter()
    with av.open(str(clip)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i >= 6:
                break
            rgb = frame.to_ndarray(format="rgb24")
            meter.update(rgb, _consistent_style(rgb))
    result = meter.result()
    assert result.frames == 5
    assert 0 < result.source_floor < 1e-3
    assert 0.8 < result.ratio < 1.25
