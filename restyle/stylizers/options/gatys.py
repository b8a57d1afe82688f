"""The gatys method's options: Gatys et al.'s optimization, its losses and optimizer."""

from __future__ import annotations

from dataclasses import dataclass

from ...options import at_least, option, positive
from ...registries import STYLIZERS
from . import MIN_SIDE, MethodOptions

OPTIMIZERS = ("lbfgs", "adam")
FEATURE_NETWORKS = ("predictor", "vgg19")  # restyle.stylizers.features loads them


@STYLIZERS.register(
    "gatys",
    "restyle.stylizers.gatys:GatysStylizer",
    'Gatys et al.\'s optimization, slow, needs PyTorch: pip install "restyle[gatys]"',
)
@dataclass(frozen=True)
class Gatys(MethodOptions):
    """Gatys et al.'s optimization: each frame optimized to match the painting's Gram matrices.

    Attributes:
        iterations: optimization steps per image (L-BFGS iterations or Adam steps).
        optimizer: ``"lbfgs"`` (as Gatys et al.) or ``"adam"``.
        features: feature network, ``"predictor"`` (no download) or ``"vgg19"``.
        gatys_size: longest side the image is optimized at (also capped by max_size).
        content_weight, style_weight, tv_weight: weights of the loss terms.
        temporal_weight: weight of the short-term temporal loss (video, ``--temporal flow``).
        learning_rate: Adam's step size, in pixel units of [0, 1].
    """

    iterations: int = option(100, "optimization steps", check=at_least(1), metavar="N")
    optimizer: str = option("lbfgs", "the optimizer", choices=OPTIMIZERS)
    features: str = option(
        "predictor",
        "the network whose features define content and style: predictor (the style "
        "prediction network shipped with the arbitrary-stylization weights, a MobileNet-v2, "
        "rebuilt in PyTorch; no download) or vgg19 (Gatys et al.'s ImageNet VGG-19, "
        "torchvision's vgg19-dcbb9e9d.pth from --model-dir, or downloaded once, 548 MB)",
        choices=FEATURE_NETWORKS,
    )
    gatys_size: int = option(
        512,
        "longest side the image is optimized at (also capped by --max-size)",
        check=at_least(MIN_SIDE),
        metavar="PX",
    )
    content_weight: float = option(1.0, "content loss weight", check=at_least(0), metavar="W")
    style_weight: float = option(10.0, "style loss weight", check=at_least(0), metavar="W")
    tv_weight: float = option(10.0, "total variation weight", check=at_least(0), metavar="W")
    temporal_weight: float = option(
        200.0,
        "video: weight of the temporal loss (with --temporal flow)",
        check=at_least(0),
        metavar="W",
    )
    learning_rate: float = option(
        0.02, "with --optimizer adam: the step size", check=positive, metavar="LR"
    )
