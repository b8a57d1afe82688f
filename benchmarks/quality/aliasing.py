"""Strokes that follow the content: each network's shift sensitivity, detail and style distance.

For each held-out photo (``--photos``) and painting (``--styles``), each network paints
the photo and the photo moved by 0.5, 1, 2, 3 and 4 px (a subpixel move by bilinear
resampling of a larger picture, whole pixels by cropping); the painting of the moved
photo, moved back, is compared with the painting of the photo (mean squared change, away
from the borders). A network that paints on a 4-pixel grid changes little at 4 px and much
at 1-3 px. Also: detail (gradient energy of the painting over the shipped network's),
style distance (the predictor's style vector of the painting to the painting's, over the
shipped network's) and edge (the painting's edge SSIM to the photo, the photo's structure
kept, over the shipped network's), and the detail split by the photo's edges
(:func:`restyle.metrics.detail.edge_zones`): texture, the gradient energy more than 10 px
from every edge (brushwork), and outline, within 4 px of one (contours; glowing or doubled
outlines raise it), each over the shipped network's. Networks: the shipped transformer,
its anti-aliased variants untrained (bilinear upsampling; and a blur before the strides),
the steady network restyle ships (``--model steady``, restyle/models/weights), and any
fine-tuned checkpoint of ``python -m training.finetune`` (``--checkpoint
run/checkpoint.pt``). Needs PyTorch.

A second table does the same for built-in styles (``--builtins``, numbered as
``builtin:N`` numbers them, 0-25; default 19, whose
horizontal stripes sit on the grid) with the 26-style network, shipped and trained. A
built-in style has no painting, so its style distance is measured to the shipped
network's swatch of it (:func:`restyle.stylizers.swatch.neutral_scene` painted).

``--each`` gives a row per built-in style (the worst of the 0.5-3 px moves, detail, style,
edge, texture, outline, whether all of the issue's criteria are met, and whether they are
with texture in place of detail) instead of their mean.

    python -m benchmarks aliasing [--checkpoint runs/aa1/checkpoint.pt ...] [--builtins 19 3]
        [--each]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from benchmarks._common import machine, need_media, print_table, write_json

REPO = Path(__file__).resolve().parents[2]
SHIFTS = (0.5, 1.0, 2.0, 3.0, 4.0)
SIZE = (384, 256)  # painted width, height
MARGIN = 24  # pixels left out at every border when comparing


def _views(photo: np.ndarray, shift: float) -> tuple[np.ndarray, np.ndarray]:
    """The photo's centre view, and the view with its content moved right by ``shift`` px."""
    import cv2

    w, h = SIZE
    ph, pw = photo.shape[:2]
    x0, y0 = (pw - w) / 2, (ph - h) / 2

    def view(x: float) -> np.ndarray:
        m = np.float32([[1, 0, x], [0, 1, y0]])
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        return cv2.warpAffine(photo, m, (w, h), flags=flags, borderMode=cv2.BORDER_REFLECT)

    return view(x0), view(x0 - shift)


def _back(painted: np.ndarray, shift: float) -> np.ndarray:
    """A painting of moved content moved back by ``shift`` px (bilinear)."""
    import cv2

    h, w = painted.shape[:2]
    m = np.float32([[1, 0, shift], [0, 1, 0]])
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    return cv2.warpAffine(painted, m, (w, h), flags=flags, borderMode=cv2.BORDER_REFLECT)


def _networks(network: str, checkpoints: list[Path]) -> dict:
    """The networks of one shipped network's rows: as shipped, anti-aliased untrained (the
    arbitrary one), trained here (``--model steady``, where restyle ships it), and the
    checkpoints of training runs that started from it."""


    from restyle.errors import ModelError
    from restyle.models.networks import network_weights
    from restyle.models.trained import weights_name
    from training.finetune import load_student, run_settings, transformer_weights
    from training.networks import from_weights

    weights = transformer_weights(network)
    networks = {"shipped": from_weights(weights)}
    if network == "arbitrary_transform":
        networks["bilinear, untrained"] = from_weights(weights, upsample="bilinear")
        networks["bilinear + blur, untrained"] = from_weights(
            weights, upsample="bilinear", blur=True
        )
    try:
        if weights_name("steady", network) is not None:
            networks["steady (the shipped file)"] = from_weights(
                network_weights(network, None, "steady")
            )
    except ModelError as exc:
        print(f"no steady network: {exc}")
    for path in checkpoints:
        if run_settings(path).network != network:
            continue  # in the table of the network its run started from
        student, step = load_student(path, weights)
        networks[f"{path.parent.name} step {step}"] = student
    return networks


def _measure(networks: dict, photos: list, inputs: np.ndarray, references: np.ndarray) -> dict:
    """Per network, the change at each shift, detail and style distance, per photo and style.

    ``inputs``: the style inputs (N x D); ``references``: the style vector each painting's
    distance is measured to (N x 100).
    """
    import torch

    from restyle.imaging.similarity import edge_ssim
    from restyle.metrics.detail import edge_zones, energy_map, zone_means
    from restyle.styles.embed import embed_images

    def paint(net, image: np.ndarray, style: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            x = torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255
            out = net.eval()(x, torch.from_numpy(style[None].astype(np.float32)))
        return (out[0].permute(1, 2, 0).numpy() * 255 + 0.5).clip(0, 255).astype(np.uint8)

    m = MARGIN
    results: dict[str, dict[str, list[float]]] = {}
    for name, net in networks.items():
        scores: dict[str, list[float]] = {f"{s:g} px": [] for s in SHIFTS}
        scores.update(detail=[], style=[], edge=[], texture=[], outline=[])
        for photo in photos:
            for style, reference in zip(inputs, references, strict=True):
                base_view, _ = _views(photo, 0.0)
                base = paint(net, base_view, style).astype(np.float32) / 255
                for s in SHIFTS:
                    _, moved = _views(photo, s)
                    back = _back(paint(net, moved, style), s).astype(np.float32) / 255
                    change = float(((back - base)[m:-m, m:-m] ** 2).mean())
                    scores[f"{s:g} px"].append(change)
                painted = (base * 255 + 0.5).astype(np.uint8)
                energy = energy_map(painted)
                near, far = zone_means(energy, edge_zones(base_view))
                scores["detail"].append(float(energy.mean()))
                scores["texture"].append(far)
                scores["outline"].append(near)
                scores["edge"].append(edge_ssim(painted, base_view))
                own = embed_images([painted])[0]
                scores["style"].append(float(np.linalg.norm(own - reference)))
        results[name] = scores
    return results


def _report(group: str, results: dict) -> list[dict]:
    """Print one group's table (ratios to the shipped network); its rows for the JSON."""
    shipped = results["shipped"]
    rows, table = [], []
    for name, scores in results.items():
        row = {"group": group, "network": name}
        for key, values in scores.items():
            row[key] = float(np.nanmean(values) / np.nanmean(shipped[key]))
            row[f"{key} (absolute)"] = float(np.nanmean(values))
        rows.append(row)
        looks = ("detail", "style", "edge", "texture", "outline")
        table.append([name, *(row[f"{s:g} px"] for s in SHIFTS), *(row[k] for k in looks)])
    print(f"\n{group}: ratios to the shipped network (absolute mean squared change below)")
    print_table(["network", *(f"{s:g} px" for s in SHIFTS), "detail", "style", "edge",
                 "texture", "outline"], table)  # fmt: skip
    print(
        "shipped, absolute:",
        ", ".join(f"{s:g} px {np.mean(shipped[f'{s:g} px']):.6f}" for s in SHIFTS),
    )
    for row in rows[1:]:
        print(f"detail / style / edge to 3 digits, {row['network']}: {row['detail']:.3f} / "
              f"{row['style']:.3f} / {row['edge']:.3f}")  # fmt: skip
    return rows


def _each_style(numbers, networks, photos, inputs, references) -> list[dict]:
    """One row per built-in style and network: the worst 0.5-3 px move, detail, style and
    edge (ratios to the shipped network), and whether the issue's criteria are met."""
    rows, table = [], []
    for n, style, reference in zip(numbers, inputs, references, strict=True):
        results = _measure(networks, photos, style[None], reference[None])
        shipped = results["shipped"]
        for name, scores in results.items():
            if name == "shipped":
                continue
            ratio = {k: float(np.nanmean(v) / np.nanmean(shipped[k])) for k, v in scores.items()}
            worst = max(ratio[f"{s:g} px"] for s in SHIFTS[:4])
            steady = worst <= 0.25 and ratio["style"] <= 1.05
            met = steady and ratio["detail"] >= 0.95
            textured = steady and ratio["texture"] >= 0.95
            rows.append({"group": f"builtin:{n}", "network": name, **ratio,
                         "worst 0.5-3 px": worst, "met": met,
                         "met with texture": textured})  # fmt: skip
            figures = (worst, *(ratio[k] for k in ("detail", "style", "edge", "texture",
                                                   "outline")))  # fmt: skip
            table.append([n, name, *(f"{x:.3f}" for x in figures), "yes" if met else "no",
                          "yes" if textured else "no",
                          f"{np.mean(shipped['1 px']):.5f}"])  # fmt: skip
    print("\nbuilt-in styles one by one: ratios to the shipped network (met: worst <= 0.25, "
          "detail >= 0.95, style <= 1.05; by texture: the same with texture >= 0.95 in "
          "place of detail)")  # fmt: skip
    print_table(["builtin", "network", "worst 0.5-3 px", "detail", "style", "edge",
                 "texture", "outline", "met", "by texture", "shipped 1 px"], table)  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print the tables and write their JSON."""
    from PIL import Image

    sys.path.insert(0, str(REPO))
    from restyle.styles.embed import builtin_style, embed_images
    from training.finetune import builtin_styles, swatch_vectors, transformer_weights

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", nargs="+", default=["golden_gate.jpg", "hoovertowernight.jpg"])
    parser.add_argument("--styles", nargs="+", default=["woman-with-hat-matisse.jpg"])
    parser.add_argument(
        "--builtins",
        nargs="*",
        type=int,
        default=[19],
        help="built-in styles to measure, as builtin:N numbers them (0-25)",
    )
    parser.add_argument("--checkpoint", nargs="*", default=[], type=Path)
    parser.add_argument(
        "--each", action="store_true", help="a row per built-in style, not their mean"
    )
    args = parser.parse_args(argv)
    media = need_media(*args.photos, *args.styles)
    photos = [np.asarray(Image.open(p).convert("RGB")) for p in media[: len(args.photos)]]
    paintings = [np.asarray(Image.open(p).convert("RGB")) for p in media[len(args.photos) :]]
    vectors = embed_images(paintings)
    rows = _report(
        "style images",
        _measure(_networks("arbitrary_transform", args.checkpoint), photos, vectors, vectors),
    )
    if args.builtins:
        for n in args.builtins:
            builtin_style(n)  # a clear error for a number out of range
        inputs = builtin_styles(26)[args.builtins]
        # a built-in style has no painting: its reference is the shipped network's swatch
        references = swatch_vectors(transformer_weights("multistyle26"), inputs)
        networks = _networks("multistyle26", args.checkpoint)
        names = ", ".join(f"builtin:{n}" for n in args.builtins)
        if args.each:
            rows += _each_style(args.builtins, networks, photos, inputs, references)
        else:
            measured = _measure(networks, photos, inputs, references)
            rows += _report(names, measured)
    write_json("aliasing", {"machine": machine(), "rows": rows, "size": SIZE})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
