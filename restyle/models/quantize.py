"""Calibrated int8 style transformers: per-channel int8 weights, activation ranges from real frames.

The fast float graph (:func:`restyle.models.graph.build_fast_transformer`) becomes a QDQ
graph: every convolution's input passes a QuantizeLinear/DequantizeLinear pair with one
scale per layer, and its weights are int8 with one scale per output channel. Runtimes that
fuse QDQ pairs (OpenVINO's low-precision transformations) then run every convolution on
int8 (VNNI) kernels, and everything else (the instance norms, activations, layout ops) in
float or bf16.

Where a convolution's input is padded, the pair goes *before* the padding, so the pad moves
bytes rather than floats. The graph's input (the photo, in [0, 1] from 8-bit pixels) is
quantized with scale 1/255, which is exact.

The activation scales come from a calibration table, one JSON file per network in
``restyle/models/calibration/``, made by ``tools/calibrate.py`` from real frames (the
benchmark clips and photos) painted in many styles: for each layer, the 99.99th percentile
of the input's magnitude in each calibration frame, the largest over frames and styles.
The table holds a number per layer, not weights; the int8 graph itself is built at run
time from the shipped weights and that table (:mod:`restyle.models.generated`), the same
bytes every time.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ..errors import ModelError
from .calibration_table import CalibrationTable, load_table

__all__ = [
    "CalibrationTable",
    "activation_ranges",
    "conv_activations",
    "load_table",
    "quantize_transformer",
]

PERCENTILE = 99.99  # of |x| per calibration frame; the table keeps the largest over frames
WEIGHT_MAX = 127  # symmetric int8 weights, one scale per output channel
PIXEL_RANGE = 1.0  # the graph input: 8-bit pixels / 255, quantized exactly


def _layer(node: onnx.NodeProto) -> str:
    """The layer a fast-graph node belongs to: its name without the builder's ``:N`` suffix."""
    return node.name.rpartition(":")[0] or node.name


def conv_activations(model: onnx.ModelProto) -> dict[str, str]:
    """Layer name -> the tensor a convolution quantizes: its input, or the input of its Pad."""
    producers = {out: node for node in model.graph.node for out in node.output}
    found: dict[str, str] = {}
    for node in model.graph.node:
        if node.op_type != "Conv":
            continue
        x = node.input[0]
        pad = producers.get(x)
        found[_layer(node)] = pad.input[0] if pad is not None and pad.op_type == "Pad" else x
    return found


def activation_ranges(
    model: onnx.ModelProto, feeds: Iterable[dict[str, np.ndarray]], percentile: float = PERCENTILE
) -> dict[str, tuple[float, bool]]:
    """Measure each convolution input over calibration feeds of the float graph.

    Returns layer -> (bound, signed): the largest per-feed ``percentile`` of ``|x|``, and
    whether any value was negative. Runs the float graph once per feed in ONNX Runtime.
    """
    from .session import import_onnxruntime

    ort = import_onnxruntime()
    taps = conv_activations(model)
    probe = onnx.ModelProto.FromString(model.SerializeToString())
    graph_inputs = {i.name for i in probe.graph.input}
    for name in dict.fromkeys(taps.values()):
        if name not in graph_inputs:
            probe.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    session = ort.InferenceSession(probe.SerializeToString(), opts, ["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    bound = dict.fromkeys(taps, 0.0)
    signed = dict.fromkeys(taps, False)
    for feed in feeds:
        values = dict(zip(names, session.run(None, feed), strict=True)) | feed
        for layer, tensor in taps.items():
            x = values[tensor]
            bound[layer] = max(bound[layer], _percentile_abs(x, percentile))
            signed[layer] = signed[layer] or bool((x < 0).any())
    return {k: (bound[k], signed[k]) for k in taps}


def _is_pixels(tensor: str, graph_inputs: set[str], producers: dict) -> bool:
    """Whether ``tensor`` is the photo itself: a graph input, perhaps re-arranged in space."""
    while tensor not in graph_inputs:
        node = producers.get(tensor)
        if node is None or node.op_type not in ("DepthToSpace", "SpaceToDepth"):
            return False
        tensor = node.input[0]
    return True


def _percentile_abs(x: np.ndarray, percentile: float) -> float:
    """The ``percentile`` of ``|x|`` (lower-nearest rank; a partition, not a sort)."""
    flat = np.abs(x).ravel()
    k = min(len(flat) - 1, int(len(flat) * percentile / 100.0))
    return float(np.partition(flat, k)[k])


def _quantized_weight(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric per-output-channel int8 weights and their scales."""
    peak = np.abs(weight).reshape(weight.shape[0], -1).max(axis=1)
    scale = np.maximum(peak, np.float32(1e-12)).astype(np.float32) / np.float32(WEIGHT_MAX)
    q = np.rint(weight / scale.reshape(-1, 1, 1, 1))
    return np.clip(q, -WEIGHT_MAX, WEIGHT_MAX).astype(np.int8), scale


def quantize_transformer(
    model: onnx.ModelProto, table: CalibrationTable, keep_float: Iterable[str] | None = None
) -> onnx.ModelProto:
    """The fast float graph with its calibrated convolutions in QDQ int8 form (a new model).

    Layers in ``keep_float`` (default: the table's ``keep_float``) stay in float: the
    layers where int8 rounding shows most (``tools/calibrate.py`` measures them).

    Raises:
        ModelError: the table does not cover the graph's convolutions.
    """
    skip = set(table.keep_float if keep_float is None else keep_float)
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    taps = conv_activations(model)
    missing = sorted(set(taps) - set(table.ranges))
    if missing:
        raise ModelError(f"the int8 calibration of {table.network} lacks layers {missing}")
    graph_inputs = {i.name for i in graph.input}
    inits = {t.name: t for t in graph.initializer}
    producers = {out: node for node in graph.node for out in node.output}
    before: dict[str, list[onnx.NodeProto]] = {}  # node name -> QDQ nodes to emit first
    new_inits: list[onnx.TensorProto] = []

    def const(value: np.ndarray, name: str) -> str:
        new_inits.append(numpy_helper.from_array(value, name))
        return name

    for node in graph.node:
        if node.op_type != "Conv" or _layer(node) in skip:
            continue
        layer = _layer(node)
        bound, signed = table.ranges[layer]
        tensor = taps[layer]
        if _is_pixels(tensor, graph_inputs, producers):
            bound, signed = PIXEL_RANGE, False
        else:
            bound *= table.bound_scale
        scale = const(np.array(bound / (127 if signed else 255), np.float32), f"{layer}/x_scale")
        zero = const(np.array(0, np.int8 if signed else np.uint8), f"{layer}/x_zero")
        q, dq = f"{layer}/x_q", f"{layer}/x_dq"
        pad = producers.get(node.input[0])
        target = pad if pad is not None and pad.op_type == "Pad" else node
        before[target.name] = [
            helper.make_node("QuantizeLinear", [tensor, scale, zero], [q], name=q),
            helper.make_node("DequantizeLinear", [q, scale, zero], [dq], name=dq),
        ]
        target.input[0] = dq
        weight = numpy_helper.to_array(inits[node.input[1]])
        wq, ws = _quantized_weight(weight)
        names = [
            const(wq, f"{layer}/W_q"),
            const(ws, f"{layer}/W_scale"),
            const(np.zeros(len(ws), np.int8), f"{layer}/W_zero"),
        ]
        w_dq = f"{layer}/W_dq"
        before[target.name].append(
            helper.make_node("DequantizeLinear", names, [w_dq], name=w_dq, axis=0)
        )
        node.input[1] = w_dq
    nodes = []
    for node in graph.node:
        nodes.extend(before.get(node.name, []))
        nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for node in graph.node for name in node.input}
    kept = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    return model
