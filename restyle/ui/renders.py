"""Long renders from the page: resumable pieces kept in a folder that outlives the server.

A video whose painted stretch is longer than ``--max-seconds`` is rendered by the chunked
renderer (:mod:`restyle.rendering.chunked`) in pieces, here or on Ray. What such a render
needs to resume after the server stops in any way (Ctrl-C, SIGTERM, SIGKILL, a power cut)
lives in a folder of its own under ``--renders`` (default :func:`default_folder`), never in
the server's temporary workspace, which is deleted when it stops::

    restyle-render-<id>/
        restyle-render.json   the job (paths in this folder), its key, when it began
        source.mp4            a copy of the checked upload
        style-1.png ...       copies of the uploaded style images
        pieces/               the chunked renderer's manifest and finished pieces

The id is random (128 bits). A render is found again by the browser that began it (the page
keeps its ids in the browser's storage) or by anyone who submits the same video, styles and
options again (its *key*: SHA-256 of the whole video and style files and of the options),
who holds everything the result is made of anyway. A finished render's folder is deleted;
an unfinished one after :data:`KEEP_DAYS` days. Only restyle's own files are ever deleted:
a folder that holds anything else keeps it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, OutputError
from ..job import VideoJob
from ..media.atomic import describe_os_error
from ..rendering.manifest import load_manifest, remove_pieces

RECORD = "restyle-render.json"
PREFIX = "restyle-render-"
ID = re.compile(r"[0-9a-f]{32}")
KEEP_DAYS = 7.0  # an unfinished render untouched this long is deleted when a server starts
OURS = re.compile(r"(source|style-\d+)\.\w+|\.restyle-copy\.tmp|\.restyle-render\.json\.tmp")


def default_folder() -> Path:
    """``$XDG_STATE_HOME/restyle/ui-renders``, else ``~/.local/state/restyle/ui-renders``."""
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(Path.home(), ".local", "state")
    return Path(state) / "restyle" / "ui-renders"


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a whole file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class LongRender:
    """A long render of the page: its id, its job (output still to be set) and its folder."""

    id: str
    job: VideoJob
    folder: Path

    @property
    def pieces(self) -> Path:
        """The chunked renderer's work folder."""
        return self.folder / "pieces"


class Renders:
    """The folder of long renders and how they are cut and painted.

    Arguments:
        root: where the renders live (made if missing; never emptied).
        chunk_seconds: the pieces' length.
        workers: pieces painted at once by the local executor.
        executor: ``local`` or ``ray``.
        ray_address: the Ray cluster (``--ray-address``).
    """

    def __init__(
        self,
        root: str | Path | None = None,
        *,
        chunk_seconds: float = 10.0,
        workers: int | None = None,
        executor: str = "local",
        ray_address: str | None = None,
    ) -> None:
        self.root = Path(root) if root is not None else default_folder()
        self.run = {
            "chunk_seconds": chunk_seconds,
            "workers": workers,
            "executor": executor,
            "ray_address": ray_address,
        }
        self._lock = threading.Lock()
        self.running: set[str] = set()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"the renders folder {self.root} cannot be made: {describe_os_error(exc)}; "
                "choose another with --renders"
            ) from None

    # finding -----------------------------------------------------------------------------

    def folder_of(self, render_id: str) -> Path:
        """The folder of a render id (InputError for anything but an id of restyle's)."""
        if not isinstance(render_id, str) or not ID.fullmatch(render_id):
            raise InputError("that is not a render id of this page")
        return self.root / f"{PREFIX}{render_id}"

    def record(self, render_id: str) -> dict[str, Any] | None:
        """A render's stored record, None when there is none (finished, discarded, unknown)."""
        try:
            data = json.loads((self.folder_of(render_id) / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("id") == render_id else None

    def _records(self) -> list[dict[str, Any]]:
        found = []
        for path in self.root.glob(f"{PREFIX}*"):
            render_id = path.name[len(PREFIX) :]
            if ID.fullmatch(render_id):
                stored = self.record(render_id)
                if stored is not None:
                    found.append(stored)
        return found

    def load(self, render_id: str) -> LongRender:
        """An unfinished render by its id.

        Raises:
            InputError: no such render (finished, discarded or never begun here).
        """
        stored = self.record(render_id)
        if stored is None:
            raise InputError("that render is no longer here (finished or discarded)")
        job = VideoJob.from_dict(stored["job"])
        return LongRender(render_id, job, self.folder_of(render_id))

    def progress(self, render_id: str) -> tuple[int, int]:
        """(pieces finished, pieces) of a render so far ((0, 0) before its first is planned)."""
        stored = load_manifest(self.folder_of(render_id) / "pieces")
        chunks = (stored or {}).get("chunks") or []
        return sum(c.get("state") == "done" for c in chunks), len(chunks)

    def unfinished(self, ids: list[str] | None) -> list[tuple[str, str]]:
        """(label, id) of the unfinished renders among ``ids`` (a browser's own), newest first."""
        shown = []
        for render_id in dict.fromkeys(ids or []):
            stored = self.record(render_id) if isinstance(render_id, str) else None
            if stored is None or render_id in self.running:
                continue
            done, total = self.progress(render_id)
            begun = time.strftime("%Y-%m-%d %H:%M", time.localtime(stored.get("created", 0)))
            pieces = f"{done} of {total} pieces" if total else "no piece yet"
            shown.append((stored.get("created", 0), f"{stored.get('label')}, {pieces}, {begun}"))
            shown[-1] = (*shown[-1], render_id)
        shown.sort(reverse=True)
        return [(label, render_id) for _, label, render_id in shown]

    def secret(self) -> str:
        """A key kept in the renders folder (owner-only) that encrypts what a browser keeps of
        its renders, so a page served again after a restart can read it and nobody forge it."""
        path = self.root / ".restyle-secret"
        try:
            return path.read_text(encoding="ascii").strip()
        except OSError:
            pass
        value = secrets.token_hex(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(value)
        except FileExistsError:
            return path.read_text(encoding="ascii").strip()
        except OSError:
            return value  # kept for this server's life only
        return value

    # making ------------------------------------------------------------------------------

    def open(self, source: Path, styles: list[str], options: dict, label: str) -> LongRender:
        """The render of this video, styles and options: an unfinished one with the same key
        (to resume), else a new one with copies of the uploads.

        Raises:
            OutputError: the renders folder cannot be written.
        """
        key = self._key(source, styles, options)
        for stored in self._records():
            if stored.get("key") == key:
                return self.load(stored["id"])
        render_id = secrets.token_hex(16)
        folder = self.folder_of(render_id)
        try:
            folder.mkdir()
            source_copy = _copy(source, folder / f"source{source.suffix}")
            style_copies = []
            for n, style in enumerate(styles, start=1):
                if os.path.isfile(style):
                    style = str(_copy(Path(style), folder / f"style-{n}{Path(style).suffix}"))
                style_copies.append(style)
            job = VideoJob.build(source_copy, folder / "unset.mp4", style_copies, **options)
            record = {
                "restyle": "ui-render",
                "version": 1,
                "id": render_id,
                "key": key,
                "created": time.time(),
                "label": label,
                "job": job.to_dict(),
            }
            _write_json(folder / RECORD, record)
        except OSError as exc:
            self.discard(render_id)
            raise OutputError(
                f"cannot keep a long render in {self.root}: {describe_os_error(exc)}; "
                "choose another folder with restyle ui --renders"
            ) from None
        except BaseException:
            self.discard(render_id)
            raise
        return LongRender(render_id, job, folder)

    def job(self, render: LongRender, output: Path) -> VideoJob:
        """The job to run: its output in the session, its pieces in the render's folder."""
        run = dataclasses.replace(render.job.run, **self.run, workdir=str(render.pieces))
        return render.job.replace(output=str(output), run=run)

    def _key(self, source: Path, styles: list[str], options: dict) -> str:
        """What a render is: the whole video's and styles' bytes, the options, the pieces."""
        parts = {
            "source": file_sha256(source),
            "styles": [file_sha256(s) if os.path.isfile(s) else s for s in styles],
            "options": options,
            "run": {"chunk_seconds": self.run["chunk_seconds"]},
        }
        text = json.dumps(parts, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    # deleting ----------------------------------------------------------------------------

    def discard(self, render_id: str) -> None:
        """Delete a render's folder: restyle's files in it, then the folder if it is empty."""
        folder = self.folder_of(render_id)
        if render_id in self.running or not folder.is_dir():
            return
        remove_pieces(folder / "pieces")
        (folder / RECORD).unlink(missing_ok=True)
        for path in folder.iterdir():
            if OURS.fullmatch(path.name) and path.is_file():
                path.unlink(missing_ok=True)
        try:
            folder.rmdir()
        except OSError:
            pass  # something else lives there: leave it

    def expire(self, days: float = KEEP_DAYS) -> int:
        """Delete unfinished renders begun more than ``days`` ago; how many."""
        old = [r["id"] for r in self._records() if time.time() - r.get("created", 0) > days * 86400]
        for render_id in old:
            self.discard(render_id)
        return len(old)


def _copy(source: Path, target: Path) -> Path:
    """Copy a file whole (a temporary name renamed), so a crash leaves no half copy."""
    temp = target.with_name(".restyle-copy.tmp")
    shutil.copyfile(source, temp)
    os.replace(temp, target)
    return target


def _write_json(path: Path, data: dict) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    with temp.open("w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)
