"""The tile painter's graph: the fast transformer with its norms' statistics as inputs.

Built once per network with ``onnx`` (:func:`build_tiled_transformer`); painting in tiles
is :mod:`restyle.models.tiled`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper

from .graph import NORM_EPS, TransformerWeights, _Builder, build_fast_transformer


@dataclass(frozen=True)
class NormLayer:
    """A normalised layer: its name, channels, and its grid's step in picture pixels."""

    name: str
    channels: int
    step: int  # 1: full resolution, 2: half (or the 2x2 phase layout), 4: quarter
    phases: bool


class _StatsNorm:
    """The norm hook: statistics in as graph inputs, interior sums out as graph outputs."""

    def __init__(self, weights: TransformerWeights) -> None:
        self.weights = weights
        self.layers: list[NormLayer] = []
        self.inputs: list[onnx.ValueInfoProto] = [
            helper.make_tensor_value_info("interior", TensorProto.INT64, [4])
        ]
        self.outputs: list[onnx.ValueInfoProto] = []

    def _step(self, layer: str, phases: bool) -> int:
        w = self.weights
        if layer == w.contract[0]:
            return 2 if phases else 1
        if layer == w.contract[1] or layer == w.expand[0] or layer == w.expand[2]:
            return 2
        if layer == w.expand[1]:
            return 1
        return 4  # contract[2] and the residual blocks

    def __call__(self, g: _Builder, x: str, layer: str, gamma: str, beta: str, phases: bool) -> str:
        channels = self.weights.gamma[layer][0].shape[1]
        step = self._step(layer, phases)
        self.layers.append(NormLayer(layer, channels, step, phases))
        mean_in, var_in = f"mean/{layer}", f"var/{layer}"
        for name in (mean_in, var_in):
            self.inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [channels]))
        eps = g.const(np.array(NORM_EPS, np.float32), f"{layer}/stats_eps")
        column = g.const(np.array([1, -1, 1, 1], np.int64), f"{layer}/column")

        def spread(v: str, tag: str) -> str:
            """A [C] vector as 1 x C x 1 x 1 (x 4 phases when the layer holds phases)."""
            if phases:
                v = g.op("Concat", [v, v, v, v], f"{layer}/{tag}_x4", axis=0)
            return g.op("Reshape", [v, column], f"{layer}/{tag}_col")

        std = g.op("Sqrt", [g.op("Add", [var_in, eps], f"{layer}/var_eps")], f"{layer}/std")
        scale = spread(g.op("Div", [gamma, std], f"{layer}/scale"), "scale")
        mean = spread(mean_in, "mean")
        centred = g.op("Sub", [x, mean], f"{layer}/centred")
        y = g.op(
            "Add",
            [g.op("Mul", [centred, scale], f"{layer}/scaled"), spread(beta, "beta")],
            f"{layer}/shifted",
        )
        # the sums of the centred values over the tile's interior (given in 4-pixel units)
        units = g.op(
            "Mul",
            ["interior", g.const(np.array(4 // step, np.int64), f"{layer}/u")],
            f"{layer}/interior",
        )
        starts = g.op(
            "Slice",
            [units, g.const(np.array([0]), f"{layer}/s0"), g.const(np.array([2]), f"{layer}/s2")],
            f"{layer}/starts",
        )
        ends = g.op(
            "Slice",
            [units, g.const(np.array([2]), f"{layer}/e0"), g.const(np.array([4]), f"{layer}/e4")],
            f"{layer}/ends",
        )
        axes = g.const(np.array([2, 3], np.int64), f"{layer}/hw")
        inner = g.op("Slice", [centred, starts, ends, axes], f"{layer}/inner")
        reduce = g.const(np.array([0, 2, 3], np.int64), f"{layer}/nhw")
        sums = [
            g.op("ReduceSum", [inner, reduce], f"{layer}/sum1", keepdims=0),
            g.op(
                "ReduceSum",
                [g.op("Mul", [inner, inner], f"{layer}/sq"), reduce],
                f"{layer}/sum2",
                keepdims=0,
            ),
        ]
        for k, total in enumerate(sums, start=1):
            if phases:
                split = g.op(
                    "Reshape",
                    [total, g.const(np.array([4, -1]), f"{layer}/p{k}")],
                    f"{layer}/phase_sums{k}",
                )
                total = g.op(
                    "ReduceSum",
                    [split, g.const(np.array([0]), f"{layer}/a{k}")],
                    f"{layer}/pooled{k}",
                    keepdims=0,
                )
            name = f"sum{k}/{layer}"
            g.nodes.append(helper.make_node("Identity", [total], [name], name=name))
            self.outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [channels]))
        return y


def build_tiled_transformer(weights: TransformerWeights) -> tuple[onnx.ModelProto, list[NormLayer]]:
    """The fast transformer with its norms' statistics as inputs and interior sums as outputs.

    Inputs besides ``content`` and ``style``: ``mean/LAYER`` and ``var/LAYER`` ([C] each)
    for every normalised layer, and ``interior`` (top, left, bottom, right of the region the
    sums cover, in 4-pixel units of the tile). Outputs besides ``stylized``: ``sum1/LAYER``
    and ``sum2/LAYER``, the per-channel sums of (x - mean) and (x - mean)^2 over that region.
    """
    hook = _StatsNorm(weights)
    model = build_fast_transformer(weights, norm=hook)
    model.graph.input.extend(hook.inputs)
    model.graph.output.extend(hook.outputs)
    return model, hook.layers
