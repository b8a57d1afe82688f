"""Feature networks for optimization-based stylization (PyTorch), behind one small interface.

A :class:`FeatureNetwork` takes a 1x3xHxW float32 tensor in [0, 1] and returns the
activations of its named style and content layers, differentiably. Two networks:

* ``predictor`` (default; needs no download): the style prediction network shipped with the
  arbitrary-stylization weights (``arbitrary_predict.onnx``, a MobileNet-v2 distilled from
  Inception-v3), its dequantized graph executed op by op in PyTorch so gradients flow.
  Style layers: the ReLU6 outputs of the stem convolution (1/2 resolution, 32 channels) and
  of the expansion convolutions of blocks 1 (1/2, 96), 3 (1/4, 144), 6 (1/8, 192) and
  10 (1/16, 384); content layer: the expansion of block 5 (1/8, 192).
* ``vgg19``: the network of Gatys et al., torchvision's ImageNet VGG-19
  (``vgg19-dcbb9e9d.pth``) rebuilt as a plain ``features`` stack with the same keys.
  Style layers conv1_1, conv2_1, conv3_1, conv4_1, conv5_1 (after ReLU); content conv4_2;
  ImageNet mean/std normalization.

PyTorch is imported lazily: :func:`import_torch` raises DependencyError with the install
line when it is missing.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from ..errors import DependencyError, InputError, ModelError

INSTALL_HINT = 'pip install "restyle[gatys]" (from a checkout: pip install -e ".[gatys]")'
FEATURE_NETWORKS = ("predictor", "vgg19")
DEFAULT_FEATURES = "predictor"

VGG19_NAME = "vgg19"
VGG19_URL = "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth"
# torchvision's "features" of VGG-19: channel counts, "M" for a 2x2 max-pool
VGG19_CONFIG = (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M")
VGG19_CONFIG += (512, 512, 512, 512, "M", 512, 512, 512, 512, "M")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

PREDICTOR_STYLE = (
    "Conv",
    "expanded_conv_1/expand",
    "expanded_conv_3/expand",
    "expanded_conv_6/expand",
    "expanded_conv_10/expand",
)
PREDICTOR_CONTENT = "expanded_conv_5/expand"


def import_torch() -> Any:
    """Return the ``torch`` module, or raise DependencyError naming the install line."""
    try:
        import torch
    except ImportError:
        raise DependencyError(
            f"the gatys method needs PyTorch, which is not installed; install it with: "
            f"{INSTALL_HINT}"
        ) from None
    return torch


class FeatureNetwork:
    """A frozen network exposing named style and content activations of an image.

    Attributes:
        name: ``"predictor"`` or ``"vgg19"``.
        style_layers: names of the layers whose Gram matrices make the style.
        content_layer: name of the layer that keeps the content.
        channels: channel count of each style layer (to unflatten Gram matrices).
        description: one line saying which network this is, for help and reports.
    """

    name: str
    style_layers: tuple[str, ...]
    content_layer: str
    channels: dict[str, int]
    description: str

    def __call__(self, image: Any) -> dict[str, Any]:
        """Activations (1xCxhxw tensors) of every style layer and the content layer.

        ``image`` is a 1x3xHxW float32 tensor in [0, 1].
        """
        raise NotImplementedError

    def to(self, device: str) -> FeatureNetwork:
        """Move the weights to a PyTorch device (``"cpu"`` or ``"cuda"``); returns self."""
        raise NotImplementedError


# ---------------------------------------------------------------------------------------
# The style prediction network, interpreted from its ONNX graph.


class OnnxInterpreter:
    """Runs an ONNX graph's nodes in PyTorch, so gradients flow through it.

    Supports the ops of the style prediction network: Conv (asymmetric pads, groups), Clip,
    Relu, Add, Reshape, Transpose, GlobalAveragePool, Identity. Only the nodes needed for
    ``outputs`` are run.

    Raises:
        ModelError: the graph uses an op this interpreter does not know.
    """

    SUPPORTED = ("Conv", "Clip", "Relu", "Add", "Reshape", "Transpose", "GlobalAveragePool")
    SUPPORTED += ("Identity",)

    def __init__(self, model: Any, outputs: list[str]) -> None:
        from onnx import numpy_helper

        torch = import_torch()
        self.torch = torch
        graph = model.graph
        self.input = graph.input[0].name
        self.consts = {
            t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in graph.initializer
        }
        produced = {out: i for i, node in enumerate(graph.node) for out in node.output}
        missing = [o for o in outputs if o not in produced]
        if missing:
            raise ModelError(f"the network has no tensor {missing[0]!r}")
        last = max(produced[o] for o in outputs)
        self.nodes = list(graph.node[: last + 1])
        for node in self.nodes:
            if node.op_type not in self.SUPPORTED:
                raise ModelError(f"cannot run op {node.op_type} of {node.name} in PyTorch")
        self.outputs = list(outputs)
        # free each intermediate once no later node (nor the caller) needs it
        self.last_use: dict[str, int] = {}
        for i, node in enumerate(self.nodes):
            for name in node.input:
                self.last_use[name] = i

    def __call__(self, x: Any) -> dict[str, Any]:
        """Run the graph on its input tensor; return the requested tensors by name."""
        from onnx import helper

        F = self.torch.nn.functional
        values: dict[str, Any] = {self.input: x}
        keep = set(self.outputs)

        def get(name: str) -> Any:
            return values[name] if name in values else self.consts[name]

        for i, node in enumerate(self.nodes):
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            args = [get(n) if n else None for n in node.input]
            op = node.op_type
            if op == "Conv":
                top, left, bottom, right = attrs.get("pads", [0, 0, 0, 0])
                inp = args[0]
                if top == bottom and left == right:
                    pad: Any = (top, left)
                else:
                    inp, pad = F.pad(inp, (left, right, top, bottom)), 0
                y = F.conv2d(
                    inp,
                    args[1],
                    args[2] if len(args) > 2 else None,
                    stride=tuple(attrs.get("strides", [1, 1])),
                    padding=pad,
                    dilation=tuple(attrs.get("dilations", [1, 1])),
                    groups=attrs.get("group", 1),
                )
            elif op == "Clip":
                lo = args[1] if len(args) > 1 and args[1] is not None else attrs.get("min")
                hi = args[2] if len(args) > 2 and args[2] is not None else attrs.get("max")
                y = self.torch.clamp(args[0], _scalar(lo), _scalar(hi))
            elif op == "Relu":
                y = F.relu(args[0])
            elif op == "Add":
                y = args[0] + args[1]
            elif op == "Reshape":
                shape = [int(s) for s in args[1].tolist()]
                shape = [args[0].shape[j] if s == 0 else s for j, s in enumerate(shape)]
                y = args[0].reshape(shape)
            elif op == "Transpose":
                y = args[0].permute(*attrs["perm"])
            elif op == "GlobalAveragePool":
                y = args[0].mean(dim=(2, 3), keepdim=True)
            else:  # Identity
                y = args[0]
            values[node.output[0]] = y
            for name in node.input:
                if self.last_use.get(name) == i and name not in keep and name in values:
                    del values[name]
        return {name: values[name] for name in self.outputs}


def _scalar(value: Any) -> float | None:
    if value is None:
        return None
    return float(value.reshape(-1)[0]) if hasattr(value, "reshape") else float(value)


def _activation_after(model: Any, block: str) -> str:
    """The ReLU6 (Clip) output that follows the convolution ``MobilenetV2/<block>``."""
    conv = next(
        (
            n
            for n in model.graph.node
            if n.op_type == "Conv" and n.name == f"MobilenetV2/{block}/Relu6_prequant"
        ),
        None,
    )
    if conv is None:
        raise ModelError(f"arbitrary_predict.onnx has no layer {block}; not the expected network")
    for node in model.graph.node:
        if node.op_type == "Clip" and node.input[0] == conv.output[0]:
            return node.output[0]
    raise ModelError(f"layer {block} of arbitrary_predict.onnx has no ReLU6")


class PredictorFeatures(FeatureNetwork):
    """The style prediction network (MobileNet-v2) rebuilt in PyTorch from its ONNX weights."""

    name = "predictor"
    description = (
        "style prediction network of the arbitrary-stylization weights (MobileNet-v2, "
        "dequantized from arbitrary_predict.onnx)"
    )

    def __init__(self, model_dir: str | None = None) -> None:
        import onnx

        from ..models.graph import dequantize
        from ..models.location import locate

        path = locate("arbitrary_predict", model_dir)
        try:
            model = dequantize(onnx.load(str(path)))
        except Exception as exc:  # protobuf decode errors have no common base
            raise ModelError(f"cannot read {path}: {exc}") from None
        self.style_layers = PREDICTOR_STYLE
        self.content_layer = PREDICTOR_CONTENT
        layers = dict.fromkeys((*PREDICTOR_STYLE, PREDICTOR_CONTENT))
        self.tensor = {layer: _activation_after(model, layer) for layer in layers}
        self.net = OnnxInterpreter(model, list(self.tensor.values()))
        convs = {n.output[0]: n for n in model.graph.node if n.op_type == "Conv"}
        clips = {n.output[0]: n for n in model.graph.node if n.op_type == "Clip"}
        inits = {t.name: t for t in model.graph.initializer}
        self.channels = {
            layer: int(inits[convs[clips[t].input[0]].input[1]].dims[0])
            for layer, t in self.tensor.items()
        }

    def __call__(self, image: Any) -> dict[str, Any]:
        """Activations of the chosen layers; the graph takes NHWC input in [0, 1]."""
        out = self.net(image.permute(0, 2, 3, 1))
        return {layer: out[t] for layer, t in self.tensor.items()}

    def to(self, device: str) -> PredictorFeatures:
        """Move the graph's constants to ``device``."""
        self.net.consts = {k: v.to(device) for k, v in self.net.consts.items()}
        return self


# ---------------------------------------------------------------------------------------
# VGG-19 with torchvision's weights, no torchvision needed.

VGG19_STYLE = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")
VGG19_CONTENT = "conv4_2"


def vgg19_layer_names() -> list[str]:
    """Names of the modules of VGG-19's ``features`` stack, in order (conv1_1, relu1_1, ...)."""
    names, block, conv = [], 1, 1
    for item in VGG19_CONFIG:
        if item == "M":
            names.append(f"pool{block}")
            block, conv = block + 1, 1
        else:
            names += [f"conv{block}_{conv}", f"relu{block}_{conv}"]
            conv += 1
    return names


def build_vgg19_features() -> Any:
    """An untrained VGG-19 ``features`` stack whose state-dict keys match torchvision's."""
    torch = import_torch()
    nn = torch.nn
    layers: list[Any] = []
    channels = 3
    for item in VGG19_CONFIG:
        if item == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(channels, int(item), kernel_size=3, padding=1), nn.ReLU()]
            channels = int(item)
    return nn.Sequential(*layers)


def vgg19_state_dict_keys() -> dict[str, tuple[int, ...]]:
    """The ``features.*`` keys of torchvision's VGG-19 state dict and their shapes."""
    keys: dict[str, tuple[int, ...]] = {}
    channels, index = 3, 0
    for item in VGG19_CONFIG:
        if item == "M":
            index += 1
            continue
        keys[f"features.{index}.weight"] = (int(item), channels, 3, 3)
        keys[f"features.{index}.bias"] = (int(item),)
        channels, index = int(item), index + 2
    return keys


def load_vgg19_state(path: str | os.PathLike[str]) -> Any:
    """Load a VGG-19 ``features`` stack from a torchvision state-dict file.

    Raises:
        ModelError: the file is not a VGG-19 state dict (missing keys or wrong shapes).
    """
    torch = import_torch()
    try:
        state = torch.load(os.fspath(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle/zip errors have no common base
        raise ModelError(f"cannot read VGG-19 weights {path}: {exc}") from None
    if not isinstance(state, dict):
        raise ModelError(f"{path} is not a PyTorch state dict")
    expected = vgg19_state_dict_keys()
    features = {}
    for key, shape in expected.items():
        tensor = state.get(key)
        if tensor is None or tuple(tensor.shape) != shape:
            raise ModelError(f"{path} is not torchvision's VGG-19: {key} missing or misshapen")
        features[key.removeprefix("features.")] = tensor.float()
    net = build_vgg19_features()
    net.load_state_dict(features)
    return net


def vgg19_path(model_dir: str | os.PathLike[str] | None = None, download: bool = True) -> Any:
    """The verified VGG-19 weights: --model-dir, $RESTYLE_MODEL_DIR, the cache, else downloaded.

    Raises:
        ModelError: not found and ``download`` is off, the download fails, or a checksum fails.
    """
    from ..models.download import download as fetch
    from ..models.location import candidates, locate
    from ..models.registry import get_spec

    if not download or any(p.is_file() for p in candidates(get_spec(VGG19_NAME), model_dir)):
        return locate(VGG19_NAME, model_dir)
    return fetch(VGG19_NAME)


class VGG19Features(FeatureNetwork):
    """Gatys et al.'s network: VGG-19 with torchvision's ImageNet weights."""

    name = "vgg19"
    description = "VGG-19 (ImageNet, torchvision's vgg19-dcbb9e9d.pth), as in Gatys et al."

    def __init__(self, model_dir: str | None = None, download: bool = True) -> None:
        torch = import_torch()
        self.net = load_vgg19_state(vgg19_path(model_dir, download)).eval()
        for p in self.net.parameters():
            p.requires_grad_(False)
        self.names = vgg19_layer_names()
        self.style_layers = VGG19_STYLE
        self.content_layer = VGG19_CONTENT
        # the ReLU after each chosen convolution (Gatys et al. use rectified responses)
        wanted = {*VGG19_STYLE, VGG19_CONTENT}
        self.last = max(self.names.index(n) for n in wanted) + 1
        self.channels = {n: int(self.net[self.names.index(n)].out_channels) for n in VGG19_STYLE}
        self.mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
        self.std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)

    def __call__(self, image: Any) -> dict[str, Any]:
        """Post-ReLU activations of conv1_1..conv5_1 and conv4_2 of the normalized image."""
        x = (image - self.mean) / self.std
        wanted = {*self.style_layers, self.content_layer}
        out = {}
        for i in range(self.last + 1):
            x = self.net[i](x)
            name = self.names[i]
            if name.startswith("relu") and "conv" + name[4:] in wanted:
                out["conv" + name[4:]] = x
        return out

    def to(self, device: str) -> VGG19Features:
        """Move the weights and the normalization to ``device``."""
        self.net.to(device)
        self.mean, self.std = self.mean.to(device), self.std.to(device)
        return self


@functools.lru_cache(maxsize=4)
def _cached(name: str, model_dir: str | None) -> FeatureNetwork:
    if name == "predictor":
        return PredictorFeatures(model_dir)
    return VGG19Features(model_dir)


def load_features(
    name: str = DEFAULT_FEATURES, model_dir: str | os.PathLike[str] | None = None
) -> FeatureNetwork:
    """The feature network ``name`` (``"predictor"`` or ``"vgg19"``), loaded once and reused.

    Raises:
        InputError: unknown name.
        DependencyError: PyTorch is not installed.
        ModelError: weights missing, corrupt, or (vgg19) not downloadable.
    """
    if name not in FEATURE_NETWORKS:
        raise InputError(f"unknown feature network {name!r}; use one of {FEATURE_NETWORKS}")
    import_torch()
    return _cached(name, os.fspath(model_dir) if model_dir is not None else None)
