"""Small deterministic test media made with PyAV: moving shapes, a sine tone, odd sizes, rotation.

Every function writes one file and returns its path. Keep sizes tiny (a second or two,
<= 320 px) so tests stay fast. Typical use in a test::

    from support.media_factory import make_video  # tests/ is on sys.path under pytest
    clip = make_video(tmp_path / "clip.mp4", width=161, height=97, frames=20, audio=True)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

TONE_HZ = 440.0
AUDIO_RATE = 44100


def shapes_frame(index: int, width: int, height: int) -> np.ndarray:
    """Return frame `index` of the moving-shapes pattern as an HxWx3 uint8 RGB array.

    A gradient background, a red square moving right, a green disc moving down and a blue
    bar moving left; the same index always gives the same picture.
    """
    y, x = np.mgrid[0:height, 0:width]
    img = np.empty((height, width, 3), np.uint8)
    img[..., 0] = (x * 255 // max(width - 1, 1)).astype(np.uint8) // 3
    img[..., 1] = (y * 255 // max(height - 1, 1)).astype(np.uint8) // 3
    img[..., 2] = 60
    side = max(4, min(width, height) // 4)
    sx = (index * 3) % max(width - side, 1)
    sy = height // 4
    img[sy : sy + side, sx : sx + side] = (230, 40, 40)
    cx, cy = width // 2, (index * 2) % height
    disc = (x - cx) ** 2 + (y - cy) ** 2 <= (side // 2) ** 2
    img[disc] = (40, 220, 60)
    bx = width - 1 - (index * 4) % width
    img[height - max(2, height // 8) :, max(bx - 6, 0) : bx] = (40, 60, 240)
    return img


def irregular_times(frames: int, seed: int = 0) -> list[float]:
    """Return `frames` strictly increasing times (s) with gaps of 20-80 ms: variable frame rate.

    Times are multiples of 1/1000 s so every container (including Matroska) stores them exactly.
    """
    rng = np.random.default_rng(seed)
    gaps = rng.integers(20, 81, size=frames)
    ms = np.concatenate([[0], np.cumsum(gaps[:-1])])
    return [float(m) / 1000 for m in ms]


def _encoder_for(path: Path) -> tuple[str, str | None]:
    ext = path.suffix.lower()
    if ext == ".webm":
        return "libvpx-vp9", "libopus"
    if ext in (".mp4", ".mov", ".mkv", ".m4v"):
        return "libx264", "aac"
    raise ValueError(f"media_factory cannot make {ext} files")


def make_video(
    path: str | os.PathLike[str],
    *,
    width: int = 160,
    height: int = 96,
    frames: int = 25,
    fps: Fraction | int = Fraction(25),
    times: Sequence[float] | None = None,
    rotation: int = 0,
    audio: bool = False,
    audio_seconds: float | None = None,
    audio_rate: int = AUDIO_RATE,
    faststart: bool = True,
    preset: str = "ultrafast",
) -> Path:
    """Write a small moving-shapes video (H.264, or VP9 for .webm) and return its path.

    Arguments:
        path: output file; .mp4/.mov/.mkv/.m4v give H.264 (+AAC), .webm gives VP9 (+Opus).
        width, height: frame size; odd sizes are stored exactly (H.264 4:4:4 for them).
        frames: number of video frames.
        fps: constant frame rate as a Fraction (e.g. Fraction(30000, 1001)); ignored for
            timing when `times` is given, but still written as the nominal rate.
        times: explicit per-frame times in seconds (variable frame rate), e.g.
            `irregular_times(frames)`; must have `frames` entries, strictly increasing.
        rotation: display rotation in degrees counter-clockwise (PyAV convention; a phone
            held upright typically stores -90), written as the display matrix.
        audio: add a mono sine tone (440 Hz) track.
        audio_seconds: tone length; default the video's duration.
        audio_rate: tone sample rate.
        faststart: put the index at the front (mp4/mov), as phones and web tools do.
        preset: x264 preset (ultrafast keeps tests fast).
    """
    path = Path(path)
    fps = Fraction(fps)
    vcodec, acodec = _encoder_for(path)
    if times is not None:
        if len(times) != frames:
            raise ValueError("times must have one entry per frame")
        time_base = Fraction(1, 1000)
        pts = [round(t * 1000) for t in times]
        last = pts[-1] - pts[-2] if frames > 1 else round(1000 / fps)
        durations = [b - a for a, b in zip(pts, pts[1:], strict=False)] + [last]
    else:
        time_base = Fraction(1, fps.numerator)
        pts = [i * fps.denominator for i in range(frames)]
        durations = [fps.denominator] * frames
    video_seconds = float((pts[-1] + durations[-1]) * time_base)

    options = {"movflags": "+faststart"} if faststart and path.suffix in (".mp4", ".mov") else {}
    with av.open(str(path), mode="w", container_options=options) as out:
        if vcodec == "libx264":
            opts = {"preset": preset, "crf": "20"}
            pix_fmt = "yuv444p" if width % 2 or height % 2 else "yuv420p"
        else:
            opts = {"deadline": "realtime", "cpu-used": "8", "crf": "30", "b": "0"}
            pix_fmt = "yuv420p"
        stream = out.add_stream(vcodec, rate=fps, options=opts)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        stream.time_base = time_base
        stream.codec_context.time_base = time_base
        if rotation:
            stream.set_display_rotation(rotation)
        astream = None
        if audio:
            rate = 48000 if acodec == "libopus" else audio_rate
            astream = out.add_stream(acodec, rate=rate)
            astream.layout = "mono"
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(shapes_frame(i, width, height), format="rgb24")
            frame.pts, frame.duration, frame.time_base = pts[i], durations[i], time_base
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
        if astream is not None:
            _write_tone(out, astream, audio_seconds or video_seconds)
    return path


def _write_tone(out: av.container.OutputContainer, stream: av.AudioStream, seconds: float) -> None:
    rate = stream.codec_context.sample_rate
    total = round(seconds * rate)
    chunk = 1024
    for start in range(0, total, chunk):
        n = min(chunk, total - start)
        t = (np.arange(start, start + n) / rate).astype(np.float64)
        wave = (0.3 * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)[None, :]
        frame = av.AudioFrame.from_ndarray(wave, format="flt", layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))


def make_audio_only(path: str | os.PathLike[str], seconds: float = 1.0) -> Path:
    """Write an .m4a/.mp4 file holding only an AAC sine tone (no video stream)."""
    path = Path(path)
    with av.open(str(path), mode="w", format="mp4") as out:
        stream = out.add_stream("aac", rate=AUDIO_RATE)
        stream.layout = "mono"
        _write_tone(out, stream, seconds)
    return path


def make_truncated(path: str | os.PathLike[str], keep: float = 0.5, **video_options) -> Path:
    """Write a video with `make_video` (index in front), then cut the file to `keep` of its bytes.

    The result opens and decodes its first part, like a download that stopped half way.
    """
    path = make_video(path, faststart=True, **video_options)
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.truncate(int(size * keep))
    return path


def make_not_a_video(path: str | os.PathLike[str]) -> Path:
    """Write a text file with a video extension."""
    path = Path(path)
    path.write_text("this is not a video\n" * 20)
    return path


def make_headers_only(path: str | os.PathLike[str], **video_options) -> Path:
    """Write an .mp4 with an intact index but no picture data: zero decodable frames."""
    path = make_video(path, faststart=True, **video_options)
    data = path.read_bytes()
    at = data.find(b"mdat")
    if at < 4:
        raise RuntimeError("no mdat box found")
    path.write_bytes(data[: at + 4])
    return path
