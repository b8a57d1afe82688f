"""restyle keyframes and restyle video --style-video: outputs, transitions, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import restyle
from restyle.cli import main
from restyle.media.reader import open_video
from support.engines import EXACT
from support.media_factory import make_video
from support.style_video_factory import make_style_video


@pytest.fixture(scope="module")
def art(tmp_path_factory) -> Path:
    """A style video of four looks, 8 frames each."""
    path = tmp_path_factory.mktemp("art") / "art.mp4"
    return make_style_video(path, [("stripes", 8), ("checks", 8), ("dots", 8), ("waves", 8)])


@pytest.fixture(scope="module")
def target(tmp_path_factory) -> Path:
    """A tiny target clip with audio: 12 frames at 25 fps."""
    path = tmp_path_factory.mktemp("target") / "target.mp4"
    return make_video(path, width=96, height=64, frames=12, audio=True)


def frames_of(path) -> list[np.ndarray]:
    with open_video(path) as reader:
        return [f.image for f in reader]


def png_frames(folder: Path) -> list[np.ndarray]:
    return [np.asarray(Image.open(p).convert("RGB")) for p in sorted(folder.glob("*.png"))]


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("restyle: error:") and "\n" not in err, err
    return err


@pytest.mark.slow
def test_keyframes_grid_and_json(art, tmp_path, capsys):
    grid = tmp_path / "grid.png"
    assert main(["keyframes", str(art), "-n", "4", "-o", str(grid), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "diverse" and len(data["keyframes"]) == 4
    assert all(len(k["style"]) == 100 for k in data["keyframes"])
    times = [k["time"] for k in data["keyframes"]]
    assert times == sorted(times)
    width, height = Image.open(grid).size
    assert width > 4 * 200 and height < 300  # one labelled row of four


def test_keyframes_uniform_json_times(art, capsys):
    assert main(["keyframes", str(art), "-n", "4", "--method", "uniform", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [k["index"] for k in data["keyframes"]] == [4, 12, 20, 28]


@pytest.mark.parametrize("command", ["keyframes", "video"])
def test_too_few_frames_is_exit_2_one_line_no_file(command, tmp_path, target, capsys):
    short = make_style_video(tmp_path / "short.mp4", [("stripes", 3)])
    out = tmp_path / ("grid.png" if command == "keyframes" else "out.mp4")
    if command == "keyframes":
        argv = ["keyframes", str(short), "-n", "5", "-o", str(out)]
    else:
        argv = ["video", str(target), "--style-video", str(short), "--keyframes", "5"]
        argv += ["-o", str(out), "-q"]
    assert main(argv) == 2
    assert "fewer than the 5 keyframes" in one_line_error(capsys)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["short.mp4"]


@pytest.mark.parametrize("command", ["keyframes", "video"])
def test_unreadable_style_video_is_exit_2_one_line_no_file(command, tmp_path, target, capsys):
    bad = tmp_path / "bad.mp4"
    bad.write_text("this is not a video\n" * 10)
    out = tmp_path / ("grid.png" if command == "keyframes" else "out.mp4")
    if command == "keyframes":
        argv = ["keyframes", str(bad), "-o", str(out)]
    else:
        argv = ["video", str(target), "--style-video", str(bad), "-o", str(out), "-q"]
    assert main(argv) == 2
    assert "style video" in one_line_error(capsys)
    assert not out.exists()


def test_style_and_style_video_together_is_an_error(art, target, painting_path, tmp_path, capsys):
    out = tmp_path / "out.mp4"
    argv = ["video", str(target), "-s", str(painting_path), "--style-video", str(art)]
    assert main([*argv, "-o", str(out), "-q"]) == 2
    assert "not both" in one_line_error(capsys)
    argv = ["video", str(target), "-s", str(painting_path), "--transition", "follow"]
    assert main([*argv, "-o", str(out), "-q"]) == 2
    assert "follow needs --style-video" in one_line_error(capsys)
    assert not out.exists()


@pytest.mark.parametrize("transition", ["segments", "follow"])
@pytest.mark.slow
def test_video_with_style_video_keeps_frames_and_audio(art, target, tmp_path, transition):
    out = tmp_path / "out.mp4"
    argv = ["video", str(target), "--style-video", str(art), "--keyframes", "3"]
    argv += ["--transition", transition, "-o", str(out), "-q"]
    assert main(argv) == 0
    with open_video(out) as reader:
        assert reader.info.has_audio
        frames = list(reader)
    assert len(frames) == 12
    assert frames[0].image.shape == (64, 96, 3)
    # the style changes over the clip: first and last frames are painted differently
    assert np.abs(frames[0].image.astype(int) - frames[-1].image.astype(int)).mean() > 5


@pytest.mark.slow
def test_several_styles_take_turns(target, painting_path, cool_painting_path, tmp_path):
    folder = tmp_path / "frames"
    restyle.stylize_video(
        target,
        folder / "%03d.png",
        [str(painting_path), str(cool_painting_path)],
        transition="segments",
        temporal="none",
        max_size=None,
        **EXACT,
    )
    painted = png_frames(folder)
    source = frames_of(target)
    assert len(painted) == 12
    first = restyle.stylize_image(source[0], str(painting_path), max_size=None, **EXACT)
    last = restyle.stylize_image(source[-1], str(cool_painting_path), max_size=None, **EXACT)
    assert np.abs(painted[0].astype(int) - first).max() <= 1
    assert np.abs(painted[-1].astype(int) - last).max() <= 1


@pytest.mark.slow
def test_side_by_side(art, target, tmp_path):
    plain, sbs = tmp_path / "plain", tmp_path / "sbs"
    options = {"style_video": art, "keyframes": 3, "temporal": "none", "max_size": None}
    restyle.stylize_video(target, plain / "%03d.png", **options)
    result = restyle.stylize_video(target, sbs / "%03d.png", side_by_side=True, **options)
    assert (result.width, result.height) == (192, 64)
    source, painted, both = frames_of(target), png_frames(plain), png_frames(sbs)
    assert len(both) == len(painted) == 12
    for src, out, frame in zip(source, painted, both, strict=True):
        assert frame.shape == (64, 192, 3)
        assert np.array_equal(frame[:, :96], src)  # the target, untouched
        assert np.array_equal(frame[:16, 96:], out[:16])  # the painting above the thumbnail
    corner = both[0][-14:-3, 99:110].astype(int)  # the keyframe thumbnail, bottom left
    assert np.abs(corner - painted[0][-14:-3, 3:14]).mean() > 10


@pytest.mark.slow
def test_side_by_side_of_a_rotated_video_reads_left_to_right(painting_path, tmp_path):
    clip = make_video(tmp_path / "phone.mp4", width=96, height=64, frames=3, rotation=-90)
    out = tmp_path / "sbs.mp4"
    restyle.stylize_video(clip, out, str(painting_path), side_by_side=True, temporal="none")
    with open_video(out) as reader:
        info = reader.info
    assert info.rotation == -90
    assert (info.display_width, info.display_height) == (2 * 64, 96)
