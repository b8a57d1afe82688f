"""What the page's buttons do, without Gradio: checked uploads in, files and tables out.

Every handler takes the tab's :class:`~restyle.ui.workspace.Session`, checks its uploads
by content (:mod:`restyle.ui.uploads`), builds the options the CLI would
(:mod:`restyle.ui.jobs`) and calls the public API. Results are written under names of
restyle's own in the session's ``out`` folder; a cancelled or failed render leaves nothing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import api
from ..errors import InputError
from ..media.image import save_image
from ..metrics.preview import format_time
from . import jobs
from .uploads import Limits, checked_image, checked_video
from .workspace import Session, Workspace

ProgressSink = Callable[[int, int, str], None]  # (done, total, text)


@dataclass
class Meter:
    """Turns ``(done, total)`` calls into a line with frames, fps and ETA for the page."""

    stage: str
    sink: ProgressSink | None = None
    unit: str = "frames"
    started: float = field(default_factory=time.perf_counter)
    first: float | None = None  # seconds from the start to the first update

    def __call__(self, done: int, total: int) -> None:
        """Report one update."""
        now = time.perf_counter()
        elapsed = max(now - self.started, 1e-6)
        if self.first is None:
            self.first = elapsed
        rate = done / elapsed
        text = f"{self.stage}: {done}/{total} {self.unit}, {rate:.1f} {self.unit}/s"
        if total and rate > 0 and done < total:
            text += f", {math.ceil((total - done) / rate)} s left"
        if self.sink is not None:
            self.sink(done, total, text)


@dataclass(frozen=True)
class Rendered:
    """A finished render: the file and the line the page shows under it."""

    path: Path
    summary: str


class Handlers:
    """The page's actions over one workspace, with the server's upload limits."""

    def __init__(self, workspace: Workspace, limits: Limits | None = None) -> None:
        self.workspace = workspace
        self.limits = limits or Limits()

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
    ) -> Path:
        """A required video upload, checked (its painted part within ``--max-seconds``)."""
        if not path:
            raise InputError(f"no {label} uploaded")
        return checked_video(path, self.workspace, session, self.limits, label, start, duration)

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
            progress=Meter("painting", sink, "pictures"),
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
        """Paint a video (``restyle video``) with ``options`` from :func:`jobs.video_options`."""
        source = self.video(session, video, "video", options["start"], options["duration"])
        styles = jobs.style_list(self.images(session, style_files, "style image"), builtins)
        return self._render(session, source, styles, options, sink)

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
        keys = api.extract_keyframes(
            source, int(count), method=method, progress=Meter("reading the style video", sink)
        )
        shown = []
        for n, key in enumerate(keys, start=1):
            path = save_image(key.image, session.new_path("out/keyframe", ".png"))
            shown.append((path, f"#{n}  {format_time(key.time)}  (frame {key.index})"))
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
        source = self.video(session, video, "video", options["start"], options["duration"])
        style_film = self.video(session, film, "style video")
        return self._render(session, source, None, {**options, "style_video": style_film}, sink)

    def _render(
        self,
        session: Session,
        source: Path,
        styles: list[str] | None,
        options: dict,
        sink: ProgressSink | None,
    ) -> Rendered:
        """Run one render to ``out/painted-N.mp4``; nothing is left if it is cancelled."""
        output = session.new_path("out/painted", ".mp4")
        meter = Meter("painting", sink)
        if sink is not None:  # at once: the first painted frame comes after the look-ahead
            sink(0, 0, "starting: opening the video, loading the networks")
        session.busy = True
        try:
            result = api.stylize_video(
                source, output, styles, progress=meter, cancel=session.start_render(), **options
            )
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
        return Rendered(output, summary)

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
            src, out, reference=ref, style=styles or None, progress=Meter("measuring", sink)
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
