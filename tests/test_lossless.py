"""crf 0 is lossless: the file decodes to exactly the painted RGB frames, in every container.

H.264 is written as RGB (libx264rgb, qp 0) and VP9 with ``lossless=1`` in ``gbrp``, so no
4:2:0 subsampling or YUV rounding touches the frames; the render warns that such files do not
play in browsers. Noise frames are the worst case for colour subsampling: any loss shows.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

import restyle
from restyle.cli import main
from restyle.media import VideoWriter, open_video
from restyle.media.writer import playback_warning
from support.chunk_checks import OPTIONS, STYLE, make_clip, video_of
from support.engines import EXACT
from support.media_factory import make_video

CONTAINERS = [".mp4", ".mov", ".mkv", ".m4v", ".webm"]
ENGINE = ["--backend", EXACT["backend"], "--precision", EXACT["precision"], "--device", "cpu"]


def noise(count: int, width: int, height: int) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    return [rng.integers(0, 256, (height, width, 3), dtype=np.uint8) for _ in range(count)]


def decoded(path: Path) -> list[np.ndarray]:
    """Every frame of a video file or PNG sequence folder, as RGB, read with PyAV or PIL."""
    if path.is_dir():
        return [np.asarray(Image.open(p).convert("RGB")) for p in sorted(path.glob("*.png"))]
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def assert_identical(a: list[np.ndarray], b: list[np.ndarray]) -> None:
    assert len(a) == len(b) > 0
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        assert x.shape == y.shape, (i, x.shape, y.shape)
        assert np.array_equal(x, y), f"frame {i} differs by up to {np.abs(x.astype(int) - y).max()}"


@pytest.mark.parametrize("suffix", CONTAINERS)
@pytest.mark.parametrize("size", [(64, 48), (63, 47)])
def test_crf_0_decodes_to_the_written_frames(tmp_path, suffix, size):
    width, height = size
    frames = noise(4, width, height)
    out = tmp_path / f"out{suffix}"
    with VideoWriter(out, width=width, height=height, frame_rate=25, crf=0) as writer:
        for i, image in enumerate(frames):
            writer.write(image, i / 25)
    assert_identical(decoded(out), frames)  # PyAV itself
    with open_video(out) as reader:  # and the library's reader
        assert_identical([f.image for f in reader], frames)
    with av.open(str(out)) as container:
        ctx = container.streams.video[0].codec_context
        assert ctx.name == ("vp9" if suffix == ".webm" else "h264")
        assert ctx.pix_fmt == "gbrp"  # RGB planes, no YUV
        assert (ctx.width, ctx.height) == size


def test_crf_above_0_stays_playable_4_2_0(tmp_path):
    for suffix in (".mp4", ".webm"):
        out = tmp_path / f"out{suffix}"
        with VideoWriter(out, width=64, height=48, frame_rate=25, crf=1) as writer:
            writer.write(noise(1, 64, 48)[0], 0.0)
        with av.open(str(out)) as container:
            assert container.streams.video[0].codec_context.pix_fmt == "yuv420p"


def test_the_warning_names_lossless_and_browsers():
    for name in ("a.mp4", "a.mkv", "a.webm", "odd.mov"):
        text = playback_warning(name, 63, 47, 0)
        assert text and "lossless" in text and "browsers" in text and "crf 1" in text
    assert playback_warning("f/%05d.png", 64, 48, 0) is None
    assert playback_warning("a.mp4", 64, 48, None) is None
    assert playback_warning("a.webm", 63, 47, 18) is None
    assert "4:4:4" in playback_warning("a.mp4", 63, 48, 18)


def paint(clip: Path, output: Path, capsys, *extra: str) -> str:
    argv = ["video", str(clip), "-s", STYLE, "--crf", "0", "--max-size", "none", *ENGINE]
    code = main([*argv, *extra, "-o", str(output)])
    err = capsys.readouterr().err
    assert code == 0, err
    return err


@pytest.mark.parametrize(
    ("suffix", "size", "extra"),
    [
        (".mp4", (96, 64), ()),
        (".mkv", (96, 64), ()),
        (".webm", (96, 64), ()),
        (".mp4", (95, 63), ()),  # odd size: RGB codes it exactly too
        (".mkv", (95, 63), ("--side-by-side",)),
    ],
)
def test_cli_crf_0_video_equals_the_png_frames(tmp_path, capsys, suffix, size, extra):
    clip = make_video(tmp_path / "clip.mp4", width=size[0], height=size[1], frames=8, audio=True)
    video = tmp_path / f"out{suffix}"
    err = paint(clip, video, capsys, *extra)
    assert "restyle: warning: crf 0 writes lossless RGB" in err
    assert "browsers" in err and "4:4:4" not in err  # one warning, also for the odd size
    paint(clip, tmp_path / "frames" / "%05d.png", capsys, *extra)
    frames = decoded(video)
    assert_identical(frames, decoded(tmp_path / "frames"))
    if not extra:
        assert frames[0].shape == (size[1], size[0], 3)
    with av.open(str(video)) as container:
        assert container.streams.audio, "the audio is kept"


@pytest.mark.slow
def test_chunked_crf_0_equals_the_one_shot_exactly(tmp_path):
    """Pieces of lossless RGB join by stream copy into exactly the one-shot frames."""
    clip = make_clip(tmp_path)
    single = tmp_path / "single.mkv"
    restyle.stylize_video(clip, single, STYLE, **OPTIONS)  # crf 0, the flow filter
    chunked = tmp_path / "chunked.mkv"
    result = restyle.stylize_video(clip, chunked, STYLE, chunk_seconds=0.45, **OPTIONS)
    assert result.chunks == 3
    assert any("lossless" in w for w in result.warnings)
    a, b = video_of(single), video_of(chunked)
    assert_identical(a["images"], b["images"])
    assert a["pts"] == b["pts"] and a["audio"] == b["audio"]
    assert len(a["images"]) == 40
