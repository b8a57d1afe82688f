"""The video job end to end: frames, timing, size, rotation, audio kept; failures leave nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

import restyle
from media_factory import (
    irregular_times,
    make_headers_only,
    make_not_a_video,
    make_truncated,
    make_video,
)
from restyle.cli import main
from restyle.media.reader import open_video
from restyle.pipeline import FrameFilter, run_video
from restyle.styles import builtin_style
from restyle.stylizers import LookOptions, create_stylizer

STYLE = "builtin:3"


def probe(path: Path) -> dict:
    """Frame count, times, stored size, rotation, frame rate and audio duration of a file."""
    with open_video(path) as reader:
        info = reader.info
        frames = list(reader)
    audio = None
    with av.open(str(path)) as c:
        if c.streams.audio:
            s = c.streams.audio[0]
            audio = sum(f.samples for f in c.decode(s)) / s.rate
    return {
        "count": len(frames),
        "times": [f.time for f in frames],
        "size": (info.width, info.height),
        "rotation": info.rotation,
        "rate": info.frame_rate,
        "audio": audio,
        "first": frames[0].image,
    }


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """An odd-sized, rotated clip with a sine-tone audio track at 29.97 fps."""
    path = tmp_path_factory.mktemp("clips") / "phone.mp4"
    return make_video(
        path, width=161, height=97, frames=18, fps=Fraction(30000, 1001), rotation=-90, audio=True
    )


def test_video_keeps_frames_timing_size_rotation_and_audio(clip, tmp_path):
    out = tmp_path / "out.mp4"
    result = restyle.stylize_video(clip, out, STYLE, device="cpu")
    src, dst = probe(clip), probe(out)
    assert result.frames == src["count"] == dst["count"] == 18
    assert dst["size"] == src["size"] == (161, 97)
    assert dst["rotation"] == src["rotation"] == -90
    assert dst["rate"] == Fraction(30000, 1001)
    assert np.allclose(dst["times"], src["times"], atol=1e-3)
    assert dst["audio"] is not None and abs(dst["audio"] - src["audio"]) < 0.05
    with av.open(str(out)) as c:
        assert c.streams.video[0].codec_context.name == "h264"
        # H.264 4:2:0 can only crop in steps of 2 pixels: an exact odd size needs 4:4:4,
        # and the user is told that some players will not open it
        assert c.streams.video[0].codec_context.pix_fmt == "yuv444p"
    assert any("4:4:4" in w for w in result.warnings)


def test_even_size_video_is_yuv420p_without_warning(tmp_path):
    clip = make_video(tmp_path / "even.mp4", width=160, height=96, frames=4)
    result = restyle.stylize_video(clip, tmp_path / "out.mp4", STYLE, device="cpu")
    with av.open(str(tmp_path / "out.mp4")) as c:
        assert c.streams.video[0].codec_context.pix_fmt == "yuv420p"
    assert result.warnings == []


def test_video_frames_are_the_stylized_frames(clip, tmp_path):
    out = tmp_path / "out.mp4"
    restyle.stylize_video(clip, out, STYLE, device="cpu", crf=10, temporal="none")
    first = probe(clip)["first"]
    expected = restyle.stylize_image(first, STYLE, device="cpu")
    got = probe(out)["first"]
    assert np.abs(got.astype(float) - expected).mean() < 6.0  # H.264 rounding only
    assert np.abs(got.astype(float) - first).mean() > 20.0  # really painted


def test_variable_frame_rate_is_kept(tmp_path):
    times = irregular_times(12)
    clip = make_video(tmp_path / "vfr.mkv", frames=12, times=times)
    out = tmp_path / "out.mkv"
    restyle.stylize_video(clip, out, STYLE, device="cpu")
    assert np.allclose(probe(out)["times"], probe(clip)["times"], atol=2e-3)


def test_start_duration_and_every(clip, tmp_path):
    out = tmp_path / "cut.mp4"
    result = restyle.stylize_video(clip, out, STYLE, device="cpu", start=0.2, duration=0.3)
    got = probe(out)
    assert result.frames == got["count"] == 9  # 0.3 s at 29.97 fps, from 0.2 s
    assert abs(got["audio"] - 0.3) < 0.05
    out2 = tmp_path / "every.mp4"
    assert restyle.stylize_video(clip, out2, STYLE, device="cpu", every=3).frames == 6


def test_png_sequence_output(clip, tmp_path):
    pattern = tmp_path / "frames" / "%04d.png"
    pattern.parent.mkdir()
    restyle.stylize_video(clip, pattern, STYLE, device="cpu", duration=0.2)
    files = sorted(pattern.parent.glob("*.png"))
    assert len(files) == 6


def test_batches_give_the_same_frames(clip, tmp_path):
    stylizer = create_stylizer("network", "builtin", LookOptions(), device="cpu")
    style = builtin_style(3)
    seen: dict[int, list[np.ndarray]] = {1: [], 4: []}

    class Keep(FrameFilter):
        def __init__(self, sink):
            self.sink = sink

        def __call__(self, source, stylized, time):
            self.sink.append(stylized)
            return stylized

    for batch in (1, 4):
        run_video(
            clip,
            tmp_path / f"b{batch}.mp4",
            stylizer,
            lambda t: style,
            frame_filter=Keep(seen[batch]),
            batch_size=batch,
        )
    assert len(seen[1]) == len(seen[4]) == 18
    assert max(np.abs(a.astype(int) - b).max() for a, b in zip(seen[1], seen[4], strict=True)) <= 1


def test_frames_painted_side_by_side_come_out_the_same_and_in_order(clip, tmp_path):
    stylizer = create_stylizer("network", "builtin", LookOptions(), device="cpu")
    seen: dict[int, list[tuple[float, np.ndarray]]] = {1: [], 2: [], 3: []}

    class Keep(FrameFilter):
        def __init__(self, sink):
            self.sink = sink

        def __call__(self, source, stylized, time):
            self.sink.append((time, stylized))
            return stylized

    def schedule(t: float):  # a style change mid-clip: each frame must keep its own style
        return builtin_style(3 if t < 0.3 else 7)

    for workers in seen:
        run_video(
            clip,
            tmp_path / f"w{workers}.mp4",
            stylizer,
            schedule,
            frame_filter=Keep(seen[workers]),
            workers=workers,
        )
    times = [t for t, _ in seen[1]]
    assert len(times) == 18 and times == sorted(times)
    for workers in (2, 3):
        assert [t for t, _ in seen[workers]] == times
        diff = max(
            np.abs(a.astype(int) - b).max()
            for (_, a), (_, b) in zip(seen[1], seen[workers], strict=True)
        )
        assert diff <= 1


def test_network_splits_the_cores_between_workers():
    stylizer = create_stylizer("network", "builtin", LookOptions(), device="cpu")
    cores = len(os.sched_getaffinity(0))
    assert stylizer.use_workers(1) == 1
    got = stylizer.use_workers(2)
    assert got == min(2, cores)
    if got == 2:
        assert stylizer.threads == cores // 2
    assert stylizer.use_workers(64) == cores


def test_a_failure_on_a_painting_thread_leaves_no_file(clip, tmp_path):
    inner = create_stylizer("network", "builtin", LookOptions(), device="cpu")
    painted_on: set[str] = set()
    lock = threading.Lock()
    calls = [0]

    class Flaky(type(inner)):
        def stylize(self, frames, style, content_style=None):
            with lock:
                painted_on.add(threading.current_thread().name)
                calls[0] += 1
                fail = calls[0] == 6
            if fail:
                raise restyle.ModelError("the network failed")
            return super().stylize(frames, style, content_style)

    flaky = Flaky(LookOptions(), device="cpu")
    out = tmp_path / "broken.mp4"
    with pytest.raises(restyle.ModelError, match="the network failed"):
        run_video(clip, out, flaky, lambda t: builtin_style(3), workers=2)
    assert all(name.startswith("restyle-paint") for name in painted_on)
    assert list(tmp_path.iterdir()) == []


def test_schedule_is_asked_per_frame_time(clip, tmp_path):
    stylizer = create_stylizer("network", "builtin", LookOptions(), device="cpu")
    asked: list[float] = []

    def schedule(t: float):
        asked.append(t)
        return builtin_style(3 if t < 0.3 else 7)

    run_video(clip, tmp_path / "s.mp4", stylizer, schedule)
    assert np.allclose(asked, probe(clip)["times"], atol=1e-6)


def test_failure_mid_video_leaves_no_file(clip, tmp_path):
    stylizer = create_stylizer("network", "builtin", LookOptions(), device="cpu")
    out = tmp_path / "broken.mp4"

    class Boom(FrameFilter):
        def __call__(self, source, stylized, time):
            if time > 0.2:
                raise KeyboardInterrupt
            return stylized

    with pytest.raises(KeyboardInterrupt):
        run_video(clip, out, stylizer, lambda t: builtin_style(3), frame_filter=Boom())
    assert list(tmp_path.iterdir()) == []


def test_cancel_leaves_no_file(clip, tmp_path):
    stylizer = create_stylizer("network", "builtin", LookOptions(), device="cpu")
    cancel = threading.Event()
    out = tmp_path / "cancelled.mp4"

    def progress(done, total):
        if done == 3:
            cancel.set()

    with pytest.raises(restyle.RestyleError):
        run_video(clip, out, stylizer, lambda t: builtin_style(3), progress=progress, cancel=cancel)
    assert list(tmp_path.iterdir()) == []


def test_truncated_video_is_painted_with_a_warning(tmp_path, capsys):
    clip = make_truncated(tmp_path / "cut.mp4", frames=30)
    out = tmp_path / "out.mp4"
    assert (
        main(["video", str(clip), "--style", STYLE, "-o", str(out), "-q", "--device", "cpu"]) == 0
    )
    err = capsys.readouterr().err
    assert "warning" in err
    assert 0 < probe(out)["count"] < 30


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda d: make_not_a_video(d / "x.mp4"), "out.mp4"),
        (lambda d: make_headers_only(d / "h.mp4"), "out.mp4"),
        (lambda d: d / "missing.mp4", "out.mp4"),
        (lambda d: make_video(d / "ok.mp4", frames=3), "out.xyz"),
        (lambda d: make_video(d / "ok.mp4", frames=3), "nofolder/out.mp4"),
        (lambda d: make_video(d / "ok.mp4", frames=3), "ok.mp4"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, make, name):
    clip = make(tmp_path)
    out = tmp_path / name
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "restyle",
            "video",
            str(clip),
            "--style",
            STYLE,
            "-o",
            str(out),
            "--device",
            "cpu",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("restyle: error:"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    "option, good, bad",
    [
        ("--flow-size", "96", "20"),
        ("--sharpness", "0.95", "1.5"),
        ("--flow-quality", "high", "best"),
    ],
)
def test_flow_options(clip, tmp_path, capsys, option, good, bad):
    out = tmp_path / "o.mp4"
    args = ["video", str(clip), "-s", STYLE, "-o", str(out), "--device", "cpu", "-q"]
    assert main([*args, option, good]) == 0
    assert probe(out)["count"] == 18
    out.unlink()
    capsys.readouterr()
    assert main([*args, option, bad]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and option in err[0]
    assert not out.exists()


def test_json_summary(clip, tmp_path, capsys):
    import json

    out = tmp_path / "o.mp4"
    assert main(["video", str(clip), "-s", STYLE, "-o", str(out), "--json", "--device", "cpu"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["frames"] == 18 and summary["output"] == str(out) and summary["fps"] > 0
