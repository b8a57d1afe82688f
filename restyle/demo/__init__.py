"""``restyle demo``: a first run that needs nothing from the user.

It draws its own media (:mod:`restyle.demo.scene`: a landscape clip with sound, a picture
and a style film; no third-party media), then paints the clip with a built-in style, the
default flicker removal and a side-by-side, and the picture with the same style, through
the public API only.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..rendering.progress import OnProgress
from .media import DemoMedia, make_demo_media

DEMO_STYLE = "builtin:19"  # a blue, stroke-rich built-in style


@dataclass(frozen=True)
class DemoResult:
    """What ``restyle demo`` made: its drawn inputs and the painted outputs."""

    media: DemoMedia
    video: Path  # source | painted, side by side, with the clip's sound
    picture: Path
    frames: int
    width: int
    height: int
    seconds: float


def run_demo(folder: str | os.PathLike[str], on_progress: OnProgress | None = None) -> DemoResult:
    """Draw the demo media into ``folder`` and paint them; returns where everything is.

    Raises:
        OutputError: the folder cannot be made or written.
    """
    from .. import api
    from ..errors import OutputError
    from ..media.image import save_image

    started = time.perf_counter()
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder {folder}: {exc.strerror}") from None
    media = make_demo_media(folder)
    painted = save_image(
        api.stylize_image(media.picture, DEMO_STYLE), folder / "demo_picture_painted.png"
    )
    result = api.stylize_video(
        media.clip,
        folder / "demo_clip_painted.mp4",
        DEMO_STYLE,
        side_by_side=True,
        on_progress=on_progress,
    )
    return DemoResult(
        media=media,
        video=Path(result.output),
        picture=painted,
        frames=result.frames,
        width=result.width,
        height=result.height,
        seconds=round(time.perf_counter() - started, 2),
    )


__all__ = ["DEMO_STYLE", "DemoMedia", "DemoResult", "make_demo_media", "run_demo"]
