"""The network method's options: none of its own (the look and the engine say it all)."""

from __future__ import annotations

from dataclasses import dataclass

from ...registries import STYLIZERS
from . import MethodOptions


@STYLIZERS.register(
    "network",
    "restyle.stylizers.network:NetworkStylizer",
    "the arbitrary-style network (Ghiasi et al. 2017), or the 26-style network for built-in "
    "styles; one pass per frame (the default)",
)
@dataclass(frozen=True)
class Network(MethodOptions):
    """The feed-forward networks: one pass per frame; no options of their own."""
