"""Rendering a job: the runner, its stages, progress events, cancellation, chunked renders.

``render(job)`` paints a :class:`~restyle.job.VideoJob` (in resumable pieces when it has
``chunk_seconds``); ``render(job, span=Span(a, b, w))`` paints a piece of it, as the
chunked renderer's workers do.
"""

from .dispatch import render
from .progress import STAGES, Cancelled, Progress
from .result import VideoResult
from .runner import Span

__all__ = ["STAGES", "Cancelled", "Progress", "Span", "VideoResult", "render"]
