"""Behaviour held fixed across refactors: per-frame hashes of four renders of one generated clip.

The hashes were recorded on main before the job/runner redesign (issue 13) and must not
change when code moves; a change of numerics (a new default, a faster graph) updates them
on purpose, with the reason in the commit. Frames are written as PNG (lossless), so the
hash is the painted pixels themselves, not an encoder's output.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from media_factory import make_video
from restyle.cli import main
from style_video_factory import make_style_video

# the command-line options of each render (after: restyle video CLIP -o frames/%05d.png)
RENDERS = {
    "none": ["--style", "{painting}", "--temporal", "none"],
    "flow": ["--style", "{painting}"],
    "style_video": ["--style-video", "{art}", "--keyframes", "2", "--easing", "linear"],
    "segmented": ["--method", "segmented", "--style", "{painting}", "--temporal", "none"],
    "builtin_strength": ["--style", "builtin:3", "--strength", "0.6", "--preserve-color"],
}

# sha256 (first 12 hex digits) of each frame's RGB bytes, recorded on main
GOLDEN: dict[str, list[str]] = {
    "builtin_strength": [
        "22200b509ec9",
        "7f5707f76e4f",
        "dd5adce49089",
        "c244eb47da07",
        "21e31b833b85",
        "ed57ba170ac7",
        "9125c65d56f3",
        "dc5bfc65f052",
        "c58372eca741",
        "35127998a6de",
        "756cd9ab4ba3",
        "2ba0d658e731",
        "e8134f389892",
        "5e339515bb4c",
    ],
    "flow": [
        "e3578d2a4bd7",
        "7ef601e37533",
        "4f8e7c32616c",
        "6931496c0bdb",
        "c45e19fd7d79",
        "43042c53f5fd",
        "2109e8ca05ab",
        "5b75659a2aa7",
        "132677c8622a",
        "83b271766997",
        "9d7a03ec35a2",
        "6ba2a8e27a2a",
        "ba359dbd8a7e",
        "32aa5ed2f59d",
    ],
    "none": [
        "12515db6a645",
        "a2f371a834bb",
        "7f9800ab8996",
        "32b3508acef5",
        "ff0d70b40d6f",
        "907e4fe09b38",
        "ca35c45f4da8",
        "a2ce59070ff6",
        "c4aedda5eb35",
        "f2ffe4f97819",
        "6315d56baaff",
        "aef47c6f4233",
        "59566b43cedd",
        "e0c8a87075a6",
    ],
    "segmented": [
        "a9308d82fb59",
        "7e0cda155c18",
        "e1ea6991f09e",
        "1678f5f217cf",
        "758fafae0c28",
        "35c7b06aa28c",
        "1a5ff31dd343",
        "14bd1cee0e4c",
        "ec4a88b3148c",
        "03d0e2523908",
        "6066e5871266",
        "e866f8fa69ee",
        "83486e4a1d74",
        "2228f1213702",
    ],
    "style_video": [
        "a101fb5449fa",
        "a9508518fa70",
        "cb4332f09ded",
        "1e87b2d10445",
        "d0610a26116a",
        "dd2e96cb72ac",
        "5d7aad741243",
        "027b1764d62b",
        "adc0246cf2c0",
        "298252673f5a",
        "8350e7a3ba92",
        "72e10a025f28",
        "ff68fb8e74cf",
        "b4e2d264597d",
    ],
}


def frame_hashes(folder: Path) -> list[str]:
    """The short sha256 of each PNG frame's RGB pixels, in frame order."""
    hashes = []
    for png in sorted(folder.glob("*.png")):
        rgb = np.asarray(Image.open(png).convert("RGB"))
        hashes.append(hashlib.sha256(rgb.tobytes()).hexdigest()[:12])
    return hashes


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, str]:
    """The clip, a painting and a style video, made by the tests' own factories."""
    from image_factory import synthetic_painting

    folder = tmp_path_factory.mktemp("golden")
    clip = make_video(folder / "clip.mp4", width=160, height=96, frames=14)
    painting = folder / "painting.png"
    Image.fromarray(synthetic_painting(96, 128, "warm")).save(painting)
    art = make_style_video(folder / "art.mp4", [("stripes", 8), ("checks", 8)])
    return {"clip": str(clip), "painting": str(painting), "art": str(art), "dir": str(folder)}


def render(inputs: dict[str, str], name: str) -> list[str]:
    """Render one of RENDERS to PNG frames and return their hashes."""
    out = Path(inputs["dir"]) / name
    args = [a.format(**inputs) for a in RENDERS[name]]
    # the float graph on ONNX Runtime: the same pixels on every CPU (bf16 and int8 kernels
    # differ between CPUs); the faster defaults are held to it by benchmarks/precision.py
    engine = ["--backend", "onnxruntime", "--precision", "float"]
    code = main(["video", inputs["clip"], "-o", str(out / "%05d.png"), "-q", *args, *engine])
    assert code == 0
    return frame_hashes(out)


@pytest.mark.parametrize("name", sorted(RENDERS))
def test_frames_unchanged(inputs, name):
    hashes = render(inputs, name)
    assert len(hashes) == 14
    assert hashes == GOLDEN[name]
