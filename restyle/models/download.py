"""Fetch a registered network's file from its official address into the cache, checksum checked."""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from ..errors import ModelError
from .location import cache_dir, locate
from .registry import checksum_matches, get_spec


def download(
    name: str,
    *,
    url: str | None = None,
    dest_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    timeout: float = 60.0,
) -> Path:
    """Download network ``name`` once and return its verified path.

    The file is streamed to a temporary file beside its destination, its SHA-256 checked,
    then renamed into place, so an interrupted or corrupt download never leaves a file.

    Arguments:
        name: registry key; its spec gives the address and the checksum.
        url: another address to fetch the same file from (a mirror).
        dest_dir: folder to store it in (default: the cache folder).
        progress: called as ``progress(bytes_done, bytes_total)``; total is 0 if unknown.
        timeout: seconds to wait for the server.

    Raises:
        ModelError: no address is known, the download fails, or the checksum differs.
    """
    spec = get_spec(name)
    source = url or spec.url
    if not source:
        raise ModelError(f"{spec.name} has no download address; put it in --model-dir")
    folder = Path(dest_dir) if dest_dir is not None else cache_dir()
    target = folder / spec.filename
    if target.is_file():
        return locate(name, model_dir=folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create model cache {folder}: {exc.strerror}") from None
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(prefix=f".{spec.filename}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(source, timeout=timeout) as resp:
            total = int(resp.headers.get("Content-Length") or 0)
            done = 0
            while chunk := resp.read(1 << 20):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
        if not checksum_matches(digest.hexdigest(), spec.sha256):
            raise ModelError(
                f"download of {spec.name} from {source} has the wrong checksum "
                f"({digest.hexdigest()[:12]}... instead of {spec.sha256[:12]}...); not saved"
            )
        os.replace(tmp, target)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
        raise ModelError(f"cannot download {spec.name} from {source}: {reason}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
