"""The networks restyle runs, loaded once per (device, folder, precision) and reused."""

from __future__ import annotations

import functools
import os

import numpy as np

from ..errors import InputError, ModelError
from .locate import locate
from .session import create_session, session_device

PRECISIONS = ("float", "int8")
STYLE_SIZE = 256  # the style predictor's input side
STYLE_DIM = 100  # length of a style vector
BUILTIN_STYLES = 26  # styles of the multistyle26 network
MULTIPLE = 4  # the transformers downsample twice by 2: sizes are padded to this multiple


def _load(name: str, model_dir: str | None):
    import onnx

    path = locate(name, model_dir)
    try:
        return onnx.load(str(path))
    except Exception as exc:  # protobuf decode errors have no common base
        raise ModelError(f"cannot read {path}: {exc}") from None


def _check_precision(precision: str) -> None:
    if precision not in PRECISIONS:
        raise InputError(f"unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}")


class StylePredictor:
    """Style prediction network: a 256x256 painting to a 100-number style vector."""

    def __init__(self, session) -> None:
        self.session = session
        self.input = session.get_inputs()[0].name
        self.device = session_device(session)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Style vectors (N x 100) of N x 256 x 256 x 3 float32 images in [0, 1]."""
        out = [
            self.session.run(None, {self.input: np.ascontiguousarray(img[None], np.float32)})[0]
            for img in images
        ]
        return np.concatenate(out).reshape(len(images), STYLE_DIM)


class StyleTransformer:
    """A style transformer network: content images + style vectors to stylized images.

    Serves both shipped transformers: the arbitrary-style one (100-number style vectors) and
    the 26-style one (26 style weights).
    """

    def __init__(self, session, fast: bool, style_dim: int = STYLE_DIM) -> None:
        self.session = session
        self.fast = fast
        self.style_dim = style_dim
        self.names = [i.name for i in session.get_inputs()]
        self.device = session_device(session)

    def run(self, content: np.ndarray, style: np.ndarray) -> np.ndarray:
        """Stylize N x H x W x 3 float32 images in [0, 1] (H, W multiples of 4) with style vectors.

        ``style`` is one vector or one per image. Returns N x H x W x 3 float32 in [0, 1].
        """
        from .graph import from_phases, to_phases

        style = np.asarray(style, np.float32).reshape(-1, self.style_dim)
        if len(style) == 1 and len(content) > 1:
            style = np.repeat(style, len(content), axis=0)
        if not self.fast:
            pairs = zip(content, style, strict=True)
            return np.concatenate([self._run_shipped(img, vec) for img, vec in pairs])
        # the graph takes one style per call: run each run of equal vectors together
        out, i = [], 0
        while i < len(content):
            j = i + 1
            while j < len(content) and np.array_equal(style[j], style[i]):
                j += 1
            feed = {self.names[0]: to_phases(content[i:j]), self.names[1]: style[i : i + 1]}
            out.append(from_phases(self.session.run(None, feed)[0]))
            i = j
        return np.concatenate(out) if len(out) > 1 else out[0]

    def _run_shipped(self, image: np.ndarray, vec: np.ndarray) -> np.ndarray:
        """One image through the shipped graph (NHWC content, 1x1x1x100 style)."""
        feed = {
            self.names[0]: np.ascontiguousarray(image[None], np.float32),
            self.names[1]: vec.reshape(1, 1, 1, self.style_dim),
        }
        return self.session.run(None, feed)[0]


def _key(model_dir: str | os.PathLike[str] | None) -> str | None:
    return os.fspath(model_dir) if model_dir is not None else None


@functools.lru_cache(maxsize=8)
def _predictor(device: str, model_dir: str | None, precision: str) -> StylePredictor:
    from .graph import dequantize

    model = _load("arbitrary_predict", model_dir)
    if precision == "float":
        model = dequantize(model)
    return StylePredictor(create_session(model.SerializeToString(), device))


@functools.lru_cache(maxsize=8)
def _transformer(
    device: str, model_dir: str | None, precision: str, threads: int | None
) -> StyleTransformer:
    from .graph import (
        build_fast_transformer,
        dequantize,
        extract_transformer_weights,
        make_dynamic,
    )

    model = _load("arbitrary_transform", model_dir)
    if precision == "int8":
        make_dynamic(model, {model.graph.input[0].name: (1, 2)})
        session = create_session(model.SerializeToString(), device, threads)
        return StyleTransformer(session, fast=False)
    try:
        weights = extract_transformer_weights(dequantize(model))
    except KeyError as exc:
        raise ModelError(f"arbitrary_transform.onnx is not the expected network: {exc}") from None
    fast = build_fast_transformer(weights)
    return StyleTransformer(create_session(fast.SerializeToString(), device, threads), fast=True)


@functools.lru_cache(maxsize=4)
def _multistyle(device: str, model_dir: str | None, threads: int | None) -> StyleTransformer:
    from .graph import build_fast_transformer, extract_multistyle_weights

    try:
        weights = extract_multistyle_weights(_load("multistyle26", model_dir))
    except KeyError as exc:
        raise ModelError(f"multistyle26.onnx is not the expected network: {exc}") from None
    fast = build_fast_transformer(weights)
    session = create_session(fast.SerializeToString(), device, threads)
    return StyleTransformer(session, True, BUILTIN_STYLES)


def load_predictor(
    device: str = "auto", model_dir: str | os.PathLike[str] | None = None, precision: str = "float"
) -> StylePredictor:
    """The style prediction network, loaded once and reused.

    ``precision="float"`` runs the int8 weights dequantized (no activation rounding);
    ``"int8"`` runs the shipped quantized graph as it is.
    """
    _check_precision(precision)
    return _predictor(device, _key(model_dir), precision)


def load_transformer(
    device: str = "auto",
    model_dir: str | os.PathLike[str] | None = None,
    precision: str = "float",
    threads: int | None = None,
) -> StyleTransformer:
    """The style transformer at any input size, loaded once and reused.

    ``precision="float"`` (default) is the dequantized network rebuilt as a fast graph
    (:func:`restyle.models.graph.build_fast_transformer`); ``"int8"`` is the shipped
    quantized graph with its input size freed. ``threads``: ONNX Runtime's threads per call
    (None: one per core).
    """
    _check_precision(precision)
    return _transformer(device, _key(model_dir), precision, threads)


def load_multistyle(
    device: str = "auto",
    model_dir: str | os.PathLike[str] | None = None,
    threads: int | None = None,
) -> StyleTransformer:
    """The 26-built-in-style network, rebuilt as a fast graph, loaded once and reused."""
    return _multistyle(device, _key(model_dir), threads)
