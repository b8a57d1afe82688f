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

    def as_dict(self) -> dict[str, object]:
        """The result as plain JSON-ready values."""
        return dict(self.__dict__)
