"""Gatys et al. (2016) style transfer by optimization, on PyTorch; Ruder et al. (2016) for video.

The output image is optimized, starting from the content, to minimise

    content_weight * content_loss + style_weight * style_loss + tv_weight * tv_loss
    (+ temporal_weight * temporal_loss for video with ``--temporal flow``)

with L-BFGS (or Adam). The losses are measured in a feature network (see
:mod:`restyle.stylizers.features`: the style prediction network by default, VGG-19 as in the
paper on request). Each term is normalised by the energy of its target, so one set of weights
serves both networks:

* content: ``mean((F - P)^2) / mean(P^2)`` on the content layer;
* style: the mean over style layers of ``sum((G - A)^2) / sum(A^2)``, Gram matrices
  ``G = F F^T / (C h w)``;
* total variation: ``mean(dx^2) + mean(dy^2)`` of the image in [0, 1];
* temporal (Ruder et al.): ``sum(c * (x - w)^2) / (3 H W)``, ``w`` the previous output warped
  along the source's optical flow and ``c`` the mask of pixels where the flow is reliable.

A style here is its Gram matrices: a :class:`~restyle.styles.Style` in the space
``gatys-<network>`` whose vector holds every style layer's Gram matrix. Blending styles
blends their Gram matrices, and strength < 1 moves them toward the content's own.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import cv2
import numpy as np

from ..errors import DeviceError, InputError
from ..media.image import load_image
from ..styles.spec import StyleSpec, style_item
from ..styles.style import Style, blend
from .base import Stylizer, check_frames, own_options, per_frame_styles
from .color import keep_colors
from .features import FeatureNetwork, import_torch, load_features
from .options.gatys import Gatys
from .resample import working_size

SCENE_CUT_UNMATCHED = 0.8  # FlowPair.unmatched_fraction above which the flow is noise


# ---------------------------------------------------------------------------------------
# Losses (tensors in, scalar tensors out)


def gram(features: Any) -> Any:
    """Gram matrix ``F F^T / (C h w)`` of a 1xCxhxw activation tensor (C x C)."""
    _, c, h, w = features.shape
    flat = features.reshape(c, h * w)
    return flat @ flat.t() / (c * h * w)


def content_loss(features: Any, target: Any) -> Any:
    """``mean((F - P)^2) / mean(P^2)``: the content layer's error relative to its energy."""
    return ((features - target) ** 2).mean() / ((target**2).mean() + 1e-8)


def style_loss(grams: Sequence[Any], targets: Sequence[Any]) -> Any:
    """Mean over layers of ``sum((G - A)^2) / sum(A^2)`` for Gram matrices G and targets A."""
    terms = [
        ((g - a) ** 2).sum() / ((a**2).sum() + 1e-12) for g, a in zip(grams, targets, strict=True)
    ]
    return sum(terms) / len(terms)


def tv_loss(image: Any) -> Any:
    """Total variation ``mean(dx^2) + mean(dy^2)`` of a 1x3xHxW image."""
    dx = image[:, :, :, 1:] - image[:, :, :, :-1]
    dy = image[:, :, 1:, :] - image[:, :, :-1, :]
    return (dx**2).mean() + (dy**2).mean()


def temporal_loss(image: Any, warped: Any, reliable: Any) -> Any:
    """Ruder et al.'s short-term loss ``sum(c * (x - w)^2) / (3 H W)``; c is a 1x1xHxW mask."""
    return (reliable * (image - warped) ** 2).sum() / image[0].numel()


def optimize(
    init: Any,
    loss_fn: Callable[[Any], Any],
    iterations: int,
    optimizer: str = "lbfgs",
    learning_rate: float = 0.02,
) -> Any:
    """Minimise ``loss_fn(image)`` over an image tensor in [0, 1], starting from ``init``.

    L-BFGS runs ``iterations`` iterations (one ``step`` call); Adam runs ``iterations``
    steps. The image is clamped to [0, 1] before every evaluation. Returns the image,
    detached.
    """
    torch = import_torch()
    x = init.detach().clone().requires_grad_(True)
    if optimizer == "lbfgs":
        opt = torch.optim.LBFGS(
            [x], lr=1.0, max_iter=iterations, history_size=20, line_search_fn="strong_wolfe"
        )
    else:
        opt = torch.optim.Adam([x], lr=learning_rate)

    def closure() -> Any:
        with torch.no_grad():
            x.clamp_(0.0, 1.0)
        opt.zero_grad()
        loss = loss_fn(x)
        loss.backward()
        return loss

    if optimizer == "lbfgs":
        opt.step(closure)
    else:
        for _ in range(iterations):
            opt.step(closure)
    with torch.no_grad():
        x.clamp_(0.0, 1.0)
    return x.detach()


# ---------------------------------------------------------------------------------------


class GatysStylizer(Stylizer):
    """Paints frames by optimizing each one (Gatys et al.); one feature network at a time.

    Video: when :meth:`start_video` is called, each frame starts from the previous output
    (the report's 5.1.2); with ``temporal="flow"`` that output is first warped along the
    source's optical flow and a temporal loss on reliable pixels is added (Ruder et al.).
    Frames must then come in order; :meth:`reset` forgets the past.
    """

    name = "gatys"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.torch = import_torch()
        self.settings = own_options(self.method, Gatys)
        self.space = f"gatys-{self.settings.features}"  # Gram matrices of this network
        device = self.engine.device
        if device == "cuda" and not self.torch.cuda.is_available():
            raise DeviceError("device 'cuda' is not available to PyTorch; use --device cpu")
        self._device = "cuda" if device != "cpu" and self.torch.cuda.is_available() else "cpu"
        self._net: FeatureNetwork | None = None
        self.temporal: str | None = None  # None: independent images
        self._flow = None
        self.reset()

    # -- set-up ---------------------------------------------------------------------------

    @property
    def net(self) -> FeatureNetwork:
        """The feature network (loaded on first use)."""
        if self._net is None:
            self._net = load_features(self.settings.features, self.engine.model_dir).to(
                self._device
            )
        return self._net

    @property
    def network_description(self) -> str:
        """Which network measured the losses, in words, for reports and --help."""
        return self.net.description

    def active_device(self) -> str:
        """The device PyTorch optimizes on."""
        return self._device

    def side(self) -> int:
        """Longest side of the optimized image."""
        cap = self.look.max_size or self.settings.gatys_size
        return min(cap, self.settings.gatys_size)

    def start_video(self, temporal: str) -> bool:
        """Frames of one video follow in order; True when ``temporal`` is handled here.

        ``"flow"``: warped initialization and temporal loss (no post-filter needed);
        ``"none"``: initialization from the previous output only; ``"blend"``: the same,
        and the pipeline's blend filter runs afterwards (returns False).
        """
        self.temporal = temporal
        self.reset()
        if temporal == "flow":
            from ..temporal.flow import FlowEstimator

            self._flow = FlowEstimator()
        return temporal in ("flow", "none")

    def reset(self) -> None:
        """Forget the previous frame: the next one starts from its content."""
        self._prev_source: np.ndarray | None = None
        self._prev_output: np.ndarray | None = None

    # -- styles -----------------------------------------------------------------------------

    def _to_tensor(self, image: np.ndarray) -> Any:
        """HxWx3 uint8 (or float32 in [0, 1]) to a 1x3xHxW float32 tensor on the device."""
        arr = image.astype(np.float32) / 255.0 if image.dtype == np.uint8 else image
        t = self.torch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))[None]
        return t.to(self._device)

    def _features(self, x: Any) -> dict[str, Any]:
        return self.net(x)

    def gram_vector(self, image: np.ndarray) -> np.ndarray:
        """The Gram matrices of an HxWx3 uint8 image in every style layer, as one vector."""
        with self.torch.no_grad():
            feats = self._features(self._to_tensor(image))
            parts = [gram(feats[layer]).reshape(-1) for layer in self.net.style_layers]
        return self.torch.cat(parts).cpu().numpy()

    def _unflatten(self, vector: np.ndarray) -> list[Any]:
        out, start = [], 0
        for layer in self.net.style_layers:
            c = self.net.channels[layer]
            out.append(self.torch.from_numpy(vector[start : start + c * c].reshape(c, c)))
            start += c * c
        if start != vector.size:
            raise InputError(f"this style was made for another feature network than {self.space}")
        return [g.to(self._device) for g in out]

    def style_image(self, image: np.ndarray, fit: str = "crop") -> np.ndarray:
        """The painting as the optimizer sees it: centre square (crop) or whole, at work size."""
        if fit == "crop":
            h, w = image.shape[:2]
            s = min(h, w)
            image = image[(h - s) // 2 : (h - s) // 2 + s, (w - s) // 2 : (w - s) // 2 + s]
        h, w = image.shape[:2]
        scale = self.side() / max(h, w)
        size = (max(16, round(w * scale)), max(16, round(h * scale)))
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        return cv2.resize(image, size, interpolation=interp)

    def resolve(self, styles: Any) -> Style:
        """Turn style image paths/specs/arrays (or a list to blend) into one Gram-matrix Style.

        Raises:
            InputError: a built-in style, a style of another method, or an unreadable image.
        """
        items = list(styles) if isinstance(styles, list | tuple) else [styles]
        if not items:
            raise InputError("no style given; use --style painting.jpg")
        resolved, weights = [], []
        for item in items:
            spec = style_item(item)
            if isinstance(spec, Style):
                self.check_style(spec)
                resolved.append(spec)
                weights.append(1.0)
                continue
            if isinstance(spec, StyleSpec):
                if spec.builtin is not None:
                    raise InputError(
                        "the gatys method paints from style images; built-in styles belong to "
                        "the 26-style network (--method network)"
                    )
                image = load_image(spec.source)
                label, weight = os.path.basename(spec.source), spec.weight
            else:
                image, label, weight = load_image(spec), "image", 1.0
            vector = self.gram_vector(self.style_image(image, self.look.style_fit))
            resolved.append(Style(self.space, vector, label))
            weights.append(weight)
        return blend(resolved, weights)

    def check_style(self, style: Style) -> None:
        """Raise InputError unless ``style`` holds Gram matrices of this feature network."""
        if style.space != self.space:
            raise InputError(
                f"the gatys method ({self.space}) cannot paint a {style.space} style; "
                "give it style images"
            )

    def content_style(self, frame: np.ndarray, style: Style | None = None) -> Style | None:
        """The content's own Gram matrices, the strength-0 end of the interpolation (None at
        full strength)."""
        if self.look.strength >= 1.0:
            return None
        h, w = frame.shape[:2]
        size = working_size(h, w, self.side())
        small = cv2.resize(frame, size[::-1], interpolation=cv2.INTER_AREA)
        return Style(self.space, self.gram_vector(small), "content")

    # -- painting ---------------------------------------------------------------------------

    def stylize(
        self,
        frames: Sequence[np.ndarray],
        style: Style | Sequence[Style],
        content_style: Style | None = None,
    ) -> list[np.ndarray]:
        """Paint HxWx3 uint8 frames (in video order) by optimization; same-size uint8 out."""
        check_frames(frames)
        styles = per_frame_styles(style, len(frames))
        for s in styles:
            self.check_style(s)
        out = []
        for frame, s in zip(frames, styles, strict=True):
            if self.look.strength < 1.0:
                own = content_style or self.content_style(frame)
                assert own is not None
                s = own.mix(s, self.look.strength)
            painted = self.paint(frame, s)
            if self.look.preserve_color:
                painted = keep_colors(painted, frame)
            out.append(painted)
        return out

    def losses(self, content: Any, target_grams: list[Any]) -> Callable[..., Any]:
        """The objective for one frame: ``fn(image, warped=None, reliable=None)``."""
        net, s = self.net, self.settings
        with self.torch.no_grad():
            target = self._features(content)[net.content_layer]

        def objective(x: Any, warped: Any = None, reliable: Any = None) -> Any:
            feats = self._features(x)
            grams = [gram(feats[layer]) for layer in net.style_layers]
            total = s.content_weight * content_loss(feats[net.content_layer], target)
            total = total + s.style_weight * style_loss(grams, target_grams)
            total = total + s.tv_weight * tv_loss(x)
            if warped is not None:
                total = total + s.temporal_weight * temporal_loss(x, warped, reliable)
            return total

        return objective

    def paint(self, frame: np.ndarray, style: Style) -> np.ndarray:
        """Optimize one HxWx3 uint8 frame toward ``style``; returns HxWx3 uint8 of its size."""
        h, w = frame.shape[:2]
        wh, ww = working_size(h, w, self.side())
        small = (
            frame
            if (wh, ww) == (h, w)
            else cv2.resize(frame, (ww, wh), interpolation=cv2.INTER_AREA)
        )
        content = self._to_tensor(small)
        objective = self.losses(content, self._unflatten(style.vector))
        init, warped, reliable = content, None, None
        prev = self._prev_output if self.temporal is not None else None
        if prev is not None and prev.shape[:2] == (wh, ww):
            if self._flow is not None:
                pair = self._flow.pair(small, self._prev_source)
                if pair.unmatched_fraction <= SCENE_CUT_UNMATCHED:
                    from ..temporal.warping import warp

                    moved = warp(prev, pair.forward)
                    init = warped = self._to_tensor(moved)
                    mask = pair.reliable.astype(np.float32)[None, None]
                    reliable = self.torch.from_numpy(mask).to(self._device)
            else:
                init = self._to_tensor(prev)

        s = self.settings
        result = optimize(
            init,
            lambda x: objective(x, warped, reliable),
            s.iterations,
            s.optimizer,
            s.learning_rate,
        )
        image = result[0].permute(1, 2, 0).cpu().numpy()
        if self.temporal is not None:
            self._prev_source, self._prev_output = small, image
        if (wh, ww) != (h, w):
            image = cv2.resize(image, (w, h), interpolation=cv2.INTER_CUBIC)
        return np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)
