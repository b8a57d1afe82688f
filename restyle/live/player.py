"""``restyle live``: a camera (or a clip played as if live) painted in an OpenCV window.

Frames come from OpenCV's capture: a local camera by number, or a video file whose frames
are handed in at the clip's own pace. A reader thread submits them to a
:class:`~restyle.live.LivePainter` (it drops what it cannot keep up with); the main thread
shows each painted frame in a window, with its fps and delay, where there is a display.
Keys: ``q`` quits, ``1``-``9`` switch to the built-in styles 0-8, ``+``/``-`` change the
flicker removal. With a recording (``--record out.mp4``) no window is needed: the painted
stream is written, which is how it runs headless.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..errors import DependencyError, InputError
from ..temporal.options import MAX_SMOOTH
from .painter import LivePainter, LiveStats

WINDOW = "restyle live"
SMOOTH_STEP = 0.05
NO_DISPLAY = (
    "restyle live needs a display to show its window (DISPLAY or WAYLAND_DISPLAY is not "
    "set); give --record out.mp4 to paint without one"
)


@dataclass(frozen=True)
class LiveRun:
    """What a live run did: frames read and painted, the last rates, the recording."""

    stats: LiveStats
    seconds: float
    recorded: Path | None


def has_display() -> bool:
    """Whether a window can be shown: ``DISPLAY`` or ``WAYLAND_DISPLAY`` is set."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _has_gui() -> bool:
    """Whether this OpenCV build can open windows (the headless wheels cannot)."""
    info = cv2.getBuildInformation()
    line = next((x for x in info.splitlines() if x.strip().startswith("GUI:")), "")
    return "NONE" not in line.upper()


class FrameSource:
    """Frames from OpenCV's capture, as HxWx3 uint8 RGB, paced like a camera.

    Arguments:
        camera: the camera's number (``--camera``), used when ``file`` is None.
        file: a video file played as if live: each frame is handed out at its time.

    Raises:
        InputError: the camera or file cannot be opened.
    """

    def __init__(self, camera: int = 0, file: str | Path | None = None) -> None:
        self.live = file is None
        if file is not None:
            if not Path(file).is_file():
                raise InputError(f"no such video file: {file}")
            self.capture = cv2.VideoCapture(str(file))
            what = f"the video {file}"
        else:
            level = cv2.utils.logging.getLogLevel()
            cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)  # one line, ours
            try:
                self.capture = cv2.VideoCapture(int(camera))
            finally:
                cv2.utils.logging.setLogLevel(level)
            what = f"camera {camera}"
        if not self.capture.isOpened():
            raise InputError(f"cannot open {what} (OpenCV capture)")
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if fps and 0 < fps < 1000 else 30.0
        self.what = what
        self._started: float | None = None
        self._count = 0

    def read(self) -> np.ndarray | None:
        """The next frame (waiting for its time when playing a file); None at the end."""
        ok, bgr = self.capture.read()
        if not ok or bgr is None:
            return None
        if not self.live:
            now = time.monotonic()
            if self._started is None:
                self._started = now
            due = self._started + self._count / self.fps
            if due > now:
                time.sleep(due - now)
        self._count += 1
        if bgr.ndim == 2:
            bgr = cv2.cvtColor(bgr, cv2.COLOR_GRAY2BGR)
        return cv2.cvtColor(bgr[..., :3], cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        """Release the camera or file."""
        self.capture.release()


class _Reader(threading.Thread):
    """Submits every frame of a source to the painter until the source ends or it is stopped."""

    def __init__(self, source: FrameSource, painter: LivePainter) -> None:
        super().__init__(name="restyle-live-reader", daemon=True)
        self.source = source
        self.painter = painter
        self.stop = threading.Event()
        self.last: int | None = None  # the number of the last frame submitted
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                frame = self.source.read()
                if frame is None:
                    return
                self.last = self.painter.submit(frame)
        except BaseException as exc:  # noqa: BLE001 - re-raised by the main thread
            self.error = exc


def run_live(
    *,
    camera: int = 0,
    file: str | Path | None = None,
    style: Any = "builtin:19",
    size: int = 240,
    smooth: float = 0.55,
    record: str | Path | None = None,
    raw: bool = False,
    seconds: float | None = None,
    show: bool | None = None,
    on_frame: Callable[[LiveStats], None] | None = None,
    **options: Any,
) -> LiveRun:
    """Paint a camera or a clip live, in a window or into ``record``, until it ends or q.

    Arguments:
        camera: OpenCV camera number (when ``file`` is None).
        file: a video file played as if live, frames at the clip's pace.
        style: the starting style (``builtin:N`` or a style image).
        size: painted short side in pixels (240, 360, 480).
        smooth: flicker removal, 0 (off) to 0.95.
        record: write the painted stream (the camera's with ``raw``) to this .mp4.
        seconds: stop after this long (default: at the end of the file, q, or Ctrl-C).
        show: show a window (default: where there is a display).
        on_frame: called with the stats after each painted frame.
        options: picture options for the stylizer (``precision``, ``backend``, ...).

    Raises:
        InputError: no display and nothing to record, a camera or file that cannot be
            opened, a bad style or setting.
        DependencyError: a window is wanted but this OpenCV cannot open one.
    """
    if show is None:
        show = has_display()
    if show and not has_display():
        raise InputError(NO_DISPLAY)
    if not show and record is None:
        raise InputError(NO_DISPLAY)
    if show and not _has_gui():
        raise DependencyError(
            "this OpenCV cannot open windows (opencv-python-headless): pip install "
            "opencv-python, or give --record out.mp4 to paint without a window"
        )
    if record is not None and Path(record).suffix.lower() not in (".mp4", ".m4v", ".mov", ".mkv"):
        raise InputError(f"--record writes H.264 video: give an .mp4 file, not {record}")
    source = FrameSource(camera, file)
    started = time.monotonic()
    recorded = None
    try:
        with LivePainter(style, size, smooth, **options) as painter:
            painter.warm_up()
            if record is not None:
                painter.start_recording(record, raw=raw)
            reader = _Reader(source, painter)
            reader.start()
            try:
                _loop(painter, reader, show, started, seconds, on_frame)
            except KeyboardInterrupt:  # Ctrl-C stops the run; the recording is kept
                pass
            finally:
                reader.stop.set()
                reader.join(timeout=5)
                if show:
                    cv2.destroyAllWindows()
            if reader.error is not None:
                raise reader.error
            if record is not None:
                recorded = painter.stop_recording()
                if recorded is None:
                    raise InputError(f"no frame was painted from {source.what}")
            stats = painter.stats()
    finally:
        source.close()
    return LiveRun(stats=stats, seconds=time.monotonic() - started, recorded=recorded)


def _loop(
    painter: LivePainter,
    reader: _Reader,
    show: bool,
    started: float,
    seconds: float | None,
    on_frame: Callable[[LiveStats], None] | None,
) -> None:
    """Show (and count) painted frames until the source ends, the time is up or q."""
    last = -1
    while True:
        done = painter.latest(last, timeout=0.05)
        if done is not None:
            last = done.index
            stats = painter.stats()
            if on_frame is not None:
                on_frame(stats)
            if show:
                _show(done.image, stats)
        if show and not _keys(painter):
            return
        if seconds is not None and time.monotonic() - started >= seconds:
            return
        if reader.error is not None:
            return
        if not reader.is_alive():  # the file ended: stop once its last frame is painted
            newest = painter.latest(-1)
            if reader.last is None or (newest is not None and newest.frame >= reader.last):
                return


def _show(image: np.ndarray, stats: LiveStats) -> None:
    """The painted frame in the window, with its fps, delay and the keys."""
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    text = f"{stats.fps:.1f} fps  {stats.delay * 1000:.0f} ms  q quit, 1-9 style, +/- flicker"
    cv2.putText(bgr, text, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(bgr, text, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1)
    cv2.imshow(WINDOW, bgr)


def _keys(painter: LivePainter) -> bool:
    """Act on a key pressed in the window; False when it asks to quit (q, Esc)."""
    key = cv2.waitKey(1) & 0xFF
    if key in (ord("q"), 27):
        return False
    if ord("1") <= key <= ord("9"):
        painter.set_style(f"builtin:{key - ord('1')}")
    elif key in (ord("+"), ord("=")):
        painter.smooth = min(MAX_SMOOTH, round(painter.smooth + SMOOTH_STEP, 2))
    elif key in (ord("-"), ord("_")):
        painter.smooth = max(0.0, round(painter.smooth - SMOOTH_STEP, 2))
    return True
