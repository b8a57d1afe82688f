"""ONNX graph edits: free input sizes, dequantization, a fast rebuild of the style transformer.

The arbitrary-stylization weights ship as int8 QDQ graphs converted from TFLite, pinned to
384x384. Three edits make them useful at any resolution and fast on a CPU:

* :func:`make_dynamic` frees the spatial dimensions (the networks are fully convolutional).
* :func:`dequantize` folds the int8 weights into float32 and drops the fake-quantization
  (QuantizeLinear/DequantizeLinear) pairs on activations. The result computes what the
  original float network computed, minus the 8-bit rounding of every activation.
* :func:`build_fast_transformer` reads the dequantized weights and writes an equivalent,
  NCHW float graph whose full-resolution layers are re-expressed so that every convolution
  has many channels (space-to-depth for the 9x9 convolutions, sub-pixel convolutions in
  place of nearest upsampling followed by a convolution). The arithmetic is the same; the
  outputs agree with the dequantized graph to float rounding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .phases import from_phases, to_phases

__all__ = [
    "TransformerWeights",
    "build_fast_transformer",
    "dequantize",
    "extract_multistyle_weights",
    "extract_transformer_weights",
    "from_phases",
    "make_dynamic",
    "to_phases",
]

# Layer names inside Magenta's arbitrary image stylization transformer.
CONTRACT = ("contract/conv1", "contract/conv2", "contract/conv3")
RESIDUAL = tuple(f"residual/residual{i}/conv{j}" for i in range(1, 6) for j in (1, 2))
EXPAND = ("expand/conv1/conv", "expand/conv2/conv", "expand/conv3/conv")
NORM_EPS = 1e-5  # the graph's StyleNorm epsilon (int8 127 x 7.874e-8)


def make_dynamic(model: onnx.ModelProto, inputs: dict[str, tuple[int, ...]]) -> onnx.ModelProto:
    """Replace the given axes of graph inputs and of the matching outputs by symbolic sizes.

    Arguments:
        model: the ONNX model, edited in place and returned.
        inputs: input name -> axes to free (e.g. ``{"content_image": (0, 1, 2)}`` for NHWC).
    """
    names = {0: "batch", 1: "height", 2: "width", 3: "depth"}
    for value in model.graph.input:
        for axis in inputs.get(value.name, ()):
            value.type.tensor_type.shape.dim[axis].dim_param = names.get(axis, f"d{axis}")
    axes = sorted({a for axes in inputs.values() for a in axes})
    for value in model.graph.output:
        dims = value.type.tensor_type.shape.dim
        for axis in axes:
            if axis < len(dims):
                dims[axis].dim_param = names.get(axis, f"d{axis}")
    return model


def _attr(node: onnx.NodeProto, name: str, default: int) -> int:
    for a in node.attribute:
        if a.name == name:
            return a.i
    return default


def dequantize(model: onnx.ModelProto) -> onnx.ModelProto:
    """Fold int8 weights into float32 initializers and remove activation fake-quantization.

    Every DequantizeLinear whose input is an initializer becomes a float initializer
    ``(q - zero_point) * scale`` (per-axis scales honoured). Every other QuantizeLinear and
    DequantizeLinear becomes a pass-through, so layout nodes between them (Reshape,
    Transpose) now carry float tensors. Returns a new model.
    """
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    folded: dict[str, onnx.TensorProto] = {}
    alias: dict[str, str] = {}
    kept: list[onnx.NodeProto] = []
    for node in graph.node:
        if node.op_type == "DequantizeLinear" and node.input[0] in inits:
            q = numpy_helper.to_array(inits[node.input[0]]).astype(np.float32)
            scale = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
            zero = (
                numpy_helper.to_array(inits[node.input[2]]).astype(np.float32)
                if len(node.input) > 2 and node.input[2]
                else np.zeros_like(scale)
            )
            if scale.ndim == 1 and q.ndim > 1:
                shape = [1] * q.ndim
                shape[_attr(node, "axis", 1)] = -1
                scale, zero = scale.reshape(shape), zero.reshape(shape)
            value = ((q - zero) * scale).astype(np.float32)
            folded[node.output[0]] = numpy_helper.from_array(value, node.output[0])
        elif node.op_type in ("QuantizeLinear", "DequantizeLinear"):
            alias[node.output[0]] = node.input[0]
        else:
            kept.append(node)

    def resolve(name: str) -> str:
        while name in alias:
            name = alias[name]
        return name

    for node in kept:
        for i, name in enumerate(node.input):
            node.input[i] = resolve(name)
    for out in graph.output:
        if out.name in alias:
            kept.append(helper.make_node("Identity", [resolve(out.name)], [out.name]))
    del graph.node[:]
    graph.node.extend(kept)
    used = {name for node in graph.node for name in node.input}
    tensors = [t for t in graph.initializer if t.name in used and t.name not in folded]
    tensors += [t for name, t in folded.items() if name in used]
    del graph.initializer[:]
    graph.initializer.extend(tensors)
    del graph.value_info[:]
    return model


@dataclass(frozen=True)
class TransformerWeights:
    """Float weights and layer layout of a style transformer, by layer name.

    Both shipped transformers share one shape: a 9x9 convolution, two stride-2 3x3
    convolutions, residual blocks, two nearest-x2 3x3 convolutions and a 9x9 convolution
    with a sigmoid. Layers listed in ``gamma``/``beta`` are followed by a conditional
    instance norm whose scale and shift are affine in the style input:
    ``gamma = style @ matrix + bias``.

    The anti-aliased variants (trained in ``training/``) change two things, named here:
    ``upsample="bilinear"`` (bilinear x2, then an edge-padded 3x3 convolution) and ``blur``
    (each stride-2 convolution preceded by a [1, 2, 1] binomial blur, run as one
    reflect-padded 5x5 stride-2 convolution, :func:`blurred_kernel`; where the first layer
    runs on 2x2 phases, as a 3x3 convolution on them, :func:`blurred_phase_kernel`), and may
    add ``skip``:
    a 1x1 convolution of the first layer's full-size output, added to the last layer's
    input, which gives the network detail that moves with the picture, not with its 4 px
    grid.
    """

    conv: dict[str, tuple[np.ndarray, np.ndarray]]  # layer -> (OIHW weight, bias)
    gamma: dict[str, tuple[np.ndarray, np.ndarray]]  # layer -> (D x C matrix, C bias)
    beta: dict[str, tuple[np.ndarray, np.ndarray]]
    contract: tuple[str, ...] = CONTRACT
    residual: tuple[str, ...] = RESIDUAL  # pairs of layers, one block per pair
    expand: tuple[str, ...] = EXPAND
    style_dim: int = 100
    upsample: str = "nearest"
    blur: bool = False
    # a 1x1 convolution (weight, bias) from the first layer's output to the last layer's input
    skip: tuple[np.ndarray, np.ndarray] | None = None


def extract_transformer_weights(model: onnx.ModelProto) -> TransformerWeights:
    """Read the float weights of every layer from a (dequantized) transformer graph.

    Raises:
        KeyError: if the graph is not Magenta's arbitrary-stylization transformer.
    """
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    convs = {n.name: n for n in model.graph.node if n.op_type == "Conv"}

    def find(prefix: str) -> tuple[np.ndarray, np.ndarray]:
        matches = [n for name, n in convs.items() if name.startswith(prefix)]
        if len(matches) != 1:
            raise KeyError(f"expected one Conv named {prefix}*, found {len(matches)}")
        node = matches[0]
        weight = inits[node.input[1]].astype(np.float32)
        bias = (
            inits[node.input[2]].astype(np.float32)
            if len(node.input) > 2
            else np.zeros(weight.shape[0], np.float32)
        )
        return weight, bias

    conv, gamma, beta = {}, {}, {}
    for layer in CONTRACT + RESIDUAL + EXPAND:
        conv[layer] = find(f"transformer/{layer}/")
    for layer in RESIDUAL + EXPAND:
        for table, which in ((gamma, "Conv_1"), (beta, "Conv")):
            w, b = find(f"style_params/transformer/{layer}/StyleNorm/{which}/")
            table[layer] = (w.reshape(w.shape[0], -1).T.copy(), b)
    return TransformerWeights(conv=conv, gamma=gamma, beta=beta)


def extract_multistyle_weights(model: onnx.ModelProto) -> TransformerWeights:
    """Read the weights of the 26-style network (multistyle26.onnx), every layer normalised.

    Raises:
        KeyError: if the graph is not the expected 26-style network.
    """
    inits = {t.name: numpy_helper.to_array(t).astype(np.float32) for t in model.graph.initializer}
    contract = ("contract.0", "contract.1", "contract.2")
    blocks = sorted({k.split(".")[1] for k in inits if k.startswith("res.")}, key=int)
    residual = tuple(f"res.{b}.{j}" for b in blocks for j in (0, 1))
    expand = ("expand.0", "expand.1", "expand.2")
    conv, gamma, beta = {}, {}, {}
    for layer in contract + residual + expand:
        weight = inits[f"{layer}.w"]
        conv[layer] = (weight, np.zeros(weight.shape[0], np.float32))
        table_g, table_b = inits[f"{layer}.norm.gamma"], inits[f"{layer}.norm.beta"]
        gamma[layer] = (table_g, np.zeros(table_g.shape[1], np.float32))
        beta[layer] = (table_b, np.zeros(table_b.shape[1], np.float32))
    dim = next(iter(gamma.values()))[0].shape[0]
    return TransformerWeights(conv, gamma, beta, contract, residual, expand, style_dim=dim)


# ---------------------------------------------------------------------------------------
# Kernel rewrites. Each returns a kernel that computes exactly the original convolution on
# a re-arranged tensor; the tests compare them with the plain convolution.


def space_to_depth_kernel(weight: np.ndarray) -> np.ndarray:
    """Rewrite a stride-1 KxK kernel to act on a 2x2 space-to-depth input, emitting 2x2 phases.

    Input channels are ordered like ONNX SpaceToDepth ``(dy*2+dx)*C + c``; output channels
    like DepthToSpace (DCR) ``(a*2+b)*O + o``. The new kernel is ``ceil((K+1)/2)`` wide and
    is applied as a valid convolution.
    """
    out_ch, in_ch, k, _ = weight.shape
    kk = (k + 2) // 2
    new = np.zeros((4 * out_ch, 4 * in_ch, kk, kk), np.float32)
    for a in range(2):
        for b in range(2):
            for u in range(k):
                for v in range(k):
                    m, dy = divmod(a + u, 2)
                    n, dx = divmod(b + v, 2)
                    rows = slice((a * 2 + b) * out_ch, (a * 2 + b + 1) * out_ch)
                    cols = slice((dy * 2 + dx) * in_ch, (dy * 2 + dx + 1) * in_ch)
                    new[rows, cols, m, n] += weight[:, :, u, v]
    return new


def subpixel_kernel(weight: np.ndarray) -> np.ndarray:
    """Rewrite "nearest x2 upsample, reflect-pad 1, 3x3 conv" as a 3x3 conv on the small image.

    Applied to the small image edge-padded by 1, it emits the four output phases as
    channels in DepthToSpace (DCR) order ``(a*2+b)*O + o``.
    """
    return _upsampled_kernel(weight, _nearest_taps, "subpixel_kernel")


BINOMIAL = np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0]).astype(np.float32) / 16


def blurred_kernel(weight: np.ndarray) -> np.ndarray:
    """The 5x5 kernel of "binomial 3x3 blur, then ``weight`` (3x3)": one convolution, not two."""
    out_ch, in_ch, k, _ = weight.shape
    new = np.zeros((out_ch, in_ch, k + 2, k + 2), np.float32)
    for u in range(3):
        for v in range(3):
            new[:, :, u : u + k, v : v + k] += BINOMIAL[u, v] * weight
    return new


def blurred_phase_kernel(weight: np.ndarray) -> np.ndarray:
    """The blurred stride-2 convolution (:func:`blurred_kernel`, 5x5 on pixels) as a 3x3
    convolution on the 2x2 phases (DCR channels ``(dy*2+dx)*C + c``) padded by one phase.

    Output ``j`` reads pixels ``2j-2 .. 2j+2``: phase rows ``j-1, j, j+1``, the even phase at
    all three and the odd one at the first two (the third odd tap is zero).
    """
    k5 = blurred_kernel(weight)
    out_ch, in_ch = k5.shape[:2]
    new = np.zeros((out_ch, 4 * in_ch, 3, 3), np.float32)
    for dy in range(2):
        for dx in range(2):
            cols = slice((dy * 2 + dx) * in_ch, (dy * 2 + dx + 1) * in_ch)
            for r in range(3):
                for c in range(3):
                    if 2 * r + dy <= 4 and 2 * c + dx <= 4:
                        new[:, cols, r, c] = k5[:, :, 2 * r + dy, 2 * c + dx]
    return new


def _nearest_taps(phase: int, tap: int) -> dict[int, float]:
    """Weights on the small map (offsets -1..1) of one sample of its nearest x2 upsampling.

    The sample is tap ``tap`` (0..2) of a 3x3 convolution centred on output pixel
    ``2i + phase``: all of it on the small pixel it was copied from.
    """
    return {(phase + tap - 1) // 2: 1.0}


def _bilinear_taps(phase: int, tap: int) -> dict[int, float]:
    """Weights on the small map (offsets -1..1) of one sample of its bilinear x2 upsampling.

    As :func:`_nearest_taps`; bilinear x2 with half-pixel centres puts 3/4 on the nearest
    small pixel and 1/4 on the next one on its side.
    """
    q = phase - 1 + tap
    m = q // 2
    return {m: 0.75, m - 1 if q % 2 == 0 else m + 1: 0.25}


def bilinear_subpixel_kernel(weight: np.ndarray) -> np.ndarray:
    """Rewrite "bilinear x2 upsample, edge-pad 1, 3x3 conv" as a 3x3 conv on the small image.

    Like :func:`subpixel_kernel`: applied to the small image edge-padded by 1 (the edge pad
    of the small image is exactly what bilinear's clamping and the big image's edge pad
    make), it emits the four output phases as channels in DCR order ``(a*2+b)*O + o``.
    """
    return _upsampled_kernel(weight, _bilinear_taps, "bilinear_subpixel_kernel")


def _upsampled_kernel(
    weight: np.ndarray, taps: Callable[[int, int], dict[int, float]], name: str
) -> np.ndarray:
    """The 3x3 kernel on the small image of "x2 upsample, then the 3x3 ``weight``".

    ``taps(phase, tap)`` says where on the small image (offsets -1..1) and with what weight
    one sample of the upsampled image comes from.
    """
    out_ch, in_ch, k, _ = weight.shape
    if k != 3:
        raise ValueError(f"{name} expects a 3x3 kernel")
    new = np.zeros((4 * out_ch, in_ch, 3, 3), np.float32)
    for a in range(2):
        for b in range(2):
            rows = slice((a * 2 + b) * out_ch, (a * 2 + b + 1) * out_ch)
            for u in range(3):
                for v in range(3):
                    for m, wm in taps(a, u).items():
                        for n, wn in taps(b, v).items():
                            new[rows, :, m + 1, n + 1] += wm * wn * weight[:, :, u, v]
    return new


def strided_phase_kernel(weight: np.ndarray) -> np.ndarray:
    """Rewrite "reflect-pad 1, 3x3 stride-2 conv" to act on a 2x2 space-to-depth input.

    Applied as a 2x2 stride-1 convolution to the phases edge-padded by one row on top and one
    column on the left (a reflected -1 is the phase-1 sample of index 0, which is what the
    edge pad repeats; the padded phase-0 samples meet zero weights).
    """
    out_ch, in_ch, k, _ = weight.shape
    if k != 3:
        raise ValueError("strided_phase_kernel expects a 3x3 kernel")
    new = np.zeros((out_ch, 4 * in_ch, 2, 2), np.float32)
    for u in range(3):
        for v in range(3):
            m, dy = divmod(u - 1, 2)
            n, dx = divmod(v - 1, 2)
            cols = slice((dy * 2 + dx) * in_ch, (dy * 2 + dx + 1) * in_ch)
            new[:, cols, m + 1, n + 1] += weight[:, :, u, v]
    return new


class _Builder:
    """Tiny helper to emit ONNX nodes with unique names."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.count = 0

    def const(self, value: np.ndarray, name: str) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], name: str, **attrs: object) -> str:
        self.count += 1
        out = f"{name}:{self.count}"
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out


# A replacement for the graph's instance norms, for callers that supply the statistics
# (restyle.models.tiled): called as norm(builder, x, layer, gamma, beta, phases) with the
# layer's input x (N x C x H x W, or N x 4C x h x w with ``phases``) and its [C] scale and
# shift, it emits the normalised tensor's nodes and returns its name.
NormHook = Callable[["_Builder", str, str, str, str, bool], str]


def build_fast_transformer(
    weights: TransformerWeights, norm: NormHook | None = None, *, reflect_border: bool = True
) -> onnx.ModelProto:
    """Write the style transformer as a fast float graph with free batch and spatial sizes.

    The full-resolution ends of the network run in *phase* layout (2x2 space-to-depth),
    where every convolution has many channels. Inputs: ``content`` N x 12 x (H+8)/2 x (W+8)/2,
    the content image (float32 in [0, 1], H and W multiples of 4) reflect-padded by 4 and
    arranged by :func:`to_phases`; ``style`` 1 x 100, shared by the batch. Output:
    ``stylized`` N x 12 x H/2 x W/2, the stylized image in phase layout, turned back into
    pixels by :func:`from_phases`. ``norm`` replaces every instance norm (see `NormHook`).

    ``reflect_border=False`` edge-pads the phases a blurred first stride reads, where the
    pixels it stands for are reflect-padded: pixel -2 takes pixel 0 instead of pixel 2, the
    outermost ring only (SSIM 1.0000 to the exact graph on the benchmark clips). The int8
    graphs take it: OpenVINO 2026.4 compiles the exact form's padding (slices and
    concatenations) into int8 residual convolutions that stray from the quantized graph's
    own arithmetic (SSIM to float 0.94 on the cockatoo, where ONNX Runtime's int8 and this
    form read 0.987), and one edge Pad it handles, 4 % faster than padding the pixels.
    """
    g = _Builder()
    pads1 = g.const(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads1")
    shapes: dict[tuple[int, ...], str] = {}

    def shape(*dims: int) -> str:
        if dims not in shapes:
            shapes[dims] = g.const(np.array(dims, np.int64), "shape_" + "_".join(map(str, dims)))
        return shapes[dims]

    def conv(x: str, w: np.ndarray, b: np.ndarray, name: str, stride: int = 1) -> str:
        wn, bn = g.const(w, f"{name}/W"), g.const(b, f"{name}/B")
        return g.op("Conv", [x, wn, bn], name, strides=[stride, stride])

    # every norm's scale and shift from one Gemm of the style (one call, not two per layer)
    normed_layers = [
        layer
        for layer in (*weights.contract, *weights.residual, *weights.expand)
        if layer in weights.gamma
    ]
    tables = [table[layer] for layer in normed_layers for table in (weights.gamma, weights.beta)]
    affine = g.op(
        "Gemm",
        [
            "style",
            g.const(np.concatenate([m for m, _ in tables], axis=1), "style_affine/W"),
            g.const(np.concatenate([b for _, b in tables]), "style_affine/B"),
        ],
        "style_affine",
    )
    offsets: dict[str, int] = {}
    start = 0
    for layer in normed_layers:
        offsets[layer] = start
        start += 2 * weights.gamma[layer][0].shape[1]

    def affine_of(layer: str, dims: tuple[int, ...]) -> tuple[str, str]:
        """The norm's (scale, shift) for ``layer``, shaped ``dims`` (-1 for the channels)."""
        channels = weights.gamma[layer][0].shape[1]
        out = []
        for k, tag in enumerate(("gamma", "beta")):
            first = offsets[layer] + k * channels
            bounds = [
                g.const(np.array(v, np.int64), f"{layer}/{tag}_{end}")
                for end, v in (("start", [0, first]), ("end", [1, first + channels]))
            ]
            y = g.op("Slice", [affine, *bounds], f"{layer}/{tag}")
            out.append(g.op("Reshape", [y, shape(*dims)], f"{layer}/{tag}_shaped"))
        return out[0], out[1]

    def cin(x: str, layer: str, phases: bool = False) -> str:
        """Conditional instance norm: gamma(style) * (x - mean) / sqrt(var + eps) + beta(style).

        With ``phases``, x holds 4 phases of C channels and the statistics pool all four:
        x is viewed as N x 4 x C x (h*w) and reduced over the phase and pixel axes, with no
        transposes (layout changes cost more than the arithmetic at these sizes). The style
        input is one vector (1 x D), shared by every image of the batch.
        """
        if norm is not None:  # the caller supplies the statistics (restyle.models.tiled)
            gamma, beta = affine_of(layer, (-1,))
            return norm(g, x, layer, gamma, beta, phases)
        if not phases:
            gamma, beta = affine_of(layer, (-1,))
            return g.op("InstanceNormalization", [x, gamma, beta], f"{layer}/in", epsilon=NORM_EPS)
        channels = weights.gamma[layer][0].shape[1]
        gamma, beta = affine_of(layer, (1, 1, channels, 1))
        axes = g.const(np.array([1, 3], np.int64), f"{layer}/axes")
        eps = g.const(np.array(NORM_EPS, np.float32), f"{layer}/eps")
        full_shape = g.op("Shape", [x], f"{layer}/shape")
        x = g.op("Reshape", [x, shape(0, 4, channels, -1)], f"{layer}/split")
        mean = g.op("ReduceMean", [x, axes], f"{layer}/mean", keepdims=1)
        centred = g.op("Sub", [x, mean], f"{layer}/centred")
        square = g.op("Mul", [centred, centred], f"{layer}/square")
        var = g.op("ReduceMean", [square, axes], f"{layer}/var", keepdims=1)
        std = g.op("Sqrt", [g.op("Add", [var, eps], f"{layer}/var_eps")], f"{layer}/std")
        scale = g.op("Div", [gamma, std], f"{layer}/scale")
        y = g.op("Mul", [centred, scale], f"{layer}/scaled")
        y = g.op("Add", [y, beta], f"{layer}/shifted")
        return g.op("Reshape", [y, full_shape], f"{layer}/merge")

    w = weights.conv
    normed = set(weights.gamma)

    def finish(x: str, layer: str, act: str | None, phases: bool = False) -> str:
        """Norm (if the layer has one) and activation."""
        if layer in normed:
            x = cin(x, layer, phases)
        return g.op(act, [x], f"{layer}/{act.lower()}") if act else x

    first, second, third = weights.contract
    kw, kb = w[first]
    phase_first = kw.shape[0] < 16  # few output channels: run the 9x9 conv on phases
    pads2 = g.const(np.array([0, 0, 2, 2, 0, 0, 2, 2], np.int64), "pads2") if weights.blur else ""

    def phase_reflect_border(x: str, channels: int, layer: str) -> str:
        """2x2 phases (4 x ``channels``, DCR) edge-padded by one phase, made what
        reflect-padding their pixels by 2 gives: the even phases' top row and left column
        taken from their second (pixel -2 is pixel 2); the odd phases' edge and the bottom and
        right edge are that already."""

        def part(t: str, axis: int, first: int, last: int, lo: int, hi: int, tag: str) -> str:
            bounds = [
                g.const(np.array(v, np.int64), f"{layer}/{tag}_{key}")
                for key, v in (("starts", [first, lo]), ("ends", [last, hi]), ("axes", [1, axis]))
            ]
            return g.op("Slice", [t, *bounds], f"{layer}/{tag}")

        c, end = channels, np.iinfo(np.int64).max
        # (first channel, last channel, the row or column the border copies) per phase group
        borders = {
            2: ((0, 2 * c, 2), (2 * c, 4 * c, 0)),  # even rows from row 2, odd from the edge
            3: ((0, c, 2), (c, 2 * c, 0), (2 * c, 3 * c, 2), (3 * c, 4 * c, 0)),
        }
        for axis, groups in borders.items():
            pieces = [
                part(x, axis, first, last, row, row + 1, f"a{axis}p{k}")
                for k, (first, last, row) in enumerate(groups)
            ]
            border = g.op("Concat", pieces, f"{layer}/border{axis}", axis=1)
            rest = part(x, axis, 0, 4 * c, 1, end, f"a{axis}rest")
            x = g.op("Concat", [border, rest], f"{layer}/padded{axis}", axis=axis)
        return x

    def strided(x: str, layer: str) -> str:
        """Reflect-pad and the stride-2 convolution (blurred: one 5x5 kernel, pad 2)."""
        kw, kb = w[layer]
        if weights.blur:
            x = g.op("Pad", [x, pads2], f"{layer}/pad", mode="reflect")
            return finish(conv(x, blurred_kernel(kw), kb, layer, stride=2), layer, "Relu")
        x = g.op("Pad", [x, pads1], f"{layer}/pad", mode="reflect")
        return finish(conv(x, kw, kb, layer, stride=2), layer, "Relu")

    if phase_first:
        # reflect-pad 4 + 9x9 conv, as a 5x5 conv on the phases
        channels = kw.shape[0]
        x = conv("content", space_to_depth_kernel(kw), np.tile(kb, 4), first)
        x = finish(x, first, "Relu", phases=True)
        if weights.skip is not None:  # the skip path reads the full-size features
            full = g.op("DepthToSpace", [x], f"{first}/d2s", blocksize=2, mode="DCR")
        kw, kb = w[second]
        if weights.blur and weights.skip is not None:
            x = strided(full, second)  # the blurred stride-2 conv on the pixels
        elif weights.blur:
            # the blurred stride-2 conv (5x5 on pixels, reflect pad 2) as a 3x3 conv on the
            # same phases, padded by one phase to match
            x = g.op("Pad", [x, pads1], f"{second}/pad", mode="edge")
            if reflect_border:  # else pixel -2 takes pixel 0 (see the docstring)
                x = phase_reflect_border(x, channels, second)
            x = finish(conv(x, blurred_phase_kernel(kw), kb, second), second, "Relu")
        else:
            # the stride-2 conv (reflect-pad 1, 3x3) as an edge-pad (top/left) + 2x2 conv on
            # the same phases
            pads_tl = g.const(np.array([0, 0, 1, 1, 0, 0, 0, 0], np.int64), "pads_top_left")
            x = g.op("Pad", [x, pads_tl], f"{second}/pad", mode="edge")
            x = finish(conv(x, strided_phase_kernel(kw), kb, second), second, "Relu")
    else:
        x = g.op("DepthToSpace", ["content"], f"{first}/d2s", blocksize=2, mode="DCR")
        full = x = finish(conv(x, kw, kb, first), first, "Relu")
        x = strided(x, second)
    x = strided(x, third)
    res = weights.residual
    for i in range(0, len(res), 2):
        skip = x
        for j, layer in enumerate(res[i : i + 2]):
            x = g.op("Pad", [x, pads1], f"{layer}/pad", mode="reflect")
            x = finish(conv(x, *w[layer], layer), layer, "Relu" if j == 0 else None)
        x = g.op("Add", [skip, x], f"{res[i]}/add")
    # nearest x2 + reflect-pad 1 + 3x3 conv == sub-pixel 3x3 conv on the small map (and
    # bilinear x2 + edge-pad 1 + 3x3 conv: another 3x3 sub-pixel kernel, as fast).
    upsampled = bilinear_subpixel_kernel if weights.upsample == "bilinear" else subpixel_kernel
    for layer in weights.expand[:2]:
        kw, kb = w[layer]
        x = g.op("Pad", [x, pads1], f"{layer}/pad", mode="edge")
        # CRD channel order: ORT's DepthToSpace is about twice as fast in that mode.
        k4 = upsampled(kw)
        k4 = k4.reshape(4, -1, *k4.shape[1:]).swapaxes(0, 1).reshape(k4.shape)
        x = conv(x, k4, np.repeat(kb, 4), layer)
        x = g.op("DepthToSpace", [x], f"{layer}/d2s", blocksize=2, mode="CRD")
        x = finish(x, layer, "Relu")
    if weights.skip is not None:  # the first layer's full-size features, 1x1, added
        x = g.op("Add", [x, conv(full, *weights.skip, "skip")], "skip/add")
    # last: reflect-pad 4 + 9x9 conv to 3 channels as a 5x5 conv on phases; norm; sigmoid.
    layer = weights.expand[2]
    kw, kb = w[layer]
    pads4 = g.const(np.array([0, 0, 4, 4, 0, 0, 4, 4], np.int64), "pads4")
    x = g.op("Pad", [x, pads4], f"{layer}/pad", mode="reflect")
    x = g.op("SpaceToDepth", [x], f"{layer}/s2d", blocksize=2)
    x = conv(x, space_to_depth_kernel(kw), np.tile(kb, 4), layer)
    x = finish(x, layer, "Sigmoid", phases=True)
    g.nodes.append(helper.make_node("Identity", [x], ["stylized"], name="output"))

    graph = helper.make_graph(
        g.nodes,
        "restyle_arbitrary_transformer",
        [
            helper.make_tensor_value_info("content", TensorProto.FLOAT, ["batch", 12, "h2", "w2"]),
            helper.make_tensor_value_info("style", TensorProto.FLOAT, [1, weights.style_dim]),
        ],
        [helper.make_tensor_value_info("stylized", TensorProto.FLOAT, ["batch", 12, "h", "w"])],
        g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 8
    return model
