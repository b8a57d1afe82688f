"""Progress of a long piece of work as small typed events, and the error a cancelled job raises."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import RestyleError

# stages a render reports, in the order they come
STAGES = ("keyframes", "warmup", "render", "join")


@dataclass(frozen=True)
class Progress:
    """Where a job stands: what it is doing, how far along, how fast, and how long is left.

    Attributes:
        stage: ``"keyframes"`` (reading a style video), ``"warmup"`` (frames painted before
            a piece of the video, not written), ``"render"`` (painting and writing) or
            ``"join"`` (putting the pieces of a long video together).
        done: units finished in this stage (frames, or pieces when joining).
        total: units expected in this stage (an estimate; 0 when unknown).
        fps: units per second in this stage so far.
        eta: seconds left in this stage at that rate (None until it can be told).
        elapsed: seconds since the stage began.
        pieces_done, pieces: for a chunked render, the pieces finished (reused ones
            included) and how many there are; None otherwise.
    """

    stage: str
    done: int
    total: int
    fps: float
    eta: float | None
    elapsed: float
    pieces_done: int | None = None
    pieces: int | None = None

    @property
    def fraction(self) -> float:
        """How far along, 0..1 (0 when the total is unknown)."""
        return min(1.0, self.done / self.total) if self.total else 0.0


OnProgress = Callable[[Progress], None]


class Cancelled(RestyleError):
    """The job was stopped before it finished; nothing was written."""

    def __init__(self, message: str = "the render was cancelled; nothing was written") -> None:
        super().__init__(message)


class Meter:
    """Turns counts into :class:`Progress` events for one stage and passes them on."""

    def __init__(self, stage: str, total: int, on_progress: OnProgress | None) -> None:
        self.stage = stage
        self.total = total
        self.on_progress = on_progress
        self.started = time.perf_counter()
        self.done = 0
        self.pieces: tuple[int, int] | None = None  # (done, total) of a chunked render

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more units done and report."""
        self.done += count
        self.report()

    def report(self, done: int | None = None, total: int | None = None) -> None:
        """Report the stage's progress (``done``/``total`` override the counts)."""
        if done is not None:
            self.done = done
        if total is not None:
            self.total = total
        if self.on_progress is None:
            return
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        total = max(self.total, self.done)
        eta = (total - self.done) / rate if rate > 0 and self.total else None
        pieces_done, pieces = self.pieces or (None, None)
        self.on_progress(
            Progress(self.stage, self.done, total, rate, eta, elapsed, pieces_done, pieces)
        )

    def counter(self) -> Callable[[int, int], None]:
        """A ``(done, total)`` callback for code that counts on its own (keyframe scans)."""
        return lambda done, total: self.report(done, total)
