"""Registration accuracy: each frame registered to an anchor, against motion of known size.

Synthetic camera motion over a real photo (``--photo``, default tubingen.jpg, and
golden_gate.jpg): a 640x360 anchor cut from it, and frames made by moving the camera by a
known homography (subpixel pans, a pan of several pixels, a rotation, zooms in and out),
each with and without a moving object (a block of the frame flipped and shifted, 8 % of
the picture) and with noise. :class:`restyle.motion.registration.Registrar` registers each
frame to the anchor directly; the error is the distance (px) between where the estimate
and the true motion put the frame's pixels in the anchor's plane (a grid every 8 px over
the whole frame: mean and worst). Rows: the RANSAC fit to the dense flow alone, and
refined by ECC (the default).

    python -m benchmarks registration [--photo tubingen.jpg ...]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks._common import machine, need_media, print_table, write_json

SIZE = (640, 360)
MOTIONS = {  # name -> (dx, dy, rotation in degrees, zoom)
    "pan 1.37, 0.41 px": (1.37, 0.41, 0.0, 1.0),
    "pan 0.25, 0.75 px": (0.25, 0.75, 0.0, 1.0),
    "pan 13.7, 4.1 px": (13.7, 4.1, 0.0, 1.0),
    "rotate 1 deg": (3.0, 2.0, 1.0, 1.0),
    "zoom in 1.05": (2.0, 1.0, 0.0, 1.05),
    "zoom out 0.9, rotate": (-5.0, 3.0, 0.5, 0.9),
}


def homography(dx: float, dy: float, rotation: float, zoom: float) -> np.ndarray:
    """Frame pixels -> anchor pixels: a rotation and zoom about the centre, then a shift."""
    w, h = SIZE
    c = np.cos(np.radians(rotation)) * zoom
    s = np.sin(np.radians(rotation)) * zoom
    centre = np.array([[1, 0, w / 2], [0, 1, h / 2], [0, 0, 1.0]])
    turn = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])
    shift = np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1.0]])
    return shift @ centre @ turn @ np.linalg.inv(centre)


def frame_for(photo: np.ndarray, motion: np.ndarray) -> np.ndarray:
    """The 640x360 view of the photo whose pixels ``motion`` maps into the anchor's."""
    import cv2

    w, h = SIZE
    ph, pw = photo.shape[:2]
    to_photo = np.array([[1, 0, (pw - w) / 2], [0, 1, (ph - h) / 2], [0, 0, 1.0]]) @ motion
    return cv2.warpPerspective(
        photo, to_photo, (w, h), flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP
    )


def with_object(frame: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The frame with a moving object (a flipped, shifted block) and a little noise."""
    out = frame.copy()
    block = out[100:220, 250:400]
    out[100:220, 250:400] = np.roll(block, 17, axis=1)[::-1]
    noise = rng.normal(0, 2.0, out.shape)
    return np.clip(out + noise, 0, 255).astype(np.uint8)


def main(argv: list[str] | None = None) -> int:
    """Print the registration-error table and write its JSON."""
    import cv2
    from PIL import Image

    from restyle.motion.registration import Registrar

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo", nargs="+", default=["tubingen.jpg", "golden_gate.jpg"])
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    w, h = SIZE
    ys, xs = np.mgrid[0:h:8, 0:w:8]
    corners = np.stack([xs.ravel(), ys.ravel()], 1).astype(float)  # the frame's pixels
    rows, results = [], []
    for path in need_media(*args.photo):
        photo = np.asarray(Image.open(path).convert("RGB"))
        scale = max(1.0, 1.3 * max(w / photo.shape[1], h / photo.shape[0]))
        if scale > 1.0:
            photo = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        registrar = Registrar()
        registrar.set_anchor(frame_for(photo, np.eye(3)))
        for name, motion in MOTIONS.items():
            truth = homography(*motion)
            clean = frame_for(photo, truth)
            for scene, frame in (("still", clean), ("moving object", with_object(clean, rng))):
                for refine in (False, True):
                    registrar.refine = refine
                    start = time.perf_counter()
                    found = registrar.register(frame)
                    ms = 1000 * (time.perf_counter() - start)
                    expected = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), truth)
                    if found is None:
                        error = float("nan")
                        worst = float("nan")
                    else:
                        off = found.to_anchor(corners) - expected.reshape(-1, 2)
                        dist = np.linalg.norm(off, axis=1)
                        error, worst = float(dist.mean()), float(dist.max())
                    how = "flow + RANSAC + ECC" if refine else "flow + RANSAC"
                    rows.append([path.name, name, scene, how, error, worst, ms])
                    results.append(
                        {
                            "photo": path.name,
                            "motion": name,
                            "scene": scene,
                            "method": how,
                            "mean_px": error,
                            "max_px": worst,
                            "ms": ms,
                        }
                    )
    print("error: where the estimate puts the frame's pixels vs the truth, in anchor px")
    print_table(["photo", "motion", "scene", "method", "mean px", "max px", "ms"], rows)
    for how in ("flow + RANSAC", "flow + RANSAC + ECC"):
        errors = [r["mean_px"] for r in results if r["method"] == how]
        print(f"{how}: mean {np.nanmean(errors):.3f} px, worst {np.nanmax(errors):.3f} px")
    write_json("registration", {"machine": machine(), "size": SIZE, "rows": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
