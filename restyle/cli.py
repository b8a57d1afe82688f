"""The ``restyle`` command: parses arguments, calls the public API, turns errors into one line.

The options of every command are built from their declarations (:mod:`restyle.options`,
the option groups of :mod:`restyle.job`, each method's and filter's own options): each
flag, its help, its default and its bounds are written once, and the choices come from
:mod:`restyle.registries`. ``--help`` shows the options most people use; ``--help-all``
every one, and ``--help`` after ``--method NAME`` (or ``--temporal NAME``) that choice's
own; ``restyle list`` describes the choices.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .errors import InputError, RestyleError
from .job import GROUPS, IMAGE_GROUPS, VideoJob, flat_options, group_declared
from .media.options import parse_seconds
from .options import ChoiceOptions, Declared, choices_of, declared
from .registries import (
    BACKENDS,
    DEVICES,
    EASINGS,
    EXECUTORS,
    FLOW_QUALITIES,
    KEYFRAME_PICKERS,
    MODELS,
    PRECISIONS,
    STYLIZERS,
    TEMPORAL_FILTERS,
    TRANSITIONS,
    Registry,
)
from .rendering.progress import Progress
from .signals import stop_on_signals

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a reader that went away

# the lists ``restyle list KIND`` prints, by KIND
LISTS: dict[str, Registry] = {
    "methods": STYLIZERS,
    "models": MODELS,
    "filters": TEMPORAL_FILTERS,
    "precisions": PRECISIONS,
    "backends": BACKENDS,
    "devices": DEVICES,
    "keyframe-methods": KEYFRAME_PICKERS,
    "transitions": TRANSITIONS,
    "easings": EASINGS,
    "flow-qualities": FLOW_QUALITIES,
    "executors": EXECUTORS,
}
# options whose choices are a list: their help points to ``restyle list KIND``
_LISTED: dict[str, str] = {
    "method": "methods",
    "temporal": "filters",
    "keyframe_method": "keyframe-methods",
    "transition": "transitions",
    "easing": "easings",
    "flow_quality": "flow-qualities",
    "precision": "precisions",
    "model": "models",
    "backend": "backends",
    "device": "devices",
    "executor": "executors",
}
# what ``--help`` shows of a command's options (``--help-all`` shows every one)
COMMON: dict[str, frozenset[str]] = {
    "video": frozenset(
        {
            "style",
            "style_video",
            "strength",
            "preserve_color",
            "max_size",
            "method",
            "temporal",
            "sharpness",
            "crf",
            "side_by_side",
            "start",
            "duration",
            "chunk_seconds",
            "strokes",
            "model",
        }
    ),
    "image": frozenset({"style", "strength", "preserve_color", "max_size", "method", "model"}),
    "grid": frozenset({"style", "strength", "preserve_color", "max_size", "method", "model"}),
}


@dataclass(frozen=True)
class HelpView:
    """Which options a command's ``--help`` shows: all, or the common ones plus the own
    options of the method and filter given before ``--help``."""

    all: bool = False
    method: str | None = None
    temporal: str | None = None

    def shows(self, command: str, item: Declared) -> bool:
        """True when ``--help`` of ``command`` shows ``item``."""
        if self.all or command not in COMMON or item.key in COMMON[command]:
            return True
        cls = GROUPS.get(item.group)
        if cls is not None and issubclass(cls, ChoiceOptions) and item.key != cls.choose:
            chosen = getattr(self, cls.choose, None)
            return chosen is not None and chosen in cls.owners(item.key)
        return False


class _Parser(argparse.ArgumentParser):
    """argparse with restyle's one-line error format and exit code 2."""

    def error(self, message: str) -> typing.NoReturn:
        raise InputError(message)


# -- options from their declarations ----------------------------------------------------


def _text_parser(item: Declared) -> Any:
    """Command line text -> the option's value (its own parser, else by its type)."""
    if item.spec.parse is not None:
        parse = item.spec.parse
    else:
        hint = item.hint
        if typing.get_origin(hint) in (typing.Union, types.UnionType):
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        parse = {int: int, float: float}.get(hint, str)

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        except ValueError:
            kind = "a whole number" if parse is int else "a number"
            raise argparse.ArgumentTypeError(f"not {kind}: {text!r}") from None

    convert.__name__ = item.key  # argparse names the type in some messages
    return convert


def _help(item: Declared) -> str:
    """The help text: the declaration's, where its choices are described, the default."""
    text = item.spec.help
    listed = _LISTED.get(item.key)
    if listed is not None and "restyle list" not in text:
        text += f" (restyle list {listed})"
    cls = GROUPS.get(item.group)
    if cls is not None and issubclass(cls, ChoiceOptions) and item.key != cls.choose:
        owners = cls.owners(item.key)
        if len(owners) < len(cls.registry.names()):
            text = f"[{cls.registry.flag} {', '.join(owners)}] {text}"
    default = item.default
    if default not in (None, False, ()):
        text += f" (default {default})"
    return text.replace("%", "%%")


def add_options(
    parser: argparse.ArgumentParser,
    groups: Sequence[str],
    *,
    skip: Sequence[str] = (),
    style_nargs: bool = False,
    command: str = "",
    view: HelpView | None = None,
) -> int:
    """Add the declared options of ``groups`` to ``parser`` (one argument group per group).

    ``style_nargs``: ``--style``/``--styles`` take several values at once (the grid's
    columns) instead of being repeated. ``view`` says which ones ``--help`` shows; every
    one is accepted. Returns how many it hides.
    """
    view = view or HelpView(all=True)
    hidden = 0
    # the short help lists the few options it shows together, the full one by group
    together = None if view.all else parser.add_argument_group("painting options")
    for name in groups:
        target = together or parser.add_argument_group(f"{name} options")
        for item in group_declared(name):
            if not item.spec.cli or item.key in skip:
                continue
            flags = [item.flag] + ([item.spec.short] if item.spec.short else [])
            shown = view.shows(command, item)
            hidden += not shown
            kwargs: dict[str, Any] = {
                "dest": item.key,
                "default": argparse.SUPPRESS,
                "help": _help(item) if shown else argparse.SUPPRESS,
            }
            if item.hint is bool:
                kwargs["action"] = "store_true"
            elif typing.get_origin(item.hint) is tuple and typing.get_args(item.hint)[-1] is ...:
                if item.key == "style" and style_nargs:
                    flags.append("--styles")
                    kwargs.update(action="extend", nargs="+")
                else:
                    kwargs["action"] = "append"
                kwargs["metavar"] = item.spec.metavar
            else:
                kwargs["type"] = _text_parser(item)
                allowed = choices_of(item.spec)
                if allowed is not None:
                    kwargs["choices"] = allowed
                else:
                    kwargs["metavar"] = item.spec.metavar
            target.add_argument(*flags, **kwargs)
    return hidden


def _more_help(command: str, hidden: int) -> str:
    """The line under a short ``--help``: how to see the options it left out."""
    return (
        f"{hidden} more: restyle {command} --help-all; a method's own: restyle {command} "
        "--method gatys --help; the choices: restyle list"
    )


def given(args: argparse.Namespace, groups: Sequence[str] = tuple(GROUPS)) -> dict[str, Any]:
    """The declared options the user gave on the command line, by their flat names."""
    known = flat_options(groups)
    return {k: v for k, v in vars(args).items() if k in known}


# -- progress -----------------------------------------------------------------------------


class ProgressBar:
    """Draws :class:`~restyle.Progress` events as a tqdm bar per stage on stderr.

    tqdm shows the rate and the time left and draws nothing when stderr is not a terminal,
    so a log file gets no carriage returns.
    """

    UNITS = {"keyframes": "frame", "warmup": "frame", "render": "frame", "join": "chunk"}

    def __init__(self, label: str) -> None:
        self.label = label
        self._bar: Any = None
        self._stage: str | None = None

    def __call__(self, event: Progress) -> None:
        from tqdm import tqdm

        if event.stage != self._stage:
            self.close()
            self._stage = event.stage
            desc = self.label if event.stage == "render" else f"{self.label} {event.stage}"
            self._bar = tqdm(
                total=event.total or None,
                desc=desc,
                unit=self.UNITS.get(event.stage, "it"),
                disable=None,
                file=sys.stderr,
                leave=event.stage == "render",
                dynamic_ncols=True,
            )
        bar = self._bar
        if event.total and bar.total != event.total:
            bar.total = event.total
        if event.pieces is not None:
            bar.set_postfix_str(f"pieces {event.pieces_done}/{event.pieces}", refresh=False)
        bar.update(event.done - bar.n)

    def close(self) -> None:
        """Finish the current bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _bar(args: argparse.Namespace, label: str) -> ProgressBar | None:
    return (
        None
        if getattr(args, "quiet", False) or getattr(args, "json", False)
        else ProgressBar(label)
    )


# -- commands ------------------------------------------------------------------------------


def cmd_image(args: argparse.Namespace) -> int:
    """restyle image: one content image, one (or a blend of) style(s), one output image."""
    from .api import stylize_image
    from .media.atomic import refuse_overwrite
    from .media.image import check_output_path, save_image

    options = given(args, IMAGE_GROUPS)
    styles = _styles(args)
    content = Path(args.content)
    out = Path(args.output) if args.output else content.with_name(content.stem + "_restyled.png")
    check_output_path(out)
    refuse_overwrite(out, [content])
    start = time.perf_counter()
    image = stylize_image(content, styles, **options)
    save_image(image, out)
    h, w = image.shape[:2]
    how = ""
    if options.get("method") == "gatys":
        how = f", gatys on {options.get('features', 'predictor')} features"
    print(f"{args.content} -> {out} ({w}x{h}, {time.perf_counter() - start:.2f}s{how})")
    return 0


def _styles(args: argparse.Namespace) -> list[str]:
    styles = list(getattr(args, "style", []) or [])
    if not styles and not (getattr(args, "style_fg", None) or getattr(args, "style_bg", None)):
        raise InputError("no style given; use --style painting.jpg or --style builtin:N")
    return styles


def cmd_grid(args: argparse.Namespace) -> int:
    """restyle grid: contents in rows, styles in columns, originals as headers."""
    from .api import style_grid
    from .media.image import check_output_path, save_image
    from .media.stills import is_video_path

    check_output_path(args.output)
    styles = _styles(args)
    bar = _bar(args, "grid")
    image = style_grid(
        args.content,
        styles,
        cell=args.cell,
        frames=args.frames,
        at=args.at,
        on_progress=bar,
        **given(args, IMAGE_GROUPS),
    )
    if bar:
        bar.close()
    save_image(image, args.output)
    per_video = len(args.at) if args.at else args.frames or 3
    rows = sum(per_video if is_video_path(c) else 1 for c in args.content)
    print(f"grid of {rows}x{len(styles)} -> {args.output}")
    return 0


def video_job(args: argparse.Namespace) -> VideoJob:
    """The job ``restyle video`` builds from its arguments (the web page builds the same)."""
    src = Path(args.input)
    out = Path(args.output) if args.output else src.with_name(src.stem + "_restyled.mp4")
    options = given(args)
    style = options.pop("style", None)
    return VideoJob.build(src, out, style, **options)


def cmd_video(args: argparse.Namespace) -> int:
    """restyle video: paint every frame of a video, keeping audio, timing, size and rotation."""
    job = video_job(args)
    if args.print_job:
        print(job.to_json())
        return 0
    return _render(job, args)


def cmd_run(args: argparse.Namespace) -> int:
    """restyle run: render a saved job (from restyle video --print-job, or written by hand)."""
    job = VideoJob.load(args.job)
    if args.output:
        job = job.replace(output=os.path.abspath(args.output))
    return _render(job, args)


def _render(job: VideoJob, args: argparse.Namespace) -> int:
    from .rendering import render

    bar = _bar(args, "video")
    try:
        result = render(job, on_progress=bar)
    finally:
        if bar:
            bar.close()
    for warning in result.warnings:
        print(f"restyle: warning: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        pieces = ""
        if result.chunks is not None:
            pieces = f", {result.chunks} pieces ({result.reused} reused)"
        print(
            f"{result.input} -> {result.output} ({result.frames} "
            f"frame{'' if result.frames == 1 else 's'}, {result.width}x{result.height}, "
            f"{result.seconds:.1f}s, {result.fps:.1f} fps{pieces})"
        )
    return 0


def cmd_keyframes(args: argparse.Namespace) -> int:
    """restyle keyframes: pick style keyframes of a style video, write a grid, print JSON."""
    from .api import extract_keyframes
    from .media.image import check_output_path, save_image
    from .metrics.preview import format_time, keyframe_strip

    if not args.output and not args.json:
        raise InputError("nothing to write; give -o grid.png and/or --json")
    if args.output:
        check_output_path(args.output)
    bar = _bar(args, "keyframes")
    keys = extract_keyframes(
        args.video,
        args.count,
        method=args.method,
        samples=args.samples,
        on_progress=bar,
        **given(args, ("look", "engine")),
    )
    if bar:
        bar.close()
    if args.output:
        labels = [f"#{n + 1}  {format_time(k.time)}  (frame {k.index})" for n, k in enumerate(keys)]
        grid = keyframe_strip([k.image for k in keys], labels, cell=args.cell, columns=5)
        save_image(grid, args.output)
    if args.json:
        data = {
            "video": str(args.video),
            "method": args.method,
            "keyframes": [
                {
                    "time": round(k.time, 4),
                    "index": k.index,
                    "style": [round(float(v), 5) for v in k.style.vector],
                }
                for k in keys
            ],
        }
        print(json.dumps(data))
    else:
        times = ", ".join(format_time(k.time) for k in keys)
        print(f"{len(keys)} keyframes ({args.method}) at {times} -> {args.output}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """restyle eval: flicker, fidelity, structure and style distance of a stylized video."""
    from .api import evaluate

    bar = _bar(args, "eval")
    result = evaluate(
        args.source,
        args.stylized,
        reference=args.reference,
        style=args.style or None,
        on_progress=bar,
        gap=args.gap,
        **given(args, ("engine",)),
    )
    if bar:
        bar.close()
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
        return 0
    for note in result.notes:
        print(f"restyle: note: {note}", file=sys.stderr)
    print(f"frames             {result.frames} ({result.skipped} skipped at cuts)")
    print(f"warp error         {result.warp_error:.6f}  (lower = less flicker)")
    print(f"source floor       {result.source_floor:.6f}  (the source under the same flow)")
    print(f"ratio              {result.ratio:.2f}x the floor{_vs(result.vs_reference)}")
    print(
        f"{f'long-term (gap {result.gap})':<19}{result.long_term_warp_error:.6f}  "
        f"({result.long_term_ratio:.2f}x its floor {result.long_term_source_floor:.6f}"
        f"{_vs(result.long_term_vs_reference)})"
    )
    print(f"content structure  {result.content:.3f}  (edge SSIM to the source, 1 = all kept)")
    if result.fidelity is not None:
        print(f"fidelity           {result.fidelity:.3f}  (SSIM to the per-frame reference)")
    if result.detail is not None:
        print(f"detail             {result.detail:.3f}  (gradient energy / the reference's)")
    if result.texture is not None and result.outline is not None:
        print(
            f"texture, outline   {result.texture:.3f}, {result.outline:.3f}  (the same away "
            "from the source's edges and along them)"
        )
    if result.style_distance is not None:
        print(
            f"style distance     {result.style_distance:.3f}  (source: "
            f"{result.source_style_distance:.3f}; lower = closer to the painting)"
        )
    return 0


def _vs(fraction: float | None) -> str:
    """``; 0.25x the reference`` when there is a reference, else nothing."""
    return "" if fraction is None else f"; {fraction:.2f}x the reference"


def cmd_list(args: argparse.Namespace) -> int:
    """restyle list: the choices of each kind (methods, filters, ...) and what each does."""
    import textwrap

    kinds = [args.kind] if args.kind else list(LISTS)
    for n, kind in enumerate(kinds):
        registry = LISTS[kind]
        if n:
            print()
        print(f"{kind}:")
        for entry in registry.entries():
            print(f"  {entry.name}")
            for line in textwrap.wrap(entry.help, 76):
                print(f"      {line}")
            if entry.options is not None:
                own = [item.flag for item in declared(entry.options) if item.spec.cli]
                print(f"      options: {', '.join(own) if own else 'none of its own'}")
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    """restyle models: list the registered networks and where each is found."""
    from .errors import ModelError
    from .models import REGISTRY, available_devices, locate
    from .models.networks import resolve_engine
    from .models.openvino import openvino_available
    from .models.trained import DEFAULT_MODEL, STEADY_BUILTINS

    print(f"devices: {', '.join(available_devices())}")
    installed = ["onnxruntime"] + (["openvino"] if openvino_available() else [])
    print(f"backends installed: {', '.join(installed)}")
    print("backends: " + BACKENDS.describe())
    print("precisions: " + PRECISIONS.describe())
    device = getattr(args, "device", "auto")
    backend, precision = resolve_engine(device, "auto", "auto")
    print(f"default on device {device}: --backend {backend} --precision {precision}")
    print(f"models (--model, default {DEFAULT_MODEL}): " + MODELS.describe())
    steady = ", ".join(f"builtin:{n}" for n in sorted(STEADY_BUILTINS))
    print(f"built-in styles --model steady paints with the trained network: {steady}")
    model_dir = getattr(args, "model_dir", None)
    for name, spec in sorted(REGISTRY.items()):
        try:
            where = str(locate(name, model_dir))
        except ModelError as exc:
            where = f"not available ({exc})"
        print(f"{name}: {spec.description}\n    {where}")
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
    """restyle cache: what the cache folder holds and how much room; --clear empties it."""
    from .models.cache import cache_usage, clear_cache
    from .models.location import cache_dir

    folder = cache_dir()
    if args.clear or args.all:
        freed = clear_cache(folder, downloads=args.all)
        print(f"restyle cache: freed {_megabytes(freed)} in {folder}")
        return 0
    parts = cache_usage(folder)
    print(f"cache: {folder} (move it with $RESTYLE_CACHE_DIR)")
    for part in parts:
        print(f"  {part.name:12s} {_megabytes(part.bytes):>9s} {part.files:6d} files  "
              f"{part.description}")  # fmt: skip
    rebuilt = sum(p.bytes for p in parts if p.rebuilt)
    print(f"restyle cache --clear frees {_megabytes(rebuilt)}; --all removes the downloads too")
    return 0


def _megabytes(size: int) -> str:
    """A byte count for people: MB with one decimal (kB below one MB)."""
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB"


def cmd_demo(args: argparse.Namespace) -> int:
    """restyle demo: draw a clip and a picture, paint them, say where the results are."""
    from .demo import DEMO_STYLE, run_demo

    bar = ProgressBar("demo")
    try:
        done = run_demo(args.output, on_progress=bar)
    finally:
        bar.close()
    folder = done.video.parent
    print(f"restyle demo: painted in {DEMO_STYLE} in {done.seconds:.0f} s, results in {folder}/")
    print(
        f"  {done.video.name}  source | painted, {done.frames} frames, {done.width}x{done.height}"
    )
    print(f"  {done.picture.name}  the picture {done.media.picture.name}, painted")
    print(f"next: restyle video {done.media.clip} --style-video {done.media.style_film} -o x.mp4")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    """restyle ui: serve the web page on this machine until Ctrl-C."""
    from .ui import serve

    def announce(server) -> None:
        print(f"restyle ui: serving on {server.url} (Ctrl-C to stop)", flush=True)
        print(f"restyle ui: uploads and results in {server.workspace.root}", flush=True)
        if server.renders is not None:
            print(f"restyle ui: long renders kept in {server.renders.root}", flush=True)

    ui_log = logging.getLogger("restyle.ui")  # one line per finished long render
    if not ui_log.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("restyle ui: %(message)s"))
        ui_log.addHandler(handler)
        ui_log.setLevel(logging.INFO)
    serve(
        args.host,
        args.port,
        max_upload_mb=args.max_upload_mb,
        max_seconds=args.max_seconds,
        announce=announce,
        renders=args.renders,
        chunk_seconds=args.chunk_seconds,
        workers=args.workers,
        executor=args.executor,
        ray_address=args.ray_address,
        job_options=given(args, ("engine", "encode")),
    )
    return 0


def cmd_live(args: argparse.Namespace) -> int:
    """restyle live: paint a camera (or a clip played as if live) in a window or a recording."""
    from .live.player import run_live

    done = run_live(
        camera=args.camera,
        file=args.file,
        style=args.style,
        size=args.size,
        smooth=args.smooth,
        record=args.record,
        raw=args.raw,
        seconds=args.seconds,
        **given(args, ("look", "engine")),
    )
    s = done.stats
    line = (
        f"restyle live: {s.painted} frames painted in {done.seconds:.1f} s "
        f"({s.dropped} of {s.received} dropped), {s.fps:.1f} fps, "
        f"delay {s.delay * 1000:.0f} ms"
    )
    print(line + (f"; recorded {done.recorded}" if done.recorded else ""))
    return 0


# -- the parser ----------------------------------------------------------------------------


def _report_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print a JSON summary at the end")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def build_parser(view: HelpView | None = None) -> argparse.ArgumentParser:
    """The argument parser for every subcommand (choices read from the registries now).

    ``view`` says which options ``--help`` shows (default: the common ones); every option
    is accepted whatever it shows. ``build_parser(HelpView(all=True))`` shows all.
    """
    view = view or HelpView()
    parser = _Parser(
        prog="restyle",
        description="Turn an ordinary video (or picture) into a painted one.",
    )
    parser.add_argument("--version", action="version", version=f"restyle {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "image",
        help="stylize one image",
        description="Paint a content image in the style of a painting, at the "
        "content's own size, with the arbitrary-style network (Ghiasi et al. 2017).",
    )
    p.add_argument("content", help="the photo to paint")
    p.add_argument(
        "-o",
        "--output",
        help="output image (.png, .jpg, .webp, .tif; default CONTENT_restyled.png)",
    )
    hidden = add_options(p, ("styles", *IMAGE_GROUPS), skip=_VIDEO_ONLY, command="image", view=view)
    _help_all(p, "image", hidden)
    p.set_defaults(func=cmd_image)

    p = sub.add_parser(
        "grid",
        help="grid of contents (or a video's frames) by styles",
        description="Render every content image (or frame of a video) in every style: "
        "contents in rows, labelled at the left (a video's frames with their times), styles "
        "in columns, labelled at the top, the originals (for a built-in style, a swatch) as "
        "headers.",
    )
    p.add_argument(
        "--content",
        nargs="+",
        required=True,
        help="content images (one row each), or a video (one row per frame: see --frames, --at)",
    )
    p.add_argument("-o", "--output", required=True, help="output image")
    p.add_argument("--cell", type=_count, default=256, help="cell size in pixels (256)")
    frames = p.add_mutually_exclusive_group()
    frames.add_argument(
        "--frames",
        type=_count,
        default=None,
        metavar="N",
        help="N frames spread over each --content video, one row each (default 3)",
    )
    frames.add_argument(
        "--at",
        type=_seconds,
        nargs="+",
        default=None,
        metavar="T",
        help="the frames of each --content video at these times (seconds or mm:ss)",
    )
    hidden = add_options(
        p, ("styles", *IMAGE_GROUPS), skip=_VIDEO_ONLY, style_nargs=True, command="grid", view=view
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _help_all(p, "grid", hidden)
    p.set_defaults(func=cmd_grid)

    p = sub.add_parser(
        "video",
        help="stylize a video",
        usage="restyle video INPUT [-o OUTPUT] (--style STYLE | --style-video VIDEO) [options]",
        description="Paint every frame of a video in a style, keeping its audio, timing, "
        "size and rotation: H.264, VP9 (.webm) or PNG frames (-o frames/%05d.png).",
    )
    p.add_argument("input", help="the video to paint")
    p.add_argument(
        "-o", "--output", help="output video or frames/%%05d.png (default INPUT_restyled.mp4)"
    )
    p.add_argument(
        "--print-job",
        action="store_true",
        help="print the job as JSON and exit without rendering (run it with restyle run)",
    )
    hidden = add_options(p, tuple(GROUPS), command="video", view=view)
    _report_options(p)
    _help_all(p, "video", hidden)
    p.set_defaults(func=cmd_video)

    p = sub.add_parser(
        "run",
        help="render a saved job",
        description="Render a job saved as JSON (restyle video ... --print-job > job.json).",
    )
    p.add_argument("job", help="the job file (JSON)")
    p.add_argument("-o", "--output", help="write here instead of the job's output")
    _report_options(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "keyframes",
        help="pick style keyframes from a style video",
        description="Pick N keyframes of a style video and write them as a labelled grid "
        "with their times; --json also prints their times and style vectors.",
    )
    p.add_argument("video", help="the style video")
    p.add_argument("-n", "--count", type=_count, default=5, help="how many (5)")
    p.add_argument("-o", "--output", help="grid image to write (.png, .jpg)")
    p.add_argument(
        "--method",
        choices=KEYFRAME_PICKERS.names(),
        default="diverse",
        help=("how keyframes are picked: " + KEYFRAME_PICKERS.describe()).replace("%", "%%"),
    )
    p.add_argument("--samples", type=_count, default=64, help="frames sampled by diverse (64)")
    p.add_argument("--cell", type=_count, default=256, help="cell size in pixels (256)")
    p.add_argument("--json", action="store_true", help="print times and style vectors as JSON")
    add_options(p, ("look",), skip=("strength", "preserve_color", "max_size"))
    add_options(p, ("engine",))
    p.set_defaults(func=cmd_keyframes)

    p = sub.add_parser(
        "eval",
        help="measure flicker and fidelity of a stylized video",
        description="Measure a stylized video against its source: warp error (flicker, Lai et "
        "al. 2018) with the source's own floor, fidelity to a per-frame reference, content "
        "structure (edge SSIM) and distance to the style in the predictor's style space.",
    )
    p.add_argument("--source", required=True, help="the original video")
    p.add_argument(
        "--gap",
        type=_count,
        default=10,
        metavar="K",
        help="frames between the two frames the long-term warp error compares (10)",
    )
    p.add_argument("--stylized", required=True, help="the stylized video")
    p.add_argument(
        "--reference",
        help="the per-frame stylization (--temporal none), for fidelity; write it and the "
        "stylized video with --crf 0, or the encoder's loss counts against the fidelity",
    )
    p.add_argument("-s", "--style", action="append", default=[], help="style image(s) used")
    p.add_argument("--json", action="store_true", help="print JSON")
    add_options(p, ("engine",))
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser(
        "demo",
        help="paint a clip and a picture restyle draws itself (a first run)",
        description="Draw a short landscape clip with sound and a picture, then paint them "
        "with a built-in style, the default flicker removal and a side-by-side.",
    )
    p.add_argument(
        "-o",
        "--output",
        default="restyle-demo",
        metavar="FOLDER",
        help="folder for the clip, the picture and the results (restyle-demo)",
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "ui",
        help='the web page (needs pip install "restyle[ui]")',
        description="Serve restyle's web page (Gradio) on this machine. It never opens a "
        "public link; uploads and results are deleted when a tab closes or the server stops.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=_count, default=7860, help="port (7860)")
    p.add_argument(
        "--max-upload-mb",
        type=_positive_number,
        default=200.0,
        metavar="N",
        help="largest upload accepted, in MB (200)",
    )
    p.add_argument(
        "--max-seconds",
        type=_positive_number,
        default=120.0,
        metavar="N",
        help="longest stretch of video painted in one piece, in seconds (120); a longer one "
        "is rendered in resumable pieces",
    )
    p.add_argument(
        "--renders",
        metavar="DIR",
        help="where long renders keep their pieces until they finish, so they can be resumed "
        "after a restart (default $XDG_STATE_HOME/restyle/ui-renders, else "
        "~/.local/state/restyle/ui-renders)",
    )
    p.add_argument(
        "--chunk-seconds",
        type=_positive_number,
        default=10.0,
        metavar="S",
        help="length of a long render's pieces, in seconds (10)",
    )
    p.add_argument(
        "--workers", type=_count, metavar="N", help="pieces painted at once (--executor local; 1)"
    )
    p.add_argument(
        "--executor",
        choices=EXECUTORS.names(),
        default="local",
        help="who paints a long render's pieces (local)",
    )
    p.add_argument(
        "--ray-address",
        metavar="ADDR",
        help="the Ray cluster for --executor ray: auto or HOST:PORT",
    )
    add_options(p, ("engine", "encode"), skip=("side_by_side",))
    p.set_defaults(func=cmd_ui)

    p = sub.add_parser(
        "live",
        help="paint a camera in real time (or a clip played as if live)",
        description="Paint a local camera (or a video file played at its own pace) in real "
        "time in a window: q quits, 1-9 switch built-in styles, +/- change the flicker "
        "removal. Frames the machine cannot keep up with are dropped. Without a display, "
        "--record writes the painted stream instead.",
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument("--camera", type=int, default=0, metavar="N", help="camera number (0)")
    source.add_argument("--file", metavar="VIDEO", help="a video file played as if live")
    p.add_argument(
        "-s",
        "--style",
        default="builtin:19",
        help="style image or built-in style (builtin:0 .. builtin:25) (builtin:19)",
    )
    p.add_argument(
        "--size",
        type=_count,
        default=240,
        metavar="PX",
        help="short side painted, 240 (320x240), 360 or 480 (240); smaller is faster",
    )
    p.add_argument(
        "--smooth",
        type=float,
        default=0.55,
        metavar="S",
        help="flicker removal: how much of the previous painting to keep along the "
        "motion, 0 (off) to 0.95 (0.55; a style image's strokes are carried, 0.9 of them)",
    )
    p.add_argument("--record", metavar="OUT.mp4", help="write the painted stream (H.264)")
    p.add_argument("--raw", action="store_true", help="record the camera's frames instead")
    p.add_argument("--seconds", type=_positive_number, metavar="N", help="stop after N seconds")
    add_options(p, ("look",), skip=("max_size",))
    add_options(p, ("engine",))
    p.set_defaults(func=cmd_live)

    p = sub.add_parser(
        "list",
        help="the choices of each kind (methods, filters, ...) and what each does",
        description="List the choices restyle knows, with what each does: "
        + ", ".join(LISTS)
        + "; methods and filters with their own options.",
    )
    p.add_argument("kind", nargs="?", choices=list(LISTS), help="one kind (default: all)")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("models", help="list networks and where their weights are found")
    add_options(p, ("engine",), skip=("precision", "backend"))
    p.set_defaults(func=cmd_models)

    p = sub.add_parser(
        "cache",
        help="what the cache folder holds; --clear gives the room back",
        description="Show the parts of restyle's cache folder ($RESTYLE_CACHE_DIR, default "
        "~/.cache/restyle) and their sizes. Generated graphs and compiled networks are "
        "made again when needed, so clearing them is safe between renders.",
    )
    clear = p.add_mutually_exclusive_group()
    clear.add_argument(
        "--clear",
        action="store_true",
        help="remove what restyle makes again (graphs, compiled networks, page examples)",
    )
    clear.add_argument(
        "--all", action="store_true", help="remove the downloaded weights too"
    )
    p.set_defaults(func=cmd_cache)
    return parser


def _help_all(p: argparse.ArgumentParser, command: str, hidden: int) -> None:
    """``--help-all`` on a command; a short ``--help`` says how to see what it hides."""
    p.add_argument(
        "--help-all",
        action="store_true",
        help="show every option (--help shows the common ones)",
    )
    if hidden:
        p.epilog = _more_help(command, hidden)


def help_view(argv: Sequence[str]) -> HelpView:
    """What ``--help`` shows for these arguments: all with --help-all, else the common
    options plus those of a ``--method`` or ``--temporal`` given on the line."""
    words = list(argv)
    chosen: dict[str, str | None] = {"method": None, "temporal": None}
    for i, word in enumerate(words):
        for key in chosen:
            flag = "--" + key
            if word == flag and i + 1 < len(words):
                chosen[key] = words[i + 1]
            elif word.startswith(flag + "="):
                chosen[key] = word.split("=", 1)[1]
    return HelpView(all="--help-all" in words, **chosen)


# the styles options that only a video has (a picture takes --style alone)
_VIDEO_ONLY = tuple(item.key for item in declared(GROUPS["styles"]) if item.key != "style")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        return parse_seconds(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    0 ok, 2 bad input or an output that cannot be written, 130 interrupted (Ctrl-C), 143
    stopped by SIGTERM, 129 by SIGHUP (128 + the signal's number, as a shell reports it).
    """
    words = list(sys.argv[1:] if argv is None else argv)
    view = help_view(words)
    if view.all:  # --help-all: the command's help with every option
        words = [w for w in words if w != "--help-all"] + ["--help"]
    parser = build_parser(view)
    argv = words
    # what Pillow logs about a damaged file would reach stderr as extra lines beside the
    # one the command prints (the error already says the file cannot be read)
    logging.getLogger("PIL").setLevel(logging.CRITICAL + 1)
    caught: BaseException | None = None
    with stop_on_signals() as stop:
        try:
            args = parser.parse_args(argv)
            if not getattr(args, "func", None):
                parser.print_help()
                return EXIT_USAGE
            return args.func(args)
        except RestyleError as exc:
            if stop.signum is None:
                print(f"restyle: error: {exc}", file=sys.stderr)
                return EXIT_USAGE
            caught = exc
        except BrokenPipeError:
            # the reader went away (restyle list | head): stop quietly, as a shell expects
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return EXIT_BROKEN_PIPE
        except KeyboardInterrupt as exc:
            if stop.signum is None:  # not through our handler (e.g. raised by a library)
                print(f"restyle: interrupted{_notes(exc)}", file=sys.stderr)
                return EXIT_INTERRUPTED
            caught = exc
        except BaseException as exc:  # Terminated, or what code in C made of a signal
            if stop.signum is None:
                raise
            caught = exc
    print(f"restyle: {stop.message}{_notes(caught)}", file=sys.stderr)
    return stop.exit_code


def _notes(exc: BaseException | None) -> str:
    """What the code a signal stopped added to say (a chunked render: how to resume)."""
    notes = getattr(exc, "__notes__", None) or []
    return "".join(f"; {note}" for note in notes)


if __name__ == "__main__":
    sys.exit(main())
