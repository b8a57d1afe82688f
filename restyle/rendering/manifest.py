"""The resume manifest of a chunked render: which pieces exist, of which job, of which source.

The work folder holds ``restyle-manifest.json`` and one file per finished piece
(``restyle-piece-00000.mp4``, ...). The manifest says
what the pieces were made from (the job's digest, the layout's settings, a fingerprint of the
source) and, per piece, its frame range, its state and the SHA-256 and size of its file. It
is rewritten atomically after every finished piece, so a run stopped in any way (Ctrl-C,
SIGTERM, SIGKILL, a power cut) leaves a manifest that names only whole, verified files: the
next run keeps those and redoes the rest.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, OutputError
from ..media.atomic import describe_os_error
from .chunks import Chunk

MANIFEST_VERSION = 1
MANIFEST = "restyle-manifest.json"
PIECE = re.compile(r"\.?restyle-piece-\d{5}\.\w+(\.tmp)?")  # a piece, or one being stored
FINGERPRINT_BYTES = 1 << 20  # the first and last MiB of the source are hashed


def fingerprint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """What identifies a source file cheaply: its size and a hash of its first and last MiB."""
    p = Path(path)
    size = p.stat().st_size
    digest = hashlib.sha256()
    with p.open("rb") as f:
        digest.update(f.read(FINGERPRINT_BYTES))
        if size > 2 * FINGERPRINT_BYTES:
            f.seek(size - FINGERPRINT_BYTES)
            digest.update(f.read(FINGERPRINT_BYTES))
    return {"size": size, "sha256": digest.hexdigest()}


def file_digest(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a whole file."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Piece:
    """One piece in the manifest: its chunk, whether it is done, and its file's checksum."""

    chunk: Chunk
    file: str
    state: str = "pending"  # pending | done
    sha256: str | None = None
    bytes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The piece as JSON-ready values."""
        return {
            **self.chunk.to_dict(),
            "file": self.file,
            "state": self.state,
            "sha256": self.sha256,
            "bytes": self.bytes,
        }


@dataclass
class Manifest:
    """The work folder's record of a chunked render (module docstring)."""

    folder: Path
    job: str  # the job's digest with the layout settings
    source: dict[str, Any]
    pieces: list[Piece] = field(default_factory=list)

    @property
    def path(self) -> Path:
        """Where the manifest is stored."""
        return self.folder / MANIFEST

    def to_dict(self) -> dict[str, Any]:
        """The manifest as JSON-ready values, with its schema version."""
        return {
            "version": MANIFEST_VERSION,
            "job": self.job,
            "source": self.source,
            "chunks": [p.to_dict() for p in self.pieces],
        }

    def save(self) -> None:
        """Write the manifest atomically (a temporary file renamed over the old one)."""
        temp = self.folder / f".{MANIFEST}.tmp"
        try:
            with temp.open("w", encoding="utf-8") as f:
                json.dump(self.to_dict(), f, indent=2)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, self.path)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise OutputError(
                f"cannot write the manifest in {self.folder}: {describe_os_error(exc)}; the "
                "finished pieces are kept: run the same command again to resume"
            ) from None

    def verified(self, piece: Piece) -> bool:
        """True when a piece is done and its file is whole (size and checksum match)."""
        if piece.state != "done" or piece.sha256 is None:
            return False
        path = self.folder / piece.file
        try:
            if path.stat().st_size != piece.bytes:
                return False
            return file_digest(path) == piece.sha256
        except OSError:
            return False

    def finish(self, piece: Piece, data: bytes) -> None:
        """Store a finished piece's bytes (atomically) and record it as done."""
        path = self.folder / piece.file
        temp = path.with_name(f".{path.name}.tmp")
        try:
            with temp.open("wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, path)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise OutputError(
                f"cannot store piece {piece.chunk.index} in {self.folder}: "
                f"{describe_os_error(exc)}; the finished pieces are kept: run the same "
                "command again to resume"
            ) from None
        piece.state = "done"
        piece.sha256 = hashlib.sha256(data).hexdigest()
        piece.bytes = len(data)
        self.save()


def load_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest stored in ``folder`` as read (None when there is none or it is unreadable)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def resume(folder: Path, job: str, source: dict[str, Any], chunks: list[Chunk], suffix: str):
    """The manifest for this render: the stored one if it is this job's, else a new one.

    Raises:
        InputError: the folder holds the pieces of another job or of a changed source (the
            message names ``--restart``).
    """
    pieces = [Piece(c, f"restyle-piece-{c.index:05d}{suffix}") for c in chunks]
    manifest = Manifest(folder, job, source, pieces)
    stored = load_manifest(folder)
    if stored is None:
        return manifest
    if stored.get("version") != MANIFEST_VERSION or stored.get("job") != job:
        raise InputError(
            f"the work folder {folder} holds the pieces of another render (different "
            "options or styles); use --restart to start over, or another --workdir"
        )
    if stored.get("source") != source:
        raise InputError(
            f"the source changed since the pieces in {folder} were made; use --restart to "
            "start over"
        )
    by_range = {(c.get("start"), c.get("stop")): c for c in stored.get("chunks", [])}
    for piece in pieces:
        old = by_range.get((piece.chunk.start, piece.chunk.stop))
        if old and old.get("file") == piece.file and old.get("state") == "done":
            piece.state = "done"
            piece.sha256 = old.get("sha256")
            piece.bytes = old.get("bytes")
    return manifest


def remove_pieces(folder: Path) -> None:
    """Remove what a chunked render keeps in ``folder`` (its manifest, pieces and their
    temporary files), then the folder if nothing else is in it.

    Only restyle's own files go: a ``--workdir`` that holds other files keeps them.
    """
    if not folder.is_dir():
        return
    ours = [MANIFEST, f".{MANIFEST}.tmp", ".restyle-probe"]
    for path in folder.iterdir():
        name = path.name
        piece = PIECE.fullmatch(name) is not None and path.is_file()
        if name in ours or piece:
            path.unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        pass  # something else lives there: leave it
