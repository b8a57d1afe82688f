"""Streaming video reader and writer: timing, size, rotation, audio, trimming, atomicity, errors."""

from __future__ import annotations

import os
import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from restyle.errors import InputError, OutputError
from restyle.media import VideoWriter, open_video, open_writer
from restyle.media.reader import Window
from restyle.media.timeline import frame_times
from support.media_factory import (
    irregular_times,
    make_audio_only,
    make_headers_only,
    make_not_a_video,
    make_truncated,
    make_video,
    shapes_frame,
)

SHARED_MEDIA = Path(__file__).resolve().parents[1].parent / "shared" / "media"


# -- helpers that look at files with PyAV directly (not through the code under test) ----------


def probe(path: Path) -> dict:
    """Decode every video frame and audio sample of `path` and summarize what a player sees."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        frames = list(container.decode(video))
        rate = video.average_rate
    out = {
        "count": len(frames),
        "times": [float(f.pts * f.time_base) for f in frames],
        "size": (frames[0].width, frames[0].height),
        "rotation": frames[0].rotation,
        "rate": rate,
        "first": frames[0].to_ndarray(format="rgb24"),
        "audio": None,
    }
    with av.open(str(path)) as container:
        if container.streams.audio:
            stream = container.streams.audio[0]
            samples = sum(f.samples for f in container.decode(stream))
            out["audio"] = samples / stream.codec_context.sample_rate
            out["audio_codec"] = stream.codec_context.codec.canonical_name
    return out


def video_seconds(info: dict, last_duration: float) -> float:
    return info["times"][-1] + last_duration


def round_trip(src: Path, dst: Path, **read_options) -> tuple:
    """Read `src` and write every frame unchanged to `dst`; return (reader, writer)."""
    with open_video(src, **read_options) as reader:
        with open_writer(dst, reader.info, audio=reader.audio, preset="ultrafast") as writer:
            for frame in reader:
                writer.write(frame.image, frame.time, frame.duration)
    return reader, writer


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


# -- reading --------------------------------------------------------------------------------


def test_reader_reports_exact_rate_size_rotation_and_times(tmp_path):
    src = make_video(
        tmp_path / "in.mp4", width=161, height=97, frames=12, fps=Fraction(30000, 1001), rotation=90
    )
    with open_video(src) as reader:
        info = reader.info
        frames = list(reader)
    assert info.frame_rate == Fraction(30000, 1001)
    assert (info.width, info.height, info.rotation) == (161, 97, 90)
    assert (info.display_width, info.display_height) == (97, 161)
    assert info.frame_count == 12 and not info.has_audio and reader.audio is None
    assert len(frames) == 12
    assert [f.index for f in frames] == list(range(12))
    for i, frame in enumerate(frames):
        assert frame.image.shape == (97, 161, 3) and frame.image.dtype == np.uint8
        assert frame.time == pytest.approx(i * 1001 / 30000, abs=1e-9)
        assert frame.duration == pytest.approx(1001 / 30000, abs=1e-9)
    # pixels as stored (not rotated), close to what the factory drew
    diff = np.abs(frames[5].image.astype(int) - shapes_frame(5, 161, 97)).mean()
    assert diff < 4


def test_reader_keeps_variable_frame_rate(tmp_path):
    times = irregular_times(30, seed=3)
    src = make_video(tmp_path / "vfr.mkv", frames=30, times=times)
    with open_video(src) as reader:
        got = [f.time for f in reader]
    assert got == pytest.approx(times, abs=1e-6)


def test_start_and_duration_are_frame_accurate(tmp_path):
    src = make_video(tmp_path / "in.mp4", frames=50, fps=25)
    with open_video(src, start=0.5, duration=0.6) as reader:
        frames = list(reader)
    # source frames sit at k/25 s; [0.5, 1.1) holds k = 13..27 (0.52 .. 1.08)
    assert len(frames) == 15
    assert frames[0].time == pytest.approx(0.52 - 0.5, abs=1e-6)
    assert frames[-1].time == pytest.approx(1.08 - 0.5, abs=1e-6)
    diff = np.abs(frames[0].image.astype(int) - shapes_frame(13, 160, 96)).mean()
    assert diff < 4, "the first frame after a seek must be the one at the start time"


def test_fps_resampling_and_every(tmp_path):
    src = make_video(tmp_path / "in.mp4", frames=50, fps=25)
    with open_video(src, fps=10) as reader:
        assert reader.info.frame_rate == 10 and reader.info.time_base == Fraction(1, 10)
        frames = list(reader)
    assert len(frames) == 20
    assert [f.time for f in frames] == pytest.approx([k / 10 for k in range(20)])
    # frame k at k/10 s is source frame 2.5k rounded to nearest
    diff = np.abs(frames[3].image.astype(int) - shapes_frame(8, 160, 96)).mean()
    assert diff < 4
    with open_video(src, every=4) as reader:
        assert reader.info.frame_rate == Fraction(25, 4)
        frames = list(reader)
    assert [round(f.time * 25) for f in frames] == list(range(0, 50, 4))
    assert frames[-1].duration == pytest.approx(2 / 25)  # covers source frames 48 and 49


@pytest.mark.parametrize(
    ("maker", "message"),
    [
        (lambda d: d / "missing.mp4", "does not exist"),
        (lambda d: make_not_a_video(d / "text.mp4"), "not a video"),
        (lambda d: make_audio_only(d / "tone.m4a"), "no video stream"),
        (lambda d: make_headers_only(d / "empty.mp4"), "no decodable video frames"),
    ],
)
def test_bad_inputs_raise_one_clear_input_error(tmp_path, maker, message):
    with pytest.raises(InputError, match=message):
        open_video(maker(tmp_path))


@pytest.mark.parametrize(
    "options",
    [{"start": -1}, {"duration": 0}, {"fps": 0}, {"every": 0}, {"start": float("nan")}],
)
def test_bad_options_raise_input_error(tmp_path, options):
    src = make_video(tmp_path / "in.mp4", frames=3)
    with pytest.raises(InputError):
        open_video(src, **options)


def test_truncated_file_decodes_what_it_can_and_warns(tmp_path):
    src = make_truncated(tmp_path / "cut.mp4", keep=0.5, frames=50)
    warnings: list[str] = []
    with open_video(src, on_warning=warnings.append) as reader:
        frames = list(reader)
    assert 0 < len(frames) < 50
    assert reader.truncated
    assert len(warnings) == 1 and "cut.mp4" in warnings[0]


def test_complete_file_gives_no_warning(tmp_path):
    src = make_video(tmp_path / "ok.mp4", frames=20, audio=True)
    warnings: list[str] = []
    with open_video(src, on_warning=warnings.append) as reader:
        assert len(list(reader)) == 20
    assert not reader.truncated and warnings == []


def test_reader_iterates_once(tmp_path):
    reader = open_video(make_video(tmp_path / "in.mp4", frames=3))
    list(reader)
    with pytest.raises(RuntimeError):
        iter(reader)


def test_close_from_another_thread_stops_iteration(tmp_path):
    reader = open_video(make_video(tmp_path / "in.mp4", frames=40))
    seen = []
    it = iter(reader)
    seen.append(next(it))
    closer = threading.Thread(target=reader.close)
    closer.start()
    closer.join()
    seen.extend(it)  # must end cleanly, not crash
    assert len(seen) < 40


# -- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize("ext", ["mp4", "mov", "mkv", "webm"])
def test_round_trip_keeps_count_times_size_rotation_rate(tmp_path, ext):
    src = make_video(
        tmp_path / "in.mp4",
        width=161,
        height=97,
        frames=24,
        fps=Fraction(30000, 1001),
        rotation=-90,
        audio=True,
    )
    reader, writer = round_trip(src, tmp_path / f"out.{ext}")
    a, b = probe(src), probe(tmp_path / f"out.{ext}")
    assert b["count"] == a["count"] == writer.frames_written == 24
    assert b["size"] == (161, 97), "odd sizes must come back exactly"
    assert b["rotation"] == a["rotation"] == -90
    step = 1001 / 30000
    tolerance = 0.0011 if ext in ("mkv", "webm") else 1e-6  # Matroska stores milliseconds
    assert b["times"] == pytest.approx(a["times"], abs=tolerance)
    if ext in ("mp4", "mov"):
        assert b["rate"] == Fraction(30000, 1001)
    assert b["audio"] == pytest.approx(video_seconds(b, step), abs=0.05)
    assert b["audio_codec"] == ("opus" if ext == "webm" else "aac")
    # AAC is copied where the container takes it as is; Matroska cannot store the AAC priming
    # packet's negative time, so there (and for Opus in WebM) the audio is re-encoded
    assert writer.audio_copied is (ext in ("mp4", "mov"))
    assert np.abs(b["first"].astype(int) - a["first"]).mean() < 3, "colours must survive"
    assert leftovers(tmp_path) == []


def test_round_trip_variable_frame_rate(tmp_path):
    times = irregular_times(40, seed=7)
    src = make_video(tmp_path / "vfr.mkv", frames=40, times=times, audio=True)
    round_trip(src, tmp_path / "out.mp4")
    out = probe(tmp_path / "out.mp4")
    assert out["count"] == 40
    assert out["times"] == pytest.approx(times, abs=1e-6)
    assert out["audio"] == pytest.approx(probe(src)["audio"], abs=0.05)


def test_even_size_uses_yuv420p_and_odd_size_is_exact(tmp_path):
    for w, h in [(160, 96), (161, 96), (160, 97)]:
        src = make_video(tmp_path / f"{w}x{h}.mp4", width=w, height=h, frames=3)
        round_trip(src, tmp_path / f"out{w}x{h}.mp4")
        with av.open(str(tmp_path / f"out{w}x{h}.mp4")) as c:
            stream = c.streams.video[0]
            frame = next(c.decode(stream))
            assert (frame.width, frame.height) == (w, h)
            assert stream.codec_context.pix_fmt == ("yuv420p" if w % 2 == h % 2 == 0 else "yuv444p")


def test_trimmed_round_trip_cuts_audio_to_match(tmp_path):
    src = make_video(tmp_path / "in.mp4", frames=50, fps=25, audio=True)
    reader, writer = round_trip(src, tmp_path / "cut.mp4", start=0.5, duration=1.0)
    out = probe(tmp_path / "cut.mp4")
    assert out["count"] == 25
    assert writer.audio_copied is False  # trimmed audio is re-encoded
    assert out["audio"] == pytest.approx(1.0, abs=0.05)
    assert video_seconds(out, 0.04) == pytest.approx(1.02, abs=1e-6)


def test_mp4_has_index_in_front(tmp_path):
    round_trip(make_video(tmp_path / "in.mp4", frames=5, audio=True), tmp_path / "out.mp4")
    data = (tmp_path / "out.mp4").read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")


def test_png_sequence_is_written_upright(tmp_path):
    src = make_video(tmp_path / "in.mp4", width=64, height=48, frames=6, rotation=90, audio=True)
    round_trip(src, tmp_path / "frames" / "%04d.png")
    names = sorted(os.listdir(tmp_path / "frames"))
    assert names == [f"{i:04d}.png" for i in range(1, 7)]
    first = np.asarray(Image.open(tmp_path / "frames" / "0001.png").convert("RGB"))
    expected = np.rot90(shapes_frame(0, 64, 48), k=1)  # rotation 90 = turn counter-clockwise
    assert first.shape == (64, 48, 3)
    assert np.abs(first.astype(int) - expected).mean() < 4
    assert leftovers(tmp_path) == []


def test_png_sequence_into_a_folder_with_files(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    round_trip(make_video(tmp_path / "in.mp4", frames=3), folder / "%03d.png")
    assert sorted(os.listdir(folder)) == ["001.png", "002.png", "003.png", "notes.txt"]


# -- atomic output and output errors ---------------------------------------------------------


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
@pytest.mark.parametrize("name", ["out.mp4", "out.webm", "seq/%03d.png"])
def test_failure_mid_write_leaves_no_output(tmp_path, error, name):
    target = tmp_path / name
    with pytest.raises(error):
        with VideoWriter(target, width=64, height=48, frame_rate=25) as writer:
            for i in range(10):
                writer.write(shapes_frame(i, 64, 48), i / 25)
            raise error("stop")
    assert not target.exists() and not (tmp_path / "seq").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_failure_keeps_an_existing_output_untouched(tmp_path):
    target = tmp_path / "out.mp4"
    target.write_bytes(b"previous result")
    with pytest.raises(RuntimeError):
        with VideoWriter(target, width=64, height=48, frame_rate=25) as writer:
            writer.write(shapes_frame(0, 64, 48), 0.0)
            raise RuntimeError("stop")
    assert target.read_bytes() == b"previous result"
    assert leftovers(tmp_path) == []


def test_output_appears_only_at_close(tmp_path):
    target = tmp_path / "out.mp4"
    writer = VideoWriter(target, width=64, height=48, frame_rate=25)
    writer.write(shapes_frame(0, 64, 48), 0.0)
    assert not target.exists() and len(leftovers(tmp_path)) == 1
    assert leftovers(tmp_path)[0].endswith(".mp4")  # temp keeps the real extension
    writer.close()
    assert target.exists() and leftovers(tmp_path) == []
    assert target.stat().st_mode & 0o044, "the result must not stay private like a temp file"


def test_refuses_to_write_onto_the_input(tmp_path):
    src = make_video(tmp_path / "in.mp4", frames=3)
    before = src.read_bytes()
    with open_video(src) as reader:
        with pytest.raises(OutputError, match="input"):
            open_writer(tmp_path / "." / "in.mp4", reader.info)
    assert src.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("out.avi", "Unknown output type"),
        ("out", "Unknown output type"),
        ("missing/out.mp4", "does not exist"),
        ("file.txt/out.mp4", "does not exist"),
        ("frames/%05d.jpg", "PNG"),
    ],
)
def test_bad_outputs_raise_one_clear_output_error(tmp_path, name, message):
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(OutputError, match=message):
        VideoWriter(tmp_path / name, width=64, height=48, frame_rate=25)


def test_unwritable_folder_is_an_output_error(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "access", lambda *a, **k: False)  # also works when run as root
    with pytest.raises(OutputError, match="not writable"):
        VideoWriter(tmp_path / "out.mp4", width=64, height=48, frame_rate=25)


def test_writer_rejects_wrong_frames(tmp_path):
    with pytest.raises(ValueError):
        with VideoWriter(tmp_path / "out.mp4", width=64, height=48, frame_rate=25) as writer:
            writer.write(np.zeros((48, 64, 3), np.float32), 0.0)
    assert list(tmp_path.iterdir()) == []


# -- memory ---------------------------------------------------------------------------------


def _rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc")
@pytest.mark.slow
def test_memory_does_not_grow_with_length(tmp_path):
    """Stream 2000 frames (74 MB as raw RGB) through writer -> reader -> writer; RSS stays flat."""
    w, h, n = 128, 96, 2000
    src = tmp_path / "long.mp4"
    tiles = [shapes_frame(i, w, h) for i in range(16)]
    with VideoWriter(src, width=w, height=h, frame_rate=50, preset="ultrafast") as writer:
        for i in range(n):
            writer.write(tiles[i % 16], i / 50)
    samples = []
    with open_video(src) as reader:
        with open_writer(tmp_path / "copy.mp4", reader.info, preset="ultrafast") as writer:
            for frame in reader:
                writer.write(frame.image, frame.time, frame.duration)
                if frame.index % 100 == 0:
                    samples.append(_rss_bytes())
    assert writer.frames_written == n
    settled = samples[3:]  # after codec start-up allocations
    growth = max(settled) - settled[0]
    assert growth < 25 * 2**20, f"RSS grew by {growth / 2**20:.1f} MiB while streaming"


# -- real clips (skipped when ../shared/media is absent) ----------------------------------


@pytest.mark.media
@pytest.mark.skipif(not SHARED_MEDIA.is_dir(), reason="../shared/media is not present")
@pytest.mark.parametrize(
    ("clip", "start", "duration"),
    [
        ("cockatoo.mp4", None, None),
        ("cockatoo.mp4", 3.0, 2.0),
        ("sintel_mountain_2.mp4", None, None),
    ],
)
@pytest.mark.slow
def test_real_clips_round_trip(tmp_path, clip, start, duration):
    src = SHARED_MEDIA / clip
    out = tmp_path / "out.mp4"
    reader, _ = round_trip(src, out, start=start, duration=duration)
    a, b = probe(src), probe(out)
    assert b["size"] == a["size"] and b["rotation"] == a["rotation"]
    last = 1 / float(reader.info.frame_rate)
    if start is None:
        assert b["count"] == a["count"]
        assert b["times"] == pytest.approx(a["times"], abs=1e-6)
        assert b["rate"] == a["rate"]
        if a["audio"] is not None:
            assert b["audio"] == pytest.approx(a["audio"], abs=0.05)
    else:
        assert b["count"] == round(duration * float(reader.info.frame_rate))
        assert b["audio"] == pytest.approx(video_seconds(b, last), abs=0.05)
    assert (b["audio"] is None) == (a["audio"] is None)


@pytest.mark.media
@pytest.mark.slow
def test_a_seek_never_starts_on_a_key_frame_that_does_not_decode_alone(media_dir):
    """cockatoo.mp4 flags frames at 3.8 s and 7.25 s as key frames that FFmpeg decodes to
    grey and green without the frames before them: a start or a window past them must still
    deliver the frames a decode from the start gives."""
    clip = media_dir / "cockatoo.mp4"
    with open_video(clip) as reader:
        whole = [f.image for f in reader]
    with open_video(clip, start=6.0) as reader:
        first = next(iter(reader))
    assert np.array_equal(first.image, whole[120])
    times = frame_times(clip)
    with open_video(clip, window=Window(200, float(times[200]), None)) as reader:
        frames = [f for _, f in zip(range(3), reader, strict=False)]
    assert [f.index for f in frames] == [200, 201, 202]
    for f in frames:
        assert np.array_equal(f.image, whole[f.index])
