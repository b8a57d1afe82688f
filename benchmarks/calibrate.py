"""Calibrate the int8 style transformers on real frames; writes restyle/models/calibration/*.json.

For each network the fast float graph paints calibration frames (every 20th frame of the
cockatoo and Sintel clips and three photos, at 640x360 or the clip's own size) in many
styles (all 26 built-ins; the style vectors of the paintings in the media folder and
blends of them), and each convolution's input is measured: the 99.99th percentile of its
magnitude per frame, the largest over frames and styles (restyle.models.quantize). The
tables hold one number per layer; the int8 graphs are built from them and the shipped
weights at run time. tubingen.jpg is left out: benchmarks/image_speed.py paints it.

Run: python benchmarks/calibrate.py [--check]   (--check: compare with the tables in the tree)
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

from _common import REPO, need_media

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


def styles_for(network: str) -> list[np.ndarray]:
    """The style inputs (1 x D float32) a network is calibrated with."""
    if network == "multistyle26":
        return [np.eye(26, dtype=np.float32)[i : i + 1] for i in range(26)]
    import restyle

    vectors = [
        np.asarray(restyle.style_vector(str(p), device="cpu").vector, np.float32)
        for p in need_media(*PAINTINGS)
    ]
    blends = [0.5 * (a + b) for a, b in itertools.combinations(vectors, 2)]
    return [v.reshape(1, -1) for v in vectors + blends]


def calibrate(network: str, frames: list[np.ndarray]):
    """The calibration table of ``network`` (restyle.models.quantize.CalibrationTable)."""
    from restyle.models.graph import to_phases
    from restyle.models.networks import _fast_graph
    from restyle.models.quantize import PERCENTILE, CalibrationTable, activation_ranges

    model = _fast_graph(network, None)
    styles = styles_for(network)
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
    return CalibrationTable(network, ranges, source)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--network", choices=("multistyle26", "arbitrary_transform"))
    args = parser.parse_args()
    frames = calibration_frames()
    folder = REPO / "restyle" / "models" / "calibration"
    failed = False
    for network in [args.network] if args.network else ["multistyle26", "arbitrary_transform"]:
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
