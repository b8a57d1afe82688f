"""The networks restyle runs, loaded once per (device, folder, precision, backend) and reused.

Two backends run the style transformers: ONNX Runtime (CPU or CUDA) and, where the optional
``openvino`` package is installed, OpenVINO (CPU). Precisions:

* ``float``: the shipped weights dequantized and rebuilt as a fast float graph;
* ``bf16``: that graph computed in bf16 (OpenVINO, on CPUs with AVX512-BF16);
* ``int8``: that graph with int8 convolutions, calibrated on real frames
  (:mod:`restyle.models.quantize`; OpenVINO);
* ``shipped``: the shipped quantized graph as it is (ONNX Runtime; the arbitrary-style
  transformer only, the others fall back to ``float``);
* ``auto`` (default): the fastest that paints like ``float`` on the backend in use
  (:data:`AUTO_PRECISION`, chosen in benchmarks/speed/precision.py): int8 on OpenVINO
  where the CPU has VNNI or AMX, else float.

The style predictor runs once per style image and always in float (or ``shipped``).
"""

from __future__ import annotations

import functools
import os

import numpy as np

from ..errors import InputError, ModelError
from .location import locate
from .session import CPU_PROVIDER, create_session, session_device
from .trained import DEFAULT_MODEL, weights_name

PRECISIONS = ("auto", "float", "bf16", "int8", "shipped")
BACKENDS = ("auto", "onnxruntime", "openvino")
# what "auto" means on each backend: the fastest precision that meets the look criteria
# (warp error within 5 % of float's, SSIM to float >= 0.97, style distance within 2 %)
AUTO_PRECISION = {"onnxruntime": "float", "openvino": "int8"}
BACKEND_PRECISIONS = {
    "onnxruntime": ("float", "shipped"),
    "openvino": ("float", "bf16", "int8"),
}
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


def resolve_engine(device: str, backend: str = "auto", precision: str = "auto") -> tuple[str, str]:
    """The (backend, precision) a network runs with, ``auto`` made concrete.

    ``backend="auto"`` is OpenVINO where it is installed and the network runs on the CPU,
    else ONNX Runtime. Raises InputError for an unknown name or a combination that does
    not exist (bf16 or int8 without OpenVINO, OpenVINO on CUDA), saying what to do.
    """
    from .openvino import cpu_has_int8_dot, openvino_available
    from .session import providers_for

    _check_precision(precision)
    if backend not in BACKENDS:
        raise InputError(f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")
    on_cpu = providers_for(device)[0] == CPU_PROVIDER
    if backend == "openvino" and not on_cpu:
        raise InputError("the openvino backend runs on the CPU; use --device cpu")
    if backend == "auto":
        needs_ov = precision in ("bf16", "int8")
        use_ov = on_cpu and (needs_ov or precision != "shipped") and openvino_available()
        backend = "openvino" if use_ov else "onnxruntime"
    if precision == "auto":
        precision = AUTO_PRECISION[backend]
        if precision == "int8" and not cpu_has_int8_dot():
            precision = "float"  # int8 meets the look criteria on VNNI CPUs only
    if precision not in BACKEND_PRECISIONS[backend]:
        hint = (
            "pip install 'restyle[openvino]' and use --backend openvino (CPU)"
            if backend == "onnxruntime"
            else "use --backend onnxruntime"
        )
        raise InputError(f"--precision {precision} does not run on {backend}: {hint}")
    return backend, precision


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
        from .phases import from_phases, to_phases

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
    from .generated import generated_key, generated_model

    name = "arbitrary_predict"
    if precision == "shipped":
        path = locate(name, model_dir)
    else:  # the int8 weights folded into float, once, into the cache
        key = generated_key(_verified_sha(name, model_dir), "float")
        path = generated_model(f"{name}-float", key, lambda: _dequantized(name, model_dir))
    return StylePredictor(create_session(os.fspath(path), device))


def _dequantized(name: str, model_dir: str | None):
    """Shipped network ``name`` with its int8 weights folded into float."""
    from .graph import dequantize

    return dequantize(_load(name, model_dir))


def network_weights(name: str, model_dir: str | None, model: str = DEFAULT_MODEL):
    """The float weights of transformer ``name`` as ``model`` paints: shipped, or trained here.

    Raises:
        ModelError: a file is missing, unreadable, or not the expected network.
    """
    from .graph import dequantize, extract_multistyle_weights, extract_transformer_weights
    from .trained import apply_difference

    graph = _load(name, model_dir)
    try:
        if name == "multistyle26":
            weights = extract_multistyle_weights(graph)
        else:
            weights = extract_transformer_weights(dequantize(graph))
    except KeyError as exc:
        raise ModelError(f"{name}.onnx is not the expected network: {exc}") from None
    trained = weights_name(model, name)
    if trained is None:
        return weights
    return apply_difference(weights, locate(trained, model_dir), _verified_sha(name, model_dir))


def _verified_sha(name: str, model_dir: str | None) -> str:
    """The SHA-256 of network ``name``'s file: :func:`locate` checks the file against the
    registry's digest (full for the transformers), so the file is not read again for it."""
    from .registry import get_spec

    locate(name, model_dir)
    return get_spec(name).sha256


def _fast_graph(
    name: str, model_dir: str | None, model: str = DEFAULT_MODEL, reflect_border: bool = True
):
    """The fast float graph of transformer ``name`` as ``model`` paints it (``reflect_border``:
    see :func:`~restyle.models.graph.build_fast_transformer`)."""
    from .graph import build_fast_transformer

    weights = network_weights(name, model_dir, model)
    return build_fast_transformer(weights, reflect_border=reflect_border)


def int8_source_graph(name: str, model_dir: str | None, model: str = DEFAULT_MODEL):
    """The float graph the int8 graph of transformer ``name`` is quantized from, and its
    calibration measured on: the blurred stride's phases edge-padded, which OpenVINO's int8
    compiles faithfully where it strays on the exact padding
    (:func:`~restyle.models.graph.build_fast_transformer`)."""
    return _fast_graph(name, model_dir, model, reflect_border=False)


def generated_graph(name: str, model_dir: str | None, precision: str, model: str = DEFAULT_MODEL):
    """Path of the cached graph of transformer ``name`` for ``precision`` (built once).

    ``float`` and ``bf16`` share the fast float graph; ``int8`` is it quantized with the
    calibration table of the weights ``model`` paints with
    (:func:`restyle.models.quantize.quantize_transformer`).
    """
    from .generated import generated_key, generated_model

    trained = weights_name(model, name)
    label = trained or name
    shas = [_verified_sha(n, model_dir) for n in (name, trained) if n]
    if precision == "int8":
        from .calibration_table import load_table

        table = load_table(label)

        def build():
            from .quantize import quantize_transformer  # onnx: only where not cached yet

            return quantize_transformer(int8_source_graph(name, model_dir, model), table)

        key = generated_key("+".join(shas), "int8", table.to_json())
        return generated_model(f"{label}-int8", key, build)
    key = generated_key("+".join(shas), "float")
    return generated_model(f"{label}-float", key, lambda: _fast_graph(name, model_dir, model))


@functools.lru_cache(maxsize=8)
def _network(
    name: str,
    device: str,
    model_dir: str | None,
    backend: str,
    precision: str,
    threads: int | None,
    model: str = DEFAULT_MODEL,
) -> StyleTransformer:
    dim = BUILTIN_STYLES if name == "multistyle26" else STYLE_DIM
    if backend == "openvino":
        from .openvino import OpenVINONetwork

        graph = generated_graph(name, model_dir, precision, model)
        network = OpenVINONetwork(graph, precision, threads)
        return StyleTransformer(network, True, dim)
    if precision == "shipped" and name == "arbitrary_transform":
        from .graph import make_dynamic

        model = _load(name, model_dir)
        make_dynamic(model, {model.graph.input[0].name: (1, 2)})
        session = create_session(model.SerializeToString(), device, threads)
        return StyleTransformer(session, fast=False)
    graph = generated_graph(name, model_dir, "float", model)
    return StyleTransformer(create_session(os.fspath(graph), device, threads), True, dim)


def load_predictor(
    device: str = "auto", model_dir: str | os.PathLike[str] | None = None, precision: str = "auto"
) -> StylePredictor:
    """The style prediction network (ONNX Runtime), loaded once and reused.

    It runs once per style image, so it always runs the int8 weights dequantized (no
    activation rounding), whatever the transformer's precision; ``"shipped"`` runs the
    shipped quantized graph as it is.
    """
    _check_precision(precision)
    return _predictor(device, _key(model_dir), "shipped" if precision == "shipped" else "float")


def load_transformer(
    device: str = "auto",
    model_dir: str | os.PathLike[str] | None = None,
    precision: str = "auto",
    threads: int | None = None,
    backend: str = "auto",
    model: str = DEFAULT_MODEL,
) -> StyleTransformer:
    """The arbitrary-style transformer at any input size, loaded once and reused.

    ``precision`` and ``backend``: see the module docstring and :func:`resolve_engine`.
    ``threads``: threads per call (None: one per core). ``model``: which weights paint
    (:data:`restyle.models.trained.MODELS`); ``shipped`` precision is the original's file.
    """
    backend, precision = resolve_engine(device, backend, precision)
    if precision == "shipped":
        model = "original"
    weights_name(model, "arbitrary_transform")  # an unknown model fails here, named
    args = (device, _key(model_dir), backend, precision, threads, model)
    return _network("arbitrary_transform", *args)


def load_multistyle(
    device: str = "auto",
    model_dir: str | os.PathLike[str] | None = None,
    threads: int | None = None,
    precision: str = "auto",
    backend: str = "auto",
    model: str = DEFAULT_MODEL,
) -> StyleTransformer:
    """The 26-built-in-style network, rebuilt as a fast graph, loaded once and reused.

    ``shipped`` precision paints with the float graph: the shipped file is float already.
    ``model``: as for :func:`load_transformer`; the stylizer picks ``original`` for the built-in
    styles the trained network does not paint well (:func:`restyle.models.trained.painting_model`).
    """
    backend, precision = resolve_engine(device, backend, precision)
    if precision == "shipped":
        precision = "float"
    args = (device, _key(model_dir), backend, precision, threads, model)
    return _network("multistyle26", *args)
