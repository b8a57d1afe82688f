"""The one entry point for a render: in one piece here, or in resumable pieces."""

from __future__ import annotations

import threading

from ..job import VideoJob
from .chunked import render_chunked
from .progress import OnProgress
from .result import VideoResult
from .runner import Span, render_span


def render(
    job: VideoJob,
    *,
    span: Span | None = None,
    audio: bool | None = None,
    on_progress: OnProgress | None = None,
    cancel: threading.Event | None = None,
) -> VideoResult:
    """Paint a job's video into ``job.output``: see :func:`~restyle.rendering.runner.render_span`.

    A job with ``chunk_seconds`` (``--chunk-seconds``) and no ``span`` is rendered in
    resumable pieces by :func:`~restyle.rendering.chunked.render_chunked`, here or on Ray.

    Raises:
        InputError, OutputError, Cancelled: as the renderer that runs it says.
    """
    if span is None and job.run.chunk_seconds is not None:
        return render_chunked(job, on_progress=on_progress, cancel=cancel)
    return render_span(job, span=span, audio=audio, on_progress=on_progress, cancel=cancel)
