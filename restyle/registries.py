"""The lists of named choices: methods, temporal filters, keyframe pickers, transitions, ...

Each registry maps a name (what a user types: ``--temporal flow``) to what it stands for
and a one-line help. Entries name their target as ``"module:attribute"`` and are imported
only when used, so the command line can list every choice without loading OpenCV, ONNX
Runtime or PyTorch. The command line's choices and help texts, the job's validation and
the web page's menus all read these lists.

Methods and flicker filters own their options: each is registered by the module that
declares its options (``restyle/stylizers/options/gatys.py`` registers ``gatys`` with its
:class:`~restyle.stylizers.options.Gatys` options, see :meth:`Registry.register`), so adding
a method or a filter is adding a file. Those registries import their built-in modules the
first time they are read.
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
    options: Any = None  # the class of the choice's own options (methods, filters), if any


class Registry:
    """Named choices of one kind, in the order they were added (the first is not the default)."""

    def __init__(self, kind: str, *, flag: str | None = None, builtins: str | None = None) -> None:
        self.kind = kind
        self.flag = flag  # the command line flag that chooses, e.g. "--method"
        self._builtins = builtins  # a module that registers the built-in choices
        self._entries: dict[str, Entry] = {}
        self._loaded: dict[str, Any] = {}

    def _ready(self) -> dict[str, Entry]:
        """The entries, once the module that registers the built-in ones is imported."""
        if self._builtins is not None:
            module, self._builtins = self._builtins, None
            importlib.import_module(module)
        return self._entries

    def add(self, name: str, target: Any, help: str, *, options: Any = None) -> None:
        """Register ``name``; ``target`` is an object or ``"module:attribute"``; ``options``
        the class of its own options (a method's or a filter's)."""
        if name in self._ready():
            raise ValueError(f"{self.kind} {name!r} is registered already")
        self._entries[name] = Entry(name, target, help, options)

    def register(self, name: str, target: Any, help: str) -> Any:
        """A class decorator: register ``name`` with the decorated class as its options.

        The class's ``name`` becomes ``name``, so an options object knows its choice.
        """

        def decorate(cls: Any) -> Any:
            cls.name = name
            self.add(name, target, help, options=cls)
            return cls

        return decorate

    def options(self, name: str) -> Any:
        """The options class of ``name`` (InputError naming the choices for an unknown one)."""
        return self.entry(name).options

    def entries(self) -> tuple[Entry, ...]:
        """The registered entries, in order."""
        return tuple(self._ready().values())

    def remove(self, name: str) -> None:
        """Forget ``name`` (plug-ins and tests that registered one)."""
        self._entries.pop(name, None)
        self._loaded.pop(name, None)

    @contextmanager
    def added(self, name: str, target: Any, help: str, *, options: Any = None) -> Iterator[None]:
        """Register ``name`` for the duration of a ``with`` block."""
        self.add(name, target, help, options=options)
        try:
            yield
        finally:
            self.remove(name)

    def names(self) -> tuple[str, ...]:
        """The registered names, in order."""
        return tuple(self._ready())

    def __contains__(self, name: object) -> bool:
        return name in self._ready()

    def entry(self, name: str) -> Entry:
        """The entry of ``name``; InputError naming the choices when there is none."""
        try:
            return self._ready()[name]
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
        return "; ".join(f"{e.name}: {e.help}" for e in self._ready().values())


# methods and flicker filters register themselves where their options are declared
STYLIZERS = Registry("method", flag="--method", builtins="restyle.stylizers.options")
TEMPORAL_FILTERS = Registry(
    "temporal filter", flag="--temporal", builtins="restyle.temporal.options"
)

FLOW_QUALITIES = Registry("flow quality")
# DIS optical flow settings (variational refinement iterations, patch stride, gradient
# descent iterations). "fast" costs a third of OpenCV's DIS "fast" preset's time at 640 px;
# "high" is that preset as OpenCV sets it: on the shared clips 6-9 % less flicker at the
# same sharpness, 10 % less on fast motion, for 7-11 % fewer frames per second end to end
# on 2 CPU cores (benchmarks/quality/temporal.py)
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

MODELS = Registry("model")
MODELS.add(
    "steady",
    "steady",
    "strokes that follow the content as it moves (the default): networks fine-tuned "
    "here to paint off the 4-pixel grid (bilinear upsampling, a blur before each stride), "
    "for style images and for the built-in styles they pass the look criteria on "
    "(restyle models lists them); the other built-in styles keep the original",
)
MODELS.add(
    "original",
    "original",
    "the shipped networks as published: strokes on a 4-pixel grid, which swim when the "
    "picture moves by 1-3 px",
)

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
