"""Strokes that stick: short-term and long-term warp error, detail and style, per method.

Each clip (the first ``--frames`` frames) is painted with the arbitrary network and
``--style`` (default woman-with-hat-matisse.jpg) by each method, losslessly (``--crf 0``),
and measured with ``restyle eval``'s meter against the per-frame painting
(``--temporal none``), all as ratios to per-frame:

* short-term: warp error between consecutive frames (gap 1);
* long-term: warp error between frames ``--gap`` apart (default 10), the flow estimated
  directly between those two source frames (:mod:`restyle.metrics.long_term`);
* detail: gradient energy of the output over the per-frame output's
  (:mod:`restyle.metrics.detail`; 1 keeps the texture, below 1 is blur), and the same split
  by the source's edges: texture, more than 10 px from every edge (brushwork), and
  outline, within 4 px of one (contours: glowing or doubled outlines raise it);
* style: distance of sampled output frames' style vectors to the painting's;
* edge: edge SSIM to the source (structure kept);
* fps: frames per second of the whole ``restyle video`` call (same run, same machine).

Rows name the network: the shipped one (``--model original``, today's rows and the
per-frame reference) or the one trained here (``steady ...``, ``--model steady``, whose
26-style network paints the built-in styles in ``restyle.models.trained.STEADY_BUILTINS``).

The source floor rows are the source's own warp error under the same flow, as a fraction
of per-frame's: no method can go much below it under this meter. The carry floor rows (with
the ``steady, per-frame (none)`` row) are the long-term error of the steady network's
paintings carried ``--gap`` frames along the carry filter's flows with no fresh paint at
all (:mod:`benchmarks.quality.carry_floor`): where the chained flows and the meter's one
direct flow part (fast, non-rigid motion), carrying more reads no lower than that.

Besides the shared clips, two clips of pure camera motion are made from a shared photo
(``--photo``, tubingen.jpg), lossless: a subpixel pan (1.37, 0.41 px a frame) and a slow
pan with zoom (0.9, 0.3 px and 0.4 % a frame). ``--methods`` picks rows by name.

``--reference steady`` takes the ratios to the steady network's own per-frame painting
instead of the shipped network's: what a flicker filter does to the painting it is given,
apart from how the network itself paints (which ``benchmarks/quality/aliasing.py`` and the
steady per-frame row measure against the shipped one).

    python -m benchmarks strokes [--frames 60] [--gap 10] [--clips cockatoo.mp4 ...]
        [--reference original|steady]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks._common import need_media, print_table, write_json
from benchmarks.quality.carry_floor import carry_floor

ORIGINAL = {"model": "original"}  # the shipped network: the reference and today's rows
STEADY = {"model": "steady"}  # the network trained here
METHODS = {  # name -> options of restyle.stylize_video
    "per-frame (none)": {**ORIGINAL, "temporal": "none"},
    "default (flow, sharpness 0.855)": ORIGINAL,
    "flow --sharpness 0.8": {**ORIGINAL, "sharpness": 0.8},
    "flow --sharpness 0.9": {**ORIGINAL, "sharpness": 0.9},
    "flow --smooth 0.8": {**ORIGINAL, "smooth": 0.8},
    "flow --flow-quality high": {**ORIGINAL, "flow_quality": "high"},
    "forward": {**ORIGINAL, "temporal": "forward"},
    "strokes stick, no filter": {**ORIGINAL, "strokes": "stick", "temporal": "none"},
    "strokes stick + default flow": {**ORIGINAL, "strokes": "stick"},
    "strokes stick + flow --sharpness 0.95": {**ORIGINAL, "strokes": "stick", "sharpness": 0.95},
    "steady, per-frame (none)": {**STEADY, "temporal": "none"},
    "steady + default (carry)": STEADY,
    "steady + carry --smooth 0.95": {**STEADY, "smooth": 0.95},
    "steady + two-way flow (the old default)": {**STEADY, "sharpness": 0.855},
    "steady + flow --sharpness 0.9": {**STEADY, "sharpness": 0.9},
    "steady + flow --sharpness 0.95": {**STEADY, "sharpness": 0.95},
    "steady + flow --smooth 0.5": {**STEADY, "smooth": 0.5},
    "steady + flow --smooth 0.3": {**STEADY, "smooth": 0.3},
    "steady + strokes stick, no filter": {**STEADY, "strokes": "stick", "temporal": "none"},
    "steady + strokes stick + default (carry)": {**STEADY, "strokes": "stick"},
}
STEADY_FRAMES = "steady, per-frame (none)"  # what the carry floor row carries
# --reference: the per-frame row the ratios are to
REFERENCES = {"original": "per-frame (none)", "steady": "steady, per-frame (none)"}
PANS = {  # name -> (x, y) pixels a frame, zoom a frame
    "pan (photo)": (1.37, 0.41, 1.0),
    "pan with zoom (photo)": (0.9, 0.3, 1.004),
}


def make_pan(photo: Path, out: Path, frames: int, vx: float, vy: float, zoom: float) -> Path:
    """A 640x360, 25 fps lossless clip of a camera moving over ``photo``."""
    import av
    import cv2
    import numpy as np
    from PIL import Image

    image = np.asarray(Image.open(photo).convert("RGB"))
    ph, pw = image.shape[:2]
    w, h = 640, 360
    centre = np.array([[1, 0, w / 2], [0, 1, h / 2], [0, 0, 1.0]])
    with av.open(str(out), "w") as container:
        stream = container.add_stream("libx264rgb", rate=25)
        stream.width, stream.height, stream.pix_fmt = w, h, "rgb24"
        stream.options = {"qp": "0", "preset": "ultrafast"}
        for t in range(frames):
            z = zoom**t
            shift = np.array(
                [[1, 0, (pw - w) / 2 + vx * t], [0, 1, (ph - h) / 2 + vy * t], [0, 0, 1]]
            )
            to_photo = shift @ centre @ np.diag([1 / z, 1 / z, 1.0]) @ np.linalg.inv(centre)
            flags = cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP
            frame = cv2.warpPerspective(image, to_photo, (w, h), flags=flags)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out


CLIPS = ("cockatoo.mp4", "sintel_mountain_2.mp4")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", nargs="*", default=list(CLIPS), help="none: the pans only")
    parser.add_argument(
        "--style",
        default="woman-with-hat-matisse.jpg",
        help="a painting in the media folder, or builtin:N (then no style distance)",
    )
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--gap", type=int, default=10)
    parser.add_argument("--max-size", type=int, default=640)
    parser.add_argument("--photo", default="tubingen.jpg", help="the photo the pans move over")
    parser.add_argument("--no-pans", action="store_true", help="the shared clips only")
    parser.add_argument("--methods", nargs="+", help="rows to run (default: all)")
    parser.add_argument(
        "--reference",
        choices=sorted(REFERENCES),
        default="original",
        help="whose per-frame painting the ratios are to (default: the shipped network's)",
    )
    args = parser.parse_args()
    base_name = REFERENCES[args.reference]
    methods = {
        name: extra
        for name, extra in METHODS.items()
        if not args.methods or name in args.methods or name == base_name
    }

    import restyle
    from restyle.media import open_video

    builtin = args.style.lower().startswith("builtin:")  # no painting: no style distance
    media = need_media(*args.clips, *([] if builtin else [args.style]), args.photo)
    if builtin:
        media.insert(-1, args.style)
    style = str(media[-2])
    measured_style = None if builtin else style
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        clips = list(media[:-2])
        if not args.no_pans:
            for n, (name, motion) in enumerate(PANS.items()):
                pan = make_pan(media[-1], Path(tmp) / f"pan{n}.mp4", args.frames, *motion)
                clips.append(pan.rename(Path(tmp) / f"{name}.mp4"))
        for clip in clips:
            with open_video(clip) as reader:
                fps = float(reader.info.frame_rate)
            duration = (args.frames - 0.5) / fps
            options = {"crf": 0, "max_size": args.max_size, "duration": duration}
            outs, speed = {}, {}
            for name, extra in methods.items():
                out = Path(tmp) / f"{clip.stem}-{len(outs)}.mp4"
                started = time.perf_counter()
                result = restyle.stylize_video(clip, out, style, **options, **extra)
                speed[name] = result.frames / (time.perf_counter() - started)
                outs[name] = out
            reference = outs[base_name]
            scores = {
                name: restyle.evaluate(
                    clip, out, reference=reference, style=measured_style, gap=args.gap
                )
                for name, out in outs.items()
            }
            base = scores[base_name]
            floors = [("source floor", base.source_floor, base.long_term_source_floor)]
            if STEADY_FRAMES in outs:  # what carrying alone reaches under the meter
                floor = carry_floor(clip, outs[STEADY_FRAMES], args.gap, args.frames)
                floors.append(("carry floor", None, floor))
            rows += [_floor_row(clip.name, base, *floor) for floor in floors]
            for name, r in scores.items():
                rows.append(
                    {
                        "clip": clip.name,
                        "method": name,
                        "short": r.vs_reference,
                        "long": r.long_term_vs_reference,
                        "detail": r.detail,
                        "texture": r.texture,
                        "outline": r.outline,
                        "style": None if builtin else r.style_distance / base.style_distance,
                        "edge": r.content / base.content,
                        "fps": speed[name],
                        "short_abs": r.warp_error,
                        "long_abs": r.long_term_warp_error,
                    }
                )
    print(
        f"ratios to {base_name}; {args.frames} frames, painted at {args.max_size} px, "
        f"lossless, gap {args.gap}; style {args.style}"
    )
    print_table(
        ["clip", "method", "short", "long", "detail", "texture", "outline", "style", "edge",
         "fps"],
        [[r["clip"], r["method"], _f(r["short"]), _f(r["long"]), _f(r["detail"]),
          _f(r["texture"]), _f(r["outline"]), _f(r["style"]), _f(r["edge"]), _f(r["fps"], 1)]
         for r in rows],
    )  # fmt: skip
    write_json(
        "strokes",
        {"rows": rows, "frames": args.frames, "gap": args.gap, "reference": base_name},
    )


def _floor_row(clip: str, base, method: str, short: float | None, long: float) -> dict:
    """A floor's warp errors (short-term, None where not measured; long-term) as fractions
    of per-frame's: the source's own (the meter's floor), or the steady paintings carried
    with no fresh paint (:mod:`benchmarks.quality.carry_floor`)."""
    return {
        "clip": clip,
        "method": method,
        "short": None if short is None else short / base.warp_error,
        "long": long / base.long_term_warp_error,
        "detail": None,
        "texture": None,
        "outline": None,
        "style": None,
        "edge": None,
        "fps": None,
        "short_abs": short,
        "long_abs": long,
    }


def _f(value, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


if __name__ == "__main__":
    main()
