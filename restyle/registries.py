"""The lists of named choices: methods, temporal filters, keyframe pickers, transitions, ...

Each registry maps a name (what a user types: ``--temporal flow``) to what it stands for
and a one-line help. Entries name their target as ``"module:attribute"`` and are imported
only when used, so the command line can list every choice without loading OpenCV, ONNX
Runtime or PyTorch. The command line's choices and help texts, the job's validation and
the web page's menus all read these lists, so adding a method or a filter is adding a
module and one :meth:`Registry.add` line here (or in a plug-in, at run time).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .errors import InputError


@dataclass(frozen=True)
class Entry:
    """One registered choice: its name, what it stands for and a one-line help."""

    name: str
    target: Any  # an object, or "module:attribute" imported on first use
    help: str


class Registry:
    """Named choices of one kind, in the order they were added (the first is not the default)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry] = {}
        self._loaded: dict[str, Any] = {}

    def add(self, name: str, target: Any, help: str) -> None:
        """Register ``name``; ``target`` is an object or ``"module:attribute"``."""
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is registered already")
        self._entries[name] = Entry(name, target, help)

    def remove(self, name: str) -> None:
        """Forget ``name`` (plug-ins and tests that registered one)."""
        self._entries.pop(name, None)
        self._loaded.pop(name, None)

    @contextmanager
    def added(self, name: str, target: Any, help: str) -> Iterator[None]:
        """Register ``name`` for the duration of a ``with`` block."""
        self.add(name, target, help)
        try:
            yield
        finally:
            self.remove(name)

    def names(self) -> tuple[str, ...]:
        """The registered names, in order."""
        return tuple(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def entry(self, name: str) -> Entry:
        """The entry of ``name``; InputError naming the choices when there is none."""
        try:
            return self._entries[name]
        except KeyError:
            raise InputError(
                f"unknown {self.kind} {name!r}; use one of {', '.join(self._entries)}"
            ) from None

    def help(self, name: str) -> str:
        """The one-line help of ``name``."""
        return self.entry(name).help

    def load(self, name: str) -> Any:
        """What ``name`` stands for, imported on first use."""
        if name not in self._loaded:
            target = self.entry(name).target
            if isinstance(target, str) and ":" in target:
                module, _, attribute = target.partition(":")
                target = getattr(importlib.import_module(module), attribute)
            self._loaded[name] = target
        return self._loaded[name]

    def describe(self) -> str:
        """``name: help; name: help`` for a command line's help text."""
        return "; ".join(f"{e.name}: {e.help}" for e in self._entries.values())


STYLIZERS = Registry("method")
STYLIZERS.add(
    "network",
    "restyle.stylizers.network:NetworkStylizer",
    "the arbitrary-style network (Ghiasi et al. 2017), or the 26-style network for built-in "
    "styles; one pass per frame",
)
STYLIZERS.add(
    "gatys",
    "restyle.stylizers.gatys:GatysStylizer",
    'Gatys et al.\'s optimization, slow, needs PyTorch: pip install "restyle[gatys]"',
)
STYLIZERS.add(
    "segmented",
    "restyle.stylizers.segmented:SegmentedStylizer",
    "a GrabCut foreground and the background painted apart and combined",
)

TEMPORAL_FILTERS = Registry("temporal filter")
TEMPORAL_FILTERS.add(
    "flow",
    "restyle.temporal.filters.two_way:TwoWayFlowFilter",
    "each frame averaged with the painted frames before and after it, moved along the "
    "optical flow, where the flow is reliable and most where the paint is textured",
)
TEMPORAL_FILTERS.add(
    "forward",
    "restyle.temporal.filters.forward:FlowFilter",
    "the previous painted frame moved along the flow and blended in; holds no frames back, "
    "but leaves more flicker than flow at the same sharpness",
)
TEMPORAL_FILTERS.add(
    "blend",
    "restyle.temporal.filters.blend:BlendFilter",
    "the previous painted frame blended in without moving it (ghosts on motion)",
)
TEMPORAL_FILTERS.add(
    "none",
    "restyle.temporal.filters.base:TemporalFilter",
    "every frame painted on its own (flickers)",
)

FLOW_QUALITIES = Registry("flow quality")
# DIS optical flow settings (variational refinement iterations, patch stride, gradient
# descent iterations). "fast" costs a third of OpenCV's DIS "fast" preset's time at 640 px;
# "high" is that preset as OpenCV sets it: on the shared clips 6-9 % less flicker at the
# same sharpness, 10 % less on fast motion, for 7-11 % fewer frames per second end to end
# on 2 CPU cores (benchmarks/temporal.py)
FLOW_QUALITIES.add("fast", (0, 5, 12), "the quick solve (default)")
FLOW_QUALITIES.add(
    "high",
    (5, 4, 16),
    "a finer solve: 6-10 % less flicker at the same sharpness, about a tenth slower",
)

KEYFRAME_PICKERS = Registry("keyframe method")
KEYFRAME_PICKERS.add(
    "diverse",
    "restyle.styles.keyframes:pick_diverse",
    "frames far apart in style space, skipping dark, flat, blurry and mid-transition frames",
)
KEYFRAME_PICKERS.add(
    "uniform", "restyle.styles.keyframes:pick_uniform", "the middle frame of each of N equal parts"
)
KEYFRAME_PICKERS.add(
    "change", "restyle.styles.keyframes:pick_change", "where the picture changes most"
)

TRANSITIONS = Registry("transition")
TRANSITIONS.add(
    "segments",
    "restyle.styles.plan:plan_segments",
    "styles take turns, one part of the video each, handing over smoothly",
)
TRANSITIONS.add(
    "follow",
    "restyle.styles.plan:plan_follow",
    "the style follows the style video's own time, smoothed so its cuts do not jump",
)

EASINGS = Registry("easing")
EASINGS.add("smooth", "restyle.styles.schedule:smoothstep", "starts and stops gently")
EASINGS.add("linear", "restyle.styles.schedule:linear", "constant speed")
EASINGS.add("cosine", "restyle.styles.schedule:cosine", "half a cosine wave")

PRECISIONS = Registry("precision")
PRECISIONS.add(
    "auto",
    "auto",
    "the fastest that paints like float on the backend: int8 on openvino, float on onnxruntime",
)
PRECISIONS.add(
    "float", "float", "the shipped weights dequantized and rebuilt as a fast float graph"
)
PRECISIONS.add("bf16", "bf16", "that graph computed in bf16 (openvino; AVX512-BF16 CPUs)")
PRECISIONS.add(
    "int8",
    "int8",
    "that graph with int8 convolutions calibrated on real frames, a few layers in bf16 "
    "(openvino; VNNI CPUs)",
)
PRECISIONS.add("shipped", "shipped", "the shipped quantized graph as it is (onnxruntime)")

BACKENDS = Registry("backend")
BACKENDS.add("auto", "auto", "openvino where it is installed and the networks run on the CPU")
BACKENDS.add("onnxruntime", "onnxruntime", "ONNX Runtime: CPU or CUDA; float and shipped")
BACKENDS.add(
    "openvino",
    "openvino",
    "OpenVINO (pip install 'restyle[openvino]'): CPU; float, bf16 and int8",
)

DEVICES = Registry("device")
DEVICES.add("auto", "auto", "CUDA when this ONNX Runtime build has it, else the CPU")
DEVICES.add("cpu", "cpu", "the CPU")
DEVICES.add("cuda", "cuda", "an NVIDIA GPU (needs onnxruntime-gpu); an error if it cannot start")

EXECUTORS = Registry("executor")
EXECUTORS.add(
    "local",
    "restyle.rendering.executors:LocalExecutor",
    "chunks rendered by processes on this machine (--workers N)",
)
EXECUTORS.add(
    "ray",
    "restyle.rendering.ray_executor:RayExecutor",
    "chunks rendered as tasks on a Ray cluster (pip install 'restyle[ray]'; --ray-address)",
)
