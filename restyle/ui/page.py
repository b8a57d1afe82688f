"""The Gradio page: four tabs over :class:`~restyle.ui.handlers.Handlers`, two API endpoints.

Only layout and wiring live here; what a button does is in :mod:`restyle.ui.handlers`.
Every event takes its uploads unprocessed (``preprocess=False``: the handlers check the
bytes themselves), renders share one concurrency slot (one at a time, the others wait in
Gradio's queue and see their position), and every :class:`~restyle.errors.RestyleError`
reaches the page as its one-line message.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from ..errors import RestyleError
from ..models.trained import DEFAULT_MODEL
from ..registries import MODELS
from . import jobs, live
from .examples import Examples
from .handlers import Handlers, ProgressSink
from .payloads import path_of as _path
from .payloads import paths_of as _paths

log = logging.getLogger("restyle.ui")

RENDER = "render"  # the concurrency group every painting event shares
DEFAULT_BUILTIN = "builtin:19"
INTRO = (
    "# restyle\nPaint pictures and videos in the style of a painting. Upload your own or "
    "click an example below each tab. Files stay on this server only while this tab is "
    "open."
)


def _sink(progress: gr.Progress) -> ProgressSink:
    """A progress sink drawing Gradio's bar with our text (frames, fps, time left)."""

    def sink(done: int, total: int, text: str) -> None:
        progress((done, total or None), desc=text, unit="frames")

    return sink


class Page:
    """Builds the page's Blocks around one :class:`Handlers`."""

    def __init__(self, handlers: Handlers, examples: Examples) -> None:
        self.handlers = handlers
        self.examples = examples
        self.root = str(handlers.workspace.root)
        self.loads: list[tuple] = []  # (fn, inputs, outputs) run when the page loads

    # errors ------------------------------------------------------------------------------

    def _message(self, exc: BaseException) -> str:
        """The error's one line, with paths inside the workspace cut to their file names."""
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else "cancelled"
        pattern = re.escape(self.root) + r"[^\s'\"]*"
        return re.sub(pattern, lambda m: Path(m.group(0)).name, text)

    def guard(self, fn: Callable) -> Callable:
        """Run a handler so that any error becomes a one-line message in the page."""

        @functools.wraps(fn)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                raise self._error(exc) from None

        return guarded

    def guard_steps(self, fn: Callable) -> Callable:
        """:meth:`guard` for a handler that yields its outputs in steps (a generator)."""

        @functools.wraps(fn)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from fn(*args, **kwargs)
            except Exception as exc:
                raise self._error(exc) from None

        return guarded

    def _error(self, exc: Exception) -> gr.Error:
        """The one-line page error for an exception (a bug is logged in full)."""
        if isinstance(exc, gr.Error):
            return exc
        if isinstance(exc, RestyleError):
            return gr.Error(self._message(exc), print_exception=False)
        log.exception("restyle ui: unexpected error", exc_info=exc)
        return gr.Error(
            f"unexpected error ({type(exc).__name__}: {self._message(exc)}); "
            "the server log has the details",
            print_exception=False,
        )

    def session(self, request: gr.Request):
        """The workspace session of the browser tab (or API client) behind a request."""
        return self.handlers.workspace.session(getattr(request, "session_hash", None))

    # widgets -----------------------------------------------------------------------------

    def style_widgets(self, tab: str) -> tuple[gr.File, gr.Dropdown]:
        """Style images to upload (blended) or built-in styles picked from thumbnails."""
        files = gr.File(
            elem_id=f"{tab}-style-files",
            label="Style image(s): several are blended equally",
            file_count="multiple",
            file_types=["image"],
            height=120,
        )
        builtins = gr.Dropdown(
            list(jobs.BUILTIN_CHOICES),
            value=[DEFAULT_BUILTIN],
            multiselect=True,
            label="or built-in style(s), used when no style image is uploaded",
        )
        gallery = gr.Gallery(
            [(str(p), f"builtin:{i}") for i, p in enumerate(self.examples.thumbnails)],
            label="Built-in styles (click one to choose it)",
            columns=9,
            height=150,
            allow_preview=False,
            interactive=False,
        )

        def choose(evt: gr.SelectData) -> list[str]:
            return [f"builtin:{evt.index}"]

        gallery.select(choose, None, builtins, queue=False, api_visibility="private")
        return files, builtins

    def claim(self, *components: gr.components.Component) -> None:
        """Record each upload as the tab's own, so it is deleted when the tab closes."""

        def claim(payload: Any, request: gr.Request) -> None:
            session = self.session(request)
            for path in _paths(payload):
                try:
                    session.uploads.add(self.handlers.workspace.inside(path))
                except RestyleError:
                    pass

        for component in components:
            component.upload(
                claim, component, None, queue=False, preprocess=False, api_visibility="private"
            )

    def render_outputs(self, tab: str) -> tuple[gr.Video, gr.File, gr.Markdown]:
        """Where a painted video appears: a player, a download link and a summary line."""
        video = gr.Video(label="Painted video", interactive=False, elem_id=f"{tab}-result")
        download = gr.File(label="Download", interactive=False, elem_id=f"{tab}-download")
        status = gr.Markdown(elem_id=f"{tab}-status")
        return video, download, status

    # tabs --------------------------------------------------------------------------------

    def picture_tab(self) -> None:
        """Paint a picture, or a grid of pictures by styles."""
        h = self.handlers
        has_torch = importlib.util.find_spec("torch") is not None
        methods = [m for m in jobs.METHOD_CHOICES if m != "gatys" or has_torch]
        with gr.Row():
            with gr.Column():
                content = gr.Image(
                    label="Picture", type="filepath", sources=["upload"], elem_id="picture-input"
                )
                files, builtins = self.style_widgets("picture")
                strength = gr.Slider(0, 1, 1, step=0.05, label="Strength")
                preserve = gr.Checkbox(label="Preserve colours")
                method = gr.Radio(methods, value="network", label="Method")
                paint = gr.Button("Paint", variant="primary", elem_id="picture-paint")
            with gr.Column():
                result = gr.Image(
                    label="Painted picture",
                    type="filepath",
                    interactive=False,
                    elem_id="picture-result",
                )
                status = gr.Markdown(elem_id="picture-status")
        with gr.Accordion("Grid: pictures (rows) by styles (columns)", open=False):
            contents = gr.File(
                label="Pictures", file_count="multiple", file_types=["image"], height=120
            )
            grid_button = gr.Button("Paint grid")
            grid = gr.Image(label="Grid", type="filepath", interactive=False)
        self.claim(content, files, contents)

        @self.guard
        def paint_picture(c, f, b, s, p, m, request: gr.Request):
            done = h.paint_picture(self.session(request), _path(c), _paths(f), b or [], s, p, m)
            return str(done.path), done.summary

        @self.guard
        def paint_grid(c, f, b, s, p, m, request: gr.Request, progress=gr.Progress()):
            done = h.paint_grid(
                self.session(request), _paths(c), _paths(f), b or [], s, p, m, _sink(progress)
            )
            return str(done.path)

        look = [files, builtins, strength, preserve, method]
        paint.click(
            paint_picture,
            [content, *look],
            [result, status],
            preprocess=False,
            concurrency_id=RENDER,
            api_visibility="private",
        )
        grid_button.click(
            paint_grid,
            [contents, *look],
            grid,
            preprocess=False,
            concurrency_id=RENDER,
            api_visibility="private",
        )
        gr.Examples(
            [[str(self.examples.picture)]],
            inputs=[content],
            label="Example picture",
            elem_id="picture-examples",
        )

    def video_tab(self) -> None:
        """Paint a video: style, flicker control, range, preview, progress, cancel."""
        h = self.handlers
        with gr.Row():
            with gr.Column():
                video = gr.Video(label="Video", sources=["upload"], elem_id="video-input")
                files, builtins = self.style_widgets("video")
                strength = gr.Slider(0, 1, 1, step=0.05, label="Strength")
                preserve = gr.Checkbox(label="Preserve colours")
                temporal = gr.Radio(
                    list(jobs.TEMPORAL_CHOICES), value="flow", label="Flicker removal"
                )
                sharpness = gr.Slider(
                    0.5,
                    0.99,
                    0.855,
                    step=0.005,
                    label="Sharpness (flow): higher keeps more detail, removes less flicker",
                )
                with gr.Row():
                    start = gr.Number(None, label="Start (s)", minimum=0)
                    duration = gr.Number(None, label="Duration (s)", minimum=0)
                side = gr.Checkbox(label="Side by side (source | painted)")
                stick = gr.Checkbox(
                    label="Strokes stick to the scene (for camera pans; --strokes stick)",
                    elem_id="video-stick",
                )
                model = gr.Radio(
                    list(MODELS.names()),
                    value=DEFAULT_MODEL,
                    label="Network (--model): steady strokes follow the content (style "
                    "images, built-in styles 5 and 20); original is the published one",
                    elem_id="video-model",
                )
                with gr.Row():
                    preview = gr.Button(f"Preview ({jobs.PREVIEW_SECONDS:g} s)")
                    render = gr.Button("Render", variant="primary", elem_id="video-render")
                    cancel = gr.Button("Cancel", variant="stop", elem_id="video-cancel")
            with gr.Column():
                result, download, status = self.render_outputs("video")
                mine, pending, resume, discard = self.unfinished_widgets()
        self.claim(video, files)

        def paint(quick: bool):
            @self.guard_steps
            def run(
                v, f, b, s, p, t, q, a, d, sbs, stk, mdl, ids,
                request: gr.Request, progress=gr.Progress(),
            ):  # fmt: skip
                options = jobs.video_options(
                    strength=s,
                    preserve_color=p,
                    temporal=t,
                    sharpness=q,
                    start=a,
                    duration=d,
                    side_by_side=sbs,
                    stick=stk,
                    model=mdl,
                    preview=quick,
                )
                session = self.session(request)
                planned = h.plan_video(session, _path(v), _paths(f), b or [], options)
                ids = [i for i in ids or [] if isinstance(i, str)]
                if planned.long is not None:  # remembered by this browser before it paints
                    ids = [*[i for i in ids if i != planned.long.id], planned.long.id]
                    note = (
                        f"Longer than {h.limits.max_seconds:g} s: rendering in pieces; if it "
                        "stops, resume it under *Unfinished renders*."
                    )
                    yield gr.skip(), gr.skip(), note, ids
                done = h.run_planned(session, planned, _sink(progress))
                yield str(done.path), str(done.path), done.summary, ids

            return run

        inputs = [video, files, builtins, strength, preserve, temporal, sharpness, start]
        inputs += [duration, side, stick, model, mine]
        outputs = [result, download, status]
        events = [
            button.click(
                paint(quick),
                inputs,
                [*outputs, mine],
                preprocess=False,
                concurrency_id=RENDER,
                api_visibility="private",
            )
            for button, quick in ((preview, True), (render, False))
        ]

        @self.guard
        def resume_render(render_id, ids, request: gr.Request, progress=gr.Progress()):
            if render_id not in (ids or []):
                raise gr.Error("choose one of this browser's unfinished renders")
            done = h.resume(self.session(request), render_id, _sink(progress))
            return str(done.path), str(done.path), done.summary

        @self.guard
        def discard_render(render_id, ids):
            if render_id not in (ids or []):
                raise gr.Error("choose one of this browser's unfinished renders")
            return h.discard(render_id), [i for i in ids if i != render_id]

        kwargs = {"preprocess": False, "api_visibility": "private"}
        events.append(
            resume.click(resume_render, [pending, mine], outputs, concurrency_id=RENDER, **kwargs)
        )
        for event in events:
            event.then(self.pending_choices, mine, pending, **kwargs)
        discard.click(discard_render, [pending, mine], [status, mine], **kwargs).then(
            self.pending_choices, mine, pending, **kwargs
        )
        self.loads.append((self.pending_choices, mine, pending))
        self.cancel_button(cancel, events, outputs)
        gr.Examples(
            [[str(self.examples.clip)]],
            inputs=[video],
            label="Example video",
            elem_id="video-examples",
        )

    def unfinished_widgets(self) -> tuple[gr.BrowserState, gr.Dropdown, gr.Button, gr.Button]:
        """This browser's unfinished long renders (their ids kept in its storage, encrypted
        with the renders folder's key), to resume or discard."""
        renders = self.handlers.renders
        mine = gr.BrowserState(
            [],
            storage_key="restyle-long-renders",
            secret=renders.secret() if renders is not None else None,
        )
        with gr.Accordion("Unfinished renders", open=True, visible=renders is not None):
            pending = gr.Dropdown(
                [],
                value=None,
                label="Long renders of this browser that stopped before the end",
                elem_id="video-unfinished",
            )
            with gr.Row():
                resume = gr.Button("Resume", elem_id="video-resume")
                discard = gr.Button("Discard", elem_id="video-discard")
        return mine, pending, resume, discard

    def pending_choices(self, ids: list | None):
        """The dropdown of this browser's unfinished renders."""
        choices = self.handlers.unfinished([i for i in ids or [] if isinstance(i, str)])
        return gr.Dropdown(choices=choices, value=choices[0][1] if choices else None)

    def cancel_button(self, button: gr.Button, events: list, outputs: list) -> None:
        """Cancel: stop the tab's render (nothing is written) and drop its queued ones."""

        def stop(request: gr.Request):
            return None, None, self.handlers.cancel(self.session(request))

        button.click(stop, None, outputs, queue=False, cancels=events, api_visibility="private")

    def style_video_tab(self) -> None:
        """Paint a video in the changing style of a style video, keyframes shown first."""
        h = self.handlers
        with gr.Row():
            with gr.Column():
                video = gr.Video(label="Video to paint", sources=["upload"])
                film = gr.Video(label="Style video", sources=["upload"])
                with gr.Row():
                    count = gr.Slider(2, 12, 5, step=1, label="Keyframes")
                    picker = gr.Dropdown(
                        list(jobs.KEYFRAME_CHOICES), value="diverse", label="Picked by"
                    )
                show = gr.Button("Show keyframes", elem_id="style-video-show")
                with gr.Row():
                    transition = gr.Radio(
                        list(jobs.TRANSITION_CHOICES), value="segments", label="Transition"
                    )
                    easing = gr.Dropdown(list(jobs.EASING_CHOICES), value="smooth", label="Easing")
                hold = gr.Slider(
                    0, 1, 0.3, step=0.05, label="Hold (part of each segment in one style)"
                )
                strength = gr.Slider(0, 1, 1, step=0.05, label="Strength")
                preserve = gr.Checkbox(label="Preserve colours")
                sharpness = gr.Slider(
                    0.5, 0.99, 0.855, step=0.005, label="Sharpness (flicker removal)"
                )
                with gr.Row():
                    start = gr.Number(None, label="Start (s)", minimum=0)
                    duration = gr.Number(None, label="Duration (s)", minimum=0)
                side = gr.Checkbox(label="Side by side (source | painted, keyframe in a corner)")
                with gr.Row():
                    render = gr.Button("Render", variant="primary")
                    cancel = gr.Button("Cancel", variant="stop")
            with gr.Column():
                keyframes = gr.Gallery(
                    label="Keyframes", columns=5, height=220, elem_id="style-video-keyframes"
                )
                result, download, status = self.render_outputs("style-video")
        self.claim(video, film)

        @self.guard
        def show_keyframes(f, n, m, request: gr.Request, progress=gr.Progress()):
            shown = h.show_keyframes(self.session(request), _path(f), n, m, _sink(progress))
            return [(str(p), label) for p, label in shown]

        @self.guard
        def paint(
            v, f, n, m, t, e, hd, s, p, q, a, d, sbs, request: gr.Request, progress=gr.Progress()
        ):
            options = jobs.video_options(
                strength=s,
                preserve_color=p,
                temporal="flow",
                sharpness=q,
                start=a,
                duration=d,
                side_by_side=sbs,
            )
            options.update(
                jobs.style_video_options(
                    keyframes=n, keyframe_method=m, transition=t, easing=e, hold=hd
                )
            )
            done = h.render_style_video(
                self.session(request), _path(v), _path(f), options, _sink(progress)
            )
            return str(done.path), str(done.path), done.summary

        key_inputs = [film, count, picker]
        kwargs = {"preprocess": False, "concurrency_id": RENDER, "api_visibility": "private"}
        show.click(show_keyframes, key_inputs, keyframes, **kwargs)
        inputs = [video, film, count, picker, transition, easing, hold, strength, preserve]
        inputs += [sharpness, start, duration, side]
        first = render.click(show_keyframes, key_inputs, keyframes, **kwargs)
        then = first.success(paint, inputs, [result, download, status], **kwargs)
        self.cancel_button(cancel, [first, then], [result, download, status])
        gr.Examples(
            [[str(self.examples.clip), str(self.examples.style_film)]],
            inputs=[video, film],
            label="Example video and style video",
            elem_id="style-video-examples",
        )

    def evaluate_tab(self) -> None:
        """Measure flicker, fidelity and style distance; plot the warp error per frame."""
        h = self.handlers
        with gr.Row():
            with gr.Column():
                source = gr.Video(label="Source video", sources=["upload"])
                stylized = gr.Video(label="Stylized video", sources=["upload"])
                reference = gr.Video(
                    label="Per-frame reference (optional: --temporal none, for fidelity)",
                    sources=["upload"],
                )
                styles = gr.File(
                    label="Style image(s) used (optional: for the style distance)",
                    file_count="multiple",
                    file_types=["image"],
                    height=100,
                )
                measure = gr.Button("Measure", variant="primary", elem_id="evaluate-measure")
            with gr.Column():
                table = gr.Dataframe(
                    headers=["measure", "value", "meaning"],
                    label="Metrics",
                    interactive=False,
                    elem_id="evaluate-table",
                )
                plot = gr.LinePlot(
                    x="frame",
                    y="warp error",
                    color="series",
                    label="Flicker per frame (warp error; lower is steadier)",
                    height=260,
                )
        self.claim(source, stylized, reference, styles)

        @self.guard
        def evaluate(s, o, r, f, request: gr.Request, progress=gr.Progress()):
            import pandas as pd

            rows, series = h.evaluate(
                self.session(request), _path(s), _path(o), _path(r), _paths(f), _sink(progress)
            )
            return rows, pd.DataFrame(series)

        measure.click(
            evaluate,
            [source, stylized, reference, styles],
            [table, plot],
            preprocess=False,
            concurrency_id=RENDER,
            api_visibility="private",
        )
        ex = self.examples
        gr.Examples(
            [[str(ex.clip), str(ex.painted), str(ex.per_frame)]],
            inputs=[source, stylized, reference],
            label="Example: the demo clip, painted with and without flicker removal",
            elem_id="evaluate-examples",
        )

    def api_endpoints(self) -> None:
        """``stylize_image`` and ``stylize_video`` for scripts (``gradio_client``)."""
        h = self.handlers
        with gr.Row(visible=False):
            content = gr.Image(label="content", type="filepath")
            style = gr.Image(label="style", type="filepath")
            strength = gr.Slider(0, 1, 1, label="strength")
            preserve = gr.Checkbox(label="preserve_colors")
            painted = gr.Image(label="image", type="filepath")
            video = gr.Video(label="video")
            sharpness = gr.Slider(0.5, 0.99, 0.855, label="sharpness")
            painted_video = gr.Video(label="video")
            image_button = gr.Button()
            video_button = gr.Button()

        @self.guard
        def stylize_image(content, style, strength, preserve_colors, request: gr.Request):
            """Paint a picture in the style of a painting (the style image)."""
            session = self.session(request)
            done = h.paint_picture(
                session,
                _path(content),
                [_path(style)] if _path(style) else [],
                [],
                strength,
                preserve_colors,
            )
            return str(done.path)

        @self.guard
        def stylize_video(video, style, sharpness, request: gr.Request, progress=gr.Progress()):
            """Paint a video in the style of a painting, with the default flicker removal."""
            options = jobs.video_options(
                strength=1.0,
                preserve_color=False,
                temporal="flow",
                sharpness=sharpness,
                start=None,
                duration=None,
                side_by_side=False,
            )
            done = h.render_video(
                self.session(request),
                _path(video),
                [_path(style)] if _path(style) else [],
                [],
                options,
                _sink(progress),
            )
            return str(done.path)

        image_button.click(
            stylize_image,
            [content, style, strength, preserve],
            painted,
            api_name="stylize_image",
            preprocess=False,
            concurrency_id=RENDER,
        )
        video_button.click(
            stylize_video,
            [video, style, sharpness],
            painted_video,
            api_name="stylize_video",
            preprocess=False,
            concurrency_id=RENDER,
        )

    def build(self) -> gr.Blocks:
        """The whole page."""
        with gr.Blocks(title="restyle", analytics_enabled=False) as blocks:
            gr.Markdown(INTRO)
            with gr.Tab("Picture", id="picture"):
                self.picture_tab()
            with gr.Tab("Video", id="video"):
                self.video_tab()
            with gr.Tab("Style video", id="style-video"):
                self.style_video_tab()
            with gr.Tab("Evaluate", id="evaluate"):
                self.evaluate_tab()
            live.add_tab(self)
            self.api_endpoints()

            def ended(request: gr.Request) -> None:
                self.handlers.workspace.end_session(getattr(request, "session_hash", None))

            blocks.unload(ended)
            for fn, inputs, outputs in self.loads:
                blocks.load(fn, inputs, outputs, api_visibility="private")
        return blocks
