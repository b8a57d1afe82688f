"""Calibrate the int8 style transformers on real frames; writes restyle/models/calibration/*.json.

For each network (and each network trained here, ``steady_arbitrary`` and
``steady_multistyle26``: the weights of ``--model steady``) the fast float
graph paints calibration frames (every 20th frame of the cockatoo and Sintel clips and three
photos, at 640x360 or the clip's own size) in many styles (all 26 built-ins, or those the
trained 26-style network paints; the style vectors of the paintings in the media folder and
blends of them), and each convolution's input is measured: the 99.99th percentile of its
magnitude per frame, the largest over frames and styles (restyle.models.quantize). The
tables hold one number per layer; the int8 graphs are built from them and the shipped
weights at run time. tubingen.jpg is left out: benchmarks/speed/image_speed.py paints it.

Two choices go into each table with the measurements, from ``--sensitivity`` (each layer
alone in int8, mean SSIM loss against float on Sintel frames at 1024x436 and cockatoo
frames at 640x360, two styles; 2026-12-03):

* the layers left in float (bf16 on OpenVINO): the stride-2 convolutions of the contracting
  path and the first convolutions of the first residual blocks. Alone in int8 they cost
  0.024-0.033 (contract 2), 0.012-0.019 (contract 3) and 0.004-0.009 SSIM each; every other
  layer 0.0003-0.003. With them in float the mean SSIM to float is 0.989 (26-style) and
  0.995 (arbitrary) where all-int8 gives 0.941 and 0.959;
* for the trained 26-style network (``steady_multistyle26``, 2026-12-07) no layer stands
  out: alone in int8 each costs 0.0009-0.0024 SSIM, the stride-2 ones included (its blur
  before them smooths what they quantize), and its last layer 0.0057. So it keeps that
  one and the first convolutions of the first residual blocks in float: per 640x360
  frame on OpenVINO (one thread, alternating) 1.00x the shipped network's int8 graph
  where the shipped network's float layers cost 1.20x, with SSIM to float 0.994 / 0.991
  (cockatoo / Sintel) against 0.993 / 0.990 and warp error 1.04x / 1.12x float's against
  1.04x / 1.12x;
* the bounds, 0.8 x the measured ones: a little clipping for finer steps (mean SSIM 0.9888
  at 0.8, 0.9870 at 1.0, 0.9811 at 1.25, 0.9799 at 0.6 on the 26-style network).

Run: python tools/calibrate.py [--check] [--sensitivity]
(--check: compare with the tables in the tree; about 25 minutes on 2 busy cores)
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import av
import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks._common

from benchmarks._common import REPO, need_media  # noqa: E402

CLIPS = ("cockatoo.mp4", "sintel_mountain_2.mp4")
PHOTOS = ("golden_gate.jpg", "hoovertowernight.jpg", "escher_sphere.jpg")
PAINTINGS = (
    "starry_night.jpg",
    "the_scream.jpg",
    "picasso_selfport1907.jpg",
    "woman-with-hat-matisse.jpg",
    "shipwreck.jpg",
)
EVERY = 20
LONG_SIDE = 640
BOUND_SCALE = 0.8
# each table: the network it quantizes, and the weights it paints with (--model)
TABLES = {
    "multistyle26": ("multistyle26", "original"),
    "arbitrary_transform": ("arbitrary_transform", "original"),
    "steady_arbitrary": ("arbitrary_transform", "steady"),
    "steady_multistyle26": ("multistyle26", "steady"),
}
# the layers each table leaves in float (see the module docstring), by table
KEEP_FLOAT = {
    "multistyle26": ("contract.1", "contract.2", "res.0.0", "res.1.0"),
    "arbitrary_transform": (
        "contract/conv2",
        "contract/conv3",
        "residual/residual1/conv1",
        "residual/residual2/conv1",
    ),
}
KEEP_FLOAT["steady_arbitrary"] = KEEP_FLOAT["arbitrary_transform"]
# the trained 26-style network keeps the shipped one's float layers: with its last
# (full-size) layer in float instead of its strides (stage 3's choice: 0.88x the time)
# stage 7 painted builtin:5 at an SSIM of 0.959 to float on Sintel (0.980 like this) and
# builtin:20 with 1.098x float's flicker there (1.062x like this); --sensitivity now ranks
# contract.1 and contract.2 first
KEEP_FLOAT["steady_multistyle26"] = KEEP_FLOAT["multistyle26"]


def _fit(image: np.ndarray) -> np.ndarray:
    """Scale to a long side of at most 640 px, sides multiples of 4 (the network's grid)."""
    h, w = image.shape[:2]
    scale = min(1.0, LONG_SIDE / max(h, w))
    size = (max(4, round(w * scale / 4) * 4), max(4, round(h * scale / 4) * 4))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def calibration_frames() -> list[np.ndarray]:
    """The calibration frames: HxWx3 uint8 RGB."""
    from restyle.media.image import load_image

    frames = []
    for path in need_media(*CLIPS):
        with av.open(str(path)) as container:
            for i, frame in enumerate(container.decode(video=0)):
                if i % EVERY == 0:
                    frames.append(_fit(frame.to_ndarray(format="rgb24")))
    frames += [_fit(load_image(p)) for p in need_media(*PHOTOS)]
    return frames


def styles_for(network: str, model: str = "original") -> list[np.ndarray]:
    """The style inputs (1 x D float32) a network is calibrated with: for the trained
    26-style network, the built-in styles it paints (restyle.models.trained)."""
    if network == "multistyle26":
        from restyle.models.trained import STEADY_BUILTINS

        picked = sorted(STEADY_BUILTINS) if model != "original" else range(26)
        return [np.eye(26, dtype=np.float32)[i : i + 1] for i in picked]
    import restyle

    vectors = [
        np.asarray(restyle.style_vector(str(p), device="cpu").vector, np.float32)
        for p in need_media(*PAINTINGS)
    ]
    blends = [0.5 * (a + b) for a, b in itertools.combinations(vectors, 2)]
    return [v.reshape(1, -1) for v in vectors + blends]


def calibrate(name: str, frames: list[np.ndarray]):
    """The calibration table ``name`` (restyle.models.quantize.CalibrationTable)."""
    from restyle.models.graph import to_phases
    from restyle.models.networks import int8_source_graph
    from restyle.models.quantize import PERCENTILE, CalibrationTable, activation_ranges

    network, weights = TABLES[name]
    model = int8_source_graph(network, None, weights)
    styles = styles_for(network, weights)
    feeds = (
        {"content": to_phases(f[None].astype(np.float32) / 255.0), "style": s}
        for s in styles
        for f in frames
    )
    ranges = activation_ranges(model, feeds)
    ranges = {k: (float(f"{b:.6g}"), s) for k, (b, s) in ranges.items()}
    source = (
        f"{len(frames)} frames (every {EVERY}th of {', '.join(CLIPS)}; {', '.join(PHOTOS)}) "
        f"x {len(styles)} styles; per layer the largest per-frame {PERCENTILE}th percentile "
        "of |input|"
    )
    return CalibrationTable(name, ranges, source, KEEP_FLOAT[name], BOUND_SCALE)


def sensitivity(name: str) -> None:
    """Print each layer's SSIM loss against float when it alone is int8 (and when all are)."""
    from restyle.imaging.similarity import ssim
    from restyle.models.graph import from_phases, to_phases
    from restyle.models.networks import int8_source_graph
    from restyle.models.quantize import load_table, quantize_transformer
    from restyle.models.session import create_session

    sintel, cockatoo = need_media("sintel_mountain_2.mp4", "cockatoo.mp4")
    frames = []
    for path, picks in ((sintel, (3, 31)), (cockatoo, (47, 94))):
        with av.open(str(path)) as container:
            for i, frame in enumerate(container.decode(video=0)):
                if i in picks:
                    frames.append(_fit(frame.to_ndarray(format="rgb24")))
    network, weights = TABLES[name]
    styles = styles_for(network, weights)[:2]
    float_graph = int8_source_graph(network, None, weights)
    table = load_table(name)

    def paint(model) -> list[np.ndarray]:
        session = create_session(model.SerializeToString(), "cpu")
        return [
            from_phases(
                session.run(None, {"content": to_phases(f[None] / np.float32(255)), "style": s})[0]
            )[0]
            for f in frames
            for s in styles
        ]

    reference = paint(float_graph)

    def score(keep) -> float:
        out = paint(quantize_transformer(float_graph, table, keep_float=keep))
        return float(np.mean([ssim(_u8(a), _u8(b)) for a, b in zip(out, reference, strict=True)]))

    layers = list(table.ranges)
    print(
        f"{name}: mean SSIM to float, all int8 {score(()):.4f}, as tabled "
        f"{score(table.keep_float):.4f}"
    )
    for layer in layers:
        loss = 1.0 - score([k for k in layers if k != layer])
        print(f"  {layer:28s} alone in int8: SSIM loss {loss:.4f}")


def _u8(image: np.ndarray) -> np.ndarray:
    return np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--network", choices=tuple(TABLES), help="one table (default: all)")
    parser.add_argument("--sensitivity", action="store_true", help="per-layer SSIM loss")
    args = parser.parse_args()
    if args.sensitivity:
        for name in [args.network] if args.network else list(TABLES):
            sensitivity(name)
        return
    frames = calibration_frames()
    folder = REPO / "restyle" / "models" / "calibration"
    failed = False
    for network in [args.network] if args.network else list(TABLES):
        start = time.perf_counter()
        table = calibrate(network, frames)
        path: Path = folder / f"{network}.json"
        took = time.perf_counter() - start
        if args.check:
            same = path.is_file() and path.read_text() == table.to_json()
            failed |= not same
            print(f"{network}: {'same as' if same else 'DIFFERS from'} {path} ({took:.0f} s)")
        else:
            path.write_text(table.to_json())
            print(f"{network}: wrote {path} ({took:.0f} s)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
