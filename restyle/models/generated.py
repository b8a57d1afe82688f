"""Networks restyle generates from the shipped weights (rebuilt, quantized graphs), kept on disk.

A generated graph is a pure function of its inputs: the shipped weights (named by their
SHA-256, which :func:`restyle.models.location.locate` has verified), restyle's calibration
table where there is one, and :data:`GRAPH_VERSION`. It is written once into the cache
folder under a name made from those inputs, with its own SHA-256 beside it; a later run
checks that digest before using the file and rebuilds it when it differs. Nothing generated
is ever part of the repository or the package.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ModelError
from .location import cache_dir, sha256_of

if TYPE_CHECKING:
    import onnx

GRAPH_VERSION = "4"  # bump when a builder changes the graph it writes


def generated_key(*parts: str) -> str:
    """A short hex key naming a generated graph: SHA-256 of its inputs and GRAPH_VERSION."""
    digest = hashlib.sha256(GRAPH_VERSION.encode())
    for part in parts:
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()[:20]


def generated_model(name: str, key: str, build: Callable[[], onnx.ModelProto]) -> Path:
    """Path of the generated graph ``name``-``key``.onnx in the cache, built once by ``build``.

    Raises:
        ModelError: the cache folder cannot be written.
    """
    folder = cache_dir() / "generated"
    path = folder / f"{name}-{key}.onnx"
    stamp = path.with_suffix(".sha256")
    if path.is_file() and stamp.is_file() and sha256_of(path) == stamp.read_text().strip():
        return path
    data = build().SerializeToString()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for target, body in ((path, data), (stamp, hashlib.sha256(data).hexdigest().encode())):
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(body)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    except OSError as exc:
        raise ModelError(f"cannot write the generated network into {folder}: {exc}") from None
    return path
