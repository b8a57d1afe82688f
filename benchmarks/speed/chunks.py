"""Chunked rendering: one-shot vs chunked (local processes) vs Ray, on the shared clips.

For each clip the same job (built-in style 5, the default flicker filter, lossless
``--crf 0`` so the figures compare frames, not encoder noise) is rendered three ways in one
run, side by side:

* ``one-shot``: ``restyle video`` as usual;
* ``local``: ``--chunk-seconds S --workers 2`` (two processes, each on one core's share);
* ``ray``: ``--chunk-seconds S --executor ray`` on ``ray.init(num_cpus=2)`` (started before
  the clock; its start-up is reported apart).

Reported per run: wall time, frames per second, the join's time and its share of the wall
(target < 5 %), the warp error over the whole clip (the project's meter,
:mod:`restyle.metrics.warp_error`, flow computed once on the source; target within 5 % of
one-shot's) and the mean warp error of the frame pairs that straddle a chunk boundary
against the clip's mean pair (target <= 1.5x).

``--plan`` predicts instead of measuring: for a duration, resolution and worker count it
prints the chunk layout and the time it expects, from the per-frame cost this benchmark
measured (``benchmarks/results/chunks.json``, scaled by pixels), with each worker painting
one piece at a time on one core's share.

    python -m benchmarks chunks                       # measure (about 10 minutes on 2 cores)
    python -m benchmarks chunks --clips sintel_mountain_2.mp4 --max-size 512
    python -m benchmarks chunks --plan --duration 1200 --size 1920x1080 --workers 32
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks._common import RESULTS, need_media, print_table, write_json

STYLE = "builtin:5"
CLIPS = {"cockatoo.mp4": 3.5, "sintel_mountain_2.mp4": 0.5}  # clip -> chunk seconds


def frames_of(path: Path) -> list[np.ndarray]:
    """Every frame of a video as HxWx3 uint8 RGB."""
    from restyle.media import open_video

    with open_video(path) as reader:
        return [f.image for f in reader]


def warp_errors(source: list[np.ndarray], outputs: dict[str, list[np.ndarray]]) -> dict:
    """Per-pair warp error E_t of each output along the source's flow (computed once)."""
    from restyle.metrics.warp_error import SourceMotion, WarpErrorMeter

    motion = SourceMotion()
    meters = {name: WarpErrorMeter() for name in outputs}
    per_pair: dict[str, list[float | None]] = {name: [] for name in outputs}
    for t, frame in enumerate(source):
        pair = motion.update(frame)
        for name, frames in outputs.items():
            per_pair[name].append(meters[name].update(frame, frames[t], pair))
    return {
        name: {"whole": meters[name].result().warp_error, "pairs": per_pair[name]}
        for name in outputs
    }


def measure(clip: Path, seconds: float, max_size: int | None, folder: Path) -> list[dict]:
    """Render one clip three ways; rows of the table."""
    import ray

    import restyle
    from restyle.job import VideoJob
    from restyle.rendering.chunked import layout

    options = {"crf": 0, "max_size": max_size, "device": "cpu"}
    runs = {
        "one-shot": {},
        "local": {"chunk_seconds": seconds, "workers": 2},
        "ray": {"chunk_seconds": seconds, "executor": "ray"},
    }
    started = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray_start = time.perf_counter() - started
    results = {}
    try:
        for name, extra in runs.items():
            out = folder / f"{clip.stem}-{name}.mp4"
            result = restyle.stylize_video(clip, out, STYLE, **options, **extra)
            results[name] = (result, out)
    finally:
        ray.shutdown()
    chunks = layout(VideoJob.build(clip, folder / "x.mp4", STYLE, chunk_seconds=seconds))
    boundaries = [c.start for c in chunks[1:]]
    source = frames_of(clip)
    errors = warp_errors(source, {name: frames_of(out) for name, (_, out) in results.items()})
    one = errors["one-shot"]["whole"]
    rows = []
    for name, (result, _) in results.items():
        pairs = errors[name]["pairs"]
        counted = [e for e in pairs if e is not None]
        at_edges = [pairs[b] for b in boundaries if pairs[b] is not None]
        edge = float(np.mean(at_edges)) / float(np.mean(counted)) if at_edges else float("nan")
        join = result.join_seconds or 0.0
        rows.append(
            {
                "clip": clip.name,
                "run": name,
                "frames": result.frames,
                "chunks": result.chunks or 1,
                "wall_s": result.seconds,
                "fps": result.fps,
                "join_s": join,
                "join_share": join / result.seconds,
                "warp_error": errors[name]["whole"],
                "vs_one_shot": errors[name]["whole"] / one,
                "boundary_vs_mean_pair": edge if name != "one-shot" else float("nan"),
                "ray_start_s": ray_start if name == "ray" else None,
                "seconds_per_frame_per_worker": result.seconds / result.frames
                * (2 if name != "one-shot" else 1),
                "pixels": source[0].shape[0] * source[0].shape[1],
                "painted_pixels": _painted_pixels(source[0].shape, max_size),
            }
        )
    return rows


def _painted_pixels(shape: tuple[int, ...], max_size: int | None) -> int:
    h, w = shape[:2]
    scale = 1.0 if max_size is None else min(1.0, max_size / max(h, w))
    return round(h * scale) * round(w * scale)


def plan(args: argparse.Namespace) -> None:
    """Print the layout and predicted time of a long render (module docstring)."""
    from restyle.rendering.chunks import plan_chunks

    measured = RESULTS / "chunks.json"
    if not measured.is_file():
        raise SystemExit(f"--plan needs measured costs: python -m benchmarks chunks ({measured})")
    rows = [r for r in json.loads(measured.read_text())["rows"] if r["run"] == "local"]
    # seconds of one core-share worker per painted megapixel (frames painted include warm-up)
    per_mpx = float(np.median([r["seconds_per_frame_per_worker"] / (r["painted_pixels"] / 1e6)
                               for r in rows]))  # fmt: skip
    w, h = (int(v) for v in args.size.lower().split("x"))
    scale = 1.0 if args.max_size is None else min(1.0, args.max_size / max(w, h))
    mpx = (w * scale) * (h * scale) / 1e6
    fps = args.fps
    frames = round(args.duration * fps)
    times = [i / fps for i in range(frames)]
    warmup = round(fps)
    chunks = plan_chunks(times, args.chunk_seconds, warmup)
    per_frame = per_mpx * mpx * args.core_speed
    piece = [(c.frames + c.warmup) * per_frame for c in chunks]
    waves = math.ceil(len(chunks) / args.workers)
    # greedy: each worker takes the next piece when free
    free = [0.0] * args.workers
    for cost in piece:
        i = int(np.argmin(free))
        free[i] += cost
    paint = max(free)
    bitrate = args.mbps * 1e6 / 8  # bytes per second of output video
    out_bytes = args.duration * bitrate
    join = out_bytes / (args.disk_mb_s * 1e6)
    transfer = out_bytes / (args.network_mb_s * 1e6)
    print(f"{args.duration:.0f} s of {w}x{h} at {fps:g} fps = {frames} frames, painted at "
          f"{mpx:.2f} Mpx; {len(chunks)} pieces of {args.chunk_seconds:g} s + {warmup} warm-up "
          f"frames; {args.workers} workers; {per_frame:.2f} s a frame per worker")  # fmt: skip
    print_table(
        ["piece", "frames", "warm-up", "start s", "predicted s"],
        [[c.index, c.frames, c.warmup, round(times[c.start], 2), round(piece[c.index], 1)]
         for c in chunks[:5]] + ([["...", "", "", "", ""]] if len(chunks) > 5 else []),
    )  # fmt: skip
    print(f"\npainting: {paint / 60:.1f} min in {waves} waves (warm-up adds "
          f"{sum(c.warmup for c in chunks) / frames:.1%} frames)")
    print(f"pieces to the driver: {transfer:.0f} s at {args.network_mb_s:g} MB/s "
          f"({out_bytes / 1e9:.2f} GB, overlapped with painting)")
    print(f"join (stream copy): {join:.0f} s at {args.disk_mb_s:g} MB/s")
    print(f"predicted wall: {(paint + join) / 60:.1f} min; one worker: "
          f"{sum(piece) / 60:.1f} min")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", nargs="+", default=list(CLIPS))
    parser.add_argument("--max-size", type=int, default=640, help="painted size (640)")
    parser.add_argument("--plan", action="store_true", help="predict a long render instead")
    parser.add_argument("--duration", type=float, default=1200.0, help="--plan: seconds")
    parser.add_argument("--size", default="1920x1080", help="--plan: WxH")
    parser.add_argument("--fps", type=float, default=30.0, help="--plan: frame rate")
    parser.add_argument("--workers", type=int, default=8, help="--plan: workers (cores)")
    parser.add_argument("--chunk-seconds", type=float, default=10.0, help="--plan: piece length")
    parser.add_argument("--core-speed", type=float, default=1.0,
                        help="--plan: a worker's time per frame relative to this machine's core")
    parser.add_argument("--mbps", type=float, default=20.0, help="--plan: output Mbit/s")
    parser.add_argument("--disk-mb-s", type=float, default=200.0, help="--plan: join disk MB/s")
    parser.add_argument("--network-mb-s", type=float, default=100.0, help="--plan: driver MB/s")
    args = parser.parse_args()
    if args.plan:
        plan(args)
        return
    media = need_media(*args.clips)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for clip in media:
            rows += measure(clip, CLIPS.get(clip.name, 1.0), args.max_size, Path(tmp))
    print_table(
        ["clip", "run", "chunks", "wall s", "fps", "join s", "join %", "warp err",
         "vs one-shot", "boundary/mean"],
        [[r["clip"], r["run"], r["chunks"], r["wall_s"], r["fps"], r["join_s"],
          f"{100 * r['join_share']:.2f}", f"{r['warp_error']:.6f}", f"{r['vs_one_shot']:.3f}",
          f"{r['boundary_vs_mean_pair']:.3f}"] for r in rows],
    )  # fmt: skip
    starts = [r["ray_start_s"] for r in rows if r["ray_start_s"] is not None]
    took = ", ".join(f"{s:.1f}" for s in starts)
    print(f"\nray.init(num_cpus=2) took {took} s (not in the wall)")
    write_json("chunks", {"rows": rows, "max_size": args.max_size, "style": STYLE})


if __name__ == "__main__":
    main()
