"""Seed future work 1: normalise over time the layer whose instance-norm statistics vary most.

The arbitrary-style transformer normalises each of its 13 conditioned layers by the frame's
own statistics (per-channel mean and variance), so they change from frame to frame with the
content, and the paint flickers with them. On the real clips (Sintel's pan, the hand-held
cockatoo; 640 px wide, painted frame by frame in Starry Night):

1. every frame's statistics of every layer are measured (restyle.models.tiled.exact_stats);
2. a layer's variation over time is the mean over its channels of the standard deviation
   over time of the channel's mean, over the channel's own spatial standard deviation (how
   far the normalisation's centre moves, in its own units), and of log variance;
3. the layer that varies most is given statistics smoothed over time (a Gaussian of
   ``--sigma`` frames, or the clip's mean), the layers after it measured again with those
   applied, and every frame painted so;
4. warp error (Lai et al. 2018; lower is less flicker) and the frames' SSIM to the painting
   frame by frame (how much the look changed) are compared, with smoothing *every* layer's
   statistics (the seed's quick prototype) and with restyle's flow filter for scale.

    python tools/layer_stats.py [--frames 50] [--sigma 2 5]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

from restyle.imaging.similarity import ssim
from restyle.media.reader import open_video
from restyle.metrics.warp_error import SourceMotion, WarpErrorMeter
from restyle.models.engine import Engine
from restyle.models.tiled import Stats, exact_stats, load_tiled, tile_windows
from restyle.styles.embed import resolve_style
from restyle.temporal.filters import build_filter
from restyle.temporal.options import filter_options

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks._common

from benchmarks._common import need_media, print_table, write_json  # noqa: E402

WIDTH = 640


def read(path, count: int) -> list[np.ndarray]:
    """The first ``count`` frames, WIDTH px wide, sides multiples of 4."""
    frames = []
    with open_video(path) as reader:
        for frame in reader:
            h, w = frame.image.shape[:2]
            size = (WIDTH, round(h * WIDTH / w / 4) * 4)
            frames.append(cv2.resize(frame.image, size, interpolation=cv2.INTER_AREA))
            if len(frames) == count:
                break
    return frames


def smooth(values: np.ndarray, sigma: float | None) -> np.ndarray:
    """Per-channel series (T x C) smoothed over time; None: the clip's mean for every frame."""
    if sigma is None:
        return np.repeat(values.mean(axis=0, keepdims=True), len(values), axis=0)
    reach = int(np.ceil(3 * sigma))
    offsets = np.arange(-reach, reach + 1)
    kernel = np.exp(-0.5 * (offsets / sigma) ** 2)
    padded = np.pad(values, ((reach, reach), (0, 0)), mode="edge")
    windows = np.stack([padded[reach + o : reach + o + len(values)] for o in offsets])
    return np.tensordot(kernel / kernel.sum(), windows, axes=1)


def warp_error(sources: list[np.ndarray], painted: list[np.ndarray], motion: list) -> float:
    meter = WarpErrorMeter()
    for source, out, pair in zip(sources, painted, motion, strict=True):
        meter.update(source, out, pair)
    return meter.result().warp_error


def main() -> None:
    """Measure, smooth, paint, score; print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=50, help="frames of each clip (50)")
    parser.add_argument("--sigma", type=float, nargs="+", default=[2.0, 5.0])
    args = parser.parse_args()
    clips = need_media("sintel_mountain_2.mp4", "cockatoo.mp4")
    (painting,) = need_media("starry_night.jpg")
    net = load_tiled("arbitrary_transform", "cpu")
    vector = resolve_style(str(painting), engine=Engine(device="cpu")).vector
    names = [layer.name for layer in net.layers]
    variation_rows, result_rows = [], []
    for clip in clips:
        frames = read(clip, args.frames)
        h, w = frames[0].shape[:2]
        whole = tile_windows(h, w, tile=10**6)
        stats = [exact_stats(net, f, vector, whole) for f in frames]

        def paint(all_stats: list[Stats]) -> list[np.ndarray]:
            out = []
            for frame, st in zip(frames, all_stats, strict=True):
                painted = net.paint(frame.astype(np.float32) / 255, vector, st)
                out.append(np.clip(painted * 255 + 0.5, 0, 255).astype(np.uint8))
            return out

        means = [np.stack([s.means[k] for s in stats]) for k in range(len(names))]
        variances = [np.stack([s.variances[k] for s in stats]) for k in range(len(names))]
        spread = []
        for k, name in enumerate(names):
            std = np.sqrt(variances[k].mean(axis=0)) + 1e-6
            move = float((means[k].std(axis=0) / std).mean())
            scale = float(np.log(variances[k] + 1e-8).std(axis=0).mean())
            spread.append(move + scale)
            variation_rows.append(
                {
                    "clip": clip.name,
                    "layer": name,
                    "mean_moves": round(move, 4),
                    "log_var_moves": round(scale, 4),
                }
            )
        top = int(np.argmax(spread))
        motion_source = SourceMotion()
        motion = [motion_source.update(f) for f in frames]
        base = paint(stats)
        base_error = warp_error(frames, base, motion)

        def score(label: str, painted: list[np.ndarray]) -> None:
            error = warp_error(frames, painted, motion)
            fidelity = float(np.mean([ssim(a, b) for a, b in zip(painted, base, strict=True)]))
            result_rows.append(
                {
                    "clip": clip.name,
                    "variant": label,
                    "warp_error": round(error, 6),
                    "vs_frame_by_frame": round(error / base_error, 4),
                    "ssim_to_frame_by_frame": round(fidelity, 4),
                }
            )
            print(result_rows[-1], flush=True)

        score("frame by frame", base)
        for sigma in [*args.sigma, None]:
            label = "clip mean" if sigma is None else f"sigma {sigma:g} frames"
            m, v = smooth(means[top], sigma), smooth(variances[top], sigma)
            fixed = [
                exact_stats(net, f, vector, whole, fixed={top: (m[t], v[t])})
                for t, f in enumerate(frames)
            ]
            score(f"{names[top]} normalised over time, {label}", paint(fixed))
            every = [
                Stats(
                    [smooth(means[k], sigma)[t] for k in range(len(names))],
                    [smooth(variances[k], sigma)[t] for k in range(len(names))],
                )
                for t in range(len(frames))
            ]
            score(f"every layer smoothed, {label}", paint(every))
        flow = build_filter(filter_options())
        filtered = []
        for index, (frame, painted) in enumerate(zip(frames, base, strict=True)):
            flow.prepare(frame)
            filtered.extend(flow.push(frame, painted, index / 25.0))
        filtered.extend(flow.flush())
        flow.close()
        score("restyle's flow filter (default), for scale", filtered)
    print("\nVariation over time of each layer's statistics (mean over channels)")
    keys = ["clip", "layer", "mean_moves", "log_var_moves"]
    print_table(keys, [[r[k] for k in keys] for r in variation_rows])
    print("\nWarp error (lower: less flicker) and SSIM to the frames painted one by one")
    keys = ["clip", "variant", "warp_error", "vs_frame_by_frame", "ssim_to_frame_by_frame"]
    print_table(keys, [[r[k] for k in keys] for r in result_rows])
    write_json("layer_stats", {"variation": variation_rows, "results": result_rows})


if __name__ == "__main__":
    main()
