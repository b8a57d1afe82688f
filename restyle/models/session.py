"""ONNX Runtime sessions: device choice, threads, and a clear error when CUDA cannot start."""

from __future__ import annotations

import os

from ..errors import DeviceError, InputError, ModelError

DEVICES = ("auto", "cpu", "cuda")
CPU_PROVIDER = "CPUExecutionProvider"
_PROVIDER = {"cuda": "CUDAExecutionProvider", "cpu": CPU_PROVIDER}


# ONNX Runtime 1.32's Linux wheels record usage events (a device id, one event a process,
# more a session) under ~/.cache/Microsoft and upload them; this variable, read once when
# onnxruntime is first imported, turns all of it off (microsoft/onnxruntime#27379)
TELEMETRY_OFF = ("ORT_DISABLE_TELEMETRY", "1")


def import_onnxruntime():
    """``onnxruntime``, imported with its usage telemetry off (unless the user set
    ``ORT_DISABLE_TELEMETRY`` themselves): rendering a video sends nothing anywhere."""
    os.environ.setdefault(*TELEMETRY_OFF)
    import onnxruntime

    return onnxruntime


def available_devices() -> list[str]:
    """Devices this ONNX Runtime build can use, e.g. ``["cuda", "cpu"]``."""
    ort = import_onnxruntime()

    names = ort.get_available_providers()
    return [d for d in ("cuda", "cpu") if _PROVIDER[d] in names]


def providers_for(device: str) -> list[str]:
    """ONNX Runtime providers for ``device`` (auto, cpu or cuda).

    Raises:
        InputError: unknown device name.
        DeviceError: CUDA asked for and this onnxruntime build has no CUDA provider.
    """
    if device not in DEVICES:
        raise InputError(f"unknown device {device!r}; use one of {', '.join(DEVICES)}")
    found = available_devices()
    if device == "cpu" or (device == "auto" and "cuda" not in found):
        return [_PROVIDER["cpu"]]
    if "cuda" not in found:
        raise DeviceError(
            "device 'cuda' is not available: this onnxruntime build has no CUDA provider; "
            "install onnxruntime-gpu in place of onnxruntime, or use --device cpu"
        )
    return [_PROVIDER["cuda"], _PROVIDER["cpu"]]


def create_session(
    model: bytes | str | os.PathLike[str],
    device: str = "auto",
    threads: int | None = None,
    keep_memory: bool = True,
):
    """Open an ONNX Runtime session on ``device`` and check it really runs there.

    ONNX Runtime silently falls back to the CPU when CUDA libraries fail to load; with
    ``device="cuda"`` that is an error, with ``auto`` the CPU is used. ``threads``: threads
    per call, for sessions run from several threads at once (None: one per core).
    ``keep_memory=False``: give memory back after each call instead of keeping the largest
    call's in an arena (for many sessions that run in turn, as the tile painter's do).

    Raises:
        DeviceError: CUDA was asked for and could not start.
        ModelError: the model cannot be loaded.
    """
    ort = import_onnxruntime()

    providers = providers_for(device)
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        # a share of the cores, for calls made side by side (restyle.pipeline): each call
        # then allocates as it goes instead of holding a whole pre-planned block, which
        # kept 1.5 GiB resident for two 1280x720 frames of the 26-style network (1.2
        # without) at about 1 % of the speed
        opts.intra_op_num_threads = threads
        opts.enable_mem_pattern = False
    if not keep_memory:
        opts.enable_cpu_mem_arena = False
        opts.enable_mem_pattern = False
    source = model if isinstance(model, bytes) else os.fspath(model)
    try:
        session = ort.InferenceSession(source, opts, providers=providers)
    except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if providers[0] == _PROVIDER["cuda"] and device == "cuda":
            raise DeviceError(f"CUDA could not start: {first}") from None
        raise ModelError(f"cannot load the network: {first}") from None
    if device == "cuda" and session.get_providers()[0] != _PROVIDER["cuda"]:
        raise DeviceError(
            "CUDA could not start (onnxruntime fell back to the CPU); check the CUDA and cuDNN "
            "libraries, or use --device cpu"
        )
    return session


def session_device(session) -> str:
    """The device a session actually runs on: ``"cuda"`` or ``"cpu"``."""
    return "cuda" if session.get_providers()[0] == _PROVIDER["cuda"] else "cpu"
