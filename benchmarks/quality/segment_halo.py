"""The segmented method's halo: the band around the mask edge against the frame painted whole.

On frames of the cockatoo clip (640x360, every 10th of the first 160; the mask tracked from
a box around the bird, as ``restyle video --method segmented --fg-rect`` does), each part is
painted in the same style, so the frame painted whole by the network is what a halo-free
result would show. Measured against it: the mean SSIM in the band within ``BAND`` of the mask
edge (split into its outside, background, half and its inside half), the mean SSIM away
from the edge, and the mean shift of luminance in the band (a glow or a shadow).

Rows: ``mean`` (the report's fills: each part with the other filled by its mean colour),
``inpaint`` (restyle's default: the background with the foreground inpainted, the foreground
in its own surroundings), and the two halves of that change on their own.

    python -m benchmarks segment_halo [--frames 16]
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np

from benchmarks._common import need_media, print_table, write_json
from restyle.imaging.similarity import ssim_map
from restyle.media.reader import open_video
from restyle.stylizers import create_stylizer
from restyle.stylizers.options import Look
from restyle.stylizers.segmented import MaskTracker, combine, split_parts

SIZE = (640, 360)
BIRD = (160, 0, 300, 360)  # x, y, w, h: a box around the cockatoo at 640x360
BAND = 16  # pixels (2.5 % of the long side)


def band_scores(out: np.ndarray, reference: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    """SSIM to the reference near the mask edge (outside, inside) and far from it; luma shift."""
    edge = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    dist = cv2.distanceTransform((edge == 0).astype(np.uint8), cv2.DIST_L2, 5)
    near, far = dist <= BAND, dist > 2 * BAND
    similarity = ssim_map(out, reference)
    luma = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(np.float32)
    luma_ref = cv2.cvtColor(reference, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return {
        "band_outside": float(similarity[near & ~mask].mean()),
        "band_inside": float(similarity[near & mask].mean()),
        "band": float(similarity[near].mean()),
        "far": float(similarity[far].mean()),
        "luma_shift": float(abs((luma - luma_ref)[near].mean())),
    }


def main() -> None:
    """Paint the frames each way and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=16, help="frames measured (16)")
    args = parser.parse_args()
    clip, *paintings = need_media("cockatoo.mp4", "starry_night.jpg", "the_scream.jpg")
    frames, masks = [], []
    tracker = MaskTracker(BIRD)
    with open_video(clip) as reader:
        for frame in reader:
            image = cv2.resize(frame.image, SIZE, interpolation=cv2.INTER_AREA)
            mask = tracker(image)
            if frame.index % 10 == 0:
                frames.append(image)
                masks.append(mask)
            if len(frames) == args.frames:
                break
    network = create_stylizer("network", Look(max_size=None))
    rows = []
    for painting in paintings:
        style = network.resolve(str(painting))
        scores: dict[str, list[dict[str, float]]] = {}
        for image, mask in zip(frames, masks, strict=True):
            reference = network.stylize_image(image, style)
            fg_mean, bg_mean, weight = split_parts(image, mask, "feather", "mean")
            fg_new, bg_new, _ = split_parts(image, mask, "feather", "inpaint")
            ways = {
                "mean (the report's fills)": (fg_mean, bg_mean),
                "inpaint (default)": (fg_new, bg_new),
                "background inpainted, foreground mean-filled": (fg_mean, bg_new),
                "foreground in its surroundings, background mean-filled": (fg_new, bg_mean),
            }
            for name, (fg_pic, bg_pic) in ways.items():
                fg = network.stylize_image(fg_pic, style)
                bg = network.stylize_image(bg_pic, style)
                out = combine(fg, bg, weight)
                scores.setdefault(name, []).append(band_scores(out, reference, mask))
        for name, values in scores.items():
            row = {"style": painting.name, "fill": name}
            for key in values[0]:
                row[key] = round(float(np.mean([v[key] for v in values])), 3)
            rows.append(row)
            print(row, flush=True)
    keys = ["style", "fill", "band_outside", "band_inside", "band", "far", "luma_shift"]
    print(
        f"\nSSIM to the frame painted whole ({len(frames)} cockatoo frames at 640x360, band "
        f"{BAND} px around the mask edge); luma shift in the band, 0-255"
    )
    print_table(keys, [[r[k] for k in keys] for r in rows])
    write_json("segment_halo", {"frames": len(frames), "band_px": BAND, "rows": rows})


if __name__ == "__main__":
    main()
