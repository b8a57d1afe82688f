"""restyle eval: the flicker meter, fidelity, structure and style distance on real files."""

from __future__ import annotations

import json

import numpy as np
import pytest

import restyle
from restyle.cli import main
from support.media_factory import make_video

pytestmark = pytest.mark.slow

STYLE = "builtin:5"


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    d = tmp_path_factory.mktemp("eval")
    source = make_video(d / "src.mp4", width=128, height=96, frames=12)
    per_frame = d / "none.mp4"
    smooth = d / "flow.mp4"
    restyle.stylize_video(source, per_frame, STYLE, temporal="none", device="cpu", crf=12)
    restyle.stylize_video(source, smooth, STYLE, temporal="flow", smooth=0.8, device="cpu", crf=12)
    return source, per_frame, smooth, d


def test_flow_output_flickers_less_and_keeps_fidelity_below_one(clips):
    source, per_frame, smooth, _ = clips
    a = restyle.evaluate(source, per_frame, reference=per_frame)
    b = restyle.evaluate(source, smooth, reference=per_frame)
    assert a.frames == b.frames == 12
    assert a.fidelity == pytest.approx(1.0)
    assert b.warp_error < a.warp_error
    assert 0.3 < b.fidelity < 1.0
    assert a.source_floor == pytest.approx(b.source_floor)
    assert 0.0 <= b.content <= 1.0


def test_style_distance_is_smaller_for_the_stylized_video(clips, tmp_path):
    source, _, _, d = clips
    painting = np.zeros((64, 64, 3), np.uint8)
    painting[::8] = (250, 200, 20)
    painting[:, ::8] = (20, 60, 200)
    from restyle.media.image import save_image

    style = save_image(painting, tmp_path / "stripes.png")
    out = d / "painted.mp4"
    restyle.stylize_video(source, out, str(style), temporal="none", device="cpu")
    r = restyle.evaluate(source, out, style=str(style))
    assert r.style_distance < r.source_style_distance


def test_cli_json_and_errors(clips, tmp_path, capsys):
    source, per_frame, smooth, _ = clips
    assert (
        main(
            [
                "eval",
                "--source",
                str(source),
                "--stylized",
                str(smooth),
                "--reference",
                str(per_frame),
                "--json",
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["frames"] == 12 and report["fidelity"] is not None
    longer = make_video(tmp_path / "long.mp4", width=128, height=96, frames=20)
    assert main(["eval", "--source", str(source), "--stylized", str(longer)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "fewer frames" in err[0]
    assert main(["eval", "--source", str(tmp_path / "nope.mp4"), "--stylized", str(smooth)]) == 2
