"""The OpenVINO backend: a generated graph compiled for the CPU in bf16 or int8.

OpenVINO (an optional extra, ``pip install "restyle[openvino]"``) runs the same ONNX graphs
as ONNX Runtime; on CPUs with AVX512-BF16 and VNNI its oneDNN kernels compute in bf16 or,
on a calibrated QDQ graph (:mod:`restyle.models.quantize`), int8, about 1.7x and 2.5x as
fast as ONNX Runtime's float graph on the 2-core benchmark machine
(benchmarks/speed/precision.py). :class:`OpenVINONetwork` offers the part of an ONNX Runtime
session that :class:`restyle.models.networks.StyleTransformer` uses (``get_inputs``,
``run``), so the two backends are interchangeable.

A model is compiled for each input shape it meets (a video has one; compiling takes about
0.7 s, less once OpenVINO has kept the compiled network in the cache folder) and, since
an OpenVINO request serves one call at a time, once per calling thread: frames painted
side by side each get their own compiled copy, with ``threads`` threads.

OpenVINO is imported with its usage telemetry off (:func:`import_openvino`): importing the
``openvino`` package sends an event to Intel from a worker thread, which starts a
``multiprocessing`` process by ``fork``. In a render that fork copies a process full of
threads (decoding, painting, flow), and the copy can hang for good cleaning up the
thread-local objects of threads it does not have (seen in a test: the child stuck in
PyAV's scaler, the render waiting on it at exit). A restyle run sends nothing anywhere.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelError

__all__ = ["OpenVINONetwork", "cpu_has_int8_dot", "openvino_available", "OV_PRECISIONS"]

OV_PRECISIONS = {"float": "f32", "bf16": "bf16", "int8": "bf16"}  # hint for the non-int8 ops
SHAPES_KEPT = 4  # compiled shapes kept per thread


INT8_FLAGS = ("avx512_vnni", "avx_vnni", "amx_int8")  # CPU flags of the int8 dot products


@functools.cache
def cpu_has_int8_dot() -> bool:
    """Whether this CPU multiplies int8 in hardware (VNNI or AMX), which int8 is made for.

    Without it (AVX2 only) OpenVINO's int8 convolutions take a slower path whose rounding
    paints visibly unlike float (mean difference 0.04-0.08 against 0.01-0.02 with VNNI).
    Read from /proc/cpuinfo; where there is none (not Linux), assumed.
    """
    try:
        text = open("/proc/cpuinfo", encoding="utf-8", errors="replace").read()
    except OSError:
        return True
    flags = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.partition(":")[2].split())
    return any(flag in flags for flag in INT8_FLAGS)


def import_openvino():
    """The ``openvino`` module, imported with its usage telemetry off (module docstring).

    ``openvino-telemetry`` is made unimportable for this process unless something imported
    it already, so OpenVINO falls back to its own stub, which sends nothing.

    Raises:
        ImportError: OpenVINO is not installed.
    """
    sys.modules.setdefault("openvino_telemetry", None)  # None: "import" raises ImportError
    import openvino

    return openvino


def openvino_available() -> bool:
    """Whether the ``openvino`` package can be imported."""
    try:
        import_openvino()
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class _Input:
    name: str


class OpenVINONetwork:
    """An ONNX graph run by OpenVINO on the CPU, with ONNX Runtime's ``run`` interface.

    Arguments:
        path: the ONNX file (a generated graph from :mod:`restyle.models.generated`).
        precision: ``float``, ``bf16`` or ``int8`` (the graph carries the int8 part; the
            other ops then run in bf16).
        threads: threads per call (None: one per core).

    Raises:
        ModelError: OpenVINO is not installed or cannot read the graph.
    """

    device = "cpu"

    def __init__(self, path: Path, precision: str, threads: int | None = None) -> None:
        try:
            ov = import_openvino()
        except ImportError:
            raise ModelError(
                "the openvino backend needs OpenVINO: pip install 'restyle[openvino]', "
                "or use --backend onnxruntime"
            ) from None
        from .location import cache_dir

        self._core = ov.Core()
        # compiled networks are kept too: a second run compiles in a fraction of the time
        self._core.set_property({"CACHE_DIR": os.fspath(cache_dir() / "openvino")})
        try:
            self._model = self._core.read_model(os.fspath(path))
        except Exception as exc:  # OpenVINO raises its own RuntimeError subclasses
            raise ModelError(f"OpenVINO cannot read {path}: {exc}") from None
        self.precision = precision
        self._config = {
            "INFERENCE_PRECISION_HINT": OV_PRECISIONS[precision],
            "NUM_STREAMS": "1",
            "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_NUM_THREADS": str(threads or 0),
            # the cores are shared with decoding, flow and encoding: do not pin threads
            "ENABLE_CPU_PINNING": "NO",
        }
        self._inputs = [_Input(p.get_any_name()) for p in self._model.inputs]
        self._local = threading.local()
        self._lock = threading.Lock()  # reshaping the shared model is not thread-safe

    def get_inputs(self) -> list[_Input]:
        """The graph's inputs (objects with a ``name``), in order."""
        return list(self._inputs)

    def get_providers(self) -> list[str]:
        """What runs the graph, for messages (ONNX Runtime names its providers here)."""
        return ["OpenVINO CPU"]

    def _request(self, shapes: tuple[tuple[int, ...], ...]):
        cache = getattr(self._local, "compiled", None)
        if cache is None:
            cache = self._local.compiled = OrderedDict()
        if shapes in cache:
            cache.move_to_end(shapes)
            return cache[shapes]
        with self._lock:
            model = self._model.clone()
            model.reshape({i.name: list(s) for i, s in zip(self._inputs, shapes, strict=True)})
            compiled = self._core.compile_model(model, "CPU", self._config)
        request = cache[shapes] = compiled.create_infer_request()
        while len(cache) > SHAPES_KEPT:
            cache.popitem(last=False)
        return request

    def run(self, outputs: list[str] | None, feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run the graph on ``feed`` (input name -> array); the outputs as arrays, in order."""
        arrays = [np.ascontiguousarray(feed[i.name]) for i in self._inputs]
        request = self._request(tuple(a.shape for a in arrays))
        result = request.infer(dict(zip((i.name for i in self._inputs), arrays, strict=True)))
        return [np.array(v, copy=True) for v in result.values()]
