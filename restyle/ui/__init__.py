"""``restyle ui``: the web page (Gradio), a front door over the same public API as the CLI.

Gradio is an optional extra (``pip install "restyle[ui]"``); nothing here imports it until
the page is built. :func:`serve` runs the page until it is stopped; :func:`start` starts it
in the background (for tests and scripts) and returns a handle that stops it.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DependencyError, InputError
from .renders import Renders
from .uploads import Limits
from .workspace import Workspace

INSTALL_HINT = 'restyle ui needs the web page extra: pip install "restyle[ui]"'
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
SWEEP_EVERY = 300.0  # seconds between sweeps for idle sessions
IDLE_SESSION = 3600.0  # a session unused this long (an API client's) is deleted

log = logging.getLogger("restyle.ui")


@dataclass
class Server:
    """A running page: its address and workspace; :meth:`stop` ends it and deletes its files."""

    url: str
    workspace: Workspace
    blocks: object
    renders: Renders | None = None  # where long renders are kept (None: not offered)
    stopped: threading.Event = field(default_factory=threading.Event)

    def sweep_idle(self) -> None:
        """Every few minutes, end API sessions idle for an hour (their files go with them)."""
        while not self.stopped.wait(SWEEP_EVERY):
            self.workspace.sweep(IDLE_SESSION)

    def stop(self) -> None:
        """Stop serving and delete every upload and result."""
        self.stopped.set()
        try:
            self.blocks.close()  # type: ignore[attr-defined]
        finally:
            self.workspace.close()


def _require_gradio() -> None:
    """Raise DependencyError with the install line when Gradio is missing."""
    try:
        import gradio  # noqa: F401
    except ImportError:
        raise DependencyError(INSTALL_HINT) from None


def start(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    max_upload_mb: float | None = 200,
    max_seconds: float | None = 120,
    parent: str | Path | None = None,
    renders: str | Path | None = None,
    chunk_seconds: float = 10.0,
    workers: int | None = None,
    executor: str = "local",
    ray_address: str | None = None,
    job_options: dict | None = None,
) -> Server:
    """Start the page in the background and return once it answers.

    Arguments:
        host: address to listen on (default 127.0.0.1: this machine only).
        port: TCP port (default 7860).
        max_upload_mb: largest upload accepted, in MB (None: no limit).
        max_seconds: longest stretch of video one render paints (None: no limit).
        parent: where the server's temporary folder is made (default: the system's).
        renders: where a video longer than ``max_seconds`` is rendered in resumable pieces
            and kept until it finishes (default :func:`restyle.ui.renders.default_folder`).
        chunk_seconds, workers, executor, ray_address: how such a video is cut and where its
            pieces are painted (``restyle video --chunk-seconds ...``).
        job_options: the server's settings for every video render (``crf``, ``device``, ...).

    Raises:
        DependencyError: Gradio is not installed.
        InputError: a bad limit, or the port cannot be used.
    """
    if max_upload_mb is not None and max_upload_mb <= 0:
        raise InputError(f"--max-upload-mb must be positive, got {max_upload_mb:g}")
    if max_seconds is not None and max_seconds <= 0:
        raise InputError(f"--max-seconds must be positive, got {max_seconds:g}")
    _require_gradio()
    if executor == "ray":
        from ..rendering.ray_executor import _ray, check_reachable

        _ray()  # a missing extra is one line now, not at the first long render
        if ray_address and ray_address != "auto":
            check_reachable(ray_address)
    kept = None
    if max_seconds is not None:
        kept = Renders(
            renders,
            chunk_seconds=chunk_seconds,
            workers=workers,
            executor=executor,
            ray_address=ray_address,
        )
        kept.expire()
    workspace = Workspace(parent)
    try:
        # Gradio keeps uploads in GRADIO_TEMP_DIR and serves only that folder and its
        # examples cache: both are put inside the workspace before the page is built.
        os.environ["GRADIO_TEMP_DIR"] = str(workspace.uploads)
        os.environ["GRADIO_EXAMPLES_CACHE"] = str(workspace.root / "cached_examples")
        os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
        from .examples import install_examples
        from .handlers import Handlers
        from .page import Page

        limits = Limits(
            max_bytes=None if max_upload_mb is None else int(max_upload_mb * 1024 * 1024),
            max_seconds=max_seconds,
        )
        examples = install_examples(workspace.examples)
        blocks = Page(Handlers(workspace, limits, kept, job_options), examples).build()
        blocks.queue(default_concurrency_limit=1)
        try:
            _, url, _ = blocks.launch(
                server_name=host,
                server_port=port,
                share=False,  # never a public link, whatever the environment suggests
                inbrowser=False,
                prevent_thread_lock=True,
                quiet=True,
                show_error=True,
                max_file_size=None if max_upload_mb is None else f"{max_upload_mb:g}mb",
                allowed_paths=[],
                ssr_mode=False,
                footer_links=["api"],
            )
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port}: {exc}") from None
    except BaseException:
        workspace.close()
        raise
    server = Server(url=url, workspace=workspace, blocks=blocks, renders=kept)
    threading.Thread(target=server.sweep_idle, name="restyle-ui-sweep", daemon=True).start()
    return server


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    max_upload_mb: float | None = 200,
    max_seconds: float | None = 120,
    announce=None,
    **options,
) -> None:
    """Run the page until Ctrl-C or SIGTERM, then delete every upload and result (long
    renders' pieces are kept to resume).

    ``announce`` is called once with the server (to print where it listens); ``options``
    are :func:`start`'s (``renders``, ``chunk_seconds``, ...).
    """
    server = start(host, port, max_upload_mb=max_upload_mb, max_seconds=max_seconds, **options)
    stopped = threading.Event()

    def on_signal(signum, frame) -> None:
        stopped.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        if announce is not None:
            announce(server)
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "INSTALL_HINT", "Server", "serve", "start"]
