"""Join video files encoded with identical settings by stream copy, and mux audio once over them.

The chunked renderer encodes each piece of a long video into its own file, starting on an IDR
frame, with the timestamps of the whole video (in MP4, whose decode times survive; VP9 pieces
for a ``.webm`` in WebM). :func:`join_videos` copies their packets,
unchanged, into one output (no second encode, so no loss and little time) and carries the
source's audio over the whole result, interleaved as a one-shot render interleaves it. The
output appears only when it is complete.

:data:`EXACT_START` is the container option a piece needs so that its first timestamp
survives: MP4 and MOV store where a track starts in an edit list counted in the movie's time
scale (1/1000 s by default), which would move a piece that starts at 0.5005 s to 0.5 s.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av

from restyle.errors import InputError, OutputError
from restyle.media.atomic import AtomicFile, describe_os_error
from restyle.media.audio import AudioMuxer
from restyle.media.reader import AudioSource

# extension -> FFmpeg muxer, for the containers pieces can be joined in
JOIN_FORMATS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska", ".webm": "webm"}


def exact_start_options(suffix: str, time_base: Fraction) -> dict[str, str]:
    """Container options that keep a piece's first timestamp exact (MP4/MOV edit lists)."""
    if JOIN_FORMATS.get(suffix.lower()) in ("mp4", "mov") and time_base.numerator == 1:
        return {"movie_timescale": str(time_base.denominator)}
    return {}


def join_videos(
    pieces: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    audio: AudioSource | None = None,
    rotation: int = 0,
) -> int:
    """Copy the video packets of ``pieces`` (in order) into ``output``, with ``audio`` muxed once.

    The pieces must hold one video stream each, encoded with the same codec settings, each
    starting on a key frame, with increasing timestamps of one timeline. ``rotation``: the
    display rotation to store (the source's). Returns the number of video packets written.

    Raises:
        InputError: a piece cannot be read or does not continue the one before.
        OutputError: the output cannot be written (nothing is left behind then).
    """
    out = Path(output)
    kind = JOIN_FORMATS.get(out.suffix.lower())
    if kind is None:
        raise OutputError(f"cannot join pieces into {out.name}: use {', '.join(JOIN_FORMATS)}")
    if not pieces:
        raise InputError("nothing to join: no pieces")
    atomic = AtomicFile(out)
    inputs: list[av.container.InputContainer] = []
    container = None
    muxer: AudioMuxer | None = None
    try:
        inputs = [_open(p) for p in pieces]
        faststart = {"movflags": "+faststart"} if kind in ("mp4", "mov") else {}
        container = av.open(str(atomic.path), mode="w", format=kind, container_options=faststart)
        template = inputs[0].streams.video[0]
        stream = container.add_stream_from_template(template)
        if rotation % 360:
            stream.set_display_rotation(rotation % 360)
        if audio is not None:
            muxer = AudioMuxer(audio, container, kind)
        count = 0
        shown_until: float | None = None  # the latest time shown by the pieces so far
        for path, piece in zip(pieces, inputs, strict=True):
            source = piece.streams.video[0]
            first = True
            latest = shown_until
            for packet in piece.demux(source):
                if packet.size == 0:
                    continue  # the demuxer's empty flush packet
                # seconds on the whole video's timeline (PyAV moves the packet to the output's
                # time base when it is muxed)
                shown = None if packet.pts is None else float(packet.pts * source.time_base)
                if first:
                    if not packet.is_keyframe:
                        raise InputError(f"{path} does not start on a key frame")
                    if shown_until is not None and (shown or 0.0) <= shown_until:
                        raise InputError(f"{path} does not continue the piece before it")
                first = False
                if shown is not None:
                    latest = shown if latest is None else max(latest, shown)
                packet.stream = stream
                container.mux(packet)
                count += 1
                if muxer is not None and shown is not None:
                    muxer.advance(shown + 0.5)
            shown_until = latest
        if muxer is not None:
            muxer.finish()
            muxer = None
        container.close()
        container = None
    except BaseException as exc:
        if muxer is not None:
            muxer.close()
        if container is not None:
            try:
                container.close()
            except Exception:  # noqa: BLE001 - the output is thrown away anyway
                pass
        atomic.abort()
        if isinstance(exc, OSError | av.FFmpegError) and not isinstance(exc, InputError):
            raise OutputError(f"Writing {out} failed: {describe_os_error(exc)}") from None
        raise
    finally:
        for piece in inputs:
            piece.close()
    atomic.commit()
    return count


def _open(path: str | os.PathLike[str]) -> av.container.InputContainer:
    try:
        container = av.open(os.fspath(path), mode="r")
    except (av.FFmpegError, OSError) as exc:
        raise InputError(f"cannot read the piece {path}: {exc}") from None
    if not container.streams.video:
        container.close()
        raise InputError(f"the piece {path} has no video")
    return container

