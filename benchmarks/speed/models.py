"""Which weights paint (--model): the steady network's time per frame against the shipped one's.

Both arbitrary-style transformers paint a 640x360 frame (tubingen.jpg) with the float
graph, alternating frame by frame (``--rounds`` each), on each backend installed, with one
thread per call (as ``restyle video`` paints, two frames side by side on two cores) and
with all cores; the table gives the median ms and the ratio steady / original. The steady
network costs a blur before each stride (one 5x5 kernel instead of 3x3); its bilinear
upsampling is free in the fast graph.

Run: python -m benchmarks models [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
import time

import cv2
import numpy as np

from benchmarks._common import machine, need_media, print_table, write_json

MODELS = ("original", "steady")


def main(argv: list[str] | None = None) -> int:
    """Print the table and write its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)

    from restyle.media.image import load_image
    from restyle.models.networks import load_transformer
    from restyle.models.openvino import openvino_available

    (photo_path,) = need_media("tubingen.jpg")
    photo = cv2.resize(load_image(photo_path), (640, 360), interpolation=cv2.INTER_AREA)
    x = photo[None].astype(np.float32) / 255
    style = np.random.default_rng(0).normal(0, 0.5, 100).astype(np.float32)
    backends = ["onnxruntime"] + (["openvino"] if openvino_available() else [])
    rows = []
    for backend in backends:
        for threads in (1, None):
            nets = {
                m: load_transformer(
                    "cpu", precision="float", threads=threads, backend=backend, model=m
                )
                for m in MODELS
            }
            for net in nets.values():  # warm up
                net.run(x, style)
                net.run(x, style)
            times: dict[str, list[float]] = {m: [] for m in nets}
            for _ in range(args.rounds):
                for m, net in nets.items():
                    start = time.perf_counter()
                    net.run(x, style)
                    times[m].append((time.perf_counter() - start) * 1000)
            median = {m: statistics.median(t) for m, t in times.items()}
            rows.append(
                {
                    "backend": backend,
                    "threads": threads or "all",
                    "original_ms": median["original"],
                    "steady_ms": median["steady"],
                    "ratio": median["steady"] / median["original"],
                }
            )
    print(f"ms per 640x360 frame, float graph, median of {args.rounds} alternating rounds")
    print_table(
        ["backend", "threads", "original ms", "steady ms", "steady / original"],
        [
            [r["backend"], r["threads"], r["original_ms"], r["steady_ms"], f"{r['ratio']:.3f}"]
            for r in rows
        ],
    )
    write_json("models", {"machine": machine(), "rounds": args.rounds, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
