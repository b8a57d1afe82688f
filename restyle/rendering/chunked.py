"""Long videos in resumable pieces, rendered here or on a Ray cluster, joined by stream copy.

:func:`render_chunked` is what :func:`restyle.rendering.render` does for a job with
``chunk_seconds`` set:

1. **Plan**: the range is cut by source frame number into pieces of about ``chunk_seconds``
   (:mod:`restyle.rendering.chunks`), at shot changes near a boundary where there is one.
2. **Schedule once**: the style schedule (keyframes of a style video, transitions) is made
   for the whole range in the driver and sent with every piece, so a piece paints exactly
   the frames a one-shot render paints there.
3. **Render**: each piece is painted with ``warmup`` frames before it (filtered, not
   written) by an executor (processes here, or Ray tasks) and encoded with identical
   settings into its own file, which starts on an IDR frame and carries the timestamps of
   the whole video. Its bytes come back to the driver, which stores them in the work folder
   and records them in the manifest (:mod:`restyle.rendering.manifest`).
4. **Join**: the pieces are joined by stream copy and the source's audio is muxed once over
   the whole result (:mod:`restyle.media.join`); the output appears atomically and the work
   folder is removed, unless ``keep_chunks``.

Run the same job again after an interruption and every finished, verified piece is reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path

from ..errors import InputError, OutputError
from ..job import Run, VideoJob
from ..media.atomic import describe_os_error, refuse_overwrite
from ..media.join import JOIN_FORMATS, join_videos
from ..media.reader import open_video
from ..media.timeline import frame_times
from ..media.writer import is_image_sequence
from ..registries import EXECUTORS
from ..signals import Terminated
from .chunks import Chunk, CutFinder, default_warmup, plan_chunks
from .executors import ChunkTask, Executor, Painted
from .manifest import Manifest, fingerprint, remove_pieces, resume
from .progress import Cancelled, Meter, OnProgress
from .result import VideoResult
from .runner import filter_settle, style_plan


def work_folder(job: VideoJob) -> Path:
    """Where a job's pieces are kept: ``--workdir``, else ``.NAME.restyle-chunks`` beside it."""
    if job.run.workdir:
        return Path(job.run.workdir)
    out = Path(job.output)
    return out.with_name(f".{out.name}.restyle-chunks")


def layout(job: VideoJob) -> list[Chunk]:
    """The pieces a chunked job is cut into (decodes only the stretches near boundaries)."""
    r = job.range
    ranged = {"start": r.start, "duration": r.duration, "fps": r.fps, "every": r.every}
    times = frame_times(job.source, **ranged)
    seconds = job.run.chunk_seconds
    if seconds is None:
        raise InputError("a chunked render needs --chunk-seconds S")
    warmup = job.run.warmup
    if warmup is None:
        warmup = default_warmup(times, filter_settle(job))
    return plan_chunks(times, seconds, warmup, CutFinder(job.source, times, **ranged))


def render_chunked(
    job: VideoJob,
    *,
    on_progress: OnProgress | None = None,
    cancel: threading.Event | None = None,
) -> VideoResult:
    """Render a job with ``chunk_seconds`` set in resumable pieces (module docstring).

    Raises:
        InputError: a bad source, a work folder holding another job's pieces, a Ray
            cluster that cannot be reached, a piece that cannot be painted.
        OutputError: the output or the work folder cannot be written; finished pieces
            are kept, so the same command resumes.
        Cancelled: ``cancel`` was set; finished pieces are kept.
    """
    started = time.perf_counter()
    stop = cancel or threading.Event()
    out = Path(job.output)
    if is_image_sequence(out) or out.suffix.lower() not in JOIN_FORMATS:
        raise InputError(
            f"--chunk-seconds writes a video file ({', '.join(JOIN_FORMATS)}), not {out.name}"
        )
    refuse_overwrite(out, [job.source])
    executor = _executor(job)  # before any work: a missing extra is one line at once
    chunks = layout(job)
    if not chunks:
        raise InputError(f"no frames were decoded from {job.source}")
    folder = _open_folder(job)
    # pieces in MP4, which keeps every packet's decode time (Matroska drops them, and
    # H.264 with B-frames cannot be joined without them); VP9 for a .webm in WebM
    suffix = ".webm" if out.suffix.lower() == ".webm" else ".mp4"
    manifest = resume(folder, _layout_key(job), fingerprint(job.source), chunks, suffix)
    reused = [p for p in manifest.pieces if manifest.verified(p)]
    for piece in manifest.pieces:
        if piece not in reused:
            piece.state, piece.sha256, piece.bytes = "pending", None, None
    manifest.save()

    total = sum(c.frames for c in chunks)
    meter = Meter("render", total, on_progress)
    finished = {p.chunk.index: p.chunk.frames for p in reused}
    running: dict[int, int] = {}
    begun: dict[int, int] = {}  # attempts each piece began
    meter.pieces = (len(finished), len(chunks))
    meter.report(sum(finished.values()))
    warnings: list[str] = []
    pending = [p for p in manifest.pieces if p.state != "done"]
    if pending:
        plan = style_plan(job, on_progress)
        worker_job = _worker_job(job, suffix)
        tasks = [ChunkTask(worker_job, p.chunk, plan, suffix) for p in pending]
        by_index = {p.chunk.index: p for p in pending}

        def on_frames(index: int, done: int) -> None:
            if index in finished:
                return
            if done == 0:  # an attempt began; a second one means a worker or node was lost
                begun[index] = begun.get(index, 0) + 1
            running[index] = done
            meter.report(sum(finished.values()) + sum(running.values()))

        def on_done(painted: Painted) -> None:
            manifest.finish(by_index[painted.chunk.index], painted.data)
            running.pop(painted.chunk.index, None)
            finished[painted.chunk.index] = painted.chunk.frames
            meter.pieces = (len(finished), len(chunks))
            for warning in painted.warnings:
                if warning not in warnings:
                    warnings.append(warning)
            meter.report(sum(finished.values()) + sum(running.values()))

        try:
            executor.run(tasks, on_done, on_frames, stop)
        except Cancelled:
            raise Cancelled(f"the render was cancelled; {_kept(manifest)}") from None
        except (KeyboardInterrupt, Terminated) as exc:  # the command line prints the note
            exc.add_note(_kept(manifest))
            raise
    retried = sum(n - 1 for n in begun.values() if n > 1)
    if retried:
        warnings.append(
            f"{retried} piece{'s' if retried > 1 else ''} painted again after a worker or node "
            "was lost; the video is complete"
        )
    joined = time.perf_counter()
    frames, width, height = _join(job, manifest, on_progress)
    join_seconds = time.perf_counter() - joined
    if not job.run.keep_chunks:
        remove_pieces(folder)
    seconds = time.perf_counter() - started
    return VideoResult.finished(
        frames,
        seconds,
        input=job.source,
        output=job.output,
        width=width,
        height=height,
        device=job.engine.device,
        warnings=warnings,
        chunks=len(chunks),
        reused=len(reused),
        retried=retried,
        join_seconds=round(join_seconds, 3),
    )


def _executor(job: VideoJob) -> Executor:
    cls = EXECUTORS.load(job.run.executor)
    return cls(job.run.workers, job.engine.device, job.run.ray_address)


def _open_folder(job: VideoJob) -> Path:
    """The work folder, made (or emptied for ``restart``) and checked writable."""
    folder = work_folder(job)
    try:
        if job.run.restart:
            remove_pieces(folder)
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".restyle-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(
            f"the work folder {folder} cannot be written: {describe_os_error(exc)}; "
            "choose another with --workdir"
        ) from None
    return folder


# the painting's own version: raised whenever the same job paints different frames (a fix
# in a filter or a network), so pieces painted before are not joined to pieces painted after
# (2: the flow filter's warm-up starts on its block grid)
PAINTING_VERSION = 2


def _layout_key(job: VideoJob) -> str:
    """What the pieces depend on: the job's digest, the settings that cut it, the painting's
    version."""
    run = job.run
    text = json.dumps(
        {
            "job": job.digest(),
            "chunk_seconds": run.chunk_seconds,
            "warmup": run.warmup,
            "painting": PAINTING_VERSION,
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _worker_job(job: VideoJob, suffix: str) -> dict:
    """The job a worker paints: one piece at a time, its output a name in its own folder."""
    single = Run(batch=job.run.batch, painters=job.run.painters)
    return job.replace(output=os.path.join(os.sep, "piece" + suffix), run=single).to_dict()


def _join(job: VideoJob, manifest: Manifest, on_progress: OnProgress | None):
    """Join the pieces into the output with the source's audio; (frames, width, height)."""
    import av

    pieces = [manifest.folder / p.file for p in manifest.pieces]
    meter = Meter("join", len(pieces), on_progress)
    meter.report(0)
    r = job.range
    with open_video(job.source, start=r.start, duration=r.duration, fps=r.fps, every=r.every) as rd:
        audio, rotation = rd.audio, rd.info.rotation
        frames = join_videos(pieces, job.output, audio=audio, rotation=rotation)
    meter.report(len(pieces))
    with av.open(str(pieces[0])) as first:
        stream = first.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
    return frames, width, height


def _kept(manifest: Manifest) -> str:
    """What a stopped render leaves for the next run, in words."""
    done = sum(p.state == "done" for p in manifest.pieces)
    return (
        f"{done} of {len(manifest.pieces)} pieces are kept in {manifest.folder}: "
        "run the same command again to resume"
    )
