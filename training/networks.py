"""The style transformers in PyTorch, rebuilt from the weights restyle reads from the ONNX files.

:class:`Transformer` is the network both shipped transformers share (Magenta's arbitrary
image stylization transformer, and the 26-style network): a 9x9 convolution, two stride-2
3x3 convolutions, residual blocks, two nearest-x2 upsamplings each followed by a 3x3
convolution, and a 9x9 convolution with a sigmoid; conditional instance norms whose scale
and shift are affine in the style vector. Built with :func:`from_weights` from a
:class:`restyle.models.graph.TransformerWeights` it computes what restyle's fast ONNX graph
computes (a test holds it to that), and :meth:`Transformer.weights` writes its weights
back in that form, so a network trained here runs through everything restyle runs.

The variants the anti-aliasing work needs are switches, not other networks: ``upsample``
(``"nearest"`` as shipped, or ``"bilinear"``: content that moves by 1-3 px is no longer
pinned to the 4-pixel grid) and ``blur`` (a fixed binomial blur before each stride-2
convolution).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from restyle.models.graph import NORM_EPS, TransformerWeights

UPSAMPLING = ("nearest", "bilinear")


class StyleNorm(nn.Module):
    """Conditional instance norm: ``gamma(style) * (x - mean) / std + beta(style)``."""

    def __init__(self, style_dim: int, channels: int) -> None:
        super().__init__()
        self.gamma = nn.Linear(style_dim, channels)
        self.beta = nn.Linear(style_dim, channels)

    def forward(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        """Normalise each image's channels and scale and shift them by the style."""
        mean = x.mean(dim=(2, 3), keepdim=True)
        var = x.var(dim=(2, 3), keepdim=True, unbiased=False)
        normed = (x - mean) / torch.sqrt(var + NORM_EPS)
        gamma = self.gamma(style)[:, :, None, None]
        beta = self.beta(style)[:, :, None, None]
        return normed * gamma + beta


class Transformer(nn.Module):
    """The style transformer (see the module docstring); images NCHW float in [0, 1]."""

    def __init__(
        self,
        weights: TransformerWeights,
        *,
        upsample: str = "nearest",
        blur: bool = False,
    ) -> None:
        super().__init__()
        if upsample not in UPSAMPLING:
            raise ValueError(f"upsample must be one of {UPSAMPLING}, got {upsample!r}")
        self.layout = weights
        self.upsample = upsample
        self.blur = blur
        self.convs = nn.ModuleDict()
        self.norms = nn.ModuleDict()
        for layer, (w, _) in weights.conv.items():
            key = _key(layer)
            self.convs[key] = nn.Conv2d(w.shape[1], w.shape[0], w.shape[2], bias=True)
            if layer in weights.gamma:
                self.norms[key] = StyleNorm(weights.style_dim, w.shape[0])
        self.load(weights)
        kernel = torch.tensor([1.0, 2.0, 1.0])
        self.register_buffer("_blur", (kernel[:, None] * kernel[None, :] / 16)[None, None])

    def load(self, weights: TransformerWeights) -> None:
        """Set every parameter from ``weights`` (restyle's form of them)."""
        with torch.no_grad():
            for layer, (w, b) in weights.conv.items():
                conv = self.convs[_key(layer)]
                conv.weight.copy_(torch.from_numpy(w))
                conv.bias.copy_(torch.from_numpy(b))
            for layer in weights.gamma:
                norm = self.norms[_key(layer)]
                for linear, (matrix, bias) in (
                    (norm.gamma, weights.gamma[layer]),
                    (norm.beta, weights.beta[layer]),
                ):
                    linear.weight.copy_(torch.from_numpy(matrix.T.copy()))
                    linear.bias.copy_(torch.from_numpy(bias))

    def weights(self) -> TransformerWeights:
        """The parameters in restyle's form, to build the fast ONNX graph from."""
        conv, gamma, beta = {}, {}, {}
        for layer in self.layout.conv:
            c = self.convs[_key(layer)]
            conv[layer] = (_np(c.weight), _np(c.bias))
            if layer in self.layout.gamma:
                n = self.norms[_key(layer)]
                gamma[layer] = (_np(n.gamma.weight).T.copy(), _np(n.gamma.bias))
                beta[layer] = (_np(n.beta.weight).T.copy(), _np(n.beta.bias))
        lay = self.layout
        return TransformerWeights(
            conv, gamma, beta, lay.contract, lay.residual, lay.expand, lay.style_dim
        )

    def _layer(
        self, x: torch.Tensor, layer: str, style: torch.Tensor, pad: int, stride: int = 1
    ) -> torch.Tensor:
        """Reflect-pad, convolve, and normalise where the layer has a norm."""
        key = _key(layer)
        if stride == 2 and self.blur:  # low-pass before sampling every other pixel
            kernel = self._blur.expand(x.shape[1], 1, 3, 3)
            x = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="reflect"), kernel, groups=x.shape[1])
        conv = self.convs[key]
        x = F.conv2d(F.pad(x, (pad,) * 4, mode="reflect"), conv.weight, conv.bias, stride=stride)
        if key in self.norms:
            x = self.norms[key](x, style)
        return x

    def forward(self, content: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        """Paint ``content`` (N x 3 x H x W, H and W multiples of 4) in ``style`` (1 x D)."""
        style = style.expand(content.shape[0], -1)
        lay = self.layout
        first, second, third = lay.contract
        x = F.relu(self._layer(content, first, style, pad=4))
        x = F.relu(self._layer(x, second, style, pad=1, stride=2))
        x = F.relu(self._layer(x, third, style, pad=1, stride=2))
        for i in range(0, len(lay.residual), 2):
            a, b = lay.residual[i : i + 2]
            y = F.relu(self._layer(x, a, style, pad=1))
            x = x + self._layer(y, b, style, pad=1)
        for layer in lay.expand[:2]:
            if self.upsample == "nearest":
                x = F.interpolate(x, scale_factor=2, mode="nearest")
            else:
                x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
            x = F.relu(self._layer(x, layer, style, pad=1))
        return torch.sigmoid(self._layer(x, lay.expand[2], style, pad=4))


def _key(layer: str) -> str:
    """A layer name as a module name (no dots or slashes)."""
    return layer.replace("/", "_").replace(".", "_")


def _np(tensor: torch.Tensor):
    return tensor.detach().cpu().numpy().astype("float32")


def from_weights(weights: TransformerWeights, **variant: object) -> Transformer:
    """The transformer with restyle's weights, as shipped or as a variant (``upsample``,
    ``blur``)."""
    return Transformer(weights, **variant)  # type: ignore[arg-type]
