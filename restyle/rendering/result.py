"""What a finished render reports."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class VideoResult:
    """What a finished job reports (``restyle video --json`` prints it).

    Attributes:
        input, output: the source and the file written.
        frames: frames written.
        seconds, fps: wall time of the render and frames written per second.
        width, height: stored size of the written frames.
        device: where the network ran (``cpu`` or ``cuda``).
        warnings: one sentence each (a damaged source, an odd size in H.264, ...).
        chunks, reused, retried, join_seconds: for a chunked render, the pieces it was cut
            into, how many of them an earlier run had finished, how many were painted again
            because a worker or node was lost, and the time the join took (None otherwise).
    """

    input: str
    output: str
    frames: int
    seconds: float
    fps: float
    width: int
    height: int
    device: str
    warnings: list[str] = field(default_factory=list)
    chunks: int | None = None
    reused: int | None = None
    retried: int | None = None
    join_seconds: float | None = None

    @classmethod
    def finished(cls, frames: int, seconds: float, **fields: object) -> VideoResult:
        """The result of a render that wrote ``frames`` in ``seconds`` (rounded, with its fps)."""
        fps = round(frames / seconds, 2) if seconds > 0 else 0.0
        return cls(frames=frames, seconds=round(seconds, 3), fps=fps, **fields)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        """The result as plain JSON-ready values (the chunk figures only for a chunked one)."""
        data = dict(self.__dict__)
        if self.chunks is None:
            for key in ("chunks", "reused", "retried", "join_seconds"):
                data.pop(key)
        return data
