"""The live painter (latest frame wins, style hand-over, fps and delay) and ``restyle live``."""

from __future__ import annotations

import threading
import time

import av
import numpy as np
import pytest

from restyle.cli import main
from restyle.errors import InputError
from restyle.live import LivePainter, painted_size
from restyle.styles.style import Style
from support.media_factory import make_video, shapes_frame


class SlowStylizer:
    """A stand-in network: paints a frame one grey level (the style's first number) slowly."""

    def __init__(self, seconds: float = 0.03) -> None:
        self.seconds = seconds
        self.calls = 0
        self.busy = 0
        self.most_busy = 0
        self._lock = threading.Lock()

    def resolve(self, style):
        if isinstance(style, Style):
            return style
        n = int(str(style).split(":")[1])
        vector = np.zeros(26, np.float32)
        vector[0] = n * 10
        return Style("builtin", vector, f"builtin:{n}")

    def stylize(self, frames, style):
        with self._lock:
            self.busy += 1
            self.most_busy = max(self.most_busy, self.busy)
        time.sleep(self.seconds)
        with self._lock:
            self.busy -= 1
            self.calls += 1
        level = int(round(float(style.vector[0])))
        return [np.full_like(f, level) for f in frames]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_painted_size_short_side_even_never_enlarged():
    assert painted_size(640, 480, 240) == (320, 240)
    assert painted_size(1280, 720, 360) == (640, 360)
    assert painted_size(320, 240, 480) == (320, 240)  # never enlarged
    w, h = painted_size(161, 97, 240)
    assert w % 2 == 0 and h % 2 == 0 and (w, h) == (160, 96)
    with pytest.raises(InputError):
        painted_size(20, 20, 240)


def test_frames_faster_than_painting_are_dropped_not_queued():
    stylizer = SlowStylizer(0.03)
    with LivePainter("builtin:1", smooth=0, stylizer=stylizer) as painter:
        for i in range(200):  # about 10x faster than it paints
            painter.submit(shapes_frame(i, 64, 48))
            time.sleep(0.003)
            assert painter._slot is None or painter._slot[2] == i  # a slot of one, the newest
        deadline = time.monotonic() + 5
        final = painter.latest(-1)
        while (final is None or final.frame < 199) and time.monotonic() < deadline:
            final = painter.latest(final.index if final else -1, timeout=0.5) or final
        stats = painter.stats()
    assert final is not None and final.frame == 199  # the newest frame is always painted
    assert stats.received == 200
    assert stats.painted + stats.dropped == 200
    assert stats.dropped > 100 and stats.painted < 60
    assert stylizer.most_busy == 1


def test_stats_report_fps_and_delay():
    stylizer = SlowStylizer(0.02)
    with LivePainter("builtin:1", smooth=0, stylizer=stylizer) as painter:
        last = -1
        for i in range(15):
            painter.submit(shapes_frame(i, 64, 48))
            done = painter.latest(last, timeout=2)
            assert done is not None
            last = done.index
            assert done.delay >= 0.015
        stats = painter.stats()
    assert stats.painted == 15 and stats.dropped == 0
    assert 5 < stats.fps < 60
    assert 0.015 <= stats.delay < 0.5
    assert "fps" in stats.line() and "delay" in stats.line() and "builtin:1" in stats.line()


class SteadyStylizer(SlowStylizer):
    """A stand-in that paints style images (``image:N``) with the steady network."""

    def __init__(self) -> None:
        from restyle.models.engine import Engine

        super().__init__(0.001)
        self.engine = Engine(device="cpu", model="steady")

    def resolve(self, style):
        if isinstance(style, Style):
            return style
        if str(style).startswith("builtin:"):  # the real 26 weights: the network is chosen by them
            from restyle.styles.embed import builtin_style

            return builtin_style(int(str(style).split(":")[1]))
        vector = np.zeros(100, np.float32)
        vector[0] = int(str(style).split(":")[1]) * 10
        return Style("arbitrary", vector, str(style))


def test_strokes_that_follow_the_content_are_carried_and_the_others_blended():
    """A style image painted by the steady network is carried along the motion (its share
    0.9 at the default smooth), a built-in style blended unless the trained 26-style network
    paints it; a switch hands over the filter."""
    frames = iter(shapes_frame(i, 64, 48) for i in range(100))

    def paint(painter: LivePainter, count: int = 3) -> None:
        last = painter.latest(-1)
        for _ in range(count):
            painter.submit(next(frames))
            last = painter.latest(last.index if last else -1, timeout=5)
            assert last is not None

    with LivePainter("image:3", stylizer=SteadyStylizer(), handover=0) as painter:
        paint(painter)
        assert painter.flicker_filter == "carry"
        assert painter._filters["carry"].smooth == pytest.approx(0.9)
        painter.set_style("builtin:3")  # the shipped network paints it
        paint(painter)
        assert painter.flicker_filter == "forward"
        assert painter._filters["forward"].smooth == pytest.approx(0.55)
        painter.set_style("builtin:20")  # one the trained 26-style network paints
        paint(painter)
        assert painter.flicker_filter == "carry"
        painter.smooth = 0.9
        painter.set_style("image:4")
        paint(painter)
        assert painter.flicker_filter == "carry"
        assert painter._filters["carry"].smooth == pytest.approx(0.95)  # at most 0.95
    original = SteadyStylizer()
    original.engine = type(original.engine)(device="cpu", model="original")
    with LivePainter("image:3", stylizer=original) as painter:
        paint(painter)
        assert painter.flicker_filter == "forward"  # the shipped network's strokes: blended


def test_style_switch_hands_over_smoothly():
    clock = Clock()
    stylizer = SlowStylizer(0.0)
    with LivePainter("builtin:2", smooth=0, stylizer=stylizer, clock=clock) as painter:
        frame = shapes_frame(0, 64, 48)

        def paint(at: float):
            clock.now = at
            previous = painter.latest(-1)
            painter.submit(frame, time=at)
            return painter.latest(previous.index if previous else -1, timeout=2)

        assert paint(100.0).image[0, 0, 0] == 20
        painter.set_style("builtin:8")  # 20 -> 80 over 0.5 s
        levels, labels = [], []
        for at in (100.1, 100.2, 100.3, 100.4, 100.6, 101.0):
            done = paint(at)
            levels.append(int(done.image[0, 0, 0]))
            labels.append(done.style)
    assert levels == sorted(levels)  # monotone
    assert 20 < levels[0] < levels[3] < 80  # in between while it hands over
    assert levels[-2:] == [80, 80]
    assert labels[0] == "builtin:2>builtin:8" and labels[-1] == "builtin:8"


def test_settings_are_checked():
    with LivePainter("builtin:1", stylizer=SlowStylizer(0)) as painter:
        with pytest.raises(InputError):
            painter.smooth = 1.5
        with pytest.raises(InputError):
            painter.submit(np.zeros((48, 64), np.uint8))


def test_recording_writes_playable_h264(tmp_path):
    out = tmp_path / "rec.mp4"
    with LivePainter("builtin:3", smooth=0, stylizer=SlowStylizer(0.005)) as painter:
        painter.start_recording(out)
        last = -1
        for i in range(12):
            painter.submit(shapes_frame(i, 161, 97))  # odd size: recorded at an even one
            last = painter.latest(last, timeout=2).index
        assert painter.stop_recording() == out
    with av.open(str(out)) as c:
        stream = c.streams.video[0]
        assert stream.codec_context.name == "h264" and stream.pix_fmt == "yuv420p"
        assert stream.width % 2 == 0 and stream.height % 2 == 0
        assert sum(1 for _ in c.decode(video=0)) == 12


def test_real_network_paints_at_the_chosen_size():
    frame = shapes_frame(3, 320, 240)
    with LivePainter("builtin:3", size=120) as painter:
        painter.submit(frame)
        done = painter.latest(-1, timeout=60)
    assert done is not None and done.image.shape == (120, 160, 3)
    assert np.abs(done.image.astype(int) - done.source.astype(int)).mean() > 10


def test_live_without_display_or_record_is_one_line_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    clip = make_video(tmp_path / "clip.mp4", width=96, height=64, frames=4)
    assert main(["live", "--file", str(clip)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs a display" in err[0] and "--record" in err[0]


@pytest.mark.slow
def test_live_file_record_headless_writes_painted_video(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    clip = make_video(tmp_path / "clip.mp4", width=160, height=120, frames=24)
    out = tmp_path / "live.mp4"
    code = main(["live", "--file", str(clip), "--record", str(out), "-s", "builtin:5"])
    assert code == 0, capsys.readouterr().err
    assert "recorded" in capsys.readouterr().out
    with av.open(str(clip)) as c:
        sources = [f.to_ndarray(format="rgb24").astype(int) for f in c.decode(video=0)]
    with av.open(str(out)) as c:
        stream = c.streams.video[0]
        assert stream.codec_context.name == "h264" and stream.pix_fmt == "yuv420p"
        painted = [f.to_ndarray(format="rgb24").astype(int) for f in c.decode(video=0)]
    assert painted and painted[0].shape == sources[0].shape
    for image in painted:  # painted, not a copy of any camera frame
        assert min(np.abs(image - s).mean() for s in sources) > 10


def test_live_camera_that_cannot_open_is_one_line_exit_2(tmp_path, capsys):
    assert main(["live", "--camera", "9", "--record", str(tmp_path / "out.mp4")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot open camera 9" in err[0]
    assert not (tmp_path / "out.mp4").exists()
