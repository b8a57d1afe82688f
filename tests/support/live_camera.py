"""A fake camera for the Live tab: a Y4M clip Chromium plays as its webcam, and starting it.

``make_y4m(path, frames, fps)`` writes HxWx3 uint8 RGB frames as a 4:2:0 Y4M file;
``camera_flags(y4m)`` are the Chromium flags that make it the camera (no permission
prompt); ``start_camera(page)`` opens the Live tab and starts the stream. Chromium loops
the clip for as long as the camera runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np


def make_y4m(path: Path, frames: Iterable[np.ndarray], fps: int = 25) -> Path:
    """Write RGB frames (all one even size) as a 4:2:0 Y4M clip; returns ``path``."""
    with open(path, "wb") as out:
        header = False
        for rgb in frames:
            h, w = rgb.shape[:2]
            if not header:
                out.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
                header = True
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


def camera_flags(y4m: Path) -> list[str]:
    """Chromium flags: the Y4M file is the webcam, allowed without asking."""
    return [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={y4m}",
    ]


def start_camera(page, timeout: float = 60_000) -> None:
    """Open the Live tab, give it the camera and press the camera's stream button."""
    page.get_by_role("tab", name="Live", exact=True).click()
    page.locator("#live-camera").get_by_text("Click to Access Webcam").click(timeout=timeout)
    page.wait_for_selector("#live-camera video", timeout=timeout)
    page.wait_for_timeout(500)
    page.locator("#live-camera button[aria-label='capture photo']").click(timeout=timeout)


def painted_source(page) -> str:
    """The painted image's current ``src`` (a data URL), or ''."""
    return page.evaluate(
        "() => { const i = document.querySelector('#live-painted img'); return i ? i.src : ''; }"
    )
