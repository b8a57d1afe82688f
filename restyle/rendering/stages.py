"""The stages of a render, each a small piece: decode, paint, filter (in order), encode.

Decoding and encoding run on their own threads; painting runs on the calling thread or,
where the method allows it, on a few threads side by side (ONNX Runtime releases the GIL);
the temporal filter sees the painted frames in order. Bounded queues sit between the
threads, so memory does not grow with the length of the video. One :class:`threading.Event`
stops every stage: the user's cancel, or an error in any of them.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import cv2
import numpy as np

from ..imaging.blend import crossfade, mix
from ..media.reader import Frame, VideoReader
from ..media.writer import VideoWriter
from ..motion.plane import LOOK_AHEAD, Plane
from ..styles.style import Style
from ..stylizers.base import Stylizer
from ..temporal.filters.base import TemporalFilter
from .progress import Cancelled

T = TypeVar("T")

_DONE = object()  # end-of-stream marker in the queues
_POLL = 0.1  # seconds a blocked stage waits before looking at the stop signal again


class Worker(threading.Thread):
    """A thread that keeps the first exception it raises, for the calling thread to re-raise."""

    def __init__(self, target: Callable[[], None], name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._fn = target
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._fn()
        except BaseException as exc:  # handed to the calling thread
            self.error = exc


class Channel:
    """A bounded queue between two stages that gives up when the job is stopping."""

    def __init__(self, size: int, stop: threading.Event) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=size)
        self.stop = stop

    def put(self, item: object, consumers: Iterable[Worker] = ()) -> bool:
        """Queue ``item``; False when the job is stopping (the item is dropped).

        Re-raises the error of a ``consumer`` that died (else a full queue waits forever).
        """
        while not self.stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL)
                return True
            except queue.Full:
                for worker in consumers:
                    if worker.error is not None:
                        raise worker.error from None
        return False

    def close(self, consumers: Iterable[Worker] = ()) -> bool:
        """Tell the reader of this channel that nothing more comes."""
        return self.put(_DONE, consumers)

    def get(self, producers: Iterable[Worker] = ()) -> object:
        """The next item, or ``_DONE`` at the end or when stopping; re-raises a producer's error."""
        while True:
            try:
                return self._queue.get(timeout=_POLL)
            except queue.Empty:
                if self.stop.is_set():
                    return _DONE
                for worker in producers:
                    if worker.error is not None:
                        raise worker.error from None


class Decoder:
    """Decodes the source's frames on a thread, a few ahead of the painting."""

    def __init__(self, reader: VideoReader, stop: threading.Event, size: int) -> None:
        self.reader = reader
        self.channel = Channel(size, stop)
        self.thread = Worker(self._decode, "restyle-decode")

    def _decode(self) -> None:
        with self.reader:
            for frame in self.reader:
                if not self.channel.put(frame):
                    return
        self.channel.close()

    def start(self) -> None:
        """Start decoding."""
        self.thread.start()

    def frames(self, others: Iterable[Worker] = ()) -> Iterator[Frame]:
        """The decoded frames in order, until the end or a stop; re-raises stage errors."""
        producers = [self.thread, *others]
        while True:
            item = self.channel.get(producers)
            if item is _DONE:
                if self.thread.error is not None:
                    raise self.thread.error
                return
            yield item  # type: ignore[misc]


class Encoder:
    """Encodes the finished frames on a thread; the file appears only when all went well."""

    def __init__(self, writer: VideoWriter, stop: threading.Event, size: int) -> None:
        self.writer = writer
        self.channel = Channel(size, stop)
        self.thread = Worker(self._encode, "restyle-encode")

    def _encode(self) -> None:
        with self.writer:
            while True:
                item = self.channel.get()
                if item is _DONE:
                    break
                image, when, length = item  # type: ignore[misc]
                self.writer.write(image, when, length)
            if self.channel.stop.is_set():
                raise Cancelled()  # inside the writer's block: the partial file is removed

    def start(self) -> None:
        """Start encoding."""
        self.thread.start()

    def put(self, image: np.ndarray, time: float, duration: float) -> bool:
        """Queue one finished frame; False when the job is stopping. Re-raises encoder errors."""
        if self.thread.error is not None:
            raise self.thread.error
        return self.channel.put((image, time, duration), (self.thread,))

    def finish(self) -> None:
        """Wait for the last frame to be written and the file to be moved into place."""
        self.channel.close((self.thread,))
        self.thread.join()
        if self.thread.error is not None:
            raise self.thread.error


def _with_later(
    frames: Iterable[Frame], ahead: int
) -> Iterator[tuple[Frame, np.ndarray | None]]:
    """Each frame with the picture ``ahead`` frames on (the last one near the end; None
    for the last frame, or with ``ahead`` 0): read that far ahead."""
    held: deque[Frame] = deque()
    for frame in frames:
        held.append(frame)
        if len(held) > ahead:
            first = held.popleft()
            yield first, (held[-1].image if held else None)
    while held:
        first = held.popleft()
        yield first, (held[-1].image if held else None)


def batches(frames: Iterable[T], size: int) -> Iterator[list[T]]:
    """Items (frames) grouped ``size`` at a time (the last group may be shorter)."""
    batch: list[T] = []
    for frame in frames:
        batch.append(frame)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Painter:
    """Paints frames in order, a batch per network call, side by side where the method allows.

    Arguments:
        stylizer: the method, made once for the whole video.
        schedule: the style at each time on the job's timeline.
        content_style: the content's own style for strength < 1 (None: taken from the
            first frame painted, once, when the method needs one).
        batch_size: frames per network call.
        workers: network calls at once (see :meth:`Stylizer.use_workers`).
        prepare: called with each source frame before it is painted (the temporal filter
            computes its optical flow meanwhile).
        place: gives each frame, in order, the plane it is painted in, from the frame and
            the frame ``LOOK_AHEAD`` on (:meth:`restyle.motion.plane.Anchoring.plane`:
            strokes that stick to the scene); None paints every frame where it is.
    """

    def __init__(
        self,
        stylizer: Stylizer,
        schedule: Callable[[float], Style],
        *,
        content_style: Style | None = None,
        batch_size: int = 1,
        workers: int | None = None,
        prepare: Callable[[np.ndarray], None] | None = None,
        place: Callable[[np.ndarray, np.ndarray | None], Plane] | None = None,
    ) -> None:
        self.stylizer = stylizer
        self.schedule = schedule
        self.content_style = content_style
        self.batch_size = batch_size
        self.prepare = prepare
        self.place = place
        self.workers = stylizer.use_workers(workers)
        # per frame index painted in a plane: where its strokes stick (Plane.settled), for
        # the flicker filter, taken by the caller as the frame comes out
        self.settled: dict[int, np.ndarray] = {}

    def _paint(
        self, frames: list[Frame], styles: list[Style], planes: list[Plane] | None = None
    ) -> list[np.ndarray]:
        if planes is None:
            return self.stylizer.stylize([f.image for f in frames], styles, self.content_style)
        # each frame in its own plane (crops differ in size): painted there, warped back
        return [
            self._in_plane(f.image, st, plane)
            for f, st, plane in zip(frames, styles, planes, strict=True)
        ]

    def _in_plane(self, image: np.ndarray, style: Style, plane: Plane) -> np.ndarray:
        """One frame painted in its plane and warped back (crossfaded from an old anchor's),
        and painted where it is where the camera's motion does not explain it."""
        # the plane is already at the size the network paints (a zoom's may be a little
        # over --max-size): painted as it is, so its grid stays the plane's
        paint = self.stylizer.stylize_as_sized
        painted = paint([plane.into(image)], [style], self.content_style)[0]
        out = plane.back(painted)
        if plane.fade_from is not None:
            before = plane.fade_from
            old = before.back(paint([before.into(image)], [style], self.content_style)[0])
            out = crossfade(out, old, plane.weight)
        if plane.explained is not None:
            here = self.stylizer.stylize([image], [style], self.content_style)[0]
            h, w = out.shape[:2]
            share = cv2.resize(plane.explained, (w, h), interpolation=cv2.INTER_LINEAR)
            out = mix(out, here, share[..., None])
        return out

    def paint(self, frames: Iterable[Frame]) -> Iterator[tuple[Frame, np.ndarray]]:
        """Each frame with its painting, in order (painted a little ahead when side by side)."""
        pool = None
        if self.workers > 1:
            pool = ThreadPoolExecutor(self.workers, thread_name_prefix="restyle-paint")
        pending: deque[tuple[list[Frame], Future]] = deque()
        first = True
        try:
            ahead = LOOK_AHEAD if self.place is not None else 0
            for pairs in batches(_with_later(frames, ahead), self.batch_size):
                batch = [frame for frame, _ in pairs]
                if self.prepare is not None:
                    for frame in batch:
                        self.prepare(frame.image)
                planes = None
                if self.place is not None:
                    planes = [self.place(f.image, later) for f, later in pairs]
                for frame, plane in zip(batch, planes or (), strict=False):
                    settled = plane.settled()
                    if settled is not None:
                        self.settled[frame.index] = settled
                styles = [self.schedule(f.time) for f in batch]
                if first and self.content_style is None:
                    self.content_style = self.stylizer.content_style(batch[0].image, styles[0])
                first = False
                if pool is None:
                    yield from zip(batch, self._paint(batch, styles, planes), strict=True)
                    continue
                # frames are painted side by side but handed on in order; twice as many are
                # queued as paint at once, so a painting thread finds its next frame waiting
                # while this thread filters and hands on the last one
                pending.append((batch, pool.submit(self._paint, batch, styles, planes)))
                while len(pending) >= 2 * self.workers:
                    done, job = pending.popleft()
                    yield from zip(done, job.result(), strict=True)
            while pending:
                done, job = pending.popleft()
                yield from zip(done, job.result(), strict=True)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)


class Smoother:
    """Runs the temporal filter over the painted frames in order; frames come out late.

    ``push`` and ``flush`` return ``(frame, filtered image)`` pairs, oldest first, one for
    each frame pushed (the filter holds some back while it looks ahead).
    """

    def __init__(self, filt: TemporalFilter) -> None:
        self.filter = filt
        self._held: deque[Frame] = deque()

    def push(
        self, frame: Frame, painted: np.ndarray, settled: np.ndarray | None = None
    ) -> list[tuple[Frame, np.ndarray]]:
        """Filter the next painted frame (``settled``: see TemporalFilter.push); the frames
        finished now, oldest first."""
        self._held.append(frame)
        if settled is None:
            return self._pair(self.filter.push(frame.image, painted, frame.time))
        return self._pair(self.filter.push(frame.image, painted, frame.time, settled))

    def flush(self) -> list[tuple[Frame, np.ndarray]]:
        """Finish the frames the filter still holds."""
        return self._pair(self.filter.flush())

    def _pair(self, images: list[np.ndarray]) -> list[tuple[Frame, np.ndarray]]:
        return [(self._held.popleft(), image) for image in images]
