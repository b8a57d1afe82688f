"""Image files in and out: EXIF orientation, alpha, greyscale, 16-bit, CMYK, palette, saving."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from restyle.errors import InputError, OutputError
from restyle.media.image import check_output_path, load_image, save_image
from support.image_factory import synthetic_photo


def quadrants(height: int, width: int) -> np.ndarray:
    """An HxWx3 uint8 image with four flat quadrants: red, green / blue, white."""
    img = np.zeros((height, width, 3), np.uint8)
    h2, w2 = height // 2, width // 2
    img[:h2, :w2] = (255, 0, 0)
    img[:h2, w2:] = (0, 255, 0)
    img[h2:, :w2] = (0, 0, 255)
    img[h2:, w2:] = (255, 255, 255)
    return img


def assert_close(actual: np.ndarray, expected: np.ndarray, tol: float) -> None:
    assert actual.shape == expected.shape
    diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16))
    assert diff.mean() < tol, f"mean difference {diff.mean():.2f}"


def test_loads_rgb_png_exactly(write_image):
    img = synthetic_photo(37, 53)
    out = load_image(write_image("a.png", img))
    assert out.dtype == np.uint8 and out.flags.c_contiguous
    np.testing.assert_array_equal(out, img)


@pytest.mark.parametrize(
    ("orientation", "turn"),
    [(1, 0), (3, 2), (6, -1), (8, 1)],  # np.rot90 k: 6 = turn clockwise, 8 = anticlockwise
)
def test_exif_orientation_is_applied(write_image, orientation, turn):
    stored = quadrants(40, 64)
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = write_image(f"o{orientation}.jpg", stored, exif=exif, quality=95)
    out = load_image(path)
    assert_close(out, np.rot90(stored, turn), tol=6)
    if orientation == 6:  # a phone photo held upright: stored 64 wide, shown 40 wide
        assert out.shape == (64, 40, 3)
        assert tuple(out[5, -5]) == pytest.approx((255, 0, 0), abs=25)  # red at top right


def test_exif_orientation_of_a_pil_image_is_applied(write_image):
    exif = Image.Exif()
    exif[0x0112] = 6
    path = write_image("o.jpg", quadrants(40, 64), exif=exif)
    with Image.open(path) as img:
        assert load_image(img).shape == (64, 40, 3)


def test_rgba_is_composited_over_white(write_image):
    rgba = np.zeros((32, 40, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[:, :10, 3] = 0  # transparent
    rgba[:, 10:20, 3] = 255  # opaque red-ish
    rgba[:, 20:, 3] = 128  # half
    out = load_image(write_image("a.png", Image.fromarray(rgba, "RGBA")))
    assert out.shape == (32, 40, 3)
    assert tuple(out[0, 0]) == (255, 255, 255)
    assert tuple(out[0, 15]) == (200, 0, 0)
    assert tuple(out[0, 30]) == pytest.approx((228, 127, 127), abs=2)
    np.testing.assert_array_equal(load_image(rgba), out)  # arrays take the same path


def test_greyscale_becomes_three_equal_channels(write_image):
    grey = synthetic_photo(33, 45)[..., 1]
    out = load_image(write_image("g.png", Image.fromarray(grey, "L")))
    assert out.shape == (33, 45, 3)
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], grey)
    np.testing.assert_array_equal(load_image(grey), out)


def test_sixteen_bit_png_is_scaled_not_clipped(write_image):
    ramp = np.linspace(0, 65535, 48 * 64).reshape(48, 64).astype(np.uint16)
    img = Image.fromarray(ramp)
    assert img.mode == "I;16"
    out = load_image(write_image("deep.png", img))
    assert out.shape == (48, 64, 3)
    expected = np.round(ramp / 65535.0 * 255.0)
    assert np.abs(out[..., 0] - expected).max() <= 1
    assert out.min() == 0 and out.max() == 255 and len(np.unique(out)) > 200
    assert np.abs(load_image(ramp)[..., 0] - expected).max() <= 1  # a uint16 array too


def test_cmyk_jpeg_is_converted(write_image):
    cmyk = Image.new("CMYK", (40, 36), (255, 0, 0, 0))  # pure cyan ink
    cmyk.paste((0, 255, 255, 0), (20, 0, 40, 36))  # magenta + yellow ink: red
    out = load_image(write_image("c.jpg", cmyk, quality=95))
    assert out.shape == (36, 40, 3)
    assert tuple(out[18, 5]) == pytest.approx((0, 255, 255), abs=12)
    assert tuple(out[18, 35]) == pytest.approx((255, 0, 0), abs=12)


def test_palette_images_with_and_without_transparency(write_image):
    rgb = quadrants(32, 32)
    pal = Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    np.testing.assert_array_equal(load_image(write_image("p.png", pal)), rgb)
    index_of_red = pal.getpixel((0, 0))
    pal.info["transparency"] = index_of_red
    out = load_image(write_image("pt.png", pal, transparency=index_of_red))
    assert tuple(out[0, 0]) == (255, 255, 255)  # transparent red -> white
    assert tuple(out[0, 31]) == (0, 255, 0)


def test_float_arrays_are_scaled():
    arr = np.full((32, 32, 3), 0.5, np.float32)
    assert load_image(arr)[0, 0].tolist() == [128, 128, 128]


@pytest.mark.parametrize(
    "arr",
    [np.zeros((4, 4, 2), np.uint8), np.zeros((4,), np.uint8), np.full((4, 4, 3), 256, np.int64)],
)
def test_bad_arrays_are_input_errors(arr):
    with pytest.raises(InputError):
        load_image(arr)


def test_missing_file_folder_and_non_image_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_image(tmp_path / "absent.jpg")
    with pytest.raises(InputError, match="folder"):
        load_image(tmp_path)
    text = tmp_path / "notes.jpg"
    text.write_text("not really a picture\n")
    with pytest.raises(InputError, match="not an image"):
        load_image(text)


def test_truncated_image_is_an_input_error(write_image):
    path = write_image("cut.png", synthetic_photo(64, 64))
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(InputError, match="cannot read image"):
        load_image(path)


# -- saving ----------------------------------------------------------------------------


@pytest.mark.parametrize("ext", [".png", ".jpg", ".webp", ".tif", ".bmp"])
def test_save_image_writes_only_the_target(tmp_path, ext):
    img = synthetic_photo(37, 53)
    target = tmp_path / f"out{ext}"
    assert save_image(img, target) == target
    assert os.listdir(tmp_path) == [target.name]
    back = load_image(target)
    assert back.shape == img.shape
    if ext in (".png", ".tif", ".bmp"):
        np.testing.assert_array_equal(back, img)
    mode = target.stat().st_mode & 0o777
    assert mode & 0o044, "finished files are readable by others, not private temp files"


def test_save_image_unknown_extension_is_an_output_error(tmp_path):
    with pytest.raises(OutputError, match="unknown output extension '.xyz'"):
        save_image(synthetic_photo(32, 32), tmp_path / "out.xyz")
    with pytest.raises(OutputError, match="none"):
        save_image(synthetic_photo(32, 32), tmp_path / "out")
    assert os.listdir(tmp_path) == []


def test_save_image_missing_folder_is_an_output_error(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        save_image(synthetic_photo(32, 32), tmp_path / "absent" / "out.png")
    assert os.listdir(tmp_path) == []


def test_output_path_checks(tmp_path):
    assert check_output_path(tmp_path / "a.PNG") == tmp_path / "a.PNG"
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(OutputError, match="folder"):
        check_output_path(tmp_path / "dir.png")
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="does not exist"):
        check_output_path(tmp_path / "file" / "a.png")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_read_only_folder_is_an_output_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputError):
            save_image(synthetic_photo(32, 32), folder / "out.png")
        assert os.listdir(folder) == []
    finally:
        folder.chmod(0o700)


def test_failed_save_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path):
    target = tmp_path / "out.jpg"
    target.write_bytes(b"previous contents")
    rgba = Image.new("RGBA", (32, 32))  # JPEG cannot store alpha: the encoder fails
    with pytest.raises(OutputError, match="cannot write"):
        save_image(rgba, target)
    assert target.read_bytes() == b"previous contents"
    assert os.listdir(tmp_path) == ["out.jpg"]
