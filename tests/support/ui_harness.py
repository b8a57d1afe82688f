"""The web page's test harness: a real `restyle ui` on 127.0.0.1 and headless Chromium.

``page_server(tmp)`` starts ``restyle ui`` in a child process on a free port, its
temporary folder inside ``tmp`` (TMPDIR), and stops it on exit; ``browser()`` launches the
system's Chromium through Playwright with the flags these machines need.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
START_TIMEOUT = 240.0  # seconds; the first start draws and paints the examples


@dataclass
class PageServer:
    """A running ``restyle ui``: its address, its temp root, its process and what it printed."""

    url: str
    root: Path
    process: subprocess.Popen
    log: Path


def missing_for_browser_test() -> str | None:
    """What the browser test lacks here (Gradio, Playwright, Chromium), or None."""
    import importlib.util

    if importlib.util.find_spec("gradio") is None:
        return 'Gradio is not installed (pip install -e ".[ui]")'
    if importlib.util.find_spec("playwright") is None:
        return 'Playwright is not installed (pip install -e ".[dev]")'
    if not os.path.exists(CHROMIUM):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def page_server(tmp: Path, *extra: str) -> Iterator[PageServer]:
    """Run ``restyle ui --port N *extra`` with TMPDIR=tmp; stop it (SIGTERM) on exit."""
    port = free_port()
    log = tmp / "server.log"
    env = {**os.environ, "TMPDIR": str(tmp), "GRADIO_ANALYTICS_ENABLED": "False"}
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "restyle", "ui", "--port", str(port), *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        url, root = _wait_ready(process, log)
        yield PageServer(url, root, process, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(process: subprocess.Popen, log: Path) -> tuple[str, Path]:
    """Wait for the 'serving on' and 'uploads and results in' lines."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        text = log.read_text()
        url = root = None
        for line in text.splitlines():
            if "serving on " in line:
                url = line.split("serving on ", 1)[1].split()[0]
            if "uploads and results in " in line:
                root = Path(line.split("uploads and results in ", 1)[1].strip())
        if url and root:
            return url, root
        if process.poll() is not None:
            raise RuntimeError(f"restyle ui exited with {process.returncode}:\n{text}")
        time.sleep(0.2)
    raise RuntimeError(f"restyle ui did not start in {START_TIMEOUT:.0f} s:\n{log.read_text()}")


@contextlib.contextmanager
def browser() -> Iterator[object]:
    """Headless Chromium (the system's, through Playwright); closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()
