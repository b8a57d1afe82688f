"""stylize_image: exact sizes, working sizes, strength, colour, blends, built-ins, style fit."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

import restyle
from restyle.errors import InputError
from restyle.models.networks import StyleTransformer
from restyle.styles import Style, blend, builtin_style, parse_style_spec, resolve_style, style_input
from restyle.stylizers import Look
from restyle.stylizers.resample import working_size
from support.image_factory import synthetic_painting, synthetic_photo


def mean_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean())


def chroma(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2YCrCb)[..., 1:].astype(np.float32)


@pytest.fixture
def network_sizes(monkeypatch) -> list[tuple[int, int]]:
    """Records the (H, W) of every batch the style transformers are run on."""
    seen: list[tuple[int, int]] = []
    original = StyleTransformer.run

    def spy(self, content, style):
        seen.append(tuple(content.shape[1:3]))
        return original(self, content, style)

    monkeypatch.setattr(StyleTransformer, "run", spy)
    return seen


@pytest.fixture(scope="module")
def warm_style() -> Style:
    """The warm synthetic painting's style, computed once for the module."""
    return restyle.style_vector(synthetic_painting(96, 128, "warm"), device="cpu")


@pytest.mark.parametrize(
    ("height", "width"),
    [(37, 53), (101, 67), (64, 96), (180, 36), (36, 180), (33, 33)],
    ids=["odd", "odd-tall", "even", "tall", "wide", "tiny-odd"],
)
@pytest.mark.slow
def test_output_has_the_exact_content_size(warm_style, height, width):
    content = synthetic_photo(height, width)
    out = restyle.stylize_image(content, warm_style, device="cpu")
    assert out.shape == (height, width, 3) and out.dtype == np.uint8
    assert mean_diff(out, content) > 20  # it was painted
    assert out.std() > 5  # and is not a flat image


@pytest.mark.slow
def test_large_images_are_painted_at_max_size_and_returned_full_size(warm_style, network_sizes):
    content = synthetic_photo(150, 90)
    out = restyle.stylize_image(content, warm_style, max_size=64, device="cpu")
    assert out.shape == (150, 90, 3)
    assert network_sizes == [(64, 40)]  # 64 x 38.4 -> 64 x 38, padded to a multiple of 4
    full = restyle.stylize_image(content, warm_style, max_size=None, device="cpu")
    assert full.shape == (150, 90, 3)
    assert network_sizes[-1] == (152, 92)
    assert mean_diff(out, full) > 1  # painting smaller is a different picture


def test_images_within_max_size_are_painted_at_their_own_size(warm_style, network_sizes):
    content = synthetic_photo(37, 53)
    restyle.stylize_image(content, warm_style, max_size=53, device="cpu")
    assert network_sizes == [(40, 56)]


def test_working_size():
    assert working_size(720, 1280, 1280) == (720, 1280)
    assert working_size(1080, 1920, 1280) == (720, 1280)
    assert working_size(1920, 1080, 1280) == (1280, 720)
    assert working_size(3000, 40, None) == (3000, 40)


def test_strength_zero_stays_closer_to_the_content(photo, painting):
    style = restyle.style_vector(painting, device="cpu")
    full = restyle.stylize_image(photo, style, strength=1.0, device="cpu")
    half = restyle.stylize_image(photo, style, strength=0.5, device="cpu")
    none = restyle.stylize_image(photo, style, strength=0.0, device="cpu")
    assert mean_diff(none, photo) < mean_diff(half, photo) < mean_diff(full, photo)


def test_preserve_color_keeps_the_content_chroma(photo, warm_style):
    plain = restyle.stylize_image(photo, warm_style, device="cpu")
    kept = restyle.stylize_image(photo, warm_style, preserve_color=True, device="cpu")
    assert np.abs(chroma(kept) - chroma(photo)).mean() < 2
    assert np.abs(chroma(plain) - chroma(photo)).mean() > 10
    luma = [
        cv2.cvtColor(img, cv2.COLOR_RGB2YCrCb)[..., 0].astype(np.float32) for img in (kept, plain)
    ]
    assert np.abs(luma[0] - luma[1]).mean() < 2  # the painted luminance is kept


def test_style_inputs_paths_pil_and_arrays_agree(photo_path, painting_path, photo, painting):
    from_paths = restyle.stylize_image(photo_path, painting_path, device="cpu")
    from_pil = restyle.stylize_image(
        Image.open(photo_path), Image.fromarray(painting), device="cpu"
    )
    from_str = restyle.stylize_image(str(photo_path), str(painting_path), device="cpu")
    reused = restyle.stylize_image(photo, restyle.style_vector(painting_path), device="cpu")
    for other in (from_pil, from_str, reused):
        assert mean_diff(other, from_paths) < 0.5


def test_blends_weight_the_style_vectors(painting_path, cool_painting_path, photo):
    warm = restyle.style_vector(painting_path)
    cool = restyle.style_vector(cool_painting_path)
    mixed = restyle.style_vector([f"{painting_path}:0.7", f"{cool_painting_path}:0.3"])
    np.testing.assert_allclose(mixed.vector, 0.7 * warm.vector + 0.3 * cool.vector, atol=1e-5)
    scaled = restyle.style_vector([f"{painting_path}:2", f"{cool_painting_path}:2"])
    np.testing.assert_allclose(scaled.vector, warm.mix(cool, 0.5).vector, atol=1e-5)
    painted = {
        name: restyle.stylize_image(photo, style, device="cpu")
        for name, style in (("warm", warm), ("cool", cool), ("mixed", mixed))
    }
    # the 70/30 blend looks more like the warm painting than like the cool one
    assert mean_diff(painted["mixed"], painted["warm"]) < mean_diff(
        painted["mixed"], painted["cool"]
    )


def test_blend_rules():
    a, b = builtin_style(1), builtin_style(2)
    assert blend([a]) is a
    np.testing.assert_allclose(blend([a, b], [1, 3]).vector, 0.25 * a.vector + 0.75 * b.vector)
    with pytest.raises(InputError):
        blend([a, b], [0, 0])
    with pytest.raises(InputError):
        blend([])


@pytest.mark.parametrize("index", [0, 7, 25])
def test_builtin_styles_paint(photo, index):
    out = restyle.stylize_image(photo, f"builtin:{index}", device="cpu")
    assert out.shape == photo.shape and mean_diff(out, photo) > 20


def test_builtin_styles_differ_and_blend(photo):
    one = restyle.stylize_image(photo, "builtin:1", device="cpu")
    two = restyle.stylize_image(photo, "builtin:2", device="cpu")
    both = restyle.stylize_image(photo, ["builtin:1:0.5", "builtin:2:0.5"], device="cpu")
    assert mean_diff(one, two) > 10
    assert both.shape == photo.shape
    assert mean_diff(both, one) > 1 and mean_diff(both, two) > 1


def test_builtin_strength_fades_toward_the_content(photo):
    full = restyle.stylize_image(photo, "builtin:4", device="cpu")
    faded = restyle.stylize_image(photo, "builtin:4", strength=0.25, device="cpu")
    assert mean_diff(faded, photo) < mean_diff(full, photo)


def test_mixing_builtin_with_an_image_is_an_input_error(photo, painting_path):
    with pytest.raises(InputError, match="cannot blend built-in styles with style images"):
        restyle.stylize_image(photo, ["builtin:3", str(painting_path)], device="cpu")


def test_style_fit_crop_sees_the_centre_whole_sees_all():
    wide = np.zeros((60, 180, 3), np.uint8)
    wide[:, :60] = wide[:, 120:] = (255, 0, 0)  # red at the sides
    wide[:, 60:120] = (0, 0, 255)  # blue in the middle
    crop, whole = style_input(wide, "crop"), style_input(wide, "whole")
    assert crop.shape == whole.shape == (256, 256, 3) and crop.dtype == np.float32
    assert (crop[..., 0] > 0.5).mean() == 0  # only the blue centre
    assert (whole[..., 0] > 0.5).mean() > 0.5  # the red sides too
    a = restyle.style_vector(wide, style_fit="crop")
    b = restyle.style_vector(wide, style_fit="whole")
    assert a.distance(b) > 0.1


def test_style_fit_whole_handles_very_long_paintings():
    strip = synthetic_painting(20, 300)
    assert style_input(strip, "whole").shape == (256, 256, 3)


def test_bad_options_are_input_errors(photo, warm_style):
    with pytest.raises(InputError, match="strength"):
        restyle.stylize_image(photo, warm_style, strength=1.5)
    with pytest.raises(InputError, match=r"--max-size \(look.max_size\) must be at least 32"):
        Look(max_size=8)
    with pytest.raises(InputError, match="style fit"):
        style_input(synthetic_painting(64, 64), "stretch")
    with pytest.raises(InputError, match="too small"):
        restyle.stylize_image(synthetic_photo(31, 80), warm_style)
    with pytest.raises(InputError, match="too small"):
        restyle.style_vector(synthetic_painting(10, 64))
    with pytest.raises(InputError, match="--method .* must be one of network"):
        restyle.stylize_image(photo, warm_style, method="magic")
    with pytest.raises(InputError, match="unknown option 'strenght'"):
        restyle.stylize_image(photo, warm_style, strenght=0.5)
    with pytest.raises(InputError, match="no style"):
        restyle.stylize_image(photo, [])


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("a.jpg", ("a.jpg", None, 1.0)),
        ("a.jpg:0.7", ("a.jpg", None, 0.7)),
        ("dir/my:file.jpg", ("dir/my:file.jpg", None, 1.0)),
        ("C:\\art\\a.jpg", ("C:\\art\\a.jpg", None, 1.0)),
        ("builtin:7", ("", 7, 1.0)),
        ("builtin:7:0.5", ("", 7, 0.5)),
        ("BUILTIN:0", ("", 0, 1.0)),
    ],
)
def test_style_specs_parse(spec, expected):
    parsed = parse_style_spec(spec)
    assert (parsed.source, parsed.builtin, parsed.weight) == expected


@pytest.mark.parametrize("spec", ["", "builtin:26", "builtin:x", "builtin:1:2:3", "a.jpg:-1"])
def test_bad_style_specs_are_input_errors(spec):
    with pytest.raises(InputError):
        parse_style_spec(spec)


def test_shipped_precision_paints_the_same_picture(photo, painting):
    """The shipped file and the fast graph of the same (original) network agree."""
    fast = restyle.stylize_image(photo, painting, device="cpu", model="original")
    shipped = restyle.stylize_image(photo, painting, device="cpu", precision="shipped")
    assert shipped.shape == fast.shape
    assert mean_diff(fast, shipped) < 0.1 * 255


def test_resolve_style_accepts_styles_and_specs(painting_path):
    warm = resolve_style(str(painting_path))
    assert warm.space == "arbitrary" and warm.vector.shape == (100,)
    assert warm.label == painting_path.name
    assert resolve_style([warm]) is warm
