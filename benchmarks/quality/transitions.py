"""Style video to video: keyframe spread, flicker across a transition, monotone hand-over.

1. Keyframes of the style video (gallery_paintings.mp4: five paintings, crossfades):
   mean and smallest pairwise distance of the keyframes' style vectors for each method.
2. On each target clip (scaled to --size px first, so the 2-core machine keeps up), the
   first two ``diverse`` keyframes A and B are painted three ways with the default
   temporal filter: A only, B only, and A handing over to B (``segments``, smooth easing,
   hold 0.3: the middle 35 % of the clip is the transition). Warp error (Lai et al.,
   restyle.metrics.WarpErrorMeter) is averaged over the frames inside the transition and
   compared with the single-style runs three ways: their plain mean; ``weighted`` (each
   frame's A and B errors mixed by the schedule's weight at that frame, the flicker the
   styles themselves have at that point); and ``crossfade``, the warp error of the A and B
   runs' frames mixed pixel by pixel with the schedule's weight -- a hand-over that adds no
   flicker of its own but does contain the change from one look to the other, which the
   warp error counts too (a fast hand-over changes every pixel a little each frame).
   Target: transition <= 1.10 x single.
3. Monotone progress: each output frame's style vector (the predictor on the painted
   frame) is placed on the line from the A-run's vector to the B-run's vector *of the
   same frame* (so the content's own change cancels out): 0 = looks like A, 1 = like B.

Run: python -m benchmarks transitions [--clips cockatoo sintel] [--seconds 3] [--size 384]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks._common import need_media, print_table, write_json

CLIPS = {"cockatoo": "cockatoo.mp4", "sintel": "sintel_mountain_2.mp4"}
STYLE_VIDEO = "gallery_paintings.mp4"


def spread(keys) -> tuple[float, float]:
    """Mean and smallest pairwise style distance of keyframes."""
    vectors = np.stack([k.style.vector for k in keys])
    dist = np.linalg.norm(vectors[:, None] - vectors[None], axis=2)
    pairs = dist[np.triu_indices(len(keys), 1)]
    return float(pairs.mean()), float(pairs.min())


def scaled_clip(source: Path, folder: Path, seconds: float, size: int) -> Path:
    """The first ``seconds`` of ``source`` scaled to a long side of ``size`` (even sizes)."""
    import cv2

    from restyle.media import open_video, open_writer

    out = folder / f"{source.stem}_{size}.mp4"
    with open_video(source, duration=seconds) as reader:
        info = reader.info
        scale = size / max(info.width, info.height)
        w, h = 2 * round(info.width * scale / 2), 2 * round(info.height * scale / 2)
        with open_writer(out, info, crf=12, preset="veryfast", width=w, height=h) as writer:
            for f in reader:
                small = cv2.resize(f.image, (w, h), interpolation=cv2.INTER_AREA)
                writer.write(small, f.time, f.duration)
    return out


def frames_of(path: Path) -> tuple[list[np.ndarray], list[float]]:
    from restyle.media import open_video

    with open_video(path) as reader:
        frames = list(reader)
    return [f.image for f in frames], [f.time for f in frames]


def png_frames(folder: Path) -> list[np.ndarray]:
    from PIL import Image

    return [np.asarray(Image.open(p).convert("RGB")) for p in sorted(folder.glob("*.png"))]


def warp_errors(sources: list[np.ndarray], outputs: list[np.ndarray], pairs: list) -> list:
    """Per-frame warp error (None where not counted) of one output sequence."""
    from restyle.metrics import WarpErrorMeter

    meter = WarpErrorMeter()
    return [meter.update(s, o, p) for s, o, p in zip(sources, outputs, pairs, strict=True)]


def window_mean(errors: list, inside: list[bool]) -> float:
    values = [e for e, keep in zip(errors, inside, strict=True) if keep and e is not None]
    return float(np.mean(values)) if values else float("nan")


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    return float(np.corrcoef(rx, ry)[0, 1])


def run_clip(name: str, clip: Path, a, b, work: Path, hold: float = 0.3) -> dict:
    """Three runs on one clip; warp error in the transition and the progress of the style."""
    import restyle
    from restyle.metrics import SourceMotion
    from restyle.styles.embed import embed_images
    from restyle.styles.schedule import Segments

    sources, times = frames_of(clip)
    duration = times[-1] + (times[-1] - times[-2])
    schedule = Segments([a, b], duration, easing="smooth", hold=hold)
    start, end = schedule.transition(0)
    inside = [start <= t <= end for t in times]
    outputs, seconds = {}, {}
    for label, style, transition in (("A", a, None), ("B", b, None), ("A>B", [a, b], "segments")):
        folder = work / f"{name}_{label.replace('>', 'to')}"
        began = time.perf_counter()
        restyle.stylize_video(
            clip, folder / "%04d.png", style, transition=transition, max_size=None, hold=hold
        )
        seconds[label] = time.perf_counter() - began
        outputs[label] = png_frames(folder)
    motion = SourceMotion()
    pairs = [motion.update(f) for f in sources]
    errors = {label: warp_errors(sources, out, pairs) for label, out in outputs.items()}
    in_window = {label: window_mean(e, inside) for label, e in errors.items()}
    whole = {label: window_mean(e, [True] * len(e)) for label, e in errors.items()}
    single = 0.5 * (in_window["A"] + in_window["B"])
    # the single-style error each frame would have at its place in the schedule
    weights = [schedule.position(t).weight for t in times]
    mixed = [
        None if ea is None or eb is None else (1 - w) * ea + w * eb
        for ea, eb, w in zip(errors["A"], errors["B"], weights, strict=True)
    ]
    weighted = window_mean(mixed, inside)
    crossfade = [
        np.clip((1 - w) * fa.astype(np.float32) + w * fb + 0.5, 0, 255).astype(np.uint8)
        for fa, fb, w in zip(outputs["A"], outputs["B"], weights, strict=True)
    ]
    faded = window_mean(warp_errors(sources, crossfade, pairs), inside)

    rows = [i for i, keep in enumerate(inside) if keep]
    rows = [rows[0] - 1, *rows, rows[-1] + 1] if rows[0] > 0 and rows[-1] + 1 < len(times) else rows
    vec = {
        label: embed_images([outputs[label][i] for i in rows]).astype(np.float64)
        for label in outputs
    }
    axis = vec["B"] - vec["A"]
    progress = np.einsum("ij,ij->i", vec["A>B"] - vec["A"], axis) / np.einsum(
        "ij,ij->i", axis, axis
    )
    planned = np.array([schedule.position(times[i]).weight for i in rows])
    steps = np.diff(progress)
    return {
        "frames": len(times),
        "size": f"{sources[0].shape[1]}x{sources[0].shape[0]}",
        "transition_s": [round(start, 3), round(end, 3)],
        "transition_frames": sum(inside),
        "warp_error_transition": in_window["A>B"],
        "warp_error_single_A": in_window["A"],
        "warp_error_single_B": in_window["B"],
        "transition_over_single": in_window["A>B"] / single,
        "warp_error_single_weighted": weighted,
        "transition_over_weighted": in_window["A>B"] / weighted,
        "warp_error_crossfade": faded,
        "transition_over_crossfade": in_window["A>B"] / faded,
        "warp_error_whole_clip": whole,
        "progress": [round(float(p), 3) for p in progress],
        "planned_weight": [round(float(p), 3) for p in planned],
        "progress_spearman": spearman(np.arange(len(progress)), progress),
        "progress_backward_steps": int(np.sum(steps < -0.02)),
        "progress_largest_backward_step": float(max(0.0, -steps.min())),
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", nargs="+", choices=sorted(CLIPS), default=sorted(CLIPS))
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds of each clip (3)")
    parser.add_argument("--size", type=int, default=384, help="long side of the clips (384)")
    parser.add_argument("--keyframes", type=int, default=5, help="keyframes per method (5)")
    parser.add_argument(
        "--hold",
        type=float,
        default=0.3,
        help="fraction of each style's part kept pure (0.3); less = longer hand-over",
    )
    args = parser.parse_args()

    from restyle.styles.keyframes import extract_keyframes

    (style_video,) = need_media(STYLE_VIDEO)
    clips = dict(zip(args.clips, need_media(*(CLIPS[c] for c in args.clips)), strict=True))

    print(f"Keyframes of {STYLE_VIDEO} (N={args.keyframes})\n")
    keyframe_rows, keyframe_data, chosen = [], {}, {}
    for method in ("uniform", "change", "diverse"):
        began = time.perf_counter()
        keys = extract_keyframes(style_video, args.keyframes, method=method)
        took = time.perf_counter() - began
        mean, smallest = spread(keys)
        times = " ".join(f"{k.time:.2f}" for k in keys)
        keyframe_rows.append([method, mean, smallest, times, round(took, 2)])
        keyframe_data[method] = {
            "mean_pairwise": mean,
            "min_pairwise": smallest,
            "times": [k.time for k in keys],
            "indices": [k.index for k in keys],
            "seconds": took,
        }
        chosen[method] = keys
    print_table(["method", "mean dist", "min dist", "times (s)", "seconds"], keyframe_rows)
    ratio = keyframe_data["diverse"]["mean_pairwise"] / keyframe_data["uniform"]["mean_pairwise"]
    print(f"\ndiverse / uniform mean pairwise distance: {ratio:.3f}")

    a, b = chosen["diverse"][0].style, chosen["diverse"][1].style
    print(
        f"\nTransition A={a.label} -> B={b.label}; clips: first {args.seconds:g} s, "
        f"{args.size} px, temporal flow (default)\n"
    )
    clip_data, rows = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, path in clips.items():
            clip = scaled_clip(path, work, args.seconds, args.size)
            result = run_clip(name, clip, a, b, work, args.hold)
            clip_data[name] = result
            rows.append(
                [
                    name,
                    result["size"],
                    result["transition_frames"],
                    result["warp_error_single_A"],
                    result["warp_error_single_B"],
                    result["warp_error_transition"],
                    f"{result['transition_over_single']:.3f}",
                    f"{result['transition_over_weighted']:.3f}",
                    f"{result['transition_over_crossfade']:.3f}",
                    round(result["progress_spearman"], 3),
                    result["progress_backward_steps"],
                ]
            )
            print(f"{name}: progress A->B per frame {result['progress']}")
            print(f"{name}: planned weight        {result['planned_weight']}")
    print()
    print_table(
        [
            "clip",
            "size",
            "frames in",
            "warp A",
            "warp B",
            "warp A>B",
            "A>B / mean(A,B)",
            "A>B / weighted",
            "A>B / crossfade",
            "progress rho",
            "back steps",
        ],
        rows,
    )
    write_json(
        "transitions",
        {
            "style_video": STYLE_VIDEO,
            "keyframes": keyframe_data,
            "diverse_over_uniform": ratio,
            "seconds_per_clip": args.seconds,
            "size": args.size,
            "clips": clip_data,
        },
    )


if __name__ == "__main__":
    main()
