"""What restyle keeps in its cache folder, how much room each part takes, and clearing it.

The cache (:func:`restyle.models.location.cache_dir`) holds three things restyle makes
again when they are missing: the graphs it generates from the shipped weights
(``generated/``, :mod:`restyle.models.generated`), OpenVINO's compiled networks
(``openvino/``, one per network and frame size) and the web page's example media
(``ui-examples/``). Beside them lie the weights it downloaded with their checksum (VGG-19
for ``--features vgg19``), which a clear keeps unless asked: they are fetched again only
over the network. Nothing here prunes itself, so ``restyle cache --clear`` is how room is
given back (after an upgrade leaves graphs of an older version behind, or after many frame
sizes).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError
from .location import cache_dir

# folder -> what it holds; each is made again when needed
REBUILT = {
    "generated": "graphs built from the shipped weights (built again when needed)",
    "openvino": "OpenVINO's compiled networks (compiled again when needed)",
    "ui-examples": "the web page's example media (made again when needed)",
}
DOWNLOADS = "weights downloaded with their checksum (VGG-19): fetched again only online"


@dataclass(frozen=True)
class CachePart:
    """One part of the cache: its name, what it holds, its files and bytes."""

    name: str
    description: str
    files: int
    bytes: int
    rebuilt: bool


def cache_usage(folder: Path | None = None) -> list[CachePart]:
    """The parts of the cache folder (default: restyle's), with their files and sizes."""
    root = folder if folder is not None else cache_dir()
    parts = []
    for name, description in REBUILT.items():
        files = _files(root / name)
        parts.append(CachePart(name, description, len(files), _size(files), True))
    entries = _download_entries(root)
    files = [p for p in entries if p.is_file()] + [f for d in entries for f in _files(d)]
    parts.append(CachePart("downloads", DOWNLOADS, len(files), _size(files), False))
    return parts


def clear_cache(folder: Path | None = None, *, downloads: bool = False) -> int:
    """Remove what restyle makes again (and, with ``downloads``, everything); bytes freed.

    Raises:
        OutputError: a part cannot be removed (permissions).
    """
    root = folder if folder is not None else cache_dir()
    freed = 0
    for part in cache_usage(root):
        if not (part.rebuilt or downloads) or part.files == 0:
            continue
        targets = [root / part.name] if part.rebuilt else _download_entries(root)
        for target in targets:
            try:
                if target.is_dir():
                    shutil.rmtree(target)
                else:
                    target.unlink(missing_ok=True)
            except OSError as exc:
                raise OutputError(f"cannot clear {target}: {exc}") from None
        freed += part.bytes
    return freed


def _download_entries(root: Path) -> list[Path]:
    """The cache folder's entries that are not a rebuilt part."""
    return [p for p in root.iterdir() if p.name not in REBUILT] if root.is_dir() else []


def _files(folder: Path) -> list[Path]:
    """Every file under ``folder`` (none if it is missing)."""
    return [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []


def _size(files: list[Path]) -> int:
    """Their bytes together (a file removed meanwhile counts 0)."""
    total = 0
    for path in files:
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total
