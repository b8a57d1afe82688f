"""Rendering a job: the runner, its stages, progress events and cancellation.

``render(job)`` paints a :class:`~restyle.job.VideoJob`; ``render(job, span=Span(a, b, w))``
paints a piece of it, as the chunked renderer does.
"""

from .progress import STAGES, Cancelled, Progress
from .result import VideoResult
from .runner import Span, render

__all__ = ["STAGES", "Cancelled", "Progress", "Span", "VideoResult", "render"]
