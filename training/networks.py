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
convolution, run as one 5x5 stride-2 convolution with reflect padding 2, as the fast graph
runs it), and ``skip`` (a 1x1 convolution from the first layer's full-size output to the
last layer's input, zero to start with: detail that moves with the picture, where the
decoder's upsampled maps have little). After bilinear upsampling the convolutions pad by
repeating the edge, which the fast graph computes exactly with a 3x3 sub-pixel kernel on
the small map.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from restyle.models.graph import BINOMIAL, NORM_EPS, TransformerWeights

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
        upsample: str | None = None,
        blur: bool | None = None,
        skip: bool | None = None,
    ) -> None:
        super().__init__()
        upsample = weights.upsample if upsample is None else upsample
        if upsample not in UPSAMPLING:
            raise ValueError(f"upsample must be one of {UPSAMPLING}, got {upsample!r}")
        self.layout = weights
        self.upsample = upsample
        self.blur = weights.blur if blur is None else blur
        self.convs = nn.ModuleDict()
        self.norms = nn.ModuleDict()
        for layer, (w, _) in weights.conv.items():
            key = _key(layer)
            self.convs[key] = nn.Conv2d(w.shape[1], w.shape[0], w.shape[2], bias=True)
            if layer in weights.gamma:
                self.norms[key] = StyleNorm(weights.style_dim, w.shape[0])
        first, last = weights.contract[0], weights.expand[2]
        self.skip: nn.Conv2d | None = None
        if (weights.skip is not None) if skip is None else skip:
            # a 1x1 map from the first layer's full-size features to the last layer's input
            channels = weights.conv[first][0].shape[0], weights.conv[last][0].shape[1]
            self.skip = nn.Conv2d(*channels, 1)
        self.load(weights)
        self.register_buffer("_blur", torch.from_numpy(BINOMIAL)[None, None])

    def load(self, weights: TransformerWeights) -> None:
        """Set every parameter from ``weights`` (restyle's form of them)."""
        with torch.no_grad():
            for layer, (w, b) in weights.conv.items():
                conv = self.convs[_key(layer)]
                conv.weight.copy_(torch.from_numpy(w))
                conv.bias.copy_(torch.from_numpy(b))
            if self.skip is not None:  # zero where the weights have none: starts as without
                w, b = weights.skip or (None, None)
                out_ch, in_ch = self.skip.weight.shape[:2]
                self.skip.weight.copy_(
                    torch.zeros(out_ch, in_ch, 1, 1) if w is None else torch.from_numpy(w)
                )
                self.skip.bias.copy_(torch.zeros(out_ch) if b is None else torch.from_numpy(b))
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
            conv,
            gamma,
            beta,
            lay.contract,
            lay.residual,
            lay.expand,
            lay.style_dim,
            upsample=self.upsample,
            blur=self.blur,
            skip=None if self.skip is None else (_np(self.skip.weight), _np(self.skip.bias)),
        )

    def _layer(
        self,
        x: torch.Tensor,
        layer: str,
        style: torch.Tensor,
        pad: int,
        stride: int = 1,
        mode: str = "reflect",
    ) -> torch.Tensor:
        """Pad, convolve, and normalise where the layer has a norm."""
        key = _key(layer)
        conv = self.convs[key]
        weight = conv.weight
        if stride == 2 and self.blur:  # low-pass before sampling every other pixel
            weight, pad = _blurred(weight, self._blur), pad + 1
        x = F.conv2d(F.pad(x, (pad,) * 4, mode=mode), weight, conv.bias, stride=stride)
        if key in self.norms:
            x = self.norms[key](x, style)
        return x

    def forward(self, content: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        """Paint ``content`` (N x 3 x H x W, H and W multiples of 4) in ``style`` (1 x D)."""
        style = style.expand(content.shape[0], -1)
        lay = self.layout
        first, second, third = lay.contract
        x = F.relu(self._layer(content, first, style, pad=4))
        full = x
        x = F.relu(self._layer(x, second, style, pad=1, stride=2))
        x = F.relu(self._layer(x, third, style, pad=1, stride=2))
        for i in range(0, len(lay.residual), 2):
            a, b = lay.residual[i : i + 2]
            y = F.relu(self._layer(x, a, style, pad=1))
            x = x + self._layer(y, b, style, pad=1)
        for layer in lay.expand[:2]:
            if self.upsample == "nearest":
                x = F.interpolate(x, scale_factor=2, mode="nearest")
                x = F.relu(self._layer(x, layer, style, pad=1))
            else:  # edge-padded: what the fast graph's sub-pixel kernel computes exactly
                x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
                x = F.relu(self._layer(x, layer, style, pad=1, mode="replicate"))
        if self.skip is not None:  # the picture's own fine detail, where the grid has none
            x = x + self.skip(full)
        return torch.sigmoid(self._layer(x, lay.expand[2], style, pad=4))


def _blurred(weight: torch.Tensor, blur: torch.Tensor) -> torch.Tensor:
    """The 5x5 kernel of "blur, then ``weight``" (as restyle.models.graph.blurred_kernel)."""
    out_ch, in_ch, k, _ = weight.shape
    flat = weight.reshape(out_ch * in_ch, 1, k, k)
    return F.conv2d(flat, blur.flip(-1, -2), padding=2).reshape(out_ch, in_ch, k + 2, k + 2)


def _key(layer: str) -> str:
    """A layer name as a module name (no dots or slashes)."""
    return layer.replace("/", "_").replace(".", "_")


def _np(tensor: torch.Tensor):
    return tensor.detach().cpu().numpy().astype("float32")


def from_weights(weights: TransformerWeights, **variant: object) -> Transformer:
    """The transformer with restyle's weights, in their variant or another (``upsample``,
    ``blur``)."""
    return Transformer(weights, **variant)  # type: ignore[arg-type]
