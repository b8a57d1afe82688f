"""Rendering a piece of a job: exact frames, global times, warm-up, the schedule of the whole."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from restyle import Span, VideoJob, render
from restyle.errors import InputError
from restyle.media.reader import Window, open_video
from restyle.media.timeline import frame_times
from support.media_factory import irregular_times, make_video
from support.style_video_factory import make_style_video


def frames(folder: Path) -> list[np.ndarray]:
    return [np.asarray(Image.open(p).convert("RGB")) for p in sorted(folder.glob("*.png"))]


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("span")
    return {
        "ntsc": make_video(folder / "ntsc.mp4", frames=30, fps=Fraction(30000, 1001)),
        "vfr": make_video(folder / "vfr.mkv", frames=30, times=irregular_times(30)),
    }


@pytest.mark.parametrize("name", ["ntsc", "vfr"])
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"start": 0.25},
        {"start": 0.2, "duration": 0.6},
        {"every": 3},
        {"fps": 12},
        {"fps": 10, "every": 2, "start": 0.1},
    ],
    ids=["all", "start", "start-duration", "every", "fps", "fps-every-start"],
)
def test_packet_scan_gives_the_reader_frame_times_and_windows_start_on_any_frame(
    clips, name, options
):
    clip = clips[name]
    with open_video(clip, **options) as reader:
        real = [(f.index, f.time) for f in reader]
    times = frame_times(clip, **options)
    assert len(times) == len(real)
    np.testing.assert_allclose(times, [t for _, t in real], atol=1e-6)
    for first in range(0, len(times), 3):
        stop = first + 4
        until = float(times[stop]) if stop < len(times) else None
        with open_video(clip, window=Window(first, float(times[first]), until), **options) as r:
            got = [(f.index, f.time) for f in r]
        expected = real[first:stop]
        assert [i for i, _ in got] == [i for i, _ in expected]
        np.testing.assert_allclose([t for _, t in got], [t for _, t in expected], atol=1e-6)


def render_frames(job: VideoJob, folder: Path, span: Span | None = None) -> list[np.ndarray]:
    folder.mkdir()
    render(job.replace(output=str(folder / "%04d.png")), span=span)
    return frames(folder)


@pytest.mark.slow
def test_a_span_paints_exactly_the_frames_of_a_whole_render(clips, tmp_path):
    job = VideoJob.build(clips["ntsc"], tmp_path / "x.mp4", "builtin:2", temporal="none")
    whole = render_frames(job, tmp_path / "whole")
    piece = render_frames(job, tmp_path / "piece", Span(10, 20, warmup=5))
    assert len(whole) == 30 and len(piece) == 10
    assert all(np.array_equal(a, b) for a, b in zip(piece, whole[10:20], strict=True))
    tail = render_frames(job, tmp_path / "tail", Span(25, None, warmup=30))
    assert all(np.array_equal(a, b) for a, b in zip(tail, whole[25:], strict=True))


def test_a_span_is_written_with_the_times_of_the_whole_range(clips, tmp_path):
    job = VideoJob.build(clips["vfr"], tmp_path / "piece.mkv", "builtin:2", temporal="none")
    result = render(job, span=Span(12, 21, warmup=4))
    assert result.frames == 9
    with open_video(clips["vfr"]) as reader:
        expected = [f.time for f in reader][12:21]
    with open_video(tmp_path / "piece.mkv") as reader:
        got = [f.time for f in reader]
    # the chunk's own timeline starts at its first frame; its stored timestamps are global
    np.testing.assert_allclose(np.diff(got), np.diff(expected), atol=2e-3)
    import av

    with av.open(str(tmp_path / "piece.mkv")) as c:
        first = next(c.demux(c.streams.video[0]))
        assert abs(float(first.pts * first.time_base) - expected[0]) < 2e-3
        assert not c.streams.audio  # a span's audio is added when the pieces are joined


@pytest.mark.slow
def test_the_flow_filter_has_settled_after_the_warm_up(clips, tmp_path):
    job = VideoJob.build(clips["ntsc"], tmp_path / "x.mp4", "builtin:2")
    whole = render_frames(job, tmp_path / "whole")
    warm = render_frames(job, tmp_path / "warm", Span(15, 25, warmup=12))
    cold = render_frames(job, tmp_path / "cold", Span(15, 25, warmup=0))

    def diff(piece: list[np.ndarray]) -> float:
        return float(
            np.mean(
                [np.abs(a.astype(int) - b).mean() for a, b in zip(piece, whole[15:25], strict=True)]
            )
        )

    assert diff(warm) < 0.5 * diff(cold)
    assert diff(warm) < 1.5  # grey levels: the same video to the eye


@pytest.mark.slow
def test_the_style_schedule_is_the_whole_range_s(tmp_path):
    clip = make_video(tmp_path / "c.mp4", frames=24)
    art = make_style_video(tmp_path / "art.mp4", [("stripes", 8), ("checks", 8), ("dots", 8)])
    job = VideoJob.build(
        clip,
        tmp_path / "x.mp4",
        style_video=art,
        keyframes=3,
        keyframe_method="uniform",
        temporal="none",
    )
    whole = render_frames(job, tmp_path / "whole")
    piece = render_frames(job, tmp_path / "piece", Span(16, 24, warmup=2))
    assert all(np.array_equal(a, b) for a, b in zip(piece, whole[16:], strict=True))


@pytest.mark.slow
def test_strength_below_one_uses_the_first_frame_of_the_range_in_every_span(clips, tmp_path):
    painting = tmp_path / "p.png"
    from support.image_factory import synthetic_painting

    Image.fromarray(synthetic_painting(64, 64)).save(painting)
    job = VideoJob.build(
        clips["ntsc"], tmp_path / "x.mp4", str(painting), strength=0.6, temporal="none"
    )
    whole = render_frames(job, tmp_path / "whole")
    piece = render_frames(job, tmp_path / "piece", Span(20, 24))
    assert all(np.array_equal(a, b) for a, b in zip(piece, whole[20:24], strict=True))


def test_bad_spans_are_input_errors(clips, tmp_path):
    job = VideoJob.build(clips["ntsc"], tmp_path / "x.mp4", "builtin:2")
    with pytest.raises(InputError):
        Span(5, 5)
    with pytest.raises(InputError, match="the range has 30"):
        render(job, span=Span(40, 50))
    assert not (tmp_path / "x.mp4").exists()
