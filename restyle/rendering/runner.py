"""The runner: :func:`render_span` turns a :class:`~restyle.job.VideoJob` into a painted video.

It builds the live things a job names (the stylizer and its sessions, the style schedule,
the temporal filter, the reader and the writer), runs the stages of
:mod:`restyle.rendering.stages`, reports :class:`~restyle.rendering.progress.Progress` events and
stops cleanly on a cancel. It can render a piece of the job's range (a :class:`Span`): the
frames ``[start, stop)`` written with their times on the job's timeline, ``warmup`` frames
before them and the filter's look-ahead after them painted and filtered but not written, and
the style schedule made for the whole range, so pieces rendered apart join into the video a
one-shot render makes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..job import VideoJob
from ..media.reader import VideoInfo, VideoReader, Window, open_video
from ..media.timeline import frame_times
from ..media.writer import VideoWriter, open_writer, playback_warning
from ..metrics.preview import SideBySide
from ..models.engine import Engine
from ..models.trained import follows_content, painting_model
from ..motion.plane import MARGIN, PERIOD, Anchoring, Plane
from ..styles.embed import builtin_style
from ..styles.plan import PlanContext, StylePlan, plan_styles
from ..styles.spec import parse_style_spec
from ..styles.style import Style
from ..stylizers import create_stylizer
from ..stylizers.base import Stylizer
from ..stylizers.resample import working_size
from ..temporal.filters import build_filter
from ..temporal.filters.base import TemporalFilter
from ..temporal.filters.sized import AtPaintSize
from ..temporal.options import DEFAULT_SHARPNESS, Flow, filter_options
from .progress import Meter, OnProgress
from .result import VideoResult
from .stages import Decoder, Encoder, Painter, Smoother

Compose = Callable[[np.ndarray, np.ndarray, float], np.ndarray]  # (source, painted, time)


@dataclass(frozen=True)
class Span:
    """A piece of a job's range to render: output frames ``[start, stop)``.

    ``warmup`` frames before ``start`` are painted and filtered but not written, so the
    temporal filter's state has settled at the first written frame; ``stop`` None runs to
    the end of the range. Frame numbers and times are those of the whole range.
    """

    start: int
    stop: int | None = None
    warmup: int = 0

    def __post_init__(self) -> None:
        if self.start < 0 or self.warmup < 0:
            raise InputError(f"a span starts at frame 0 or later, got {self.start}")
        if self.stop is not None and self.stop <= self.start:
            raise InputError(f"a span must hold frames: [{self.start}, {self.stop}) is empty")


@dataclass
class _Setup:
    """The live things one render is made of (built by :func:`_prepare`, closed after)."""

    reader: VideoReader
    info: VideoInfo
    stylizer: Stylizer
    plan: StylePlan
    filter: TemporalFilter
    content_style: Style | None
    compose: Compose | None
    writer: VideoWriter
    width: int
    height: int
    read_from: int  # the first frame painted (warm-up frames before the written ones)
    write_from: int  # the first frame written
    write_to: int | None  # the first frame after the written ones
    expected: int  # frames to write (for progress)


def render_span(
    job: VideoJob,
    *,
    span: Span | None = None,
    audio: bool | None = None,
    on_progress: OnProgress | None = None,
    cancel: threading.Event | None = None,
    plan: StylePlan | None = None,
) -> VideoResult:
    """Paint the job's video (or a span of it) into ``job.output``, in this process.

    :func:`restyle.render` calls this, or the chunked renderer when the job has
    ``chunk_seconds``; the chunked renderer's workers call it for each piece.

    Arguments:
        job: what to render.
        span: only this piece of the job's range (see :class:`Span`); None: all of it.
        audio: carry the source's audio (default: yes for a whole render, no for a span,
            whose audio is added when the pieces are joined).
        on_progress: called with a :class:`~restyle.rendering.progress.Progress` event as
            frames are written (and while a style video's keyframes are read).
        cancel: set this event from another thread to stop; nothing is written then and
            :class:`~restyle.rendering.progress.Cancelled` is raised.
        plan: the style schedule made once for the whole range (:func:`style_plan`), so
            pieces rendered apart do not each read the style video again; None: made here.

    Returns:
        A :class:`~restyle.rendering.result.VideoResult`.

    Raises:
        InputError: an unreadable source or style, or a job this method cannot paint.
        OutputError: the output cannot be written (or is an input).
        Cancelled: ``cancel`` was set.
    """
    stop = cancel or threading.Event()
    warnings: list[str] = []
    started = time.perf_counter()
    setup = _prepare(job, span, audio, on_progress, warnings, plan)
    written = 0
    try:
        written = _run(job, setup, stop, on_progress)
    finally:
        setup.reader.close()
        setup.filter.close()
    if written == 0:
        raise InputError(f"no frames were decoded from {job.source}")
    seconds = time.perf_counter() - started
    return VideoResult.finished(
        written,
        seconds,
        input=job.source,
        output=job.output,
        width=setup.width,
        height=setup.height,
        device=setup.stylizer.active_device(),
        warnings=warnings,
    )


def style_plan(job: VideoJob, on_progress: OnProgress | None = None) -> StylePlan:
    """The job's style schedule over its whole range, made once for pieces rendered apart."""
    r = job.range
    with open_video(job.source, start=r.start, duration=r.duration, fps=r.fps, every=r.every) as rd:
        duration = rd.info.duration
    stylizer = create_stylizer(job.method, job.look, job_engine(job))
    return _plan(job, stylizer, duration, on_progress)


def _plan(
    job: VideoJob, stylizer: Stylizer, duration: float, on_progress: OnProgress | None
) -> StylePlan:
    meter = Meter("keyframes", 0, on_progress)
    context = PlanContext(
        stylizer.resolve,
        job.engine,
        job.look.style_fit,
        stylizer.blends_styles,
        meter.counter() if on_progress else None,
    )
    return plan_styles(job.styles, duration, context)


def _window(
    job: VideoJob, span: Span | None, latency: int, period: int = 1
) -> tuple[Window, int, int | None]:
    """The reader's window for a span, the first frame written and the first one after.

    The warm-up starts on the filter's ``period`` grid (frame 0 of the range is on it): a
    filter that finishes frames in blocks then cuts them where a one-shot render does.
    """
    if span is None or (span.start == 0 and span.stop is None):
        return Window(), 0, None
    r = job.range
    times = frame_times(job.source, start=r.start, duration=r.duration, fps=r.fps, every=r.every)
    if span.start >= len(times):
        raise InputError(f"the span starts at frame {span.start}; the range has {len(times)}")
    first = max(0, span.start - span.warmup)
    first -= first % max(1, period)
    stop = None if span.stop is None or span.stop >= len(times) else span.stop
    end = None if stop is None or stop + latency >= len(times) else stop + latency
    until = None if end is None else float(times[end])
    return Window(first, float(times[first]), until), span.start, stop


def _first_frame(job: VideoJob) -> np.ndarray:
    """Frame 0 of the job's range (a span that starts later needs its content style)."""
    r = job.range
    with open_video(job.source, start=r.start, duration=r.duration, fps=r.fps, every=r.every) as rd:
        return next(iter(rd)).image


def _prepare(
    job: VideoJob,
    span: Span | None,
    audio: bool | None,
    on_progress: OnProgress | None,
    warnings: list[str],
    plan: StylePlan | None = None,
) -> _Setup:
    """Build the stylizer, schedule, filter, reader and writer of a render."""
    stylizer = create_stylizer(job.method, job.look, job_engine(job))
    # Gatys with --temporal flow keeps its own temporal loss: no filter after it
    own = stylizer.start_video(job.temporal.filter)
    filt = build_filter(filter_options("none")) if own else job_filter(job)
    try:
        window, write_from, write_to = _window(job, span, filt.latency, filt.period)
        r = job.range
        reader = open_video(
            job.source,
            start=r.start,
            duration=r.duration,
            fps=r.fps,
            every=r.every,
            on_warning=warnings.append,
            window=window,
        )
    except BaseException:
        filt.close()
        raise
    writer: VideoWriter | None = None
    try:
        info = reader.info
        filt = at_paint_size(job, filt, (info.height, info.width))
        if plan is None:
            plan = _plan(job, stylizer, info.duration, on_progress)
        content_style = None
        if window.first_index > 0:
            content_style = stylizer.content_style(_first_frame(job), plan.schedule(0.0))
        compose = None
        if job.encode.side_by_side:
            compose = SideBySide(
                info.width, info.height, info.rotation, plan.pictures, plan.schedule.position
            )
        width, height = compose.output_size if compose else (info.width, info.height)
        out = Path(job.output)
        unplayable = playback_warning(out, width, height, job.encode.crf)
        if unplayable:
            warnings.append(unplayable)
        carry = (span is None) if audio is None else audio
        writer = open_writer(
            out,
            info,
            audio=reader.audio if carry else None,
            crf=job.encode.crf,
            preset=job.encode.preset,
            width=width,
            height=height,
            exact_start=span is not None,
        )
        if write_to is not None:
            expected = write_to - write_from
        else:
            expected = max(info.frame_count - write_from, 1)
        return _Setup(
            reader,
            info,
            stylizer,
            plan,
            filt,
            content_style,
            compose,
            writer,
            width,
            height,
            window.first_index,
            write_from,
            write_to,
            expected,
        )
    except BaseException:
        if writer is not None:  # a signal after the temporary output appeared
            writer.abort()
        reader.close()
        filt.close()
        raise


def job_filter(job: VideoJob) -> TemporalFilter:
    """The job's flicker filter, built for the network that paints it.

    For a network whose strokes follow the content the default filter carries them; while
    the style changes over time (a style video, styles taking turns) it averages instead
    (as ``--sharpness`` asks): carried paint would trail a hand-over by a second.
    """
    options = job.temporal
    steady = _steady(job)
    moving = job.styles.style_video is not None or job.styles.transition is not None
    if steady and moving and isinstance(options, Flow) and options.sharpness is None:
        options = replace(options, sharpness=DEFAULT_SHARPNESS)
    return build_filter(options, steady=steady)


def at_paint_size(
    job: VideoJob, filt: TemporalFilter, frame_size: tuple[int, int]
) -> TemporalFilter:
    """The filter run at the size the network paints frames of ``frame_size`` (h, w) at,
    where it is smaller and the filter allows it (:mod:`restyle.temporal.filters.sized`)."""
    if job.method.name != "network" or not filt.at_paint_size:
        return filt
    size = working_size(*frame_size, job.look.max_size)
    return filt if size == frame_size else AtPaintSize(filt, size)


def filter_settle(job: VideoJob) -> int | None:
    """The frames the job's flicker filter needs for its history to settle (None: about a
    second does), for the warm-up of a chunked render's pieces."""
    filt = job_filter(job)
    try:
        return filt.settle
    finally:
        filt.close()


def _steady(job: VideoJob) -> bool:
    """Whether the network that paints the job's styles keeps its strokes on moving content
    (``--model steady`` where a trained network exists for them): the filter smooths less."""
    if job.method.name != "network":
        return False
    space = "builtin" if _builtin_vectors(job) else "arbitrary"
    return follows_content(job_engine(job).model, space)  # the model job_engine settled on


def _builtin_vectors(job: VideoJob) -> list[np.ndarray]:
    """The 26 weights of each built-in style the job names (none for style images)."""
    if job.styles.style_video:
        return []
    vectors = []
    for s in job.styles.styles:
        if isinstance(s, Style):
            if s.space == "builtin":
                vectors.append(s.vector)
        elif (index := parse_style_spec(s).builtin) is not None:
            vectors.append(builtin_style(index).vector)
    return vectors


def job_engine(job: VideoJob) -> Engine:
    """The job's engine, with the model that paints every built-in style the job names: a
    render whose styles are not all ones the trained network paints well keeps the shipped
    network throughout, so a hand-over between styles changes no network."""
    if job.method.name != "network" or not (builtins := _builtin_vectors(job)):
        return job.engine
    model = painting_model(job.engine.model, "builtin", builtins)
    return job.engine if model == job.engine.model else replace(job.engine, model=model)


def _anchoring(job: VideoJob, width: int, height: int) -> Callable[[np.ndarray], Plane] | None:
    """Where each frame is painted: in its anchor's plane with ``--strokes stick``.

    The plane is painted at the size the network would paint the frame (``--max-size``),
    its margins included, so the network's grid is the plane's.
    """
    if job.motion.strokes != "stick":
        return None
    side = max(width, height)
    room = None if job.look.max_size is None else job.look.max_size - 2 * (MARGIN + PERIOD)
    scale = 1.0 if room is None or side <= room else room / side
    return Anchoring(scale).plane


def _run(
    job: VideoJob, setup: _Setup, stop: threading.Event, on_progress: OnProgress | None
) -> int:
    """Run the stages; returns the number of frames written."""
    size = max(4, 2 * job.run.batch)
    decoder = Decoder(setup.reader, stop, size)
    encoder = Encoder(setup.writer, stop, size)
    warm = Meter("warmup", setup.write_from - setup.read_from, on_progress)
    meter = Meter("render", setup.expected, on_progress)
    written = 0

    def write(finished: list) -> bool:
        """Compose and queue the frames to write; count warm-up ones; False when stopped."""
        nonlocal written
        for frame, image in finished:
            if frame.index < setup.write_from:
                warm.advance()
                continue
            if setup.write_to is not None and frame.index >= setup.write_to:
                continue  # the filter's look-ahead after a span: painted, not written
            if setup.compose is not None:
                image = setup.compose(frame.image, image, frame.time)
            if not encoder.put(image, frame.time, frame.duration):
                return False
            written += 1
            meter.report(written, max(setup.expected, written))
        return True

    try:
        painter = Painter(
            setup.stylizer,
            setup.plan.schedule,
            content_style=setup.content_style,
            batch_size=job.run.batch,
            workers=job.run.painters,
            prepare=setup.filter.prepare,
            place=_anchoring(job, setup.reader.info.width, setup.reader.info.height),
        )
        smoother = Smoother(setup.filter)
        decoder.start()
        encoder.start()
        meter.report(0)  # at once: a page shows the render started before the first is done
        running = True
        for frame, painted in painter.paint(decoder.frames([encoder.thread])):
            if not write(smoother.push(frame, painted, painter.settled.pop(frame.index, None))):
                running = False
                break
        if running:
            write(smoother.flush())
        encoder.finish()
    except BaseException:
        stop.set()
        if decoder.thread.is_alive():
            decoder.thread.join(timeout=5)
        if encoder.thread.is_alive():
            encoder.thread.join(timeout=30)
        if not encoder.thread.is_alive():  # never started (a signal before): its file goes
            setup.writer.abort()
        raise
    return written
