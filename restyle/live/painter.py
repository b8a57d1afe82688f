"""The live painter: camera frames in one at a time, painted frames out, never a backlog.

A :class:`LivePainter` owns one stylizer (``restyle.api.painter()``, the default engine),
a flicker filter that holds no frame back and one worker thread. The filter is ``carry``
for a style the network paints with strokes that follow the content (a style image with
``--model steady``, the default, and the built-in styles the trained 26-style network
paints with it): the strokes are carried along the motion, as sharp as painted; for the
others it is ``forward``, a blend along the motion. Frames are handed in with
:meth:`LivePainter.submit` into a slot of one: a frame that arrives while the worker is
still painting replaces the one waiting, so a slow machine drops frames instead of
queueing them, and the delay from camera to painting stays one painting long.
The style can change while it runs (style vectors of one network are interpolated over
``handover`` seconds), and so can the painted size and the amount of flicker removal.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..errors import InputError
from ..models.trained import follows_content
from ..styles.style import Style
from ..temporal.filters import TemporalFilter, build_filter
from ..temporal.filters.carry import DEFAULT_CARRY
from ..temporal.options import MAX_SMOOTH, filter_options
from .frames import Painted
from .recorder import LiveRecorder

SIZES = (240, 360, 480)  # the painted sizes offered: the short side, 240 = 320x240 at 4:3
DEFAULT_SIZE = 240
DEFAULT_STYLE = "builtin:19"
DEFAULT_SMOOTH = 0.55  # the forward filter's own default weight
# the carry filter's share for a smooth: its default at the default smooth, then in
# proportion up to MAX_SMOOTH (at 240 px, carry at 0.9 against forward at 0.55: 1.07x and
# 0.83x the frame-to-frame error on the cockatoo and Sintel, at 1.26x and 1.12x the detail)
CARRY_PER_SMOOTH = DEFAULT_CARRY / DEFAULT_SMOOTH
HANDOVER = 0.5  # seconds a style switch takes
WINDOW = 2.0  # seconds of painted frames the fps and delay are measured over
MIN_SIDE = 32


class LiveClosed(RuntimeError):
    """The live painter was closed (its tab or window went away) while it was being used."""


@dataclass(frozen=True)
class LiveStats:
    """How the live painter keeps up: rates over the last couple of seconds, counts since start."""

    fps: float  # painted frames per second
    delay: float  # mean seconds from camera frame to painting
    received: int  # camera frames submitted
    painted: int  # frames painted
    dropped: int  # frames replaced by a newer one before they were painted
    size: tuple[int, int]  # (width, height) of the last painted frame, (0, 0) before any
    style: str

    def line(self) -> str:
        """The one line a page or window shows, e.g. ``14.2 fps, delay 95 ms, 320x240, ...``."""
        w, h = self.size
        text = f"{self.fps:.1f} fps, delay {self.delay * 1000:.0f} ms"
        if w:
            text += f", {w}x{h}"
        return f"{text}, style {self.style}, {self.dropped} of {self.received} frames dropped"


def painted_size(width: int, height: int, size: int) -> tuple[int, int]:
    """The (width, height) a ``width x height`` frame is painted at for the short side ``size``.

    The short side becomes ``size`` (never larger than the frame: nothing is gained by
    painting an enlarged frame), both sides even so that a recording plays in browsers.
    """
    if width < MIN_SIDE or height < MIN_SIDE:
        raise InputError(f"the camera frame is too small ({width}x{height})")
    scale = min(1.0, size / min(width, height))
    w = max(MIN_SIDE, int(round(width * scale / 2)) * 2)
    h = max(MIN_SIDE, int(round(height * scale / 2)) * 2)
    return min(w, width - width % 2), min(h, height - height % 2)


def _ease(t: float) -> float:
    """Smoothstep: a hand-over that starts and ends gently."""
    t = min(1.0, max(0.0, t))
    return t * t * (3.0 - 2.0 * t)


class _Handover:
    """The style at a moment: the new style reached from the old over ``seconds``."""

    def __init__(self, style: Style, seconds: float, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.seconds = seconds
        self.start_style = style
        self.target = style
        self.started = -1.0

    def now(self) -> Style:
        """The style to paint with now."""
        if self.target is self.start_style or self.target.space != self.start_style.space:
            return self.target
        t = (self.clock() - self.started) / self.seconds if self.seconds > 0 else 1.0
        if t >= 1.0:
            self.start_style = self.target
            return self.target
        mixed = self.start_style.mix(self.target, _ease(t))
        return Style(mixed.space, mixed.vector, f"{self.start_style.label}>{self.target.label}")

    def switch(self, style: Style) -> None:
        """Hand over to ``style`` from wherever the current hand-over is."""
        current = self.now()
        self.start_style = current
        self.target = style
        self.started = self.clock()


class LivePainter:
    """Paints a live stream of frames on a worker thread, the latest frame first.

    Arguments:
        style: what :meth:`Stylizer.resolve` takes: ``"builtin:7"``, a style image's path,
            an image array, a :class:`~restyle.Style`, or a list of these to blend.
        size: the painted short side in pixels (240: 320x240 for a 4:3 camera).
        smooth: how much of the previous painting is kept along the motion, 0 (off) to
            0.95: the ``forward`` filter's weight; with ``carry``, its share, 0.9 at the
            default 0.55 and in proportion (at most 0.95).
        handover: seconds a style switch takes (0: at once).
        stylizer: a stylizer to share (default: ``restyle.api.painter(**options)``).
        clock: the clock frame timestamps are read on (default ``time.monotonic``).
        options: picture options for ``restyle.api.painter`` (``strength``, ``precision``,
            ``backend``, ...).

    Raises:
        InputError: a bad style, size or smooth.
    """

    def __init__(
        self,
        style: Any = DEFAULT_STYLE,
        size: int = DEFAULT_SIZE,
        smooth: float = DEFAULT_SMOOTH,
        *,
        handover: float = HANDOVER,
        stylizer: Any = None,
        clock: Callable[[], float] = time.monotonic,
        **options: Any,
    ) -> None:
        from .. import api

        self.clock = clock
        self.size = size
        self.smooth = smooth
        self.stylizer = stylizer if stylizer is not None else api.painter(**options)
        self._handover = _Handover(self.stylizer.resolve(style), handover, clock)
        self._filters: dict[str, TemporalFilter] = {}  # by name, made when first needed
        self._filter_name = ""  # the one in use (the other is reset when it takes over)
        self._lock = threading.Condition()
        self._slot: tuple[np.ndarray, float, int, Any] | None = None
        self._latest: Painted | None = None
        self._error: BaseException | None = None
        self._received = 0
        self._painted = 0
        self._dropped = 0
        self._recent: deque[tuple[float, float]] = deque(maxlen=120)  # (done, delay)
        self._recorder: LiveRecorder | None = None
        self._record_lock = threading.Lock()  # held while a frame is written
        self._record_error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="restyle-live", daemon=True)
        self._thread.start()

    # settings ----------------------------------------------------------------------------

    @property
    def size(self) -> int:
        """The painted short side in pixels."""
        return self._size

    @size.setter
    def size(self, value: int) -> None:
        if not MIN_SIDE <= int(value) <= 4096:
            raise InputError(f"--size must be between {MIN_SIDE} and 4096 pixels, got {value}")
        self._size = int(value)

    @property
    def smooth(self) -> float:
        """How much of the previous painting is blended in along the motion (0: none)."""
        return self._smooth

    @smooth.setter
    def smooth(self, value: float) -> None:
        value = float(value)
        if not 0.0 <= value <= MAX_SMOOTH:
            raise InputError(f"--smooth must be between 0 and {MAX_SMOOTH}, got {value:g}")
        self._smooth = value

    @property
    def style(self) -> Style:
        """The style being handed over to (or painted in)."""
        return self._handover.target

    @property
    def flicker_filter(self) -> str:
        """The flicker filter of the last painted frame: ``carry`` or ``forward`` (see the
        module docstring); empty before the first."""
        return self._filter_name

    def set_style(self, style: Any) -> Style:
        """Switch to another style; the painting moves to it over ``handover`` seconds.

        Styles of the other network (a built-in after a style image) switch at once.

        Raises:
            InputError: a style the stylizer cannot resolve.
        """
        resolved = self.stylizer.resolve(style)
        with self._lock:
            self._handover.switch(resolved)
        return resolved

    def warm_up(self, width: int = 320, height: int = 240) -> None:
        """Load the network now (painting a grey frame), so the first camera frame is not late."""
        w, h = painted_size(width, height, self.size)
        self.stylizer.stylize([np.full((h, w, 3), 128, np.uint8)], self._handover.target)

    # frames ------------------------------------------------------------------------------

    def submit(self, frame: np.ndarray, time: float | None = None, tag: Any = None) -> int:
        """Hand in a camera frame (HxWx3 uint8 RGB); returns its number.

        ``time`` is its timestamp on the painter's clock (default: now). A frame still
        waiting to be painted is dropped for this one.

        Raises:
            InputError: not an HxWx3 uint8 frame, or too small.
            LiveClosed: the painter is closed.
            RuntimeError: its worker failed (the error is chained).
        """
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise InputError(f"a camera frame must be HxWx3 uint8 RGB, got {frame.shape}")
        painted_size(frame.shape[1], frame.shape[0], self.size)  # too small: say so here
        stamp = self.clock() if time is None else time
        with self._lock:
            self._check()
            if self._slot is not None:
                self._dropped += 1
            number = self._received
            self._slot = (frame, stamp, number, tag)
            self._received += 1
            self._lock.notify_all()
        return number

    def latest(self, after: int = -1, timeout: float = 0.0) -> Painted | None:
        """The newest painted frame if its index is above ``after``, waiting up to ``timeout`` s.

        Returns None when no newer frame was painted in time.
        """
        deadline = self.clock() + timeout
        with self._lock:
            while True:
                self._check()
                if self._latest is not None and self._latest.index > after:
                    return self._latest
                left = deadline - self.clock()
                if left <= 0:
                    return None
                self._lock.wait(left)

    def pending(self) -> bool:
        """Whether a frame waits to be painted."""
        with self._lock:
            return self._slot is not None

    def stats(self) -> LiveStats:
        """Painted fps and mean delay over the last couple of seconds, and the counts."""
        with self._lock:
            now = self.clock()
            recent = [(d, lag) for d, lag in self._recent if now - d <= WINDOW]
            fps = 0.0
            if len(recent) >= 2 and recent[-1][0] > recent[0][0]:
                fps = (len(recent) - 1) / (recent[-1][0] - recent[0][0])
            delay = float(np.mean([lag for _, lag in recent])) if recent else 0.0
            latest = self._latest
            size = (latest.image.shape[1], latest.image.shape[0]) if latest else (0, 0)
            return LiveStats(
                fps=fps,
                delay=delay,
                received=self._received,
                painted=self._painted,
                dropped=self._dropped,
                size=size,
                style=self._handover.target.label,
            )

    # recording ---------------------------------------------------------------------------

    def start_recording(self, path: str | Path, raw: bool = False) -> None:
        """Write every painted frame from now on (or, ``raw``, the camera frames it painted).

        Raises:
            InputError: a recording is already running.
        """
        with self._record_lock:
            if self._recorder is not None:
                raise InputError("already recording")
            self._record_error = None
            self._recorder = LiveRecorder(path, raw=raw)

    def stop_recording(self) -> Path | None:
        """Finish the recording; its path, or None when nothing was recorded.

        Raises:
            OutputError: the file could not be written (nothing is left behind).
        """
        with self._record_lock:
            recorder, self._recorder = self._recorder, None
            error, self._record_error = self._record_error, None
        if error is not None:
            raise error
        return recorder.close() if recorder is not None else None

    @property
    def recording(self) -> bool:
        """Whether painted frames are being recorded (False again after a write failed)."""
        return self._recorder is not None

    # life --------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the worker and the filter; a recording in progress is discarded."""
        with self._lock:
            self._closed = True
            self._slot = None
            self._lock.notify_all()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=10)
        with self._record_lock:
            recorder, self._recorder = self._recorder, None
        if recorder is not None:
            recorder.abort()
        for filt in self._filters.values():
            filt.close()

    def __enter__(self) -> LivePainter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check(self) -> None:
        """Raise when closed or when the worker failed (called with the lock held)."""
        if self._error is not None:
            raise RuntimeError(f"the live painter failed: {self._error}") from self._error
        if self._closed:
            raise LiveClosed("the live painter is closed")

    def _run(self) -> None:
        """The worker: paint the waiting frame, publish it, record it; until closed."""
        painted = 0
        while True:
            with self._lock:
                while self._slot is None and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                frame, stamp, number, tag = self._slot  # type: ignore[misc]
                self._slot = None
                style = self._handover.now()
                size, smooth = self._size, self._smooth
            try:
                image, source = self._paint(frame, style, size, smooth, stamp)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                with self._lock:
                    self._error = exc
                    self._lock.notify_all()
                return
            done = Painted(image, source, painted, number, stamp, self.clock(), style.label, tag)
            painted += 1
            with self._lock:
                self._latest = done
                self._painted = painted
                self._recent.append((done.done, done.delay))
                self._lock.notify_all()
            self._record(done)

    def _record(self, done: Painted) -> None:
        """Add a painted frame to the recording, if one runs; a failure ends the recording."""
        with self._record_lock:
            if self._recorder is None:
                return
            try:
                self._recorder.write(done)
            except Exception as exc:  # noqa: BLE001 - reported by stop_recording
                self._recorder.abort()
                self._recorder = None
                self._record_error = exc

    def _paint(
        self, frame: np.ndarray, style: Style, size: int, smooth: float, stamp: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """One frame scaled, painted and (``smooth`` > 0) blended along the motion."""
        h, w = frame.shape[:2]
        pw, ph = painted_size(w, h, size)
        source = frame
        if (pw, ph) != (w, h):
            source = cv2.resize(frame, (pw, ph), interpolation=cv2.INTER_AREA)
        source = np.ascontiguousarray(source)
        filt = self._filter_for(style)
        if smooth <= 0:
            filt.reset()
            return self.stylizer.stylize([source], style)[0], source
        if self._filter_name == "carry":
            smooth = min(MAX_SMOOTH, smooth * CARRY_PER_SMOOTH)
        filt.smooth = smooth  # type: ignore[attr-defined]
        filt.prepare(source)  # the optical flow runs while the network paints
        painted = self.stylizer.stylize([source], style)[0]
        return filt.push(source, painted, stamp)[0], source

    def _filter_for(self, style: Style) -> TemporalFilter:
        """The flicker filter for frames painted in ``style`` (see the module docstring);
        a filter that takes over starts afresh."""
        engine = getattr(self.stylizer, "engine", None)
        steady = engine is not None and follows_content(engine.model, style.space, [style.vector])
        name = "carry" if steady else "forward"
        if name not in self._filters:
            self._filters[name] = build_filter(filter_options(name))
        filt = self._filters[name]
        if name != self._filter_name:
            filt.reset()
            self._filter_name = name
        return filt
