"""Uploads checked by their content before they reach the pipeline, under names of our own.

A browser's file name is never used as a path: each checked upload is linked into the
session's folder as ``<role>-<n>.<ext>``, the extension taken from what the bytes turned out
to be. Nothing outside the workspace is ever opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image, UnidentifiedImageError

from ..errors import InputError
from ..media.image import load_image
from .workspace import Session, Workspace

MAX_PIXELS = 40_000_000  # an image larger than this is refused before it is decoded
IMAGE_EXTENSIONS = {
    "PNG": ".png",
    "JPEG": ".jpg",
    "WEBP": ".webp",
    "BMP": ".bmp",
    "TIFF": ".tif",
    "GIF": ".gif",
}
VIDEO_EXTENSIONS = {
    "mov,mp4,m4a,3gp,3g2,mj2": ".mp4",
    "matroska,webm": ".mkv",
    "avi": ".avi",
    "mpegts": ".ts",
    "ogg": ".ogv",
    "flv": ".flv",
}


@dataclass(frozen=True)
class Limits:
    """What the server accepts: upload size in bytes and video length in seconds."""

    max_bytes: int | None = 200 * 1024 * 1024
    max_seconds: float | None = 120.0


def _own(
    path: str | Path, workspace: Workspace, session: Session, limits: Limits, label: str
) -> Path:
    """The upload's real path, checked to lie in the workspace and to be within the size limit."""
    real = workspace.inside(path)
    session.uploads.add(real)  # deleted with the session, whether it passes or not
    if not real.is_file():
        raise InputError(f"the {label} upload is missing; upload it again")
    size = real.stat().st_size
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise InputError(
            f"the {label} is {size / 2**20:.1f} MB; this server takes uploads up to "
            f"{limits.max_bytes / 2**20:.0f} MB (restyle ui --max-upload-mb)"
        )
    return real


def _link(real: Path, session: Session, role: str, suffix: str) -> Path:
    """A hard link (or copy) of ``real`` in the session folder, named by restyle."""
    target = session.new_path(f"in/{role}", suffix)
    try:
        target.hardlink_to(real)
    except OSError:
        target.write_bytes(real.read_bytes())
    return target


def checked_image(
    path: str | Path, workspace: Workspace, session: Session, limits: Limits, label: str = "image"
) -> Path:
    """Check that an upload is a readable image by its bytes; return restyle's own copy of it.

    Raises:
        InputError: not in the workspace, too large, not an image.
    """
    real = _own(path, workspace, session, limits, label)
    try:
        with Image.open(real) as img:
            kind, (w, h) = img.format, img.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise InputError(
            f"the {label} is not an image restyle can read (PNG, JPEG, WebP, ...)"
        ) from None
    if kind not in IMAGE_EXTENSIONS:
        raise InputError(f"the {label} is a {kind} file; upload a PNG, JPEG, WebP, BMP or TIFF")
    if w * h > MAX_PIXELS:
        raise InputError(f"the {label} is {w}x{h}; this server takes images up to 40 megapixels")
    own = _link(real, session, label.replace(" ", "-"), IMAGE_EXTENSIONS[kind])
    try:
        load_image(own)  # decodes it whole: a truncated file is caught here
    except InputError:
        own.unlink(missing_ok=True)
        raise InputError(f"the {label} is damaged or not an image restyle can read") from None
    return own


def checked_video(
    path: str | Path,
    workspace: Workspace,
    session: Session,
    limits: Limits,
    label: str = "video",
    start: float | None = None,
    duration: float | None = None,
    limit: bool = True,
) -> Path:
    """Check that an upload is a video with a decodable frame and its painted part short enough.

    ``start`` and ``duration`` (seconds) are the part that will be painted; the length limit
    applies to that part (``limit=False``: no limit, the page renders it in pieces).

    Raises:
        InputError: not in the workspace, too large or too long, not a video.
    """
    real = _own(path, workspace, session, limits, label)
    try:
        with av.open(str(real), mode="r") as container:
            kind = container.format.name
            if not container.streams.video:
                raise InputError(f"the {label} has no picture (is it a sound file?)")
            stream = container.streams.video[0]
            seconds = _seconds(container, stream)
            next(container.decode(stream))  # at least one frame decodes
    except InputError:
        raise
    except (av.FFmpegError, StopIteration, UnicodeDecodeError, ValueError, OSError):
        raise InputError(
            f"the {label} is not a video restyle can read (checked by its content, whatever "
            "its name); upload an MP4, MOV, MKV or WebM file"
        ) from None
    seconds = _painted(seconds, start, duration)
    too_long = limits.max_seconds is not None and (seconds or 0) > limits.max_seconds
    if limit and too_long:
        raise InputError(
            f"the {label} would paint {seconds:.0f} s; this server paints up to "
            f"{limits.max_seconds:g} s of video at a time (restyle ui --max-seconds); "
            "set Start and Duration, or upload a shorter clip"
        )
    return _link(real, session, label.replace(" ", "-"), VIDEO_EXTENSIONS.get(kind, ".video"))


def _painted(seconds: float | None, start: float | None, duration: float | None) -> float | None:
    """How much of a video of ``seconds`` is painted from ``start`` for ``duration``."""
    if seconds is None:
        return None
    seconds = max(0.0, seconds - (start or 0.0))
    return seconds if duration is None else min(seconds, duration)


def painted_seconds(video: Path, start: float | None, duration: float | None) -> float | None:
    """The painted stretch of a checked video, in seconds (None when its headers do not say)."""
    with av.open(str(video), mode="r") as container:
        return _painted(_seconds(container, container.streams.video[0]), start, duration)


def _seconds(container: av.container.InputContainer, stream: av.VideoStream) -> float | None:
    """The video's length in seconds from the container's headers, if they say."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def playable_suffix(video: Path) -> str:
    """The result's container for a checked upload: ``.mp4`` (H.264), or ``.webm`` (VP9)
    when the video has an odd width or height.

    H.264 in 4:2:0 cannot code an odd size, so restyle keeps such a size in 4:4:4, which
    browsers do not play; VP9 codes it in 4:2:0 and every current browser plays it, so the
    page shows the result at the video's own size.
    """
    with av.open(str(video), mode="r") as container:
        ctx = container.streams.video[0].codec_context
        return ".webm" if ctx.width % 2 or ctx.height % 2 else ".mp4"
