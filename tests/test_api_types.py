"""A wrong type anywhere in the public API is an InputError that says what was expected."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import restyle
from restyle.media.image import load_image
from restyle.styles.spec import style_item
from support.media_factory import make_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> str:
    return str(make_video(tmp_path_factory.mktemp("clip") / "clip.mp4", frames=3))


WRONG = [5, 2.5, None, b"photo.jpg", object(), {"a": 1}, {1, 2}]


@pytest.mark.parametrize("value", WRONG, ids=lambda v: type(v).__name__)
def test_a_wrong_content_type_is_an_input_error(value, painting_path):
    with pytest.raises(restyle.InputError, match="expected an image"):
        restyle.stylize_image(value, str(painting_path), device="cpu")


@pytest.mark.parametrize("value", [5, 2.5, b"style.jpg", object(), {"a": 1}, [1], [None]])
def test_a_wrong_style_type_is_an_input_error(value, photo_path):
    with pytest.raises(restyle.InputError, match="a style must be|no style given") as info:
        restyle.stylize_image(str(photo_path), value, device="cpu")
    assert "builtin:7" in str(info.value)  # says what a style can be


@pytest.mark.parametrize("method", ["network", "segmented"])
def test_no_style_is_an_input_error_for_every_method(method, photo_path):
    with pytest.raises(restyle.InputError, match="no style given"):
        restyle.stylize_image(str(photo_path), None, device="cpu", method=method)


def test_style_vector_checks_its_style(photo_path):
    with pytest.raises(restyle.InputError, match="a style must be"):
        restyle.style_vector(42)


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.zeros((8, 8, 3), bool), "unsupported image array type"),
        (np.zeros((8, 8, 3), complex), "unsupported image array type"),
        (np.full((8, 8, 3), np.nan, np.float32), "NaN"),
        (np.full((8, 8, 3), 300, np.int64), "0 to 255"),
        (np.zeros((8, 8, 2), np.uint8), "HxW, HxWx3 or HxWx4"),
        (np.zeros(8, np.uint8), "HxW, HxWx3 or HxWx4"),
    ],
)
def test_unusable_arrays_are_input_errors(array, message):
    with pytest.raises(restyle.InputError, match=message):
        load_image(array)


def test_integer_arrays_within_0_255_are_images():
    pixels = np.arange(48, dtype=np.int64).reshape(4, 4, 3)
    assert load_image(pixels).dtype == np.uint8
    assert (load_image(pixels) == pixels).all()


def test_a_path_with_a_nul_byte_is_an_input_error():
    with pytest.raises(restyle.InputError):
        load_image("photo\0.jpg")


def test_style_item_accepts_every_documented_kind(photo):
    assert style_item("builtin:3").builtin == 3
    assert style_item("painting.jpg:0.5").weight == 0.5
    assert style_item(photo) is photo
    pil = Image.fromarray(photo)
    assert style_item(pil) is pil


@pytest.mark.parametrize("value", [5, None, b"clip.mp4", ""], ids=["int", "None", "bytes", "empty"])
@pytest.mark.parametrize(
    "call",
    [
        lambda v, clip: restyle.stylize_video(v, "out.mp4", "builtin:1"),
        lambda v, clip: restyle.stylize_video("clip.mp4", v, "builtin:1"),
        lambda v, clip: restyle.VideoJob.build(v, "out.mp4", "builtin:1"),
        lambda v, clip: restyle.evaluate(v, "painted.mp4"),
        lambda v, clip: restyle.evaluate(clip, v),
        lambda v, clip: restyle.extract_keyframes(v),
        lambda v, clip: restyle.save_image(np.zeros((40, 40, 3), np.uint8), v),
    ],
    ids=[
        "video source",
        "video output",
        "job",
        "eval source",
        "eval stylized",
        "keyframes",
        "save",
    ],
)
def test_a_wrong_path_type_is_an_input_error(tmp_path, monkeypatch, clip, call, value):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(restyle.RestyleError, match="must be a file path"):
        call(value, clip)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("contents", "styles"), [(5, ["builtin:1"]), (["a.png"], 5), (None, ["builtin:1"])]
)
def test_a_grid_of_wrong_types_is_an_input_error(contents, styles):
    with pytest.raises(restyle.InputError, match="must be a list"):
        restyle.style_grid(contents, styles)
