"""Gatys optimization against the feed-forward network: speed at 512 px, and flicker on a clip.

Speed table: seconds to paint one 512 px image (tubingen.jpg, long side 512, style
starry_night.jpg) with Gatys optimization on the predictor features (and on VGG-19 when
``--vgg FILE`` gives torchvision's ``vgg19-dcbb9e9d.pth``) and with the feed-forward
arbitrary-style network, measured in the same run; the ratio is Gatys / feed-forward. Gatys
runs ``--iterations`` L-BFGS iterations (fewer than the default 100 to keep this short on a
2-core machine); the "s per 100 it" column scales the measured time linearly to the
default, and says so.

Flicker table: the first ``--frames`` frames of sintel_mountain_2.mp4 at ``--video-size`` px
(default 10 frames at 256 px), painted by per-frame Gatys (each frame started from the
previous output, ``--temporal none``), Gatys with flow (warped initialization plus the
temporal loss, Ruder et al. 2016, ``--temporal flow``) and the feed-forward default (network
plus its flow filter), measured by the flicker meter (restyle.metrics warp error, Lai et
al. 2018) with the source's own floor.

Run: python -m benchmarks gatys_speed [--iterations 20] [--frames 10] [--vgg vgg19.pth]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from benchmarks._common import need_media, print_table, time_ms, write_json


def resize_long(img: np.ndarray, side: int) -> np.ndarray:
    """Scale an HxWx3 image so its long side is ``side``."""
    s = side / max(img.shape[:2])
    dims = (round(img.shape[1] * s), round(img.shape[0] * s))
    return cv2.resize(img, dims, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)


def decode(path: Path, frames: int, size: int) -> list[np.ndarray]:
    """The first ``frames`` frames of a video, long side ``size``."""
    from restyle.media import open_video

    out = []
    with open_video(path) as reader:
        for frame in reader:
            out.append(resize_long(frame.image, size))
            if len(out) >= frames:
                break
    return out


def gatys(features: str, iterations: int, size: int, model_dir: str | None = None):
    """A Gatys stylizer on ``features`` at long side ``size``."""
    from restyle.models.engine import Engine
    from restyle.stylizers import Gatys, Look
    from restyle.stylizers.gatys import GatysStylizer

    opts = Gatys(iterations=iterations, features=features, gatys_size=size)
    return GatysStylizer(Look(max_size=size), Engine(model_dir=model_dir), opts)


def speed(args: argparse.Namespace, content: np.ndarray, painting: Path) -> list[dict]:
    """Seconds per 512 px image for Gatys (each network) and the feed-forward network."""
    from restyle.styles.embed import resolve_style
    from restyle.stylizers import Look, create_stylizer

    image = resize_long(content, 512)
    style = resolve_style(str(painting))
    net = create_stylizer("network", Look(max_size=512))
    ff = time_ms(lambda: net.stylize_image(image, style), repeat=3, warmup=1)["median_ms"] / 1000
    rows = [{"method": "feed-forward network", "seconds": ff, "iterations": None}]
    networks = [("predictor", None)]
    if args.vgg:
        folder = Path(tempfile.mkdtemp())
        shutil.copy(args.vgg, folder / "vgg19-dcbb9e9d.pth")
        networks.append(("vgg19", str(folder)))
    for features, model_dir in networks:
        g = gatys(features, args.iterations, 512, model_dir)
        st = g.resolve(str(painting))
        g.stylize_image(image[:64, :64].copy(), st)  # warm-up (load, first-call costs)
        start = time.perf_counter()
        g.stylize_image(image, st)
        seconds = time.perf_counter() - start
        rows.append(
            {"method": f"gatys ({features})", "seconds": seconds, "iterations": args.iterations}
        )
    for r in rows:
        r["ratio"] = r["seconds"] / ff
        r["per_100_iterations"] = (
            r["seconds"] * 100 / r["iterations"] if r["iterations"] else r["seconds"]
        )
    return rows


def flicker(args: argparse.Namespace, clip: Path, painting: Path) -> list[dict]:
    """Warp error, style distance and content structure of each Gatys mode and the network.

    A low warp error alone can mean a faint painting (an output close to the photo does not
    flicker), so each row also gives the distance of its frames' style vectors to the
    painting's (lower = more painted; the photo's own distance is printed for scale) and the
    edge SSIM of its frames to the source frames.
    """
    from restyle.imaging.similarity import edge_ssim
    from restyle.metrics.warp_error import WarpErrorMeter
    from restyle.styles.embed import embed_images, resolve_style
    from restyle.stylizers import Look, create_stylizer
    from restyle.temporal.filters import build_filter

    frames = decode(clip, args.frames, args.video_size)
    results = {}
    for mode in ("none", "flow"):
        g = gatys("predictor", args.iterations, args.video_size)
        st = g.resolve(str(painting))
        g.start_video(mode)
        start = time.perf_counter()
        results[f"gatys per-frame ({mode})"] = (
            [g.stylize([f], st)[0] for f in frames],
            time.perf_counter() - start,
        )
    style = resolve_style(str(painting))
    net = create_stylizer("network", Look(max_size=args.video_size))
    filt = build_filter()
    start = time.perf_counter()
    out: list[np.ndarray] = []
    for i, f in enumerate(frames):
        out += filt.push(f, net.stylize_image(f, style), i / 24)
    out += filt.flush()
    results["feed-forward + flow filter (default)"] = (out, time.perf_counter() - start)
    filt.close()
    target = style.vector[None].astype(np.float64)

    def distance(images: list[np.ndarray]) -> float:
        return float(np.linalg.norm(embed_images(images) - target, axis=1).mean())

    rows = []
    for name, (painted, seconds) in results.items():
        meter = WarpErrorMeter()
        for src, o in zip(frames, painted, strict=True):
            meter.update(src, o)
        r = meter.result()
        rows.append(
            {
                "method": name.replace("per-frame (flow)", "with flow").replace(" (none)", ""),
                "warp_error": r.warp_error,
                "source_floor": r.source_floor,
                "ratio": r.ratio,
                "style_distance": distance(painted),
                "content_edge_ssim": float(
                    np.mean([edge_ssim(o, f) for o, f in zip(painted, frames, strict=True)])
                ),
                "seconds_per_frame": seconds / len(frames),
            }
        )
    rows.append(
        {
            "method": "the source frames (no painting)",
            "warp_error": rows[0]["source_floor"],
            "source_floor": rows[0]["source_floor"],
            "ratio": 1.0,
            "style_distance": distance(frames),
            "content_edge_ssim": 1.0,
            "seconds_per_frame": 0.0,
        }
    )
    return rows


def main() -> None:
    """Run both tables and write benchmarks/results/gatys_speed.json."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--iterations", type=int, default=20)
    p.add_argument("--frames", type=int, default=10)
    p.add_argument("--video-size", type=int, default=256)
    p.add_argument("--vgg", help="torchvision's vgg19-dcbb9e9d.pth, to time Gatys on VGG-19 too")
    p.add_argument("--skip-video", action="store_true")
    args = p.parse_args()
    content, painting, clip = need_media(
        "tubingen.jpg", "starry_night.jpg", "sintel_mountain_2.mp4"
    )
    from restyle.media.image import load_image

    rows = speed(args, load_image(content), painting)
    print(f"\nSeconds per 512 px image (Gatys: {args.iterations} L-BFGS iterations)")
    print_table(
        ["method", "s / image", "s per 100 it (scaled)", "x feed-forward"],
        [[r["method"], r["seconds"], r["per_100_iterations"], r["ratio"]] for r in rows],
    )
    video = []
    if not args.skip_video:
        video = flicker(args, clip, painting)
        print(
            f"\nFlicker on sintel_mountain_2, first {args.frames} frames at {args.video_size} px "
            f"(Gatys: {args.iterations} iterations per frame)"
        )
        print_table(
            [
                "method",
                "warp error",
                "source floor",
                "x floor",
                "style dist",
                "edge SSIM",
                "s / frame",
            ],
            [
                [
                    r["method"],
                    f"{r['warp_error']:.6f}",
                    f"{r['source_floor']:.6f}",
                    f"{r['ratio']:.2f}",
                    f"{r['style_distance']:.3f}",
                    f"{r['content_edge_ssim']:.3f}",
                    r["seconds_per_frame"],
                ]
                for r in video
            ],
        )
    write_json(
        "gatys_speed",
        {
            "iterations": args.iterations,
            "frames": args.frames,
            "video_size": args.video_size,
            "speed": rows,
            "flicker": video,
        },
    )


if __name__ == "__main__":
    main()
