"""Streaming video reader (PyAV): frames one at a time with their own times, trimmed, resampled.

Frames come out as stored in the file (no rotation applied): ``VideoInfo.rotation`` says how
to turn them for display, and `restyle.media.writer` copies it to the output, so a phone video
shot upright comes out upright without ever rotating pixels.

Times are seconds on the *output timeline*: the source clock minus the file's start time minus
`start` (so with ``start=12.5`` the first frame is at, or just after, 0.0) -- the same
convention as ``ffmpeg -ss 12.5 -i in.mp4``. Variable frame rate is kept: each frame carries its
own time and duration.
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple, TypeVar

import av
import numpy as np

from restyle.errors import InputError
from restyle.media.paths import as_path

# Threads of FFmpeg's scaler per conversion: one. Left to FFmpeg (one per core), each
# converter keeps idle slice threads; a process forked while one is held (a library
# starting a helper process from a render's thread) copies it without its threads, and
# freeing it there waits for them for good (seen in this suite's CI: a child stuck in
# sws_freeContext). The render already converts on its own threads, a frame at a time.
SCALER_THREADS = 1

T = TypeVar("T")
_EPS = 1e-6  # seconds; absorbs float rounding of pts * time_base
_RESAMPLE_LEAD = 1.0  # seconds decoded before a resampled window, for the frame showing at it


class Frame(NamedTuple):
    """One decoded frame: an HxWx3 uint8 RGB image and where it sits on the output timeline."""

    image: np.ndarray  # HxWx3 uint8 RGB, as stored (see VideoInfo.rotation)
    time: float  # presentation time in seconds on the output timeline
    duration: float  # seconds until the next frame (for the last frame: its own duration)
    index: int  # 0, 1, 2, ... in output order


@dataclass(frozen=True)
class AudioSource:
    """Where the writer takes the audio from: a stream of `path` cut to [start, end) on its clock.

    `start`/`end` are seconds on the source file's own clock (None = from the beginning / to
    the end); `offset` is subtracted from source times to land on the output timeline.
    """

    path: Path
    stream_index: int
    start: float | None
    end: float | None
    offset: float

    @property
    def trimmed(self) -> bool:
        """True when only part of the audio is wanted (then it is re-encoded, not copied)."""
        return self.start is not None or self.end is not None


@dataclass(frozen=True)
class Window:
    """Part of a reader's range, for rendering it in pieces: frames from ``first_index`` on.

    ``seek`` is the time (seconds on the output timeline) of output frame ``first_index``;
    frames before it are not delivered, and their times and numbers stay those of the whole
    range. ``until`` (exclusive, same timeline) ends the window early; None: the range's end.
    Exact times come from :func:`restyle.media.timeline.frame_times`.
    """

    first_index: int = 0
    seek: float = 0.0
    until: float | None = None


@dataclass(frozen=True)
class VideoInfo:
    """What a reader will deliver: stored size, rotation, exact frame rate, timing and audio."""

    path: Path
    width: int  # width of the delivered frames (as stored, before rotation)
    height: int  # height of the delivered frames (as stored, before rotation)
    rotation: int  # counter-clockwise degrees to turn a frame for display: 0, 90, 180 or -90
    frame_rate: Fraction  # exact (30000/1001 for 29.97), after fps/every resampling
    time_base: Fraction  # the tick frame times are multiples of; use it for output pts
    frame_count: int  # estimate of frames delivered (for progress bars)
    duration: float  # seconds of the selected range (estimate)
    has_audio: bool
    codec: str  # video codec name, e.g. "h264"

    @property
    def display_width(self) -> int:
        """Width as shown by a player (after rotation)."""
        return self.height if self.rotation % 180 else self.width

    @property
    def display_height(self) -> int:
        """Height as shown by a player (after rotation)."""
        return self.width if self.rotation % 180 else self.height


class VideoReader:
    """Decode one video stream lazily; iterate it once to get `Frame` objects.

    Use `open_video` to make one. Memory does not grow with the video's length: frames are
    produced one at a time. The reader is not shared between threads, but several readers
    and writers may run in separate threads at once (no global state).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        start: float | None = None,
        duration: float | None = None,
        fps: float | Fraction | None = None,
        every: int = 1,
        on_warning: Callable[[str], None] | None = None,
        window: Window | None = None,
    ) -> None:
        self.path = as_path(path, "the video")
        _check_options(start, duration, fps, every)
        self._start = float(start or 0.0)
        self._duration = None if duration is None else float(duration)
        self._fps = None if fps is None else Fraction(fps).limit_denominator(1_000_000)
        self._every = int(every)
        self._window = window or Window()
        self._on_warning = on_warning
        self.truncated = False
        self.warnings: list[str] = []
        self._started = False
        self._closed = False
        self._resized = False
        self._lock = threading.Lock()

        self._container = _open_container(self.path)
        try:
            self._setup()
        except BaseException:
            self._container.close()
            raise

    # -- setup -------------------------------------------------------------------------

    def _setup(self) -> None:
        container = self._container
        stream = video_stream(container, self.path)
        stream.thread_type = "AUTO"
        self._stream = stream
        self._tb = stream.time_base or Fraction(1, 90000)
        self._origin = container.start_time / av.time_base if container.start_time else 0.0
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate or Fraction(25)
        self._source_rate = Fraction(rate)

        total = _total_seconds(container, stream, self._origin)
        avail = None if total is None else max(total - self._start, 0.0)
        if self._duration is not None:
            span = self._duration if avail is None else min(self._duration, avail)
        else:
            span = avail
        self._expected_span = span

        self._decoded = self._decode()
        first = next(self._decoded, None)
        if first is None:
            what = "at or after the start time" if self._start else "at all"
            raise InputError(f"{self.path} has no decodable video frames {what}.")
        self._first = first
        rotation = int(round(first[0].rotation)) % 360
        rotation = rotation - 360 if rotation > 180 else rotation

        rate_out = self._fps if self._fps is not None else self._source_rate
        time_base = Fraction(1) / self._fps if self._fps is not None else self._tb
        if span is not None:
            count = max(1, round(span * rate_out))
        else:
            count = max(1, stream.frames)
        count = math.ceil(count / self._every)
        audio = container.streams.audio
        self.info = VideoInfo(
            path=self.path,
            width=first[0].width,
            height=first[0].height,
            rotation=rotation,
            frame_rate=rate_out / self._every,
            time_base=time_base,
            frame_count=count,
            duration=float(span) if span is not None else count / float(rate_out),
            has_audio=bool(audio) and _usable_audio(audio[0]),
            codec=stream.codec_context.codec.canonical_name,
        )
        self.audio: AudioSource | None = None
        if audio and not _usable_audio(audio[0]):
            self._warn(f"{self.path}: its audio track cannot be read; the output has no audio.")
        elif audio:
            trimmed = self._start > 0 or self._duration is not None
            begin = self._origin + self._start
            end = None if self._duration is None else begin + self._duration
            self.audio = AudioSource(
                path=self.path,
                stream_index=audio[0].index,
                start=begin if trimmed else None,
                end=end,
                offset=begin,
            )

    # -- decoding ----------------------------------------------------------------------

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        if self._on_warning is not None:
            self._on_warning(message)

    def _packets(self) -> Iterator[av.Packet]:
        """Demux the video stream; a read error ends the stream (damaged file) with a warning."""
        packets = self._container.demux(self._stream)
        while True:
            with self._lock:  # close() from another thread waits for the current read
                if self._closed:
                    return
                try:
                    packet = next(packets)
                except StopIteration:
                    return
                except av.FFmpegError as exc:
                    self.truncated = True
                    self._warn(f"{self.path} is damaged; reading stopped early ({exc.strerror}).")
                    return
            yield packet

    def _decode(self) -> Iterator[tuple[av.VideoFrame, float, float | None]]:
        """Yield (frame, time on output timeline, own duration or None) inside the window."""
        tb = self._tb
        # resampling needs the frame showing at the window's first slot, which began earlier
        skip = self._window.seek - (_RESAMPLE_LEAD if self._fps is not None else 0.0)
        skip = max(skip, 0.0)
        counts = {"bad": 0}
        decoded = self._frames_from_here(counts)
        if self._start + skip > 0:
            target = int((self._start + skip + self._origin) / tb)
            decoded = self._seek_clean(target, counts)
        end = _earliest(self._duration, self._window.until)
        previous = None
        for frame in decoded:
            if frame.pts is None:
                t = (previous + 1 / float(self._source_rate)) if previous is not None else 0.0
            else:
                t = float(frame.pts * tb) - self._origin - self._start
            if t < skip - _EPS:
                continue
            if end is not None and t >= end - _EPS:
                return
            if previous is not None and t <= previous:
                t = previous + float(tb)  # keep times strictly increasing
            previous = t
            own = float(frame.duration * tb) if frame.duration else None
            yield frame, max(t, 0.0), own
        if counts["bad"] and not self.truncated:
            self.truncated = True
            self._warn(f"{self.path}: {counts['bad']} damaged packet(s) could not be decoded.")

    def _frames_from_here(self, counts: dict[str, int]) -> Iterator[av.VideoFrame]:
        """Decode the video stream from where the demuxer stands; counts damaged packets."""
        for packet in self._packets():
            with self._lock:
                if self._closed:
                    return
                try:
                    frames = packet.decode()
                except av.FFmpegError:
                    counts["bad"] += 1
                    continue
            yield from frames

    def _seek_clean(self, target: int, counts: dict[str, int]) -> Iterator[av.VideoFrame]:
        """Frames decoded from the last key frame before ``target`` that decodes on its own.

        Some files flag frames as key frames that FFmpeg cannot decode without the frames
        before them (the frame comes out corrupt, grey or green, and so do the frames that
        refer to it, until the next good key frame): then the seek goes back one key frame
        at a time, to the start if need be, so every frame delivered is the one a decode from
        the start gives.
        """
        stream = self._stream
        earliest = stream.start_time or 0
        while True:
            try:
                self._container.seek(target, stream=stream, backward=True)
            except av.FFmpegError:
                self._container.seek(0, stream=stream, backward=True)  # decode from the start
                return self._frames_from_here(counts)
            frames = self._frames_from_here(counts)
            first = next(frames, None)
            if first is None:
                return iter(())
            if not first.is_corrupt or first.pts is None or first.pts <= earliest:
                return itertools.chain([first], frames)
            target = first.pts - 1  # the key frame before this one

    def _source_frames(self) -> Iterator[tuple[av.VideoFrame, float, float | None]]:
        yield self._first
        self._first = None
        yield from self._decoded

    def _timed(self) -> Iterator[tuple[av.VideoFrame, float, float]]:
        """Yield (frame, time, duration) with durations from the next frame's time."""
        fallback = 1 / float(self._source_rate)
        span_end = 0.0

        def tracked():
            nonlocal span_end
            for item in self._source_frames():
                span_end = item[1] + (item[2] or fallback)
                yield item

        frames = tracked()
        if self._every > 1 and self._fps is None:
            frames = _every(frames, self._every)
        current = next(frames, None)
        for nxt in frames:
            yield current[0], current[1], nxt[1] - current[1]
            current = nxt
        if current is not None:
            last_end = max(span_end, current[1] + (current[2] or fallback))
            yield current[0], current[1], last_end - current[1]
            self._check_truncated(last_end)

    def _check_truncated(self, end: float) -> None:
        expected = _earliest(self._expected_span, self._window.until)
        if self.truncated or expected is None:
            return
        if end < expected - 1.5 / float(self._source_rate):
            self.truncated = True
            self._warn(
                f"{self.path} ends early: decoded {end:.2f} s of {expected:.2f} s "
                "(file truncated or damaged)."
            )

    def __iter__(self) -> Iterator[Frame]:
        if self._started:
            raise RuntimeError("A VideoReader can be iterated only once; open the video again.")
        self._started = True
        return self._frames()

    def _frames(self) -> Iterator[Frame]:
        try:
            if self._fps is None:
                first = self._window.first_index
                for index, (frame, t, dur) in enumerate(self._timed(), first):
                    yield Frame(self._rgb(frame), t, dur, index)
            else:
                yield from self._resampled()
        finally:
            self.close()

    def _resampled(self) -> Iterator[Frame]:
        """Drop or repeat frames so that frame k sits at exactly k / fps (nearest source frame)."""
        fps = self._fps
        step = float(1 / fps)
        index = self._window.first_index
        image, last = None, None
        for frame, k in resample_slots(self._timed(), fps, self._every, index, self._window.until):
            if frame is not last:
                image, last = self._rgb(frame), frame
            else:
                image = image.copy()
            yield Frame(image, float(k * step), step * self._every, index)
            index += 1

    def _rgb(self, frame: av.VideoFrame) -> np.ndarray:
        """The frame as HxWx3 uint8 RGB at the video's size (the first frame's).

        A stream whose size changes midway (joined recordings, a damaged header) has its
        other frames scaled to the first size, with one warning.
        """
        width, height = self.info.width, self.info.height
        if (frame.width, frame.height) == (width, height):
            return frame.reformat(format="rgb24", threads=SCALER_THREADS).to_ndarray()
        if not self._resized:
            self._resized = True
            self._warn(
                f"{self.path} changes size midway ({frame.width}x{frame.height} after "
                f"{width}x{height}); those frames are scaled to {width}x{height}."
            )
        return frame.reformat(
            width=width, height=height, format="rgb24", threads=SCALER_THREADS
        ).to_ndarray()

    def close(self) -> None:
        """Release the file; safe to call more than once and from another thread."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._container.close()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def resample_slots(
    timed: Iterable[tuple[T, float, float]],
    fps: Fraction,
    every: int,
    first_index: int = 0,
    until: float | None = None,
) -> Iterator[tuple[T, int]]:
    """The kept slots of a resampled range: ``(payload, k)`` for output time ``k / fps``.

    ``timed`` gives ``(payload, time, duration)`` of the source frames in order; each slot
    ``k`` is filled by the frame showing at ``k / fps`` (repeated or dropped), and every
    ``every``-th slot is kept, from ``first_index * every`` on, until ``until`` seconds.
    """
    slot = first_index * every  # the first frame wanted is a kept slot
    stop = None if until is None else math.ceil(until * fps - 1e-6)
    for payload, t, dur in timed:
        first_slot = max(slot, round(t * fps))
        end_slot = round((t + dur) * fps)
        if stop is not None:
            end_slot = min(end_slot, stop)
        for k in range(first_slot, end_slot):
            if every == 1 or k % every == 0:
                yield payload, k
        slot = max(slot, end_slot)


def _earliest(a: float | None, b: float | None) -> float | None:
    """The smaller of two optional limits (None: no limit)."""
    if a is None:
        return b
    return a if b is None else min(a, b)


def _every(frames: Iterator, n: int) -> Iterator:
    """Keep every n-th frame (the first, then n later, ...)."""
    for i, item in enumerate(frames):
        if i % n == 0:
            yield item


def _usable_audio(stream: av.AudioStream) -> bool:
    """Whether FFmpeg knows the audio stream's codec and its basic layout (damaged files)."""
    try:
        ctx = stream.codec_context
        return ctx is not None and ctx.codec is not None and ctx.sample_rate > 0
    except (av.FFmpegError, ValueError, AttributeError):
        return False


def _total_seconds(container, stream, origin: float) -> float | None:
    """Length of the video from the file's start time, or None if the file does not say."""
    if stream.duration and stream.time_base:
        start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        return start - origin + float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return None


def _check_options(start, duration, fps, every) -> None:
    if start is not None and not (start >= 0 and math.isfinite(start)):
        raise InputError(f"Start time must be a number of seconds >= 0, not {start!r}.")
    if duration is not None and not (duration > 0 and math.isfinite(duration)):
        raise InputError(f"Duration must be a number of seconds > 0, not {duration!r}.")
    if fps is not None and not (fps > 0 and math.isfinite(fps)):
        raise InputError(f"Frame rate must be a number > 0, not {fps!r}.")
    if not isinstance(every, int) or every < 1:
        raise InputError(f"'every' must be a whole number >= 1, not {every!r}.")


def video_stream(container: av.container.InputContainer, path: Path) -> av.VideoStream:
    """The file's video stream (not a cover picture).

    Raises:
        InputError: the file has no video stream.
    """
    streams = [
        s
        for s in container.streams.video
        if not (s.disposition & av.stream.Disposition.attached_pic)
    ]
    if not streams:
        raise InputError(f"{path} has no video stream.")
    return streams[0]


def _open_container(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise InputError(f"Input file {path} does not exist.")
    if path.is_dir():
        raise InputError(f"Input {path} is a folder, not a video file.")
    try:
        return av.open(str(path), mode="r")
    except PermissionError as exc:
        raise InputError(f"Input file {path} cannot be read (permission denied).") from exc
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path} is not a video file FFmpeg can read.") from exc


def open_video(
    path: str | os.PathLike[str],
    *,
    start: float | None = None,
    duration: float | None = None,
    fps: float | Fraction | None = None,
    every: int = 1,
    on_warning: Callable[[str], None] | None = None,
    window: Window | None = None,
) -> VideoReader:
    """Open a video for streaming decode.

    Arguments:
        path: the video file.
        start: skip to this many seconds from the file's start (accurate, like ``ffmpeg -ss``).
        duration: stop after this many seconds (like ``ffmpeg -t``).
        fps: resample to this constant frame rate (drop/repeat the nearest frame).
        every: keep every N-th frame (after `fps`), for quick previews.
        on_warning: called with one sentence when the file turns out damaged or truncated;
            the reader then delivers what decodes and sets ``reader.truncated``.
        window: deliver only part of the range (a :class:`Window`), numbered and timed as
            in the whole range.

    Returns:
        A `VideoReader`: ``reader.info`` (`VideoInfo`), ``reader.audio`` (`AudioSource` or
        None, pass it to the writer), and iteration yields `Frame` objects once.

    Raises:
        InputError: missing file, not a video, no video stream, no decodable frames, or a
            bad option value.
    """
    return VideoReader(
        path,
        start=start,
        duration=duration,
        fps=fps,
        every=every,
        on_warning=on_warning,
        window=window,
    )
