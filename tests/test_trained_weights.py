"""The networks trained here: stored as differences, checked, and steadier where content moves."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from restyle.errors import InputError, ModelError
from restyle.models.graph import dequantize, extract_transformer_weights
from restyle.models.location import locate, sha256_of
from restyle.models.networks import _load, load_transformer, network_weights
from restyle.models.trained import (
    STEADY_BUILTINS,
    apply_difference,
    difference,
    follows_content,
    painting_model,
    weights_name,
)
from restyle.registries import MODELS
from support.motion_factory import texture


@pytest.fixture(scope="module")
def base():
    return extract_transformer_weights(dequantize(_load("arbitrary_transform", None)))


def _moved(weights, rng: np.random.Generator):
    """``weights`` as if trained: every convolution and the norms' biases moved a little."""
    conv = {k: (w + rng.normal(0, 0.01, w.shape), b + 0.01) for k, (w, b) in weights.conv.items()}
    gamma = {k: (m, b + 0.02) for k, (m, b) in weights.gamma.items()}
    return dataclasses.replace(weights, conv=conv, gamma=gamma, upsample="bilinear", blur=True)


def test_a_difference_restores_the_trained_weights(base, tmp_path):
    trained = _moved(base, np.random.default_rng(0))
    path = tmp_path / "d.npz"
    path.write_bytes(difference(base, trained, "ab" * 32))
    restored = apply_difference(base, path, "ab" * 32)
    assert (restored.upsample, restored.blur) == ("bilinear", True)
    for layer, (w, b) in trained.conv.items():
        assert np.abs(restored.conv[layer][0] - w).max() < 1e-6
        assert np.abs(restored.conv[layer][1] - b).max() < 1e-6
    for layer, (m, b) in trained.gamma.items():
        np.testing.assert_array_equal(restored.gamma[layer][0], m)  # unchanged: not stored
        assert np.abs(restored.gamma[layer][1] - b).max() < 1e-6
    with np.load(path) as stored:
        assert not any(k.startswith(("beta/", "gamma/")) and "/m/" in k for k in stored.files)
    assert restored.skip is None


def test_a_difference_carries_the_skip_path_the_base_lacks(base, tmp_path):
    rng = np.random.default_rng(1)
    first, last = base.contract[0], base.expand[2]
    skip = (
        rng.normal(0, 0.1, (base.conv[last][0].shape[1], base.conv[first][0].shape[0], 1, 1)),
        rng.normal(0, 0.1, base.conv[last][0].shape[1]),
    )
    trained = dataclasses.replace(_moved(base, rng), skip=skip)
    path = tmp_path / "d.npz"
    path.write_bytes(difference(base, trained, "ab" * 32))
    restored = apply_difference(base, path, "ab" * 32)
    assert restored.skip is not None
    for got, want in zip(restored.skip, skip, strict=True):
        assert np.abs(got - want).max() < 1e-6


def test_a_difference_made_from_other_weights_is_refused(base, tmp_path):
    path = tmp_path / "d.npz"
    path.write_bytes(difference(base, _moved(base, np.random.default_rng(1)), "ab" * 32))
    with pytest.raises(ModelError, match="trained from other weights"):
        apply_difference(base, path, "cd" * 32)
    path.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="cannot read"):
        apply_difference(base, path, "ab" * 32)


def test_the_shipped_difference_is_found_checked_and_anti_aliased():
    path = locate("steady_arbitrary", None)  # verifies the registry's SHA-256
    assert path.stat().st_size < 2_000_000
    weights = network_weights("arbitrary_transform", None, "steady")
    assert (weights.upsample, weights.blur) == ("bilinear", True)
    assert weights_name("original", "arbitrary_transform") is None
    assert sha256_of(path) != sha256_of(locate("arbitrary_transform", None))
    with pytest.raises(InputError, match="unknown model"):
        weights_name("wobbly", "arbitrary_transform")
    assert set(MODELS.names()) == {"steady", "original"}


def test_the_26_style_network_has_its_own_with_a_skip_path():
    path = locate("steady_multistyle26", None)  # verifies the registry's SHA-256
    assert path.stat().st_size < 2_000_000
    assert weights_name("steady", "multistyle26") == "steady_multistyle26"
    assert weights_name("original", "multistyle26") is None
    weights = network_weights("multistyle26", None, "steady")
    assert (weights.upsample, weights.blur) == ("bilinear", True)
    assert weights.skip is not None
    assert network_weights("multistyle26", None, "original").skip is None


def test_built_in_styles_outside_the_passing_ones_keep_the_shipped_network():
    """--model steady (the default) paints a built-in style with the trained network only
    where it passes the look criteria; a blend that leans on any other style keeps the
    original."""
    eye = np.eye(26, dtype=np.float32)
    good, other = (
        sorted(STEADY_BUILTINS)[:2],
        next(i for i in range(26) if i not in STEADY_BUILTINS),
    )
    assert painting_model("steady", "builtin", [eye[good[0]]]) == "steady"
    half = 0.5 * eye[good[0]] + 0.5 * eye[good[1]]
    assert painting_model("steady", "builtin", [half]) == "steady"
    assert painting_model("steady", "builtin", [eye[good[0]], eye[other]]) == "original"
    leaning = 0.9 * eye[good[0]] + 0.1 * eye[other]
    assert painting_model("steady", "builtin", [leaning]) == "original"
    assert painting_model("original", "builtin", [eye[good[0]]]) == "original"
    assert painting_model("steady", "arbitrary", [np.ones(100)]) == "steady"
    assert follows_content("steady", "builtin", [eye[good[0]]])
    assert not follows_content("steady", "builtin", [eye[other]])
    assert not follows_content("original", "builtin", [eye[good[0]]])
    assert follows_content("steady", "arbitrary", [np.ones(100)])


def test_the_network_stylizer_routes_each_built_in_style():
    """A passing style paints with the trained network; another one as the original does."""
    from restyle.models.engine import Engine
    from restyle.styles.embed import builtin_style
    from restyle.stylizers import create_stylizer

    frame = texture(64, 96, seed=2)
    other = next(i for i in range(26) if i not in STEADY_BUILTINS)
    good = min(STEADY_BUILTINS)
    paint = {
        m: create_stylizer(
            "network", engine=Engine(model=m, backend="onnxruntime", precision="float")
        )
        for m in MODELS.names()
    }

    def painted(model: str, index: int) -> np.ndarray:
        return paint[model].stylize([frame], builtin_style(index))[0].astype(int)

    np.testing.assert_array_equal(painted("steady", other), painted("original", other))
    assert np.abs(painted("steady", good) - painted("original", good)).mean() > 2


def _shift_change(net, style: np.ndarray, shift: float) -> float:
    """Mean squared change of a painting when its content moves by ``shift`` px, moved back."""
    big = texture(200, 264, seed=5).astype(np.float32) / 255
    m = np.float32([[1, 0, -shift], [0, 1, 0]])
    moved = cv2.warpAffine(big, m, (264, 200), flags=cv2.INTER_LINEAR)
    crop = (slice(36, 164), slice(36, 228))  # 128 x 192
    base, other = net.run(np.stack([big[crop], moved[crop]]), style)
    back = cv2.warpAffine(other, np.float32([[1, 0, shift], [0, 1, 0]]), (192, 128))
    return float(((back - base)[16:-16, 16:-16] ** 2).mean())


def test_the_steady_network_changes_less_when_the_content_moves_a_pixel_or_two():
    """The point of --model steady: moved by 1-2 px, the painting moves with the content."""
    style = np.random.default_rng(3).normal(0, 0.5, 100).astype(np.float32)
    nets = {
        m: load_transformer("cpu", precision="float", backend="onnxruntime", model=m)
        for m in MODELS.names()
    }
    for shift in (1.0, 2.0):
        steady = _shift_change(nets["steady"], style, shift)
        original = _shift_change(nets["original"], style, shift)
        assert steady < 0.6 * original, (shift, steady, original)


def test_shipped_precision_paints_with_the_shipped_file():
    """--precision shipped runs the shipped int8 graph as it is: the original network."""
    steady = load_transformer("cpu", precision="shipped", backend="onnxruntime", model="steady")
    original = load_transformer("cpu", precision="shipped", backend="onnxruntime", model="original")
    assert steady is original


@pytest.mark.parametrize(
    ("options", "steady"),
    [
        ({"style": "painting.jpg", "model": "original"}, False),
        ({"style": "painting.jpg", "model": "steady"}, True),
        ({"style": "builtin:3", "model": "steady"}, False),  # not one it paints well
        ({"style": "Builtin:3", "model": "steady"}, False),  # read as --style reads it
        ({"style": "builtin:20", "model": "steady"}, True),  # one it passes the criteria on
        ({"style": "Builtin:5", "model": "steady"}, True),
        ({"style": "Builtin:20", "model": "original"}, False),
        ({"style": ["builtin:20", "builtin:3"], "model": "steady"}, False),  # one network
        ({"style": "painting.jpg", "model": "steady", "method": "gatys"}, False),
    ],
)
def test_the_filter_knows_when_the_strokes_are_steady(options, steady):
    from restyle.job import VideoJob
    from restyle.rendering.runner import _steady, job_engine

    job = VideoJob.build("in.mp4", "out.mp4", **options)
    assert _steady(job) is steady
    if options.get("method") != "gatys":
        assert (job_engine(job).model != "original") is steady
