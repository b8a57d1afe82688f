"""``restyle demo``: a first run on media restyle draws itself, in a fresh folder."""

from __future__ import annotations

import numpy as np
import pytest

from restyle.cli import main
from restyle.demo import scene
from restyle.media.image import load_image
from restyle.media.reader import open_video

pytestmark = pytest.mark.slow


def test_demo_in_a_fresh_folder_paints_the_drawn_clip_side_by_side(tmp_path, capsys):
    folder = tmp_path / "fresh" / "demo"
    assert main(["demo", "-o", str(folder)]) == 0
    printed = capsys.readouterr().out
    assert str(folder) in printed and "demo_clip_painted.mp4" in printed
    with open_video(folder / "demo_clip.mp4") as clip:
        source = clip.info
        frames = sum(1 for _ in clip)
    assert frames == scene.CLIP_FRAMES and (source.width, source.height) == scene.CLIP_SIZE
    assert source.has_audio
    with open_video(folder / "demo_clip_painted.mp4") as painted:
        info = painted.info
        images = [f.image for f in painted]
    first, count = images[0], len(images)
    assert count == frames
    assert (info.width, info.height) == (2 * source.width, source.height)  # source | painted
    assert info.has_audio
    left, right = first[:, : source.width], first[:, source.width :]
    assert np.abs(left.astype(int) - right.astype(int)).mean() > 20  # the right half is painted
    picture = load_image(folder / "demo_picture.png")
    assert load_image(folder / "demo_picture_painted.png").shape == picture.shape


def test_the_drawn_media_are_the_same_every_time():
    assert np.array_equal(scene.landscape_frame(7), scene.landscape_frame(7))
    assert not np.array_equal(scene.landscape_frame(7), scene.landscape_frame(8))
    assert scene.picture().shape == (scene.PICTURE_SIZE[1], scene.PICTURE_SIZE[0], 3)
    audio = scene.landscape_audio(1.0)
    assert audio.shape == (scene.AUDIO_RATE,) and 0.05 < np.abs(audio).max() <= 1.0
