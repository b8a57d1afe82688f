"""Keyframes of synthetic style videos: uniform middles, diverse looks, change finds the cuts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import restyle
from restyle.errors import InputError
from restyle.styles.keyframes import (
    change_indices,
    diverse_indices,
    extract_keyframes,
    frame_quality,
    sample_styles,
    uniform_indices,
    usable_mask,
)
from support.style_video_factory import make_style_video, pattern_frame, segment_bounds

UNEVEN = [("stripes", 48), ("checks", 8), ("dots", 8), ("waves", 8)]
CROSSFADED = [("stripes", 12), ("checks", 12), ("dots", 12), ("waves", 12), ("noise", 12)]


@pytest.fixture(scope="module")
def uneven(tmp_path_factory) -> Path:
    """One long run of stripes, then three short runs of other looks, hard cuts."""
    return make_style_video(tmp_path_factory.mktemp("kf") / "uneven.mp4", UNEVEN)


@pytest.fixture(scope="module")
def crossfaded(tmp_path_factory) -> Path:
    """Five equal runs joined by 3-frame crossfades."""
    path = tmp_path_factory.mktemp("kf") / "crossfaded.mp4"
    return make_style_video(path, CROSSFADED, crossfade=3)


def segment_of(index: int, segments) -> int:
    for k, (start, end) in enumerate(segment_bounds(segments)):
        if start <= index < end:
            return k
    raise AssertionError(index)


def mean_pairwise(keys) -> float:
    vectors = np.stack([k.style.vector for k in keys])
    dist = np.linalg.norm(vectors[:, None] - vectors[None], axis=2)
    return float(dist[np.triu_indices(len(keys), 1)].mean())


def test_uniform_indices_are_segment_middles():
    assert uniform_indices(202, 5) == [20, 60, 101, 141, 181]
    assert uniform_indices(10, 10) == list(range(10))


def test_uniform_picks_the_middle_frames(uneven):
    keys = extract_keyframes(uneven, 4, method="uniform")
    assert [k.index for k in keys] == [9, 27, 45, 63]  # 72 frames in 4 parts of 18
    assert [k.time for k in keys] == pytest.approx([0.9, 2.7, 4.5, 6.3])
    for k in keys:
        assert k.image.shape == (64, 96, 3) and k.image.dtype == np.uint8
        assert k.style.vector.shape == (100,)


@pytest.mark.slow
def test_diverse_takes_one_frame_from_each_look(uneven, crossfaded):
    keys = extract_keyframes(uneven, 4)  # diverse is the default
    assert sorted(segment_of(k.index, UNEVEN) for k in keys) == [0, 1, 2, 3]
    assert [k.time for k in keys] == sorted(k.time for k in keys)
    keys = extract_keyframes(crossfaded, 5, method="diverse")
    assert sorted(segment_of(k.index, CROSSFADED) for k in keys) == [0, 1, 2, 3, 4]
    for k in keys:  # never a frame caught in a crossfade (the 3 frames before each cut)
        assert k.index % 12 < 9 or k.index >= 48


def test_diverse_is_further_apart_than_uniform_on_an_uneven_video(uneven):
    diverse = extract_keyframes(uneven, 4, method="diverse")
    uniform = extract_keyframes(uneven, 4, method="uniform")
    assert mean_pairwise(diverse) > 1.3 * mean_pairwise(uniform)


def test_change_finds_the_cuts(uneven, crossfaded):
    keys = extract_keyframes(uneven, 4, method="change")
    assert [k.index for k in keys] == [0, 48, 56, 64]
    keys = extract_keyframes(crossfaded, 5, method="change")
    assert [k.index for k in keys] == [0, 12, 24, 36, 48]  # where each crossfade has settled


def test_change_spreads_extra_keyframes_instead_of_crowding_a_cut():
    changes = np.zeros(40)
    changes[20] = 1000.0  # one cut
    picked = change_indices(changes, 4)
    assert picked[:1] == [0] and 20 in picked
    assert min(np.diff(picked)) >= 5


def test_change_counts_a_crossfade_once():
    changes = np.full(60, 2.0)
    changes[20:26] = 500.0  # a crossfade
    changes[45] = 300.0  # a cut
    assert change_indices(changes, 3) == [0, 25, 45]


def test_diverse_indices_prefer_distinct_clusters_over_spread_in_one():
    rng = np.random.default_rng(0)
    big = rng.normal(0, 0.3, (30, 5))  # one look, many samples
    small = [rng.normal(c, 0.05, (3, 5)) for c in (4.0, -4.0)]
    vectors = np.concatenate([big, *small])
    rows = diverse_indices(vectors, 3)
    assert sum(r < 30 for r in rows) == 1
    assert sum(30 <= r < 33 for r in rows) == 1 and sum(r >= 33 for r in rows) == 1


def test_dark_flat_and_blurry_frames_are_not_usable():
    sharp = pattern_frame("stripes", 0, 96, 64)
    import cv2

    blurry = cv2.GaussianBlur(sharp, (0, 0), 6)
    dark = (sharp // 12).astype(np.uint8)
    flat = np.full_like(sharp, 128)
    rows = [frame_quality(f) for f in (sharp, sharp, sharp, blurry, dark, flat)]
    assert usable_mask(np.array(rows)).tolist() == [True, True, True, False, False, False]


@pytest.mark.slow
def test_diverse_skips_black_frames(tmp_path):
    segments = [("black", 10), ("stripes", 10), ("black", 10), ("checks", 10)]
    path = make_style_video(tmp_path / "dark.mp4", segments)
    keys = extract_keyframes(path, 2)
    assert sorted(segment_of(k.index, segments) for k in keys) == [1, 3]
    with pytest.raises(InputError, match="usable frames"):
        extract_keyframes(path, 25)


def test_fewer_frames_than_keyframes_is_an_input_error(tmp_path):
    path = make_style_video(tmp_path / "short.mp4", [("stripes", 3)])
    for method in ("uniform", "change", "diverse"):
        with pytest.raises(InputError, match="3 frames, fewer than the 5 keyframes"):
            extract_keyframes(path, 5, method=method)


def test_unreadable_video_and_bad_options(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_text("not a video")
    with pytest.raises(InputError, match="style video"):
        extract_keyframes(bad, 3)
    with pytest.raises(InputError, match="method"):
        extract_keyframes(bad, 3, method="random")
    with pytest.raises(InputError, match="at least 1"):
        extract_keyframes(bad, 0)


def test_sample_styles_are_in_time_order_with_thumbnails(crossfaded):
    samples = sample_styles(crossfaded, samples=20)
    assert 15 <= len(samples) <= 20
    times = [s.time for s in samples]
    assert times == sorted(times)
    assert all(max(s.thumbnail.shape[:2]) <= 160 for s in samples)


def test_public_api(uneven):
    keys = restyle.extract_keyframes(uneven, 2, method="uniform")
    assert isinstance(keys[0], restyle.Keyframe) and len(keys) == 2


@pytest.mark.media
@pytest.mark.slow
def test_gallery_keyframes(media_dir):
    video = media_dir / "gallery_paintings.mp4"
    uniform = extract_keyframes(video, 5, method="uniform")
    assert [k.index for k in uniform] == [20, 60, 101, 141, 181]  # 202 frames
    diverse = extract_keyframes(video, 5)
    assert mean_pairwise(diverse) > mean_pairwise(uniform)
