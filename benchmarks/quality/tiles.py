"""Large pictures in tiles: how close to painting them whole, how visible the seams, what memory.

Three parts, each a table:

* **statistics**: a 2048x1536 photo (tubingen, scaled up) painted in tiles with the
  instance-norm statistics from each method, against the same photo painted whole (which
  still fits in memory at this size): PSNR, the largest shift of a channel's mean, and the
  seam ratio of 512 px tiles. "naive tiles" paints each tile on its own (its own norms, no
  margin), what tiling without shared statistics gives.
* **seam ratio**: the mean jump across the tile borders (between the last row or column of
  a tile and the first of the next) over the mean jump across the lines 2 and 4 pixels to
  either side; 1.00 cannot be told from elsewhere.
* **memory**: peak resident memory and time of ``restyle image`` on an 8000x8000 photo at
  ``--max-size 0`` (painted at full size, in tiles), the same with tiles switched off (the
  whole picture through the network at once, as before), and at the default
  ``--max-size 1280``. Each run is a fresh process; ``--quick`` skips the untiled run
  (7+ GiB).

    python -m benchmarks tiles [--quick]

Absolute times depend on the machine (and on what else runs on it); compare within a run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from benchmarks._common import need_media, print_table, write_json
from restyle.media.image import load_image
from restyle.models.engine import Engine
from restyle.models.networks import load_transformer
from restyle.models.tiled import (
    estimate_stats,
    exact_stats,
    load_tiled,
    paint_tiled,
    tile_windows,
)
from restyle.styles.embed import resolve_style

SEAM_TILE = 512


def seam_ratio(image: np.ndarray, step: int) -> float:
    """Mean jump across the tile borders over the mean jump across the lines near them.

    A border is the line between pixel ``k * step - 1`` and ``k * step`` (rows and columns);
    its neighbours are the lines 2 and 4 pixels to either side (the same parity, so a
    picture scaled up by 2 does not bias it). 1.0: the border cannot be told from elsewhere.
    """
    img = image.astype(np.float32)
    jumps, near = [], []
    for axis in (0, 1):
        diffs = np.abs(np.diff(img, axis=axis)).mean(axis=(1 - axis, 2))
        for line in range(step - 1, len(diffs) - 4, step):
            jumps.append(diffs[line])
            near.extend(diffs[[line - 4, line - 2, line + 2, line + 4]])
    return float(np.mean(jumps) / np.mean(near))


def naive_tiles(image: np.ndarray, vector: np.ndarray, step: int) -> np.ndarray:
    """Each tile painted on its own by the ordinary graph: its own statistics, no margin."""
    net = load_transformer("cpu")
    out = np.empty_like(image)
    h, w = image.shape[:2]
    for y in range(0, h, step):
        for x in range(0, w, step):
            part = image[y : y + step, x : x + step].astype(np.float32) / 255
            painted = net.run(part[None], vector)[0]
            out[y : y + step, x : x + step] = np.clip(painted * 255 + 0.5, 0, 255)
    return out


def statistics_table(media: Path) -> list[dict]:
    """Part 1: each way of getting the statistics against the whole painting."""
    photo = cv2.resize(load_image(media / "tubingen.jpg"), (2048, 1536), cv2.INTER_CUBIC)
    h, w = photo.shape[:2]
    net = load_tiled("arbitrary_transform", "cpu")
    rows = []
    for style_name in ("starry_night.jpg", "the_scream.jpg"):
        vector = resolve_style(str(media / style_name), engine=Engine(device="cpu")).vector
        whole = load_transformer("cpu").run(photo[None].astype(np.float32) / 255, vector)[0]
        whole = np.clip(whole * 255 + 0.5, 0, 255).astype(np.uint8)
        small = cv2.resize(photo, (1024, 768), interpolation=cv2.INTER_AREA)
        methods = {
            "naive tiles (own norms, no margin)": None,
            "copy at 1024 px only": lambda v=vector, s=small: exact_stats(
                net, s, v, tile_windows(768, 1024)
            ),
            "estimate, copy at 1024 px (2x)": lambda v=vector: estimate_stats(
                net, photo, v, copy_side=1024
            ),
            "estimate, copy at 512 px (4x)": lambda v=vector: estimate_stats(
                net, photo, v, copy_side=512
            ),
            "exact (every tile, one pass per layer)": lambda v=vector: exact_stats(
                net, photo, v, tile_windows(h, w)
            ),
        }
        for method, stats_of in methods.items():
            start = time.perf_counter()
            if stats_of is None:
                out = naive_tiles(photo, vector, SEAM_TILE)
            else:
                out = paint_tiled(net, photo, vector, stats=stats_of(), tile=SEAM_TILE)
            seconds = time.perf_counter() - start
            diff = out.astype(np.float64) - whole
            rows.append(
                {
                    "style": style_name,
                    "method": method,
                    "psnr_db": round(float(10 * np.log10(255**2 / np.mean(diff**2))), 1),
                    "mean_shift": round(float(np.abs(diff.mean(axis=(0, 1))).max()), 2),
                    "seam_ratio": round(seam_ratio(out, SEAM_TILE), 3),
                    "seconds": round(seconds, 1),
                }
            )
            print(rows[-1], flush=True)
        rows.append(
            {
                "style": style_name,
                "method": "whole (reference)",
                "psnr_db": float("inf"),
                "mean_shift": 0.0,
                "seam_ratio": round(seam_ratio(whole, SEAM_TILE), 3),
                "seconds": None,
            }
        )
    return rows


_RUN = """
import json, sys, time
import restyle.stylizers.painter as network
from restyle.cli import main
if sys.argv[1] == "whole":
    network.TILE_PIXELS = 10**12
start = time.perf_counter()
code = main(sys.argv[2:])
with open("/proc/self/status") as status:  # VmHWM: this process image's own peak
    peak = next(int(x.split()[1]) * 1024 for x in status if x.startswith("VmHWM"))
print(json.dumps({"code": code, "seconds": time.perf_counter() - start, "peak": peak}))
"""


def memory_table(media: Path, quick: bool) -> list[dict]:
    """Part 3: peak memory of restyle image on an 8000x8000 photo, each run a fresh process."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.jpg"
        photo = cv2.resize(load_image(media / "tubingen.jpg"), (8000, 8000), cv2.INTER_CUBIC)
        noise = np.random.default_rng(0).integers(-6, 7, photo.shape, dtype=np.int16)
        photo = np.clip(photo + noise, 0, 255).astype(np.uint8)
        cv2.imwrite(str(big), photo[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 92])
        del photo, noise
        style = str(media / "starry_night.jpg")
        runs = [
            ("--max-size 0, in tiles", "tiles", ["--max-size", "0"]),
            ("--max-size 1280 (default)", "tiles", []),
        ]
        if not quick:
            runs.insert(1, ("--max-size 0, whole (tiles off)", "whole", ["--max-size", "0"]))
        for label, mode, extra in runs:
            args = ["image", str(big), "-s", style, "--device", "cpu", "-o", f"{tmp}/out.png"]
            done = subprocess.run(
                [sys.executable, "-c", _RUN, mode, *args, *extra],
                capture_output=True,
                text=True,
            )
            report = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append(
                {
                    "run": label,
                    "exit": report["code"],
                    "peak_mib": round(report["peak"] / 2**20),
                    "seconds": round(report["seconds"], 1),
                }
            )
            print(rows[-1], flush=True)
    return rows


def main() -> None:
    """Run the three parts and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the untiled 8000 px run")
    parser.add_argument("--skip-statistics", action="store_true", help="only the memory part")
    args = parser.parse_args()
    (media,) = {p.parent for p in need_media("tubingen.jpg", "starry_night.jpg")}
    stats_rows = [] if args.skip_statistics else statistics_table(media)
    memory_rows = memory_table(media, args.quick)
    if stats_rows:
        print("\nStatistics for the tiles (2048x1536 photo; PSNR against painting it whole)")
        keys = ["style", "method", "psnr_db", "mean_shift", "seam_ratio", "seconds"]
        print_table(keys, [[r[k] for k in keys] for r in stats_rows])
    print("\nrestyle image on an 8000x8000 photo (peak resident memory, fresh process each)")
    keys = ["run", "exit", "peak_mib", "seconds"]
    print_table(keys, [[r[k] for k in keys] for r in memory_rows])
    write_json("tiles", {"statistics": stats_rows, "memory": memory_rows})


if __name__ == "__main__":
    main()
