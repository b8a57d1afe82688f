"""The page's Live tab: the browser's camera painted as it streams, with a Record button.

The camera widget streams JPEG frames (``gr.Image(sources=["webcam"], streaming=True)``);
each browser tab gets its own :class:`~restyle.live.LivePainter`, made at its first frame
and closed when the tab closes. Gradio hands the stream function the newest frame only
(a frame that arrives while it runs replaces the waiting one), and the painter keeps a slot
of one, so nothing queues up on a slow machine. Painted frames go back as JPEG data URLs,
never through files, with the fps and delay beside them. Style, size and flicker removal
are read with every frame, so they change while it runs; a style switch is handed over.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import cv2
import gradio as gr
import numpy as np

from ..errors import InputError
from ..live import DEFAULT_SIZE, DEFAULT_SMOOTH, DEFAULT_STYLE, SIZES, LiveClosed, LivePainter
from ..temporal.options import MAX_SMOOTH
from . import jobs
from .payloads import path_of


class Page(Protocol):
    """What the Live tab uses of the page it is added to (restyle.ui.page.Page)."""

    handlers: Any
    examples: Any

    def session(self, request: Any) -> Any: ...

    def claim(self, *components: Any) -> None: ...

    def guard(self, fn: Any) -> Any: ...


log = logging.getLogger("restyle.ui")

LIVE = "live"  # the concurrency group of the camera streams
STREAMS = 2  # cameras painted at once; more wait in the queue
STREAM_EVERY = 0.04  # seconds between camera frames the browser sends (at most 25 fps)
TIME_LIMIT = 600  # seconds one stream runs before the camera must be started again
WAIT = 1.0  # seconds a frame's call waits for a painting newer than the last one sent
JPEG_QUALITY = 85
IDLE = 600.0  # a painter unused this long (a tab that vanished without closing) is closed
RECORDS = 4096  # frame records kept per session, for measurements


@dataclass(frozen=True)
class FrameRecord:
    """When one painted frame's camera frame came in, was painted and was sent (epoch s)."""

    frame: int
    arrived: float
    painted: float
    sent: float
    in_bytes: int  # length of the camera frame's data URL
    out_bytes: int  # length of the painted frame's data URL
    style: str  # the style it was painted in (``a>b`` during a hand-over)


@dataclass
class LiveSession:
    """One tab's live painter and what the stream last sent it."""

    painter: LivePainter
    style_key: tuple = ()
    last_sent: int = -1
    used: float = field(default_factory=time.monotonic)
    records: deque = field(default_factory=lambda: deque(maxlen=RECORDS))


def decode_frame(payload: Any) -> np.ndarray:
    """The camera frame of a stream payload (a FileData dict with a JPEG data URL), as RGB.

    Raises:
        InputError: no frame, or one that is not an image.
    """
    url = payload.get("url") if isinstance(payload, dict) else payload
    if not isinstance(url, str) or not url.startswith("data:image/") or "," not in url:
        raise InputError("the camera sent no frame")
    data = np.frombuffer(base64.b64decode(url.split(",", 1)[1]), np.uint8)
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if bgr is None:
        raise InputError("the camera sent a frame that is not an image")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def encode_frame(image: np.ndarray) -> dict:
    """A painted frame as the image widget's value: a JPEG data URL, no file on disk."""
    ok, jpeg = cv2.imencode(
        ".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]
    )
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    url = "data:image/jpeg;base64," + base64.b64encode(jpeg.tobytes()).decode("ascii")
    return {"path": None, "url": url, "orig_name": None, "mime_type": "image/jpeg"}


class SharedStylizer:
    """One stylizer (its networks loaded once) for every tab's painter, used one at a time."""

    def __init__(self, stylizer: Any) -> None:
        self.stylizer = stylizer
        self._lock = threading.Lock()

    def resolve(self, style: Any) -> Any:
        """The stylizer's Style for a built-in name or a style image."""
        with self._lock:
            return self.stylizer.resolve(style)

    def stylize(self, frames: Any, style: Any) -> list[np.ndarray]:
        """Paint frames, waiting for another tab's frame to finish first."""
        with self._lock:
            return self.stylizer.stylize(frames, style)


class LiveTab:
    """The Live tab of one page: widgets, the stream function, per-tab painters."""

    instances: ClassVar[weakref.WeakSet] = weakref.WeakSet()  # for measurements

    def __init__(self, page: Page) -> None:
        self.page = page
        self.sessions: dict[str, LiveSession] = {}
        self._lock = threading.Lock()
        self._stylizer: Any = None  # one stylizer (its loaded networks) for every tab
        self.wait = WAIT
        LiveTab.instances.add(self)

    # painters ----------------------------------------------------------------------------

    def _key(self, request: Any) -> str:
        return getattr(request, "session_hash", None) or "api"

    def session(self, request: Any, style: Any, size: int, smooth: float) -> LiveSession:
        """The tab's live session, made (and its network loaded) at its first frame."""
        key = self._key(request)
        with self._lock:
            live = self.sessions.get(key)
        if live is not None:
            return live
        self.reap()
        from .. import api

        with self._lock:
            if self._stylizer is None:
                self._stylizer = SharedStylizer(api.painter())
        painter = LivePainter(
            style, size, smooth, stylizer=self._stylizer, clock=time.time
        )  # epoch times: comparable with the browser's clock on one machine
        painter.warm_up()
        live = LiveSession(painter)
        with self._lock:
            self.sessions.setdefault(key, live)
            kept = self.sessions[key]
        if kept is not live:
            painter.close()
        return kept

    def end(self, request: Any) -> None:
        """Close the tab's painter (a recording in progress is discarded)."""
        with self._lock:
            live = self.sessions.pop(self._key(request), None)
        if live is not None:
            live.painter.close()

    def reap(self) -> None:
        """Close painters of tabs gone quiet for IDLE seconds (not recording)."""
        now = time.monotonic()
        with self._lock:
            gone = [
                k
                for k, s in self.sessions.items()
                if now - s.used > IDLE and not s.painter.recording
            ]
            dropped = [self.sessions.pop(k) for k in gone]
        for live in dropped:
            live.painter.close()

    def records(self, request: Any = None) -> list[FrameRecord]:
        """The frame records of a tab (default: of every tab), oldest first."""
        with self._lock:
            if request is not None:
                live = self.sessions.get(self._key(request))
                return list(live.records) if live else []
            return [r for s in self.sessions.values() for r in s.records]

    # the stream --------------------------------------------------------------------------

    def style_of(self, request: Any, upload: Any, builtin: str | None) -> tuple[tuple, Any]:
        """The chosen style: an uploaded style image (checked) or a built-in one."""
        path = path_of(upload)
        if path:
            image = self.page.handlers.image(self.page.session(request), path, "style image")
            return ("file", str(image)), str(image)
        name = builtin or DEFAULT_STYLE
        if name not in jobs.BUILTIN_CHOICES:
            raise InputError(f"unknown built-in style {name!r}")
        return ("builtin", name), name

    def paint(
        self,
        frame: Any,
        upload: Any,
        builtin: str | None,
        size: Any,
        smooth: float,
        request: Any,
    ) -> tuple[Any, str]:
        """One camera frame in; the newest painted frame (or no change) and the stats line out."""
        arrived = time.time()
        image = decode_frame(frame)
        key, style = self.style_of(request, upload, builtin)
        size = int(size or DEFAULT_SIZE)
        smooth = float(DEFAULT_SMOOTH if smooth is None else smooth)
        live = self.session(request, style, size, smooth)
        live.used = time.monotonic()
        painter = live.painter
        if live.style_key and key != live.style_key:
            painter.set_style(style)
        live.style_key = key
        painter.size, painter.smooth = size, smooth
        url = frame.get("url", "") if isinstance(frame, dict) else ""
        try:
            painter.submit(image, time=arrived, tag=len(url))
            done = painter.latest(live.last_sent, timeout=self.wait)
        except LiveClosed:  # the tab closed while this frame was on its way
            return gr.skip(), "Stopped."
        if done is None:
            return gr.skip(), painter.stats().line()
        live.last_sent = done.index
        out = encode_frame(done.image)
        live.records.append(
            FrameRecord(
                done.frame,
                done.time,
                done.done,
                time.time(),
                done.tag,
                len(out["url"]),
                done.style,
            )
        )
        return out, painter.stats().line()

    # recording ---------------------------------------------------------------------------

    def toggle_record(self, what: str, request: Any) -> tuple[Any, Any, Any, str]:
        """Start recording the painted (or camera) stream, or stop and offer the .mp4."""
        with self._lock:
            live = self.sessions.get(self._key(request))
        if live is None:
            raise InputError("start the camera first: recording takes the painted stream")
        painter = live.painter
        if not painter.recording:
            path = self.page.session(request).new_path("out/live", ".mp4")
            painter.start_recording(path, raw=what == "camera")
            label = "painted frames" if what != "camera" else "camera frames"
            return gr.update(value="Stop recording"), None, None, f"Recording the {label} ..."
        done = painter.stop_recording()
        if done is None:
            return (
                gr.update(value="Start recording"),
                None,
                None,
                "Nothing was recorded (no frames).",
            )
        return gr.update(value="Start recording"), str(done), str(done), f"Recorded {done.name}."

    # widgets -----------------------------------------------------------------------------

    def build(self) -> None:
        """The tab's widgets and events (inside the page's Blocks)."""
        page = self.page
        with gr.Row():
            with gr.Column():
                camera = gr.Image(
                    label="Camera: allow it, then press its Record button to stream",
                    sources=["webcam"],
                    streaming=True,
                    elem_id="live-camera",
                    height=300,
                )
                builtin = gr.Dropdown(
                    list(jobs.BUILTIN_CHOICES),
                    value=DEFAULT_STYLE,
                    label="Built-in style (switch it while the camera runs)",
                    elem_id="live-style",
                )
                gallery = gr.Gallery(
                    [(str(p), f"builtin:{i}") for i, p in enumerate(page.examples.thumbnails)],
                    label="Built-in styles (click one to switch)",
                    elem_id="live-gallery",
                    columns=9,
                    height=150,
                    allow_preview=False,
                    interactive=False,
                )
                upload = gr.File(
                    label="or a style image (used instead while it is here)",
                    file_types=["image"],
                    height=100,
                    elem_id="live-style-file",
                )
                size = gr.Radio(
                    list(SIZES),
                    value=DEFAULT_SIZE,
                    label="Size: short side painted (240 = 320x240); smaller is faster",
                    elem_id="live-size",
                )
                smooth = gr.Slider(
                    0,
                    MAX_SMOOTH,
                    DEFAULT_SMOOTH,
                    step=0.05,
                    label="Flicker removal (0: off; more is steadier)",
                    elem_id="live-smooth",
                )
            with gr.Column():
                painted = gr.Image(
                    label="Painted",
                    streaming=True,
                    interactive=False,
                    elem_id="live-painted",
                    height=300,
                )
                stats = gr.Markdown("Start the camera to paint it.", elem_id="live-stats")
                with gr.Row():
                    what = gr.Radio(
                        ["painted", "camera"], value="painted", label="What to record", scale=2
                    )
                    record = gr.Button("Start recording", elem_id="live-record", scale=1)
                result = gr.Video(label="Recording", interactive=False, elem_id="live-result")
                download = gr.File(label="Download", interactive=False, elem_id="live-download")
                status = gr.Markdown(elem_id="live-status")
        page.claim(upload)

        def choose(evt: gr.SelectData) -> str:
            return f"builtin:{evt.index}"

        gallery.select(choose, None, builtin, queue=False, api_visibility="private")

        @page.guard
        def frame(f, u, b, s, m, request: gr.Request):
            return self.paint(f, u, b, s, m, request)

        @page.guard
        def toggle(w, request: gr.Request):
            return self.toggle_record(w, request)

        camera.stream(
            frame,
            [camera, upload, builtin, size, smooth],
            [painted, stats],
            stream_every=STREAM_EVERY,
            time_limit=TIME_LIMIT,
            concurrency_limit=STREAMS,
            concurrency_id=LIVE,
            preprocess=False,
            postprocess=False,
            show_progress="hidden",
            show_progress_on=[painted],
            api_visibility="private",
        )
        record.click(
            toggle,
            [what],
            [record, result, download, status],
            queue=False,
            api_visibility="private",
        )

        def ended(request: gr.Request) -> None:
            self.end(request)

        root = gr.context.Context.root_block
        if root is not None:
            root.unload(ended)


def add_tab(page: Page) -> None:
    """Add the Live tab to the page being built."""
    with gr.Tab("Live", id="live"):
        LiveTab(page).build()
