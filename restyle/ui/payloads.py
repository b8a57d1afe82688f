"""What Gradio hands an event for an upload left unprocessed: the server paths in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def path_of(payload: Any) -> str | None:
    """The server path of one unprocessed upload (a FileData dict), or None."""
    if isinstance(payload, dict):
        return payload.get("path")
    if isinstance(payload, str | Path):
        return str(payload)
    return None


def paths_of(payload: Any) -> list[str]:
    """The server paths of an unprocessed multi-file upload."""
    if not payload:
        return []
    items = payload if isinstance(payload, list) else [payload]
    return [p for p in (path_of(i) for i in items) if p]
