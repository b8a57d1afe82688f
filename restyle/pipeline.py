"""The video job: decode, stylize, make consistent over time, encode -- overlapped, streaming.

Threads share the work: one decodes, the network paints on the calling thread or, where the
method allows it, on a few threads side by side (ONNX Runtime releases the GIL), the calling
thread filters the painted frames in order, and one thread encodes. Bounded queues sit
between them, so memory does not grow with the length of the video. An error or Ctrl-C in
any stage stops them all and leaves no output file behind.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import InputError, OutputError, RestyleError
from .media.reader import Frame, VideoInfo, open_video
from .media.writer import open_writer
from .styles.style import Style
from .stylizers import Stylizer
from .temporal.filters import TemporalFilter

Progress = Callable[[int, int], None]
StyleSchedule = Callable[[float], Style]

_DONE = object()  # end-of-stream marker in the queues
H264_SUFFIXES = (".mp4", ".mov", ".mkv", ".m4v")


@dataclass(frozen=True)
class EncodeOptions:
    """How the output is encoded: H.264 quality and speed (VP9 for .webm)."""

    crf: int | None = None  # None: the codec's default (H.264 18, VP9 31)
    preset: str = "veryfast"  # the encoder must not slow the painting down


@dataclass
class VideoResult:
    """What a finished job reports (``restyle video --json`` prints it)."""

    input: str
    output: str
    frames: int
    seconds: float
    fps: float
    width: int
    height: int
    device: str
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The result as plain JSON-ready values."""
        return dict(self.__dict__)


FrameFilter = TemporalFilter  # a per-frame stage after the network; identity by default
Compose = Callable[[np.ndarray, np.ndarray, float], np.ndarray]  # (source, painted, time) -> frame


class _Worker(threading.Thread):
    """A thread that records the first exception it raises so the main thread can re-raise it."""

    def __init__(self, target: Callable[[], None], name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._fn = target
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._fn()
        except BaseException as exc:  # handed to the main thread
            self.error = exc


def _put(
    q: queue.Queue, item: object, stop: threading.Event, consumers: tuple[_Worker, ...] = ()
) -> bool:
    """Put ``item`` unless ``stop`` is set; returns False when the job is stopping.

    Raises the error of a ``consumer`` that died (else a full queue would wait forever).
    """
    while not stop.is_set():
        try:
            q.put(item, timeout=0.1)
            return True
        except queue.Full:
            for worker in consumers:
                if worker.error is not None:
                    raise worker.error from None
    return False


def _get(q: queue.Queue, stop: threading.Event, others: list[_Worker]) -> object:
    """Get the next item, waking up to notice a stop or a dead producer."""
    while True:
        try:
            return q.get(timeout=0.1)
        except queue.Empty:
            if stop.is_set():
                return _DONE
            for worker in others:
                if worker.error is not None:
                    raise worker.error from None


def _batches(frames: Iterator[Frame], size: int) -> Iterator[list[Frame]]:
    batch: list[Frame] = []
    for frame in frames:
        batch.append(frame)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def check_paths(source: Path, output: Path) -> None:
    """Refuse to write a video over its own input."""
    if output.exists() and output.resolve() == source.resolve():
        raise OutputError(f"the output {output} is the input file; choose another -o")


def run_video(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    stylizer: Stylizer,
    schedule: StyleSchedule,
    *,
    frame_filter: FrameFilter | None = None,
    start: float | None = None,
    duration: float | None = None,
    fps: float | None = None,
    every: int = 1,
    encode: EncodeOptions | None = None,
    batch_size: int = 1,
    workers: int | None = None,
    content_style: Style | None = None,
    compose: Compose | None = None,
    output_size: tuple[int, int] | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> VideoResult:
    """Stylize every frame of ``source`` into ``output``, keeping timing, size, rotation and audio.

    Arguments:
        source: the video to paint.
        output: .mp4/.mov/.mkv (H.264), .webm (VP9), or an image pattern like frames/%05d.png.
        stylizer: the method (see :func:`restyle.stylizers.create_stylizer`).
        schedule: the style at each output time in seconds (a constant for one style).
        frame_filter: a stage after the network, e.g. temporal consistency.
        start, duration: the part of the source to use, in seconds.
        fps: resample to this frame rate; every: keep every N-th frame (previews).
        encode: crf and preset of the encoder.
        batch_size: frames per network call.
        workers: network calls run at once (None: the stylizer's choice, see
            :meth:`restyle.stylizers.Stylizer.use_workers`); the output does not depend on it.
        content_style: the content's own style for strength < 1 (else taken from the first
            frame, once, so it cannot flicker).
        compose: makes the written frame from the source frame, the finished painted frame
            and the time (e.g. a side-by-side preview); HxWx3 uint8 in and out.
        output_size: stored (width, height) of the frames ``compose`` makes.
        progress: called as ``progress(frames_done, frames_expected)``.
        cancel: set it from another thread to stop; the output is then not written.

    Returns:
        A :class:`VideoResult`.

    Raises:
        InputError: the source is not a readable video.
        OutputError: the output cannot be written.
    """
    src, out = Path(source), Path(output)
    check_paths(src, out)
    encode = encode or EncodeOptions()
    frame_filter = frame_filter or FrameFilter()
    stop = cancel or threading.Event()
    warnings: list[str] = []
    reader = open_video(
        src, start=start, duration=duration, fps=fps, every=every, on_warning=warnings.append
    )
    info: VideoInfo = reader.info
    if (info.width % 2 or info.height % 2) and out.suffix.lower() in H264_SUFFIXES:
        warnings.append(
            f"the video is {info.width}x{info.height}: H.264 4:2:0 needs even sizes, so this "
            "file keeps the exact size in 4:4:4, which browsers and QuickTime do not play; "
            "write .webm, or crop the input to an even size, for those"
        )
    decoded: queue.Queue = queue.Queue(maxsize=max(4, 2 * batch_size))
    painted: queue.Queue = queue.Queue(maxsize=max(4, 2 * batch_size))
    started = time.perf_counter()
    count = 0

    def decode() -> None:
        with reader:
            for frame in reader:
                if not _put(decoded, frame, stop):
                    return
        _put(decoded, _DONE, stop)

    decoder = _Worker(decode, "restyle-decode")
    try:
        width, height = output_size or (info.width, info.height)
        writer = open_writer(
            out,
            info,
            audio=reader.audio,
            crf=encode.crf,
            preset=encode.preset,
            width=width,
            height=height,
        )
    except BaseException:
        reader.close()
        raise

    def encode_frames() -> None:
        with writer:
            while True:
                item = _get(painted, stop, [])
                if item is _DONE:
                    break
                image, when, length = item
                writer.write(image, when, length)
            if stop.is_set():
                raise _Cancelled()

    encoder = _Worker(encode_frames, "restyle-encode")
    painters = stylizer.use_workers(workers)
    pool = ThreadPoolExecutor(painters, "restyle-paint") if painters > 1 else None
    pending: deque[tuple[list[Frame], Future]] = deque()
    decoder.start()
    encoder.start()

    held: deque[Frame] = deque()  # frames the filter has not given back yet

    def write(images: list[np.ndarray]) -> bool:
        """Compose and queue the filter's finished frames, oldest first; False when stopped."""
        nonlocal count
        for image in images:
            frame = held.popleft()
            if compose is not None:
                image = compose(frame.image, image, frame.time)
            if not _put(painted, (image, frame.time, frame.duration), stop, (encoder,)):
                return False
            count += 1
            if progress:
                progress(count, max(info.frame_count, count))
        if encoder.error is not None:
            raise encoder.error
        return True

    def finish(batch: list[Frame], images: list[np.ndarray]) -> bool:
        """Filter painted frames in order and write what the filter has finished."""
        for frame, image in zip(batch, images, strict=True):
            held.append(frame)
            if not write(frame_filter.push(frame.image, image, frame.time)):
                return False
        return True

    try:

        def frames() -> Iterator[Frame]:
            while True:
                item = _get(decoded, stop, [decoder, encoder])
                if item is _DONE:
                    return
                yield item  # type: ignore[misc]

        running = True
        for batch in _batches(frames(), batch_size):
            if content_style is None and stylizer.options.strength < 1.0:
                content_style = getattr(stylizer, "content_style", lambda _: None)(batch[0].image)
            for f in batch:
                frame_filter.prepare(f.image)
            styles = [schedule(f.time) for f in batch]
            images = [f.image for f in batch]
            if pool is None:
                running = finish(batch, stylizer.stylize(images, styles, content_style))
            else:
                # frames are painted side by side but filtered and written in order
                job = pool.submit(stylizer.stylize, images, styles, content_style)
                pending.append((batch, job))
                while running and len(pending) >= painters:
                    done, job = pending.popleft()
                    running = finish(done, job.result())
            if not running:
                break
        while running and pending:
            done, job = pending.popleft()
            running = finish(done, job.result())
        if running:
            running = write(frame_filter.flush())
        if decoder.error is not None:
            raise decoder.error
        _put(painted, _DONE, stop, (encoder,))
        encoder.join()
        if encoder.error is not None:
            raise encoder.error
    except BaseException:
        stop.set()
        decoder.join(timeout=5)
        encoder.join(timeout=30)
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        reader.close()
        frame_filter.close()
    if count == 0:
        raise InputError(f"no frames were decoded from {src}")
    seconds = time.perf_counter() - started
    return VideoResult(
        input=str(src),
        output=str(out),
        frames=count,
        seconds=round(seconds, 3),
        fps=round(count / seconds, 2) if seconds > 0 else 0.0,
        width=width,
        height=height,
        device=stylizer.active_device(),
        warnings=warnings,
    )


class _Cancelled(RestyleError):
    """The job was stopped before it finished; the output was discarded."""
