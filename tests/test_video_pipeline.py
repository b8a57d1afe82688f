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
from restyle.cli import main
from restyle.media.reader import open_video
from restyle.models.engine import Engine
from restyle.registries import STYLIZERS, TEMPORAL_FILTERS
from restyle.rendering.stages import Painter
from restyle.styles import builtin_style
from restyle.stylizers import Look, create_stylizer
from restyle.stylizers.network import NetworkStylizer
from restyle.temporal.filters import TemporalFilter
from support.engines import EXACT
from support.media_factory import (
    irregular_times,
    make_headers_only,
    make_not_a_video,
    make_truncated,
    make_video,
)

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


@pytest.mark.slow
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


@pytest.mark.slow
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


class Keep(TemporalFilter):
    """A test filter (registered as ``keep``) that records every painted frame it is given."""

    seen: list[tuple[float, np.ndarray]] = []

    def __call__(self, source, stylized, time):
        Keep.seen.append((time, stylized))
        return stylized


def kept(clip: Path, out: Path, **options) -> list[tuple[float, np.ndarray]]:
    """Render with the recording filter; the (time, painted frame) pairs it saw."""
    Keep.seen = []
    with TEMPORAL_FILTERS.added("keep", Keep, "records the painted frames (tests)"):
        restyle.stylize_video(clip, out, STYLE, device="cpu", temporal="keep", **options)
    return Keep.seen


@pytest.mark.slow
def test_batches_give_the_same_frames(clip, tmp_path):
    one = kept(clip, tmp_path / "b1.mp4", batch=1)
    four = kept(clip, tmp_path / "b4.mp4", batch=4)
    assert len(one) == len(four) == 18
    assert (
        max(np.abs(a.astype(int) - b).max() for (_, a), (_, b) in zip(one, four, strict=True)) <= 1
    )


@pytest.mark.slow
def test_frames_painted_side_by_side_come_out_the_same_and_in_order(clip, tmp_path):
    # a style change mid-clip (two built-ins that cut): each frame must keep its own style
    styles = {"style": ["builtin:3", "builtin:7"], "transition": "segments", "hold": 1.0}
    seen = {}
    for workers in (1, 2, 3):
        Keep.seen = []
        with TEMPORAL_FILTERS.added("keep", Keep, "records the painted frames (tests)"):
            restyle.stylize_video(
                clip,
                tmp_path / f"w{workers}.mp4",
                temporal="keep",
                device="cpu",
                painters=workers,
                **styles,
                **EXACT,
            )
        seen[workers] = Keep.seen
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
    stylizer = create_stylizer("network", Look(), Engine(device="cpu"))
    cores = len(os.sched_getaffinity(0))
    assert stylizer.use_workers(1) == 1
    got = stylizer.use_workers(2)
    assert got == min(2, cores)
    if got == 2:
        assert stylizer.threads == cores // 2
    assert stylizer.use_workers(64) == cores


def test_a_failure_on_a_painting_thread_leaves_no_file(clip, tmp_path):
    painted_on: set[str] = set()
    lock = threading.Lock()
    calls = [0]

    class Flaky(NetworkStylizer):
        name = "flaky"

        def stylize(self, frames, style, content_style=None):
            with lock:
                painted_on.add(threading.current_thread().name)
                calls[0] += 1
                fail = calls[0] == 6
            if fail:
                raise restyle.ModelError("the network failed")
            return super().stylize(frames, style, content_style)

    out = tmp_path / "broken.mp4"
    with STYLIZERS.added("flaky", Flaky, "fails on the sixth call (tests)"):
        with pytest.raises(restyle.ModelError, match="the network failed"):
            restyle.stylize_video(clip, out, STYLE, method="flaky", painters=2, device="cpu")
    assert all(name.startswith("restyle-paint") for name in painted_on)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_the_painter_stage_asks_the_schedule_at_each_frame_time(clip):
    stylizer = create_stylizer("network", Look(), Engine(device="cpu"))
    asked: list[float] = []

    def schedule(t: float):
        asked.append(t)
        return builtin_style(3 if t < 0.3 else 7)

    with open_video(clip) as reader:
        painted = list(Painter(stylizer, schedule, batch_size=2).paint(reader))
    assert np.allclose(asked, probe(clip)["times"], atol=1e-6)
    assert [f.index for f, _ in painted] == list(range(18))


def test_failure_mid_video_leaves_no_file(clip, tmp_path):
    out = tmp_path / "broken.mp4"

    class Boom(TemporalFilter):
        def __call__(self, source, stylized, time):
            if time > 0.2:
                raise KeyboardInterrupt
            return stylized

    with TEMPORAL_FILTERS.added("boom", Boom, "interrupts mid-video (tests)"):
        with pytest.raises(KeyboardInterrupt):
            restyle.stylize_video(clip, out, STYLE, temporal="boom", device="cpu")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["_Setup", "Painter"])
def test_a_signal_just_after_the_output_opens_leaves_no_file(clip, tmp_path, monkeypatch, where):
    """Ctrl-C (or SIGTERM) landing after the temporary output appeared, before the encoder
    thread owns it: the render removes it, not a finalizer that may never run."""
    import restyle.rendering.runner as runner

    def interrupted(*args, **kwargs):
        assert [p for p in tmp_path.iterdir() if ".tmp-" in p.name], "the output is not open yet"
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, where, interrupted)
    with pytest.raises(KeyboardInterrupt) as caught:  # held, as the command line holds it
        restyle.stylize_video(clip, tmp_path / "out.mp4", STYLE, device="cpu")
    assert list(tmp_path.iterdir()) == [], caught.traceback[-1]


def test_cancel_leaves_no_file_and_says_so(clip, tmp_path):
    cancel = threading.Event()
    out = tmp_path / "cancelled.mp4"
    events: list[restyle.Progress] = []

    def on_progress(event: restyle.Progress) -> None:
        events.append(event)
        if event.done == 3:
            cancel.set()

    with pytest.raises(restyle.Cancelled, match="cancelled"):
        restyle.stylize_video(clip, out, STYLE, on_progress=on_progress, cancel=cancel)
    assert list(tmp_path.iterdir()) == []
    assert events[0].stage == "render" and events[0].total == 18 and events[-1].done >= 3


@pytest.mark.slow
def test_progress_events_count_frames_with_rate_and_time_left(clip, tmp_path):
    events: list[restyle.Progress] = []
    restyle.stylize_video(clip, tmp_path / "p.mp4", STYLE, on_progress=events.append)
    assert [e.done for e in events] == list(range(0, 19))  # 0: said as soon as it starts
    assert {e.stage for e in events} == {"render"} and events[-1].total == 18
    assert all(e.fps > 0 for e in events[1:]) and events[-1].eta == 0


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
@pytest.mark.slow
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
@pytest.mark.slow
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


@pytest.mark.slow
def test_json_summary(clip, tmp_path, capsys):
    import json

    out = tmp_path / "o.mp4"
    assert main(["video", str(clip), "-s", STYLE, "-o", str(out), "--json", "--device", "cpu"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["frames"] == 18 and summary["output"] == str(out) and summary["fps"] > 0
