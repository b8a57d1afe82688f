"""The page's one temporary folder: uploads, each session's results and the examples.

Everything the page serves lives under one root made for the server (``restyle-ui-*`` in
the system's temp folder): Gradio's uploads, a folder per browser session for its results,
and the drawn example media. A session's files are deleted when its tab closes; the whole
root when the server stops.
"""

from __future__ import annotations

import hashlib
import itertools
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError


@dataclass
class Session:
    """One browser tab's corner of the workspace: its folder, its uploads, its render."""

    folder: Path
    uploads: set[Path] = field(default_factory=set)  # upload files it used (Gradio's paths)
    cancel: threading.Event = field(default_factory=threading.Event)
    ended: bool = False  # the tab has closed: whatever a late render writes is deleted
    used: float = field(default_factory=time.monotonic)  # last request (for idle API clients)
    busy: bool = False  # a render is running
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(1))

    def new_path(self, stem: str, suffix: str) -> Path:
        """A fresh file name of restyle's own choosing in this session's folder.

        ``stem`` may name a subfolder (``"out/painted"``); it is made if missing.
        """
        while True:
            path = self.folder / f"{stem}-{next(self._numbers)}{suffix}"
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                return path

    def start_render(self) -> threading.Event:
        """A fresh cancel event for the render about to start (Cancel sets it)."""
        self.cancel = threading.Event()
        return self.cancel


class Workspace:
    """The server's temporary root and the sessions in it.

    Arguments:
        parent: where the root is made (default: the system's temp folder).
    """

    def __init__(self, parent: str | Path | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="restyle-ui-", dir=parent)).resolve()
        self.uploads = self.root  # Gradio's upload folder (GRADIO_TEMP_DIR) is the root itself
        self.examples = self.root / "examples"
        self.sessions = self.root / "sessions"
        self.examples.mkdir()
        self.sessions.mkdir()
        self._lock = threading.Lock()
        self._open: dict[str, Session] = {}
        self.closed = False

    def session(self, key: str | None) -> Session:
        """The session of a browser tab (Gradio's session hash; None: the API's shared one)."""
        name = hashlib.sha256((key or "api").encode()).hexdigest()[:16]  # never a raw string
        with self._lock:
            if self.closed:
                raise InputError("the server is shutting down")
            if name not in self._open:
                self._open[name] = Session(self.sessions / name)
            session = self._open[name]
            session.used = time.monotonic()
            return session

    def sweep(self, idle: float) -> int:
        """End sessions unused for ``idle`` seconds (API clients never close a tab)."""
        now = time.monotonic()
        with self._lock:
            stale = [k for k, s in self._open.items() if now - s.used > idle and not s.busy]
            gone = [self._open.pop(k) for k in stale]
        for session in gone:
            _discard(session)
        return len(gone)

    def end_session(self, key: str | None) -> None:
        """Stop the tab's render and delete its results and the uploads it used."""
        name = hashlib.sha256((key or "api").encode()).hexdigest()[:16]
        with self._lock:
            session = self._open.pop(name, None)
        if session is not None:
            _discard(session)

    def inside(self, path: str | Path) -> Path:
        """``path`` resolved, if it lies inside the root; InputError otherwise."""
        resolved = Path(path).resolve()
        if not resolved.is_relative_to(self.root):
            raise InputError("that file was not uploaded to this page")
        return resolved

    def close(self) -> None:
        """Stop every render and delete the whole root (the server is stopping)."""
        with self._lock:
            self.closed = True
            sessions, self._open = list(self._open.values()), {}
        for session in sessions:
            session.cancel.set()
        shutil.rmtree(self.root, ignore_errors=True)


def _discard(session: Session) -> None:
    """Cancel a session's render and delete its folder and its uploads."""
    session.ended = True
    session.cancel.set()
    shutil.rmtree(session.folder, ignore_errors=True)
    for upload in session.uploads:
        upload.unlink(missing_ok=True)
        try:
            upload.parent.rmdir()  # Gradio keeps each upload in a folder of its own
        except OSError:
            pass
