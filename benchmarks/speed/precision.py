"""Precisions and backends of the style transformers: speed at 640x360 and the look criteria.

For each network (the arbitrary-style one with starry_night.jpg, as shipped and as trained
here, ``--model steady``; the 26-style one with built-in style 19, and as trained here with
built-in style 20, one of those it paints) and each (backend,
precision), in one run:

* ms per 640x360 frame (tubingen.jpg), alternating between the variants, median of
  ``--repeat``, with one thread per call (as ``restyle video`` paints, two frames side by
  side on two cores) and with all cores; the ratio to ONNX Runtime's float graph;
* the look, frame by frame on the benchmark clips (the first ``--frames`` frames of
  cockatoo.mp4 at 640x360 and of sintel_mountain_2.mp4 at its 1024x436), against the
  float graph's frames: the per-frame warp error (Lai et al.; flicker) as a ratio to
  float's (criterion: within 5 %), the mean SSIM to float's frames (>= 0.97), and the style
  distance: for the arbitrary network the distance of the output's style vector to the
  painting's, as a ratio to float's (within 2 %); for the 26-style network, which has no
  painting, how far each frame's style vector lies from float's frame, as a fraction of
  how far float's lies from the photo (<= 2 %).

The steady network's rows compare with its own float graph. The networks are timed one
after the other, so compare times within a network; ``python -m benchmarks models`` times
the steady network against the shipped one, alternating.

Run: python -m benchmarks precision [--repeat 9] [--frames 40]
"""

from __future__ import annotations

import argparse
import statistics
import time
from functools import partial

import av
import cv2
import numpy as np

from benchmarks._common import need_media, print_table, write_json

VARIANTS = (  # (backend, precision); the first is the reference
    ("onnxruntime", "float"),
    ("onnxruntime", "shipped"),
    ("openvino", "float"),
    ("openvino", "bf16"),
    ("openvino", "int8"),
)
CRITERIA = {"warp": 0.05, "ssim": 0.97, "style": 0.02}


def clip_frames(path, count: int, size: tuple[int, int] | None) -> list[np.ndarray]:
    """The first ``count`` frames of a clip, HxWx3 uint8, resized to ``size`` if given."""
    out = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            image = frame.to_ndarray(format="rgb24")
            if size:
                image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            out.append(image)
            if len(out) == count:
                break
    return out


def paint(network, frames: list[np.ndarray], style: np.ndarray) -> list[np.ndarray]:
    """Paint uint8 frames one at a time; uint8 out."""
    out = []
    for f in frames:
        y = network.run(f[None].astype(np.float32) / 255.0, style)[0]
        out.append(np.clip(y * 255.0 + 0.5, 0, 255).astype(np.uint8))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--frames", type=int, default=40)
    args = parser.parse_args()

    import restyle
    from restyle.imaging.similarity import ssim
    from restyle.media.image import load_image
    from restyle.metrics.warp_error import WarpErrorMeter
    from restyle.models.engine import Engine
    from restyle.models.networks import load_multistyle, load_transformer
    from restyle.styles import embed_images

    photo_path, painting_path, cockatoo, sintel = need_media(
        "tubingen.jpg", "starry_night.jpg", "cockatoo.mp4", "sintel_mountain_2.mp4"
    )
    photo = cv2.resize(load_image(photo_path), (640, 360), interpolation=cv2.INTER_AREA)
    clips = {
        "cockatoo 640x360": clip_frames(cockatoo, args.frames, (640, 360)),
        "sintel 1024x436": clip_frames(sintel, args.frames, None),
    }
    engine = Engine(device="cpu", backend="onnxruntime", precision="float")
    painting_vec = np.asarray(restyle.style_vector(str(painting_path), device="cpu").vector)
    painting = painting_vec.reshape(1, -1)
    networks = {  # name -> (loader, style input, paints a painting's style vector)
        "arbitrary (starry_night)": (partial(load_transformer, model="original"), painting, True),
        "arbitrary steady (starry_night)": (
            partial(load_transformer, model="steady"),
            painting,
            True,
        ),
        "26-style (builtin 19)": (
            partial(load_multistyle, model="original"),
            np.eye(26, dtype=np.float32)[19:20],
            False,
        ),
        "26-style steady (builtin 20)": (
            partial(load_multistyle, model="steady"),
            np.eye(26, dtype=np.float32)[20:21],
            False,
        ),
    }
    results: list[dict] = []
    for net_name, (loader, style, arbitrary) in networks.items():
        variants = [v for v in VARIANTS if not (v[1] == "shipped" and not arbitrary)]
        if "steady" in net_name:  # shipped is the original's file; int8 needs its own table
            variants = [v for v in variants if v[1] != "shipped"]
        built = {}
        for backend, precision in variants:
            start = time.perf_counter()
            single = loader("cpu", precision=precision, backend=backend, threads=1)
            every = loader("cpu", precision=precision, backend=backend)
            paint(single, [photo], style)
            paint(every, [photo], style)
            built[(backend, precision)] = (single, every, time.perf_counter() - start)
        timings = {k: ([], []) for k in built}
        x = photo[None].astype(np.float32) / 255.0
        for _ in range(2):
            for single, every, _ in built.values():
                single.run(x, style)
                every.run(x, style)
        for _ in range(args.repeat):
            for key, (single, every, _) in built.items():
                for slot, net in enumerate((single, every)):
                    t = time.perf_counter()
                    net.run(x, style)
                    timings[key][slot].append((time.perf_counter() - t) * 1000.0)
        look: dict = {k: {} for k in built}
        for clip_name, frames in clips.items():
            painted = {k: paint(v[1], frames, style) for k, v in built.items()}
            ref = painted[VARIANTS[0]]
            ref_vecs = embed_images(ref, engine=engine)
            src_vecs = embed_images(frames, engine=engine)
            for key, out in painted.items():
                meter = WarpErrorMeter()
                for src, o in zip(frames, out, strict=True):
                    meter.update(src, o)
                vecs = ref_vecs if key == VARIANTS[0] else embed_images(out, engine=engine)
                if arbitrary:
                    style_d = float(np.linalg.norm(vecs.mean(0) - painting_vec))
                else:
                    moved = np.linalg.norm(vecs - ref_vecs, axis=1)
                    style_d = float(np.mean(moved / np.linalg.norm(ref_vecs - src_vecs, axis=1)))
                look[key][clip_name] = {
                    "warp_error": meter.result().warp_error,
                    "ssim_to_float": float(
                        np.mean([ssim(o, r) for o, r in zip(out, ref, strict=True)])
                    ),
                    "style": style_d,
                }
        ref_single = statistics.median(timings[VARIANTS[0]][0])
        ref_every = statistics.median(timings[VARIANTS[0]][1])
        rows = []
        for key in built:
            one, full = (statistics.median(t) for t in timings[key])
            entry = {
                "network": net_name,
                "backend": key[0],
                "precision": key[1],
                "ms_1_thread": one,
                "ms_all_cores": full,
                "speedup_1_thread": ref_single / one,
                "speedup_all_cores": ref_every / full,
                "load_seconds": built[key][2],
                "look": look[key],
            }
            meets = True
            row = [f"{key[0]} {key[1]}", one, full, ref_single / one, ref_every / full]
            for clip_name in clips:
                mine, ref = look[key][clip_name], look[VARIANTS[0]][clip_name]
                warp = mine["warp_error"] / ref["warp_error"]
                if arbitrary:
                    style_change = mine["style"] / ref["style"] - 1.0
                else:
                    style_change = mine["style"]
                meets &= (
                    abs(warp - 1.0) <= CRITERIA["warp"]
                    and mine["ssim_to_float"] >= CRITERIA["ssim"]
                    and abs(style_change) <= CRITERIA["style"]
                )
                entry["look"][clip_name].update(warp_ratio=warp, style_change=style_change)
                row += [warp, mine["ssim_to_float"], style_change]
            entry["meets_look_criteria"] = bool(meets)
            row.append("yes" if meets else "no")
            rows.append(row)
            results.append(entry)
        print(f"\n{net_name}: ms per 640x360 frame (median of {args.repeat}) and the look on")
        print(f"the first {args.frames} frames of each clip, against onnxruntime float")
        heads = ["backend precision", "ms 1 thr", "ms all", "x 1 thr", "x all"]
        for clip_name in clips:
            short = clip_name.split()[0]
            heads += [f"{short} warp/float", f"{short} SSIM", f"{short} style"]
        print_table(heads + ["meets"], rows)
    print(
        "\ncriteria: warp error within 5 % of float's, SSIM to float >= 0.97, style "
        "change within 2 % (arbitrary: distance to the painting vs float's; 26-style: "
        "distance to float's frames / float's distance to the photo)"
    )
    write_json("precision", {"repeat": args.repeat, "frames": args.frames, "results": results})


if __name__ == "__main__":
    main()
