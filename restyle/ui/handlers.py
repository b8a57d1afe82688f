"""What the page's buttons do, without Gradio: checked uploads in, files and tables out.

Every handler takes the tab's :class:`~restyle.ui.workspace.Session`, checks its uploads
by content (:mod:`restyle.ui.uploads`), builds the options the CLI would
(:mod:`restyle.ui.jobs`) and calls the public API. Results are written under names of
restyle's own in the session's ``out`` folder; a cancelled or failed render leaves nothing.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import api
from ..errors import InputError
from ..job import VideoJob
from ..media.image import save_image
from ..rendering import Progress, render
from ..rendering.progress import Cancelled
from . import jobs
from .renders import LongRender, Renders
from .uploads import Limits, checked_image, checked_video, painted_seconds, playable_suffix
from .workspace import Session, Workspace

log = logging.getLogger("restyle.ui")

ProgressSink = Callable[[int, int, str], None]  # (done, total, text)


STAGE_NAMES = {
    "keyframes": "reading the style video",
    "warmup": "warming up",
    "render": "painting",
    "join": "joining",
}


@dataclass
class Meter:
    """Turns the runner's :class:`~restyle.Progress` events into a line for the page.

    The line names the stage and gives frames done of the total, the rate and the time
    left, e.g. ``painting: 12/96 frames, 8.3 frames/s, 11 s left``.
    """

    sink: ProgressSink | None = None
    unit: str = "frames"

    def __call__(self, event: Progress) -> None:
        """Report one event."""
        if self.sink is None:
            return
        stage = STAGE_NAMES.get(event.stage, event.stage)
        text = f"{stage}: {event.done}/{event.total} {self.unit}, {event.fps:.1f} {self.unit}/s"
        if event.pieces and event.stage == "render":  # a long video, in resumable pieces
            text = f"{stage}: {event.pieces_done}/{event.pieces} pieces, " + text.split(": ", 1)[1]
        if event.eta is not None and event.done < event.total:
            text += f", {math.ceil(event.eta)} s left"
        self.sink(event.done, event.total, text)


@dataclass(frozen=True)
class Rendered:
    """A finished render: the file and the line the page shows under it."""

    path: Path
    summary: str


@dataclass(frozen=True)
class Planned:
    """A video render about to run: its job, and its long render when it goes in pieces."""

    job: VideoJob
    long: LongRender | None = None


class Handlers:
    """The page's actions over one workspace, with the server's upload limits.

    ``renders``: where videos longer than ``limits.max_seconds`` are rendered in resumable
    pieces (None: such videos are refused). ``job_options``: the server's own settings for
    every video render (``restyle ui --crf 18 --device cuda``).
    """

    def __init__(
        self,
        workspace: Workspace,
        limits: Limits | None = None,
        renders: Renders | None = None,
        job_options: dict | None = None,
    ) -> None:
        self.workspace = workspace
        self.limits = limits or Limits()
        self.renders = renders
        self.job_options = dict(job_options or {})

    # uploads -----------------------------------------------------------------------------

    def image(self, session: Session, path: str | None, label: str) -> Path | None:
        """An optional image upload, checked; None when nothing was uploaded."""
        if not path:
            return None
        return checked_image(path, self.workspace, session, self.limits, label)

    def images(self, session: Session, paths: Sequence[str] | None, label: str) -> list[Path]:
        """Several image uploads (style images to blend, contents of a grid), checked."""
        return [checked_image(p, self.workspace, session, self.limits, label) for p in paths or []]

    def video(
        self,
        session: Session,
        path: str | None,
        label: str = "video",
        start: float | None = None,
        duration: float | None = None,
        limit: bool = True,
    ) -> Path:
        """A required video upload, checked (its painted part within ``--max-seconds``
        unless ``limit`` is off)."""
        if not path:
            raise InputError(f"no {label} uploaded")
        return checked_video(
            path, self.workspace, session, self.limits, label, start, duration, limit
        )

    # pictures ----------------------------------------------------------------------------

    def paint_picture(
        self,
        session: Session,
        content: str | None,
        style_files: Sequence[str] | None,
        builtins: Sequence[str],
        strength: float,
        preserve_color: bool,
        method: str = "network",
    ) -> Rendered:
        """Paint one picture (``restyle image``); returns the PNG."""
        image = self.image(session, content, "picture")
        if image is None:
            raise InputError("no picture uploaded")
        styles = jobs.style_list(self.images(session, style_files, "style image"), builtins)
        started = time.perf_counter()
        painted = api.stylize_image(
            image, styles, **jobs.look_options(strength, preserve_color, method)
        )
        out = save_image(painted, session.new_path("out/painted", ".png"))
        h, w = painted.shape[:2]
        return Rendered(out, f"{w}x{h}, painted in {time.perf_counter() - started:.1f} s")

    def paint_grid(
        self,
        session: Session,
        contents: Sequence[str] | None,
        style_files: Sequence[str] | None,
        builtins: Sequence[str],
        strength: float,
        preserve_color: bool,
        method: str = "network",
        sink: ProgressSink | None = None,
    ) -> Rendered:
        """Every content in every style (``restyle grid``); returns the grid PNG."""
        images = self.images(session, contents, "picture")
        if not images:
            raise InputError("no pictures uploaded for the grid")
        styled = self.images(session, style_files, "style image")
        styles = [str(p) for p in styled] or list(builtins)
        if not styles:
            raise InputError("no style chosen: upload style images or pick built-in styles")
        grid = api.style_grid(
            images,
            styles,
            on_progress=Meter(sink, "pictures"),
            **jobs.look_options(strength, preserve_color, method),
        )
        out = save_image(grid, session.new_path("out/grid", ".png"))
        return Rendered(out, f"{len(images)} x {len(styles)} grid")

    # videos ------------------------------------------------------------------------------

    def render_video(
        self,
        session: Session,
        video: str | None,
        style_files: Sequence[str] | None,
        builtins: Sequence[str],
        options: dict,
        sink: ProgressSink | None = None,
    ) -> Rendered:
        """Paint a video (``restyle video``) with ``options`` from :func:`jobs.video_options`;
        one longer than ``--max-seconds`` in resumable pieces (:meth:`plan_video`)."""
        planned = self.plan_video(session, video, style_files, builtins, options)
        return self.run_planned(session, planned, sink)

    def plan_video(
        self,
        session: Session,
        video: str | None,
        style_files: Sequence[str] | None,
        builtins: Sequence[str],
        options: dict,
    ) -> Planned:
        """The Video tab's render: in one piece, or, for a video longer than
        ``--max-seconds``, a long render kept in the renders folder (an unfinished one of the
        same video, styles and options is taken up again)."""
        start, duration = options["start"], options["duration"]
        long_ok = self.renders is not None and self.limits.max_seconds is not None
        source = self.video(session, video, "video", start, duration, limit=not long_ok)
        seconds = painted_seconds(source, start, duration) if long_ok else None
        if seconds is None or seconds <= (self.limits.max_seconds or 0):
            return Planned(self.video_job(session, video, style_files, builtins, options, source))
        assert self.renders is not None
        styles = jobs.style_list(self.images(session, style_files, "style image"), builtins)
        look = ", ".join(Path(s).name if "/" in s or os.sep in s else s for s in styles)
        label = f"{seconds:.0f} s video in {look}"
        long = self.renders.open(source, styles, self._options(options), label)
        return Planned(long.job, long)

    def run_planned(
        self, session: Session, planned: Planned, sink: ProgressSink | None = None
    ) -> Rendered:
        """Run a planned render (:meth:`plan_video`)."""
        if planned.long is None:
            return self._render(session, planned.job, sink)
        return self._render_long(session, planned.long, sink)

    def resume(self, session: Session, render_id: str | None, sink: ProgressSink | None = None):
        """Go on with an unfinished long render (its finished pieces are reused)."""
        if self.renders is None:
            raise InputError("this server keeps no long renders")
        if not render_id:
            raise InputError("no unfinished render chosen")
        return self._render_long(session, self.renders.load(render_id), sink)

    def discard(self, render_id: str | None) -> str:
        """Delete an unfinished long render and its pieces."""
        if self.renders is None or not render_id:
            raise InputError("no unfinished render chosen")
        if render_id in self.renders.running:
            raise InputError("that render is running; cancel it first")
        self.renders.discard(render_id)
        return "Discarded: the unfinished render and its pieces were deleted."

    def unfinished(self, ids: Sequence[str] | None) -> list[tuple[str, str]]:
        """(label, id) of the unfinished long renders among a browser's ``ids``."""
        return [] if self.renders is None else self.renders.unfinished(list(ids or []))

    def _render_long(
        self, session: Session, long: LongRender, sink: ProgressSink | None
    ) -> Rendered:
        """Run a long render in pieces; its pieces are kept for a resume if it stops."""
        assert self.renders is not None
        if long.id in self.renders.running:
            raise InputError("that render is already running")
        source = Path(long.job.source)
        job = self.renders.job(long, session.new_path("out/painted", playable_suffix(source)))
        self.renders.running.add(long.id)
        try:
            rendered, result = self._render(session, job, sink, result=True)
        except Cancelled:
            done, total = self.renders.progress(long.id)
            raise Cancelled(
                f"the render was cancelled; {done} of {total} pieces are kept: resume it under "
                "Unfinished renders, or render the same video again"
            ) from None
        finally:
            self.renders.running.discard(long.id)
        self.renders.discard(long.id)  # finished: its copies and record go
        reused = f", {result.reused} reused from an earlier run" if result.reused else ""
        summary = f"{rendered.summary}; {result.chunks} pieces{reused}"
        log.info("rendered %s: %s", job.output, summary)
        return Rendered(rendered.path, summary)

    def _options(self, options: dict) -> dict:
        """The page's options over the server's own settings."""
        return {**self.job_options, **options}

    def video_job(
        self,
        session: Session,
        video: str | None,
        style_files: Sequence[str] | None,
        builtins: Sequence[str],
        options: dict,
        source: Path | None = None,
    ) -> VideoJob:
        """The job the Video tab's widgets describe: the one ``restyle video`` builds."""
        if source is None:
            source = self.video(session, video, "video", options["start"], options["duration"])
        styles = jobs.style_list(self.images(session, style_files, "style image"), builtins)
        output = session.new_path("out/painted", playable_suffix(source))
        return VideoJob.build(source, output, styles, **self._options(options))

    def show_keyframes(
        self,
        session: Session,
        film: str | None,
        count: int,
        method: str,
        sink: ProgressSink | None = None,
    ) -> list[tuple[Path, str]]:
        """The style video's keyframes as pictures with their times (``restyle keyframes``)."""
        source = self.video(session, film, "style video")
        keys = api.extract_keyframes(source, int(count), method=method, on_progress=Meter(sink))
        shown = []
        for n, key in enumerate(keys, start=1):
            path = save_image(key.image, session.new_path("out/keyframe", ".png"))
            shown.append((path, f"#{n}  {key.time:.2f} s  (frame {key.index})"))
        return shown

    def render_style_video(
        self,
        session: Session,
        video: str | None,
        film: str | None,
        options: dict,
        sink: ProgressSink | None = None,
    ) -> Rendered:
        """Paint a video in the changing style of a style video (``--style-video``)."""
        return self._render(session, self.style_video_job(session, video, film, options), sink)

    def style_video_job(
        self, session: Session, video: str | None, film: str | None, options: dict
    ) -> VideoJob:
        """The job the Style video tab describes (``restyle video --style-video``)."""
        source = self.video(session, video, "video", options["start"], options["duration"])
        style_film = self.video(session, film, "style video")
        output = session.new_path("out/painted", playable_suffix(source))
        return VideoJob.build(
            source, output, None, style_video=style_film, **self._options(options)
        )

    def _render(
        self, session: Session, job: VideoJob, sink: ProgressSink | None, result: bool = False
    ):
        """Run one job; nothing is left behind if it is cancelled or fails (a long render's
        pieces are kept). With ``result``, (Rendered, the renderer's result)."""
        output = Path(job.output)
        if sink is not None:  # at once: the first painted frame comes after the look-ahead
            sink(0, 0, "starting: opening the video, loading the networks")
        session.busy = True
        try:
            want, done = result, render(job, on_progress=Meter(sink), cancel=session.start_render())
            result = done
        finally:
            session.busy = False
            session.used = time.monotonic()
        if session.ended:  # the tab closed while it ran
            output.unlink(missing_ok=True)
            raise InputError("the page was closed; the render was discarded")
        notes = "".join(f"; {w}" for w in result.warnings)
        summary = (
            f"{result.frames} frames, {result.width}x{result.height}, "
            f"{result.seconds:.1f} s at {result.fps:.1f} fps{notes}"
        )
        return (Rendered(output, summary), done) if want else Rendered(output, summary)

    def cancel(self, session: Session) -> str:
        """Stop the session's render; its output is discarded."""
        session.cancel.set()
        return "Cancelled: the render stopped and nothing was written."

    # evaluation --------------------------------------------------------------------------

    def evaluate(
        self,
        session: Session,
        source: str | None,
        stylized: str | None,
        reference: str | None,
        style_files: Sequence[str] | None,
        sink: ProgressSink | None = None,
    ) -> tuple[list[list[str]], dict[str, list]]:
        """Flicker, fidelity, structure and style distance (``restyle eval``).

        Returns:
            The metrics table as rows of (measure, value, meaning), and the per-frame warp
            error as columns ``frame``, ``warp error`` and ``series`` for a line plot.
        """
        src = self.video(session, source, "source video")
        out = self.video(session, stylized, "stylized video")
        ref = self.video(session, reference, "reference video") if reference else None
        styles = [str(p) for p in self.images(session, style_files, "style image")]
        report = api.evaluate(
            src, out, reference=ref, style=styles or None, on_progress=Meter(sink)
        )
        rows = [
            ["frames", f"{report.frames}", f"{report.skipped} skipped at cuts"],
            ["warp error", f"{report.warp_error:.6f}", "lower = less flicker"],
            ["source floor", f"{report.source_floor:.6f}", "the source under the same flow"],
            ["ratio", f"{report.ratio:.2f}x", "warp error over the floor"],
            ["content structure", f"{report.content:.3f}", "edge SSIM to the source, 1 = all kept"],
        ]
        if report.fidelity is not None:
            rows.append(["fidelity", f"{report.fidelity:.3f}", "SSIM to the per-frame reference"])
        if report.style_distance is not None:
            rows.append(
                [
                    "style distance",
                    f"{report.style_distance:.3f}",
                    f"source: {report.source_style_distance:.3f}; lower = closer to the style",
                ]
            )
        return rows, _flicker_series(report.per_frame_warp_error, report.per_frame_source_floor)


def _flicker_series(stylized: Sequence[float | None], source: Sequence[float | None]) -> dict:
    """Long-form columns for the per-frame flicker plot (frames not measured are left out)."""
    frame: list[int] = []
    value: list[float] = []
    series: list[str] = []
    for name, values in (("stylized", stylized), ("source (floor)", source)):
        for i, v in enumerate(values):
            if v is not None and np.isfinite(v):
                frame.append(i)
                value.append(float(v))
                series.append(name)
    return {"frame": frame, "warp error": value, "series": series}
