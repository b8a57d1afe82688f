"""Streaming video writer (PyAV): H.264/VP9 or a PNG sequence, exact timing, audio, atomic output.

Frames go in one at a time as HxWx3 uint8 RGB arrays with their times in seconds; the file
appears under its real name only when `close()` succeeds. The container comes from the
extension: ``.mp4``/``.m4v``/``.mov``/``.mkv`` get H.264 (libx264), ``.webm`` gets VP9 with Opus
audio, and a path with a printf pattern such as ``frames/%05d.png`` gets one PNG per frame.

Odd sizes: H.264 in 4:2:0 cannot code an odd width or height (its cropping works in steps of
two pixels), so frames with an odd side are encoded as 4:4:4 (High 4:4:4 profile) to keep the
exact size; even sizes use ``yuv420p``. VP9 codes odd sizes in ``yuv420p`` directly.

Lossless (``crf=0``): the frames are coded as RGB, so they decode to exactly the RGB frames that
were written (no 4:2:0 colour subsampling, no YUV matrix or range rounding): H.264 through
``libx264rgb`` in ``rgb24`` at qp 0 (High 4:4:4 Predictive), VP9 with ``lossless=1`` in
``gbrp`` (profile 1), at any size. Browsers and many players do not play such files
(:func:`playback_warning` says so); crf 1 and up write the playable 4:2:0 above.
"""

from __future__ import annotations

import os
import re
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from restyle.errors import OutputError
from restyle.media.atomic import AtomicFile, AtomicFolder, describe_os_error, refuse_overwrite
from restyle.media.audio import AudioMuxer
from restyle.media.join import exact_start_options
from restyle.media.options import X264_PRESETS
from restyle.media.paths import as_path
from restyle.media.reader import SCALER_THREADS, AudioSource, VideoInfo

# extension -> (FFmpeg muxer, video encoder)
VIDEO_FORMATS = {
    ".mp4": ("mp4", "libx264"),
    ".m4v": ("mp4", "libx264"),
    ".mov": ("mov", "libx264"),
    ".mkv": ("matroska", "libx264"),
    ".webm": ("webm", "libvpx-vp9"),
}
_PATTERN = re.compile(r"%0?\d*d")
# libvpx "cpu-used" for each x264 preset name (higher is faster)
_VP9_SPEED = dict(zip(X264_PRESETS, (8, 8, 7, 6, 5, 4, 2, 1, 0, 0), strict=True))
_BT709 = 1  # AVCOL_PRI_BT709 == AVCOL_TRC_BT709 == AVCOL_SPC_BT709
_TV_RANGE = 1  # AVCOL_RANGE_MPEG
_SPC_RGB = 0  # AVCOL_SPC_RGB: the planes are G, B, R, no YUV matrix
_PC_RANGE = 2  # AVCOL_RANGE_JPEG: full range, as RGB always is
_RGB_FORMATS = ("rgb24", "gbrp")  # the lossless pixel formats (libx264rgb, VP9)
_H264_SUFFIXES = tuple(e for e, (_, encoder) in VIDEO_FORMATS.items() if encoder == "libx264")


def playback_warning(
    path: str | os.PathLike[str], width: int, height: int, crf: int | None
) -> str | None:
    """The warning for an output that is correct but many players cannot play, or None.

    ``crf=0`` writes lossless RGB video (H.264 or VP9); an odd size in H.264 above crf 0 is
    written in 4:4:4. Neither plays in browsers.
    """
    if is_image_sequence(path):
        return None
    ext = Path(path).suffix.lower()
    if crf == 0 and ext in VIDEO_FORMATS:
        codec = "VP9" if ext == ".webm" else "H.264"
        return (
            f"crf 0 writes lossless RGB {codec}, which decodes to exactly the painted frames "
            "but which browsers and many players do not play; use crf 1 or more (or the "
            "default) for a video to share"
        )
    if (width % 2 or height % 2) and ext in _H264_SUFFIXES:
        return (
            f"the video is {width}x{height}: H.264 4:2:0 needs even sizes, so this "
            "file keeps the exact size in 4:4:4, which browsers and QuickTime do not play; "
            "write .webm, or crop the input to an even size, for those"
        )
    return None


def is_image_sequence(path: str | os.PathLike[str]) -> bool:
    """True when `path` names a numbered image sequence such as ``frames/%05d.png``."""
    return bool(_PATTERN.search(Path(path).name))


class VideoWriter:
    """Write frames (HxWx3 uint8 RGB, with times) to a video file or PNG sequence, atomically.

    Use as a context manager: on a clean exit the output is finalized and renamed into place;
    on any exception (KeyboardInterrupt included) the temporary output is removed and nothing
    appears. Not shared between threads; separate writers are independent.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        width: int,
        height: int,
        frame_rate: Fraction | float,
        time_base: Fraction | None = None,
        rotation: int = 0,
        audio: AudioSource | None = None,
        crf: int | None = None,
        preset: str = "medium",
        inputs: tuple[str | os.PathLike[str], ...] = (),
        exact_start: bool = False,
    ) -> None:
        self.path = as_path(path, "the output")
        self.exact_start = exact_start
        if width < 1 or height < 1:
            raise ValueError(f"Frame size must be positive, not {width}x{height}.")
        self.width, self.height = int(width), int(height)
        self.frame_rate = Fraction(frame_rate).limit_denominator(1_000_000)
        if self.frame_rate <= 0:
            raise OutputError(f"Output frame rate must be > 0, not {frame_rate}.")
        self.time_base = Fraction(time_base) if time_base else 1 / self.frame_rate
        self.rotation = int(rotation) % 360
        if self.rotation % 90:
            raise OutputError(f"Rotation must be a multiple of 90 degrees, not {rotation}.")
        if preset not in X264_PRESETS:
            raise OutputError(f"Unknown preset {preset!r}; use one of {', '.join(X264_PRESETS)}.")
        if crf is not None and not 0 <= crf <= 63:
            raise OutputError(f"CRF must be between 0 and 51 (63 for .webm), not {crf}.")
        refuse_overwrite(self.path, [*inputs, *([audio.path] if audio else [])])

        self.frames_written = 0
        self.audio_copied: bool | None = None  # True: packets copied; False: re-encoded
        self._held: tuple[av.VideoFrame, int, int | None] | None = None
        self._last_pts = -1
        self._audio: AudioMuxer | None = None
        self._closed = False
        if is_image_sequence(self.path):
            self._open_sequence()
        else:
            self._open_video(audio, crf, preset)

    # -- opening -----------------------------------------------------------------------

    def _open_sequence(self) -> None:
        name = self.path.name
        if Path(name).suffix.lower() != ".png":
            raise OutputError(
                f"Image sequences are written as PNG: use e.g. frames/%05d.png, not {name}."
            )
        self.kind = "png"
        self._atomic = AtomicFolder(self.path.parent)
        try:
            self._container = av.open(str(self._atomic.path / name), mode="w", format="image2")
            stream = self._container.add_stream("png", rate=self.frame_rate)
            turned = self.rotation % 180 == 90
            stream.width = self.height if turned else self.width
            stream.height = self.width if turned else self.height
            stream.pix_fmt = "rgb24"
            self._stream = stream
        except BaseException as exc:
            self._atomic.abort()
            if isinstance(exc, av.FFmpegError | OSError):
                raise self._failed(exc) from None
            raise

    def _open_video(self, audio: AudioSource | None, crf: int | None, preset: str) -> None:
        ext = self.path.suffix.lower()
        if ext not in VIDEO_FORMATS:
            known = ", ".join(sorted(VIDEO_FORMATS))
            raise OutputError(
                f"Unknown output type {ext or '(none)'!r} for {self.path.name}; "
                f"use {known} or a PNG pattern like frames/%05d.png."
            )
        muxer, encoder = VIDEO_FORMATS[ext]
        self.kind = muxer
        self._atomic = AtomicFile(self.path)
        try:
            options = {"movflags": "+faststart"} if muxer in ("mp4", "mov") else {}
            if self.exact_start:  # a piece of a longer video: keep its first time exact
                options.update(exact_start_options(ext, self.time_base))
            self._container = av.open(
                str(self._atomic.path), mode="w", format=muxer, container_options=options
            )
            self._stream = self._add_video_stream(encoder, crf, preset)
            if audio is not None:
                self._audio = AudioMuxer(audio, self._container, muxer)
                self.audio_copied = self._audio.copied
        except BaseException as exc:
            self._abort_quietly()
            if isinstance(exc, av.FFmpegError | OSError):
                raise self._failed(exc) from None
            raise

    def _add_video_stream(self, encoder: str, crf: int | None, preset: str) -> av.VideoStream:
        lossless = crf == 0
        if encoder == "libx264" and lossless:
            # RGB in, RGB out: exact (4:2:0 halves the colour, YUV rounds it)
            encoder, pix_fmt = "libx264rgb", "rgb24"
            options = {"qp": "0", "preset": preset}
        elif encoder == "libx264":
            options = {"crf": str(18 if crf is None else crf), "preset": preset}
            odd = self.width % 2 or self.height % 2
            pix_fmt = "yuv444p" if odd else "yuv420p"
        else:
            options = {
                "crf": str(31 if crf is None else crf),
                "b": "0",
                "deadline": "good",
                "cpu-used": str(_VP9_SPEED[preset]),
                "row-mt": "1",
            }
            pix_fmt = "yuv420p"
            if lossless:  # VP9's crf 0 alone is not lossless
                options["lossless"] = "1"
                pix_fmt = "gbrp"
        stream = self._container.add_stream(encoder, rate=self.frame_rate, options=options)
        stream.width, stream.height = self.width, self.height
        stream.pix_fmt = pix_fmt
        stream.time_base = self.time_base
        ctx = stream.codec_context
        ctx.time_base = self.time_base
        ctx.color_primaries = ctx.color_trc = _BT709
        if pix_fmt in _RGB_FORMATS:
            ctx.colorspace, ctx.color_range = _SPC_RGB, _PC_RANGE
        else:
            ctx.colorspace, ctx.color_range = _BT709, _TV_RANGE
        stream.thread_type = "AUTO"
        if self.rotation:
            stream.set_display_rotation(self.rotation)
        return stream

    # -- writing -----------------------------------------------------------------------

    def write(self, image: np.ndarray, time: float, duration: float | None = None) -> None:
        """Add one frame (HxWx3 uint8 RGB) shown at `time` seconds, for `duration` if known.

        Times must increase. A frame's duration is taken from the next frame's time; pass
        `duration` for the last frame when it differs from one frame at `frame_rate`.
        """
        if self._closed:
            raise RuntimeError("This writer is closed.")
        if image.shape != (self.height, self.width, 3) or image.dtype != np.uint8:
            raise ValueError(
                f"Expected a {self.height}x{self.width}x3 uint8 RGB frame, "
                f"got {image.shape} {image.dtype}."
            )
        pts = round(time / self.time_base)
        if pts <= self._last_pts:
            if self.kind != "png":
                pts = self._last_pts + 1  # keep strictly increasing after rounding
        ticks = None if duration is None else max(1, round(duration / self.time_base))
        if self.kind == "png" and self.rotation:
            image = np.ascontiguousarray(np.rot90(image, k=self.rotation // 90))
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        if self._held is not None:
            held, held_pts, _ = self._held
            try:
                self._encode(held, held_pts, pts - held_pts)
            except (av.FFmpegError, OSError) as exc:
                self._abort_quietly()
                raise self._failed(exc) from None
        self._held = (frame, pts, ticks)
        self._last_pts = pts

    def _failed(self, exc: BaseException) -> OutputError:
        """The one-line error for a write that failed (disk full, folder gone, ...)."""
        what = describe_os_error(exc)
        if not self._atomic.path.parent.is_dir():
            what = f"the output folder {self._atomic.path.parent} was moved or deleted"
        return OutputError(f"Writing {self.path} failed: {what}; nothing was written.")

    def _encode(self, frame: av.VideoFrame, pts: int, ticks: int) -> None:
        pix_fmt = self._stream.pix_fmt
        if pix_fmt in _RGB_FORMATS:  # lossless: the same values, at most reordered in planes
            if pix_fmt != "rgb24":
                frame = frame.reformat(format=pix_fmt, threads=SCALER_THREADS)
        elif self.kind != "png":
            frame = frame.reformat(
                format=pix_fmt,
                dst_colorspace="ITU709",
                dst_color_range="MPEG",
                threads=SCALER_THREADS,
            )
        frame.pts = pts
        frame.duration = ticks
        frame.time_base = self.time_base
        self._container.mux(self._stream.encode(frame))
        self.frames_written += 1
        if self._audio is not None:
            self._audio.advance(float(pts * self.time_base) + 0.5)

    def close(self) -> None:
        """Finish encoding, mux the remaining audio, and move the output into place.

        Raises:
            OutputError: the output could not be finalized (nothing is left behind then).
        """
        if self._closed:
            return
        try:
            if self._held is not None:
                frame, pts, ticks = self._held
                self._held = None
                default = max(1, round(1 / (self.frame_rate * self.time_base)))
                self._encode(frame, pts, ticks or default)
            self._container.mux(self._stream.encode(None))
            if self._audio is not None:
                self._audio.finish()
            self._container.close()
        except BaseException as exc:
            self._abort_quietly()
            if isinstance(exc, av.FFmpegError | OSError):
                raise self._failed(exc) from None
            raise
        self._closed = True
        self._atomic.commit()

    def abort(self) -> None:
        """Stop writing and remove the temporary output; the target is left untouched.

        Does nothing once the writer is closed (its output moved into place) or aborted.
        """
        if not self._closed:
            self._abort_quietly()

    def _abort_quietly(self) -> None:
        self._closed = True
        self._held = None
        if self._audio is not None:
            self._audio.close()
        container = getattr(self, "_container", None)
        if container is not None:
            try:
                container.close()
            except Exception:  # noqa: BLE001 - the output is being thrown away anyway
                pass
        self._atomic.abort()

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self._abort_quietly()


def open_writer(
    path: str | os.PathLike[str],
    like: VideoInfo,
    *,
    audio: AudioSource | None = None,
    crf: int | None = None,
    preset: str = "medium",
    width: int | None = None,
    height: int | None = None,
    exact_start: bool = False,
) -> VideoWriter:
    """Open a writer whose size, frame rate, time base and rotation match a reader's `VideoInfo`.

    Arguments:
        path: output file (``.mp4``, ``.mov``, ``.mkv``, ``.m4v``, ``.webm``) or a PNG pattern
            such as ``frames/%05d.png``.
        like: the input's `VideoInfo` (``reader.info``); its file is never overwritten.
        audio: ``reader.audio`` to carry the input's audio (copied when the container takes
            the codec and no trimming was asked, else re-encoded to AAC, or Opus for .webm).
        crf: quality (H.264 0-51, default 18; VP9 0-63, default 31); 0 is lossless RGB,
            which decodes to exactly the written frames but plays in few players.
        preset: x264 preset name (also mapped to a VP9 speed), default "medium".
        width, height: frame size if it differs from the input's stored size.
        exact_start: the file is a piece of a longer video that starts later than 0 s: its
            first timestamp is kept exact (see :mod:`restyle.media.join`).

    Returns:
        A `VideoWriter`; call ``write(image, time, duration)`` per frame, inside ``with``.

    Raises:
        OutputError: unknown extension, folder missing or not writable, output is the input.
    """
    return VideoWriter(
        path,
        width=width or like.width,
        height=height or like.height,
        frame_rate=like.frame_rate,
        time_base=like.time_base,
        rotation=like.rotation,
        audio=audio,
        crf=crf,
        preset=preset,
        inputs=(like.path,),
        exact_start=exact_start,
    )
