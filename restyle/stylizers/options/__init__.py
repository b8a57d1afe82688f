"""What a picture is painted with: the look (strength, colour, size) and the method's settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from ..errors import InputError
from ..options import OptionGroup, at_least, between, option, positive
from ..registries import STYLIZERS
from .features import FEATURE_NETWORKS

MIN_SIDE = 32  # the smallest picture (and --max-size) the networks paint
STYLE_FITS = ("crop", "whole")
OPTIMIZERS = ("lbfgs", "adam")
SEGMENT_MODES = ("hard", "feather", "blur")
SEGMENT_FILLS = ("inpaint", "mean")
SEGMENT_BASES = ("network", "gatys")


def parse_max_size(text: str) -> int | None:
    """``--max-size``: a number of pixels, or 0 / none / full for the picture's own size."""
    if text.strip().lower() in ("0", "none", "full"):
        return None
    return int(text)


@dataclass(frozen=True)
class Look(OptionGroup):
    """How strongly and at what resolution a style is painted, whatever the method.

    Attributes:
        strength: 0..1; 1 is the full style, 0 stays close to the content.
        preserve_color: keep the content's colours, take only the stylized luminance.
        style_fit: how a painting is fitted to the style network's square: ``crop`` (its
            centre square) or ``whole`` (padded).
        max_size: longest side the network paints at; larger frames are painted at this size
            and scaled back. None paints at the frame's own size.
    """

    group: ClassVar[str] = "look"

    strength: float = option(
        1.0, "how much of the style, 0..1", check=between(0.0, 1.0), metavar="S"
    )
    preserve_color: bool = option(False, "keep the content's colours, paint only luminance")
    style_fit: str = option(
        "crop",
        "crop: the style network sees the centre square of the painting; whole: the painting "
        "padded to a square",
        choices=STYLE_FITS,
    )
    max_size: int | None = option(
        1280,
        "longest side the network paints at; larger inputs are painted at this size and "
        "scaled back (0 = always full size)",
        check=at_least(MIN_SIDE),
        parse=parse_max_size,
        metavar="PX",
    )


def parse_rect(value: str | Sequence[int]) -> tuple[int, int, int, int]:
    """Parse ``"x,y,w,h"`` (or four numbers) as a box with a positive width and height.

    Raises:
        InputError: not four whole numbers, a negative corner or an empty box.
    """
    parts = value.split(",") if isinstance(value, str) else list(value)
    try:
        x, y, w, h = (int(str(p).strip()) for p in parts)
    except ValueError:
        raise InputError(f"bad foreground box {value!r}; use x,y,w,h in pixels") from None
    if x < 0 or y < 0 or w < 2 or h < 2:
        raise InputError(f"bad foreground box {value!r}; x, y >= 0 and w, h >= 2 pixels")
    return x, y, w, h


@dataclass(frozen=True)
class Method(OptionGroup):
    """The stylization method and the settings of the gatys and segmented methods.

    Attributes:
        name: the method (``--method``), a name in :data:`restyle.registries.STYLIZERS`.
        iterations: optimization steps per image (L-BFGS iterations or Adam steps).
        optimizer: ``"lbfgs"`` (as Gatys et al.) or ``"adam"``.
        features: feature network, ``"predictor"`` (no download) or ``"vgg19"``.
        gatys_size: longest side the image is optimized at (also capped by max_size).
        content_weight, style_weight, tv_weight: weights of the loss terms.
        temporal_weight: weight of the short-term temporal loss (video, ``--temporal flow``).
        learning_rate: Adam's step size, in pixel units of [0, 1].
        fg_rect: foreground box ``(x, y, w, h)`` in pixels for GrabCut; None: a centred box.
        fg_mask: an image file whose bright pixels mark the foreground (instead of a box).
        segment_mode: ``"hard"``, ``"feather"`` or ``"blur"`` (the Gaussian-blur variant).
        segment_fill: ``"inpaint"`` (the background filled in behind the foreground) or
            ``"mean"`` (each part's other part filled by its mean colour).
        segment_base: method that paints each part, ``"network"`` or ``"gatys"``.
        style_fg, style_bg: style specs for the foreground / background (default: --style).
    """

    group: ClassVar[str] = "method"

    name: str = option("network", "stylization method", key="method", choices=STYLIZERS.names)
    iterations: int = option(100, "gatys: optimization steps", check=at_least(1), metavar="N")
    optimizer: str = option("lbfgs", "gatys: the optimizer", choices=OPTIMIZERS)
    features: str = option(
        "predictor",
        "gatys: the network whose features define content and style: predictor (the style "
        "prediction network shipped with the arbitrary-stylization weights, a MobileNet-v2, "
        "rebuilt in PyTorch; no download) or vgg19 (Gatys et al.'s ImageNet VGG-19, "
        "torchvision's vgg19-dcbb9e9d.pth from --model-dir, or downloaded once, 548 MB)",
        choices=FEATURE_NETWORKS,
    )
    gatys_size: int = option(
        512,
        "gatys: longest side the image is optimized at (also capped by --max-size)",
        check=at_least(MIN_SIDE),
        metavar="PX",
    )
    content_weight: float = option(
        1.0, "gatys: content loss weight", check=at_least(0), metavar="W"
    )
    style_weight: float = option(10.0, "gatys: style loss weight", check=at_least(0), metavar="W")
    tv_weight: float = option(10.0, "gatys: total variation weight", check=at_least(0), metavar="W")
    temporal_weight: float = option(
        200.0,
        "gatys video: weight of the temporal loss (--temporal flow)",
        check=at_least(0),
        metavar="W",
    )
    learning_rate: float = option(
        0.02, "gatys with --optimizer adam: the step size", check=positive, metavar="LR"
    )
    fg_rect: tuple[int, int, int, int] | None = option(
        None,
        "segmented: foreground box in pixels for GrabCut (default: the centred 60%x80% box)",
        parse=parse_rect,
        metavar="X,Y,W,H",
    )
    fg_mask: str | None = option(
        None,
        "segmented: an image whose white pixels mark the foreground (GrabCut refines it), "
        "instead of --fg-rect",
        metavar="FILE",
    )
    segment_mode: str = option(
        "feather",
        "segmented: hard edges, feathered edges, or blur: each part painted from a frame "
        "whose other part is Gaussian-blurred",
        choices=SEGMENT_MODES,
    )
    segment_fill: str = option(
        "inpaint",
        "segmented (hard, feather): what each part is painted from: inpaint (the background "
        "with the foreground filled in from around it, the foreground in its own "
        "surroundings: no halo) or mean (each part with the other filled by its mean colour)",
        choices=SEGMENT_FILLS,
    )
    segment_base: str = option(
        "network", "segmented: the method painting each part", choices=SEGMENT_BASES
    )
    style_fg: tuple[str, ...] = option(
        (),
        "segmented: style of the foreground (default: --style); repeat to blend",
        metavar="STYLE",
    )
    style_bg: tuple[str, ...] = option(
        (),
        "segmented: style of the background (default: --style); repeat to blend",
        metavar="STYLE",
    )

    def check(self) -> None:
        """The foreground box must be a real box."""
        if self.fg_rect is not None:
            parse_rect(self.fg_rect)
