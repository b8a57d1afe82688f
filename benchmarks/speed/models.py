"""Which weights paint (--model): the steady network's time per frame against the shipped one's.

Each network (the arbitrary-style transformer, and the 26-style one in built-in style 20)
paints a 640x360 frame (tubingen.jpg) as shipped and as trained here, with the float
graph on each backend installed and, on a CPU with int8 dot products (where it is the
default), OpenVINO's int8 graph (each network with its own calibration table),
alternating frame by frame (``--rounds`` each), with one
thread per call (as ``restyle video`` paints, two frames side by side on two cores) and
with all cores; the table gives the median ms and the ratio steady / original. The steady
network costs a blur before each stride (one 5x5 kernel instead of 3x3), and the 26-style
one a 1x1 convolution at full size (its skip path); bilinear upsampling is free in the
fast graph. In int8 the trained 26-style network runs its stride-2 convolutions in int8
too, where the shipped one keeps them in float (tools/calibrate.py).

Run: python -m benchmarks models [--rounds 15]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

import cv2
import numpy as np

from benchmarks._common import machine, need_media, print_table, write_json

MODELS = ("original", "steady")  # the table's columns: shipped, and trained here


def main(argv: list[str] | None = None) -> int:
    """Print the table and write its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)

    from restyle.media.image import load_image
    from restyle.models.networks import load_multistyle, load_transformer
    from restyle.models.openvino import cpu_has_int8_dot, openvino_available

    (photo_path,) = need_media("tubingen.jpg")
    photo = cv2.resize(load_image(photo_path), (640, 360), interpolation=cv2.INTER_AREA)
    x = photo[None].astype(np.float32) / 255
    networks = {  # name -> (loader, style input, the --model of its trained network)
        "arbitrary": (load_transformer, np.random.default_rng(0).normal(0, 0.5, 100), "steady"),
        "26-style (builtin:20)": (load_multistyle, np.eye(26)[20], "steady"),
    }
    engines = [("onnxruntime", "float")]
    if openvino_available():
        engines.append(("openvino", "float"))
        if cpu_has_int8_dot():
            engines.append(("openvino", "int8"))
    rows = []
    for (network, (loader, style, trained)), (backend, precision), threads in itertools.product(
        networks.items(), engines, (1, None)
    ):
        style = style.astype(np.float32)
        nets = {
            column: loader("cpu", precision=precision, threads=threads, backend=backend, model=m)
            for column, m in zip(MODELS, ("original", trained), strict=True)
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
                "network": network,
                "backend": backend,
                "precision": precision,
                "threads": threads or "all",
                "original_ms": median["original"],
                "steady_ms": median["steady"],
                "ratio": median["steady"] / median["original"],
            }
        )
    print(f"ms per 640x360 frame, median of {args.rounds} alternating rounds")
    print_table(
        ["network", "backend", "precision", "threads", "original ms", "steady ms",
         "steady / original"],
        [
            [r["network"], r["backend"], r["precision"], r["threads"], r["original_ms"],
             r["steady_ms"], f"{r['ratio']:.3f}"]
            for r in rows
        ],
    )  # fmt: skip
    write_json("models", {"machine": machine(), "rounds": args.rounds, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
