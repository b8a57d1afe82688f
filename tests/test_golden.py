"""Behaviour held fixed across refactors: per-frame hashes of four renders of one generated clip.

The hashes were recorded on main before the job/runner redesign (issue 13) and must not
change when code moves; a change of numerics (a new default, a faster graph) updates them
on purpose, with the reason in the commit. Frames are written as PNG (lossless), so the
hash is the painted pixels themselves, not an encoder's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from restyle.cli import main
from support.hashes import frame_hashes
from support.media_factory import make_video
from support.style_video_factory import make_style_video

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
        "bb0a80bc98cf",
        "409bc15380dc",
        "dd5adce49089",
        "04823f0b6f87",
        "21e31b833b85",
        "f9de5c064b83",
        "f17074a9bdc5",
        "2be2f249bcea",
        "4a014bcb45b4",
        "e7b2acb2178b",
        "094bf3cae400",
        "2ba0d658e731",
        "e8134f389892",
        "842edff07923",
    ],
    "flow": [
        "f7b3e2709b62",
        "a46c60ffd1c1",
        "406bda3d6dde",
        "2e515d00a910",
        "d2c21e300631",
        "07acb0aef27d",
        "13d5f315947d",
        "9531ac607e6f",
        "c7da3a6a2f6a",
        "a278f0add048",
        "bff89a6d3f4c",
        "825e069b758d",
        "11bb4fcbb32c",
        "2f628bde20a6",
    ],
    "none": [
        "8e09610d1649",
        "63db75119268",
        "5b8f04743bda",
        "0e1e3a30dbab",
        "633680ddc9fb",
        "942d03d2331c",
        "5071e964cdb3",
        "3941d568d43f",
        "9f7aca9556de",
        "5b7fe23b2351",
        "b026958b2fed",
        "91677234f3dd",
        "ce7a6b286fdd",
        "b5387c227097",
    ],
    "segmented": [
        "e8df80847bec",
        "d71fa5ef7277",
        "71518e9b5d4f",
        "a97a9a6e402d",
        "5c50f177ba5e",
        "4b0504a850ff",
        "609cf680e7de",
        "5ba90173c7bd",
        "c49460b26e3f",
        "991ab10227aa",
        "2865997881e3",
        "4a84f467eff9",
        "06cfe9562ebb",
        "6825835aae81",
    ],
    "style_video": [
        "7aaaca5d7839",
        "74529a5f2ba7",
        "273bb0703a09",
        "ad10fe0f5f7d",
        "8d777065f164",
        "f1875034e6ef",
        "aac01cc59f5d",
        "b1cb15333f66",
        "e048b0156a58",
        "ef59970492e9",
        "2703f3bb9191",
        "b2ab6242ea63",
        "6232b98863b3",
        "8eb94427e959",
    ],
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, str]:
    """The clip, a painting and a style video, made by the tests' own factories."""
    from support.image_factory import synthetic_painting

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
