"""Segmentation-based stylization: GrabCut masks, tracked masks, compositing, the CLI."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from PIL import Image

from restyle.cli import main
from restyle.errors import InputError
from restyle.imaging.similarity import ssim_map
from restyle.stylizers import create_stylizer
from restyle.stylizers.options import Look, Segmented, parse_rect
from restyle.stylizers.segmented import (
    MaskTracker,
    check_rect,
    combine,
    grabcut_mask,
    split_parts,
)
from support.image_factory import synthetic_painting
from support.media_factory import make_video


def scene(shift: int = 0, h: int = 120, w: int = 160) -> tuple[np.ndarray, np.ndarray]:
    """A textured blue-green background and a textured red-yellow ellipse; image and truth."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:h, 0:w]
    img = np.empty((h, w, 3), np.uint8)
    noise = rng.integers(0, 40, (h, w))
    img[..., 0] = 20 + noise // 2
    img[..., 1] = 90 + ((x // 8 + y // 8) % 2) * 50 + noise // 2
    img[..., 2] = 150 + noise
    cx, cy = 60 + shift, 60
    truth = ((x - cx) / 30.0) ** 2 + ((y - cy) / 38.0) ** 2 <= 1
    img[truth] = np.stack(
        [220 + noise[truth] // 4, 120 + (noise[truth] * 3) % 100, 30 + noise[truth] // 2], -1
    ).astype(np.uint8)
    return img, truth


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum()) / float((a | b).sum())


def test_grabcut_from_a_box_finds_the_foreground():
    img, truth = scene()
    mask = grabcut_mask(img, rect=(22, 14, 78, 94))
    assert mask.shape == truth.shape and mask.dtype == bool
    assert iou(mask, truth) >= 0.9


def test_grabcut_from_a_rough_mask_finds_the_foreground():
    img, truth = scene()
    rough = np.zeros_like(truth)
    rough[20:102, 28:94] = True  # a box-shaped scribble around the ellipse
    assert iou(grabcut_mask(img, seed=rough), truth) >= 0.9


def test_tracked_mask_follows_the_object_out_of_its_first_box():
    tracker = MaskTracker(rect=(22, 14, 78, 94))
    for i in range(6):
        img, truth = scene(shift=6 * i)  # ends 30 px right of the box's start
        mask = tracker(img)
        assert iou(mask, truth) >= 0.9, f"frame {i}"


def test_bad_boxes_and_masks_are_input_errors(tmp_path):
    with pytest.raises(InputError):
        parse_rect("1,2,3")
    with pytest.raises(InputError):
        parse_rect("1,2,-3,4")
    with pytest.raises(InputError, match="does not fit"):
        check_rect((10, 10, 200, 20), 70, 90)
    with pytest.raises(InputError, match="whole frame"):
        check_rect((0, 0, 90, 70), 70, 90)
    with pytest.raises(InputError, match="not found"):  # when the method loads it
        create_stylizer(Segmented(fg_mask=str(tmp_path / "missing.png")))
    img, _ = scene()
    with pytest.raises(InputError, match="some foreground and some background"):
        grabcut_mask(img, seed=np.zeros(img.shape[:2], bool))


@pytest.mark.parametrize("mode", ["hard", "feather", "blur"])
def test_split_and_combine(mode):
    img, truth = scene()
    fg, bg, weight = split_parts(img, truth, mode, fill="mean")
    assert fg.shape == bg.shape == img.shape and weight.shape == truth.shape
    if mode == "hard":
        assert set(np.unique(weight)) <= {0.0, 1.0}
        np.testing.assert_array_equal(fg[truth], img[truth])
        assert len(np.unique(fg[~truth].reshape(-1, 3), axis=0)) == 1  # one flat fill
    else:
        assert 0 < weight.min() or weight.max() < 1 or len(np.unique(weight)) > 2
    if mode == "blur":  # the other part is blurred, not flattened
        assert fg[~truth].std() > 0 and bg[truth].std() > 0
    out = combine(fg, bg, weight)
    np.testing.assert_array_equal(combine(fg, bg, np.ones_like(weight)), fg)
    assert out.shape == img.shape


def test_inpainting_fills_the_background_behind_the_foreground():
    img, truth = scene()
    fg, bg, _ = split_parts(img, truth, "feather", fill="inpaint")
    np.testing.assert_array_equal(fg, img)  # the foreground in its own surroundings
    far = cv2.erode((~truth).astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    np.testing.assert_array_equal(bg[far], img[far])  # the background as it is
    # behind the foreground: background colours carried in (blue-green), no red left
    assert bg[truth][:, 0].mean() < 80 < img[truth][:, 0].mean()
    assert abs(bg[truth][:, 2].mean() - img[~truth][:, 2].mean()) < 25


def _band_ssim(out: np.ndarray, reference: np.ndarray, truth: np.ndarray, band: int) -> float:
    edge = cv2.morphologyEx(truth.astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    dist = cv2.distanceTransform((edge == 0).astype(np.uint8), cv2.DIST_L2, 5)
    return float(ssim_map(out, reference)[dist <= band].mean())


@pytest.mark.slow
def test_the_inpainting_fill_leaves_less_halo_than_the_mean_fill(tmp_path):
    """Around the mask edge, each way against the frame painted whole in the same style."""
    img, truth = scene(h=128, w=192)
    painting = _write(tmp_path / "p.png", synthetic_painting(96, 96, "warm"))
    network = create_stylizer("network", Look(max_size=None))
    style = network.resolve(str(painting))
    reference = network.stylize_image(img, style)
    scores = {}
    for fill in ("mean", "inpaint"):
        fg_pic, bg_pic, weight = split_parts(img, truth, "feather", fill=fill)
        out = combine(
            network.stylize_image(fg_pic, style), network.stylize_image(bg_pic, style), weight
        )
        scores[fill] = _band_ssim(out, reference, truth, band=6)
    assert scores["inpaint"] > scores["mean"] + 0.05, scores


def _write(path: Path, array: np.ndarray) -> Path:
    Image.fromarray(array).save(path)
    return path


@pytest.mark.slow
def test_restyle_image_segmented_keeps_the_size_and_uses_each_parts_style(tmp_path):
    img, truth = scene()
    content = _write(tmp_path / "c.png", img)
    box = ["--fg-rect", "22,14,78,94", "--segment-mode", "hard"]
    one = tmp_path / "one.png"
    two = tmp_path / "two.png"
    assert (
        main(
            [
                "image",
                str(content),
                "-s",
                "builtin:3",
                "--method",
                "segmented",
                *box,
                "-o",
                str(one),
            ]
        )
        == 0
    )
    argv = ["image", str(content), "--style-fg", "builtin:3", "--style-bg", "builtin:12"]
    assert main([*argv, "--method", "segmented", *box, "-o", str(two)]) == 0
    a, b = np.asarray(Image.open(one)), np.asarray(Image.open(two))
    assert a.shape == b.shape == img.shape
    inner = np.zeros_like(truth)
    inner[40:80, 45:75] = True  # well inside the ellipse
    outer = np.zeros_like(truth)
    outer[:, 125:] = True  # well inside the background
    diff = np.abs(a.astype(int) - b.astype(int)).mean(axis=2)
    assert diff[inner].mean() < 2 and diff[outer].mean() > 10


@pytest.mark.slow
def test_restyle_video_segmented_keeps_size_and_frame_count(tmp_path):
    clip = make_video(tmp_path / "clip.mp4", width=96, height=64, frames=6)
    out = tmp_path / "out.mp4"
    argv = ["video", str(clip), "-s", "builtin:5", "--method", "segmented", "-q", "-o", str(out)]
    assert main(argv) == 0
    with av.open(str(out)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 6 and frames[0].shape == (64, 96, 3)


def test_cli_bad_box_or_missing_mask_exits_2(tmp_path, capsys):
    img, _ = scene()
    content = _write(tmp_path / "c.png", img)
    base = ["image", str(content), "-s", "builtin:1", "--method", "segmented"]
    assert main([*base, "--fg-rect", "1,2,3"]) == 2
    assert main([*base, "--fg-mask", str(tmp_path / "nope.png")]) == 2
    assert main([*base, "--fg-rect", "100,100,200,200"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("restyle: error:") for line in err)
    assert not list(tmp_path.glob("c_restyled*"))
