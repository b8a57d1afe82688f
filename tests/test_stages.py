"""The runner's stages on their own: decode, filter, encode (paint: test_video_pipeline)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from restyle.media.reader import open_video
from restyle.media.writer import open_writer
from restyle.rendering.progress import Cancelled, Meter
from restyle.rendering.stages import Decoder, Encoder, Smoother
from restyle.temporal.filters import TemporalFilter
from support.media_factory import make_video


class Late(TemporalFilter):
    """Holds two frames back, then hands them on in order (like a filter that looks ahead)."""

    latency = 2

    def __init__(self) -> None:
        self.held: list[np.ndarray] = []

    def push(self, source, stylized, time):
        self.held.append(stylized)
        return [self.held.pop(0)] if len(self.held) > self.latency else []

    def flush(self):
        out, self.held = self.held, []
        return out


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("stages") / "c.mp4", width=64, height=48, frames=9)


def test_the_decoder_hands_on_every_frame_in_order_and_stops_when_asked(clip):
    stop = threading.Event()
    decoder = Decoder(open_video(clip), stop, size=2)
    decoder.start()
    assert [f.index for f in decoder.frames()] == list(range(9))
    stop2 = threading.Event()
    decoder = Decoder(open_video(clip), stop2, size=2)
    decoder.start()
    got = []
    for frame in decoder.frames():
        got.append(frame.index)
        if frame.index == 2:
            stop2.set()
    decoder.thread.join(timeout=5)
    assert got[:3] == [0, 1, 2] and len(got) < 9 and not decoder.thread.is_alive()


def test_the_smoother_pairs_late_frames_with_their_own_source_frame(clip):
    smoother = Smoother(Late())
    with open_video(clip) as reader:
        frames = list(reader)
    out = []
    for f in frames:
        out += smoother.push(f, f.image[::-1].copy())
    assert len(out) == 7
    out += smoother.flush()
    assert [f.index for f, _ in out] == list(range(9))
    assert all(np.array_equal(image, f.image[::-1]) for f, image in out)


def test_the_encoder_writes_the_file_only_when_finished(clip, tmp_path):
    with open_video(clip) as reader:
        info, frames = reader.info, list(reader)
    out = tmp_path / "o.mp4"
    encoder = Encoder(open_writer(out, info), threading.Event(), size=2)
    encoder.start()
    for f in frames:
        assert encoder.put(f.image, f.time, f.duration)
    assert not out.exists()
    encoder.finish()
    with open_video(out) as reader:
        assert len(list(reader)) == 9


def test_a_stopped_encoder_leaves_nothing_and_says_cancelled(clip, tmp_path):
    with open_video(clip) as reader:
        info, frames = reader.info, list(reader)
    stop = threading.Event()
    encoder = Encoder(open_writer(tmp_path / "o.mp4", info), stop, size=2)
    encoder.start()
    encoder.put(frames[0].image, frames[0].time, frames[0].duration)
    stop.set()
    with pytest.raises(Cancelled, match="nothing was written"):
        encoder.finish()
    assert list(tmp_path.iterdir()) == []


def test_the_meter_reports_rate_and_time_left():
    seen = []
    meter = Meter("render", 4, seen.append)
    meter.advance()
    meter.advance()
    last = seen[-1]
    assert (last.stage, last.done, last.total) == ("render", 2, 4)
    assert last.fps > 0 and last.eta is not None and last.fraction == 0.5
