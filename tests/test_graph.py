"""Graph edits: kernel rewrites equal plain convolutions; the fast graphs equal the originals."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from restyle.models import load_multistyle, load_transformer, locate
from restyle.models.engine import Engine
from restyle.models.graph import (
    BINOMIAL,
    bilinear_subpixel_kernel,
    blurred_kernel,
    blurred_phase_kernel,
    build_fast_transformer,
    dequantize,
    extract_transformer_weights,
    from_phases,
    make_dynamic,
    space_to_depth_kernel,
    strided_phase_kernel,
    subpixel_kernel,
    to_phases,
)
from restyle.styles import embed_images
from support.image_factory import synthetic_painting, synthetic_photo

RNG = np.random.default_rng(1234)


# -- plain NumPy references (NCHW, one image) ------------------------------------------


def conv2d(x: np.ndarray, w: np.ndarray, stride: int = 1) -> np.ndarray:
    """Valid cross-correlation of C x H x W with O x C x K x K, as ONNX Conv computes it."""
    _, h, wd = x.shape
    k = w.shape[2]
    oh, ow = (h - k) // stride + 1, (wd - k) // stride + 1
    out = np.zeros((w.shape[0], oh, ow), np.float64)
    for u in range(k):
        for v in range(k):
            patch = x[
                :, u : u + stride * (oh - 1) + 1 : stride, v : v + stride * (ow - 1) + 1 : stride
            ]
            out += np.einsum("oc,chw->ohw", w[:, :, u, v], patch)
    return out


def space_to_depth(x: np.ndarray) -> np.ndarray:
    """ONNX SpaceToDepth(blocksize 2) of C x H x W: channels (dy*2+dx)*C + c."""
    c, h, w = x.shape
    return (
        x.reshape(c, h // 2, 2, w // 2, 2).transpose(2, 4, 0, 1, 3).reshape(4 * c, h // 2, w // 2)
    )


def depth_to_space_dcr(x: np.ndarray) -> np.ndarray:
    """ONNX DepthToSpace(blocksize 2, DCR) of 4C x h x w: channel (a*2+b)*C + c."""
    c4, h, w = x.shape
    c = c4 // 4
    return x.reshape(2, 2, c, h, w).transpose(2, 3, 0, 4, 1).reshape(c, 2 * h, 2 * w)


def run_node(op: str, x: np.ndarray, **attrs: object) -> np.ndarray:
    """Run one ONNX node on a float32 NCHW tensor with ONNX Runtime."""
    node = helper.make_node(op, ["x"], ["y"], **attrs)
    graph = helper.make_graph(
        [node],
        "one_node",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x.astype(np.float32)})[0]


def test_numpy_helpers_match_onnx_layout_ops():
    x = RNG.standard_normal((1, 3, 6, 8)).astype(np.float32)
    np.testing.assert_array_equal(run_node("SpaceToDepth", x, blocksize=2)[0], space_to_depth(x[0]))
    y = RNG.standard_normal((1, 12, 3, 4)).astype(np.float32)
    np.testing.assert_array_equal(
        run_node("DepthToSpace", y, blocksize=2, mode="DCR")[0], depth_to_space_dcr(y[0])
    )


# -- kernel rewrites -------------------------------------------------------------------


@pytest.mark.parametrize("k", [9, 5, 3])
def test_space_to_depth_kernel_equals_plain_conv(k):
    weight = RNG.standard_normal((4, 3, k, k)).astype(np.float32)
    x = RNG.standard_normal((3, 20, 26)).astype(np.float32)  # already padded, even sides
    plain = conv2d(x, weight)
    fast = depth_to_space_dcr(conv2d(space_to_depth(x), space_to_depth_kernel(weight)))
    h, w = min(plain.shape[1], fast.shape[1]), min(plain.shape[2], fast.shape[2])
    assert h >= plain.shape[1] - 1 and w >= plain.shape[2] - 1
    np.testing.assert_allclose(fast[:, :h, :w], plain[:, :h, :w], atol=1e-4)


def test_subpixel_kernel_equals_upsample_pad_conv():
    weight = RNG.standard_normal((5, 4, 3, 3)).astype(np.float32)
    x = RNG.standard_normal((4, 7, 9)).astype(np.float32)
    up = x.repeat(2, axis=1).repeat(2, axis=2)
    plain = conv2d(np.pad(up, ((0, 0), (1, 1), (1, 1)), mode="reflect"), weight)
    small = np.pad(x, ((0, 0), (1, 1), (1, 1)), mode="edge")
    fast = depth_to_space_dcr(conv2d(small, subpixel_kernel(weight)))
    assert fast.shape == plain.shape == (5, 14, 18)
    np.testing.assert_allclose(fast, plain, atol=1e-4)


def test_strided_phase_kernel_equals_pad_stride2_conv():
    weight = RNG.standard_normal((6, 4, 3, 3)).astype(np.float32)
    x = RNG.standard_normal((4, 12, 16)).astype(np.float32)
    plain = conv2d(np.pad(x, ((0, 0), (1, 1), (1, 1)), mode="reflect"), weight, stride=2)
    phases = np.pad(space_to_depth(x), ((0, 0), (1, 0), (1, 0)), mode="edge")
    fast = conv2d(phases, strided_phase_kernel(weight))
    assert fast.shape == plain.shape == (6, 6, 8)
    np.testing.assert_allclose(fast, plain, atol=1e-4)


def _bilinear_x2(x: np.ndarray) -> np.ndarray:
    """Bilinear x2 upsampling of C x H x W with half-pixel centres, edges clamped."""
    out = x
    for axis in (1, 2):
        n = out.shape[axis]
        idx = np.arange(n)
        before = np.take(out, np.clip(idx - 1, 0, n - 1), axis=axis)
        after = np.take(out, np.clip(idx + 1, 0, n - 1), axis=axis)
        even, odd = 0.75 * out + 0.25 * before, 0.75 * out + 0.25 * after
        out = np.stack([even, odd], axis=axis + 1).reshape(
            *out.shape[:axis], 2 * n, *out.shape[axis + 1 :]
        )
    return out


def test_bilinear_subpixel_kernel_equals_bilinear_upsample_edge_pad_conv():
    weight = RNG.standard_normal((5, 4, 3, 3)).astype(np.float32)
    x = RNG.standard_normal((4, 7, 9)).astype(np.float32)
    up = _bilinear_x2(x)
    plain = conv2d(np.pad(up, ((0, 0), (1, 1), (1, 1)), mode="edge"), weight)
    small = np.pad(x, ((0, 0), (1, 1), (1, 1)), mode="edge")
    fast = depth_to_space_dcr(conv2d(small, bilinear_subpixel_kernel(weight)))
    assert fast.shape == plain.shape == (5, 14, 18)
    np.testing.assert_allclose(fast, plain, atol=1e-4)


def test_blurred_kernel_is_the_blur_then_the_conv():
    weight = RNG.standard_normal((6, 4, 3, 3)).astype(np.float32)
    x = RNG.standard_normal((4, 14, 18)).astype(np.float32)
    blur = np.zeros((4, 4, 3, 3), np.float32)
    for c in range(4):
        blur[c, c] = BINOMIAL
    two_steps = conv2d(conv2d(x, blur), weight, stride=2)
    one = conv2d(x, blurred_kernel(weight), stride=2)
    assert one.shape == two_steps.shape == (6, 5, 7)
    np.testing.assert_allclose(one, two_steps, atol=1e-4)
    assert BINOMIAL.sum() == pytest.approx(1.0)


def test_blurred_phase_kernel_is_the_blurred_stride_on_pixels():
    """On 2x2 phases padded by one phase (the odd phases' edge; the even phases' second row
    and column at the top and left, their edge at the bottom and right), the 3x3 kernel
    paints what the 5x5 stride-2 one does on the pixels reflect-padded by 2."""
    weight = RNG.standard_normal((6, 4, 3, 3)).astype(np.float32)
    x = RNG.standard_normal((4, 14, 18)).astype(np.float32)
    pixels = conv2d(np.pad(x, ((0, 0), (2, 2), (2, 2)), mode="reflect"), blurred_kernel(weight), 2)
    phases = np.pad(space_to_depth(x), ((0, 0), (1, 1), (1, 1)), mode="edge")
    c = 4
    phases[: 2 * c, 0] = phases[: 2 * c, 2]  # even rows: pixel -2 is pixel 2
    for first in (0, 2 * c):  # even columns
        phases[first : first + c, :, 0] = phases[first : first + c, :, 2]
    one = conv2d(phases, blurred_phase_kernel(weight))
    assert one.shape == pixels.shape == (6, 7, 9)
    np.testing.assert_allclose(one, pixels, atol=1e-4)


def test_kernel_rewrites_reject_other_sizes():
    weight = np.zeros((2, 2, 5, 5), np.float32)
    with pytest.raises(ValueError):
        subpixel_kernel(weight)
    with pytest.raises(ValueError):
        bilinear_subpixel_kernel(weight)
    with pytest.raises(ValueError):
        strided_phase_kernel(weight)


def test_phases_round_trip():
    images = RNG.random((2, 12, 20, 3), dtype=np.float32)
    phases = to_phases(images)
    assert phases.shape == (2, 12, 10, 14) and phases.dtype == np.float32
    back = from_phases(phases)
    padded = np.pad(images, ((0, 0), (4, 4), (4, 4), (0, 0)), mode="reflect")
    np.testing.assert_array_equal(back, padded)
    np.testing.assert_array_equal(back[:, 4:-4, 4:-4], images)
    # the phase layout is ONNX SpaceToDepth of the padded NCHW image
    nchw = padded.transpose(0, 3, 1, 2)
    np.testing.assert_array_equal(run_node("SpaceToDepth", nchw, blocksize=2), phases)


# -- the fast transformer against the shipped network ----------------------------------


@pytest.fixture(scope="module")
def shipped_transformer() -> onnx.ModelProto:
    model = onnx.load(str(locate("arbitrary_transform")))
    return make_dynamic(model, {model.graph.input[0].name: (1, 2)})


@pytest.fixture(scope="module")
def style_vec() -> np.ndarray:
    return embed_images([synthetic_painting(96, 128)], engine=Engine(device="cpu"))[0]


@pytest.fixture(scope="module")
def content_batch() -> np.ndarray:
    return synthetic_photo(64, 96)[None].astype(np.float32) / 255.0


def run_shipped(model: onnx.ModelProto, content: np.ndarray, vec: np.ndarray) -> np.ndarray:
    """Run an NHWC transformer graph (shipped or dequantized) directly."""
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return session.run(None, {names[0]: content, names[1]: vec.reshape(1, 1, 1, -1)})[0]


def test_make_dynamic_frees_spatial_sizes(shipped_transformer):
    dims = shipped_transformer.graph.input[0].type.tensor_type.shape.dim
    assert dims[1].dim_param == "height" and dims[2].dim_param == "width"
    assert dims[3].dim_value == 3


def test_dequantize_removes_fake_quantization(shipped_transformer):
    ops = {n.op_type for n in shipped_transformer.graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
    plain = dequantize(shipped_transformer)
    ops = {n.op_type for n in plain.graph.node}
    assert not ops & {"QuantizeLinear", "DequantizeLinear"}
    onnx.checker.check_model(plain)


def test_fast_transformer_equals_dequantized_graph(shipped_transformer, style_vec, content_batch):
    reference = run_shipped(dequantize(shipped_transformer), content_batch, style_vec)
    fast = load_transformer("cpu", precision="float", backend="onnxruntime", model="original")
    fast = fast.run(content_batch, style_vec)
    assert fast.shape == reference.shape == (1, 64, 96, 3)
    assert np.abs(fast - reference).max() < 1e-4


def test_fast_transformer_rebuilt_from_weights_runs_a_batch(shipped_transformer, style_vec):
    model = build_fast_transformer(extract_transformer_weights(dequantize(shipped_transformer)))
    onnx.checker.check_model(model)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    images = np.stack([synthetic_photo(40, 56, seed) for seed in (1, 2)]).astype(np.float32) / 255
    out = from_phases(
        session.run(None, {"content": to_phases(images), "style": style_vec[None]})[0]
    )
    assert out.shape == (2, 40, 56, 3)
    one = from_phases(
        session.run(None, {"content": to_phases(images[1:]), "style": style_vec[None]})[0]
    )
    np.testing.assert_allclose(out[1], one[0], atol=1e-5)  # images of a batch are independent


def test_fast_transformer_is_close_to_the_shipped_int8_graph(
    shipped_transformer, style_vec, content_batch
):
    shipped = run_shipped(shipped_transformer, content_batch, style_vec)
    via_loader = load_transformer("cpu", precision="shipped").run(content_batch, style_vec)
    np.testing.assert_array_equal(via_loader, shipped)
    fast = load_transformer("cpu", precision="float").run(content_batch, style_vec)
    assert np.abs(fast - shipped).mean() < 0.1


def test_fast_multistyle_equals_the_shipped_graph():
    model = onnx.load(str(locate("multistyle26")))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    content = synthetic_photo(48, 72)[None].astype(np.float32) / 255.0
    weights = np.zeros(26, np.float32)
    weights[[4, 11]] = (0.3, 0.7)
    names = [i.name for i in session.get_inputs()]
    reference = session.run(None, {names[0]: content.transpose(0, 3, 1, 2), names[1]: weights})[0]
    fast = load_multistyle("cpu", precision="float", backend="onnxruntime", model="original")
    fast = fast.run(content, weights)
    assert fast.shape == (1, 48, 72, 3)
    assert np.abs(fast - reference.transpose(0, 2, 3, 1)).max() < 1e-4
