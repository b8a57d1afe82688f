"""The long-term meter (frames K apart, flow between them directly) and the detail measure."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

import restyle
from restyle.cli import main
from restyle.errors import InputError
from restyle.metrics.detail import DetailMeter, gradient_energy
from restyle.metrics.long_term import LongTermMeter, LongTermMotion
from restyle.metrics.warp_error import SourceMotion, WarpErrorMeter
from support.image_factory import synthetic_photo

H, W, FRAMES, STEP = 96, 128, 24, 2  # a pan of 2 px a frame


@pytest.fixture(scope="module")
def world():
    """A wide photo and a wide 'painting' of it, both panned across by the same crop."""
    photo = synthetic_photo(H, W + STEP * FRAMES + 40, seed=5)
    rng = np.random.default_rng(1)
    strokes = cv2.GaussianBlur(rng.integers(0, 256, photo.shape).astype(np.uint8), (3, 3), 0)
    painting = ((photo.astype(np.uint16) + strokes) // 2).astype(np.uint8)
    return photo, painting


def crop(image: np.ndarray, x: float) -> np.ndarray:
    """The H x W window at horizontal offset ``x`` (sub-pixel, bilinear)."""
    m = np.float32([[1, 0, x], [0, 1, 0]])
    return cv2.warpAffine(image, m, (W, H), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)


def measure(sources, outputs, gap=10):
    motion, meter = LongTermMotion(gap), LongTermMeter(gap)
    short_motion, short = SourceMotion(), WarpErrorMeter()
    for s, o in zip(sources, outputs, strict=True):
        meter.update(s, o, motion.update(s))
        short.update(s, o, short_motion.update(s))
    return meter.result(), short.result()


def test_carried_paint_sits_at_the_floor_and_swimming_paint_does_not(world):
    photo, painting = world
    xs = [20 + STEP * t for t in range(FRAMES)]
    sources = [crop(photo, x) for x in xs]
    carried = [crop(painting, x) for x in xs]
    # swimming: each frame's paint a little off the last one's, drifting as a random walk
    rng = np.random.default_rng(2)
    drift = np.cumsum(rng.normal(0, 0.6, FRAMES))
    swimming = [crop(painting, x + d) for x, d in zip(xs, drift, strict=True)]
    held, held_short = measure(sources, carried)
    swim, swim_short = measure(sources, swimming)
    assert held.frames == swim.frames == FRAMES - 10
    assert held.source_floor == pytest.approx(swim.source_floor)
    # carried exactly as the source moves: only resampling of fine strokes is left (a few
    # times the smooth source's floor); drifting paint is many times that
    assert held.warp_error < 5e-5
    assert swim.warp_error > 4 * held.warp_error
    # the drift adds up: ten frames apart the paint is further off than from one to the next
    assert swim.warp_error > 1.3 * swim_short.warp_error
    assert held_short.warp_error < 5e-5


def test_a_still_video_has_no_long_term_error_and_a_cut_is_skipped(world):
    photo, painting = world
    still = [photo[:, :W].copy() for _ in range(15)]
    result, _ = measure(still, [painting[:, :W].copy() for _ in range(15)], gap=4)
    assert result.frames == 11 and result.warp_error == pytest.approx(0.0, abs=1e-9)
    other = np.ascontiguousarray(255 - photo[:, -W:])  # another shot
    cut = still[:8] + [other] * 10
    result, _ = measure(cut, cut, gap=4)
    assert result.frames == (8 - 4) + (10 - 4)  # no pair across the cut
    with pytest.raises(InputError):
        LongTermMotion(0)


def test_detail_falls_with_blur_and_is_one_for_the_reference(world):
    _, painting = world
    frame = painting[:, :W].copy()
    assert gradient_energy(frame) > 0
    meter = DetailMeter()
    meter.update(frame, frame)
    assert meter.result() == pytest.approx(1.0)
    blurred = DetailMeter()
    blurred.update(cv2.GaussianBlur(frame, (0, 0), 1.5), frame)
    assert blurred.result() < 0.6
    shifted = DetailMeter()  # the same strokes elsewhere: as much detail (SSIM would drop)
    shifted.update(np.roll(frame, 7, axis=1), frame)
    assert shifted.result() == pytest.approx(1.0, abs=0.05)
    assert DetailMeter().result() != DetailMeter().result()  # NaN before any frame


def test_the_detail_split_tells_outlines_from_brush_texture():
    """A painting that trades its texture for lit outlines keeps the whole frame's energy;
    the split by the source's edges shows both: texture below 1, outline above."""
    from restyle.metrics.detail import EDGE_FAR, edge_zones

    rng = np.random.default_rng(0)
    source = np.full((96, 128, 3), 40, np.uint8)
    source[:, 64:] = 200  # one vertical edge
    near, far = edge_zones(source)
    assert near[:, 60:68].all() and not near[:, :50].any()
    assert far[:, :50].all() and not far[:, 64 - int(EDGE_FAR) : 64 + int(EDGE_FAR)].any()
    speckle = rng.normal(0, 12, source.shape)
    textured = np.clip(source + speckle, 0, 255).astype(np.uint8)
    outlined = source.astype(np.float32)
    outlined[:, 58:62] = 255.0  # a lit band along the edge, and no speckle
    outlined[:, 66:70] = 0.0
    outlined = np.clip(outlined + 0.3 * speckle, 0, 255).astype(np.uint8)
    meter = DetailMeter()
    meter.update(outlined, textured, source)
    texture, outline = meter.split()
    assert meter.result() > 0.6  # the whole frame's ratio hides the trade
    assert texture < 0.2 and outline > 1.5
    same = DetailMeter()
    same.update(textured, textured, source)
    assert same.split() == pytest.approx((1.0, 1.0))
    unsplit = DetailMeter()
    unsplit.update(textured, textured)
    assert all(v != v for v in unsplit.split())  # NaN without the source


@pytest.mark.slow
def test_eval_reports_the_gap_the_long_term_error_and_the_detail(tmp_path, capsys):
    from support.media_factory import make_video

    source = make_video(tmp_path / "src.mp4", width=128, height=96, frames=16)
    per_frame, smooth = tmp_path / "none.mp4", tmp_path / "flow.mp4"
    restyle.stylize_video(source, per_frame, "builtin:3", temporal="none", device="cpu", crf=0)
    restyle.stylize_video(source, smooth, "builtin:3", smooth=0.8, device="cpu", crf=0)
    argv = ["eval", "--source", str(source), "--stylized", str(smooth), "--reference",
            str(per_frame), "--gap", "4", "--json"]  # fmt: skip
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["gap"] == 4
    assert report["long_term_warp_error"] > 0 and report["long_term_source_floor"] > 0
    assert 0 < report["long_term_vs_reference"] < 1  # smoothing holds paint better than none
    assert 0 < report["vs_reference"] < 1
    assert 0.3 < report["detail"] < 1.0  # the blend softens the texture
    same = restyle.evaluate(source, per_frame, reference=per_frame, gap=4)
    assert same.detail == pytest.approx(1.0) and same.long_term_vs_reference == pytest.approx(1.0)
    assert main(["eval", "--source", str(source), "--stylized", str(smooth)]) == 0
    text = capsys.readouterr().out
    assert "long-term (gap 10)" in text and "detail" not in text
    code = main(["eval", "--source", str(source), "--stylized", str(smooth), "--gap", "0"])
    assert code == 2
