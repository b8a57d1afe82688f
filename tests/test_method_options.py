"""Each method and each flicker filter owns its options: jobs, the API, the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import restyle
from restyle.cli import main
from restyle.errors import InputError
from restyle.job import GROUPS, VideoJob, flat_options

REPO = Path(__file__).resolve().parents[1]


def job(**options) -> VideoJob:
    return VideoJob.build("clip.mp4", "out.mp4", "builtin:3", **options)


@pytest.mark.parametrize(
    "options, named",
    [
        ({"iterations": 500}, "--iterations is an option of --method gatys, not of --method net"),
        ({"segment_mode": "blur"}, "--segment-mode is an option of --method segmented, not of"),
        ({"method": "gatys", "fg_rect": (1, 1, 9, 9)}, "--fg-rect is an option of --method segm"),
        ({"temporal": "forward", "sharpness": 0.9}, "--sharpness is an option of --temporal flow,"),
        ({"temporal": "none", "smooth": 0.5}, "--temporal flow, blend, carry or forward, not of"),
        ({"method": "segmented", "iterations": 5}, "--iterations is an option of --method gatys"),
    ],
)
def test_an_option_of_another_method_is_refused_naming_both(options, named):
    with pytest.raises(InputError) as caught:
        job(**options)
    assert named in str(caught.value)


def test_the_command_line_refuses_it_in_one_line(tmp_path, capsys):
    argv = ["video", str(tmp_path / "c.mp4"), "-s", "builtin:1", "--iterations", "500"]
    assert main([*argv, "--segment-mode", "blur", "--print-job"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--method gatys, not of --method network" in err[0], err


def test_a_method_s_options_paint_with_it_and_only_with_it():
    gatys = job(method="gatys", iterations=7)
    assert isinstance(gatys.method, restyle.Gatys) and gatys.method.iterations == 7
    assert job(method=restyle.Gatys(iterations=7)) == gatys  # a typed object, the same job
    assert job(method=restyle.Gatys(iterations=3), iterations=7) == gatys  # keywords change it
    assert job(temporal=restyle.Flow(sharpness=0.9)) == job(sharpness=0.9)
    base = job(method="segmented", segment_base="gatys", iterations=4)
    assert base.method.base == restyle.Gatys(iterations=4)
    with pytest.raises(InputError, match="method must be a MethodOptions"):
        job(method=restyle.Flow())


def test_the_digest_holds_only_what_paints():
    data = job().to_dict()
    assert data["method"] == {"name": "network"}  # no other method's settings
    assert set(data["temporal"]) == {"filter", "sharpness", "smooth", "flow_size", "flow_quality"}
    assert job().digest() != job(method="gatys").digest()
    assert job(method="gatys").digest() != job(method="gatys", iterations=5).digest()
    assert set(job(temporal="none").to_dict()["temporal"]) == {"filter"}


def test_a_job_file_names_the_option_of_another_method(tmp_path, capsys):
    data = job().to_dict()
    data["method"]["iterations"] = 200
    path = tmp_path / "job.json"
    path.write_text(json.dumps(data))
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'method.iterations' is an option of --method gatys" in err[0]


def _version_1(method: str, temporal: str) -> dict:
    """A job as restyle wrote it with schema version 1: every method's options in one bag."""
    return {
        "version": 1,
        "source": "/abs/clip.mp4",
        "output": "/abs/out.mp4",
        "styles": {"styles": ["builtin:3"]},
        "method": {
            "name": method,
            "iterations": 50,
            "optimizer": "lbfgs",
            "features": "predictor",
            "gatys_size": 256,
            "content_weight": 1.0,
            "style_weight": 10.0,
            "tv_weight": 10.0,
            "temporal_weight": 200.0,
            "learning_rate": 0.02,
            "fg_rect": None,
            "fg_mask": None,
            "segment_mode": "blur",
            "segment_fill": "inpaint",
            "segment_base": "gatys",
            "style_fg": [],
            "style_bg": [],
        },
        "temporal": {
            "filter": temporal,
            "smooth": 0.4,
            "sharpness": None,
            "flow_size": None,
            "flow_quality": "fast",
        },
        "run": {"batch": 1, "workers": 2, "chunk_seconds": 2.0, "chunk_workers": 3},
    }


def test_version_1_job_files_are_still_read():
    net = VideoJob.from_dict(_version_1("network", "blend"))
    assert net.method == restyle.Network() and net.temporal == restyle.Blend(smooth=0.4)
    assert net.run.painters == 2 and net.run.workers == 3  # the old names, renamed
    gatys = VideoJob.from_dict(_version_1("gatys", "flow"))
    assert gatys.method == restyle.Gatys(iterations=50, gatys_size=256)
    assert gatys.temporal == restyle.Flow(smooth=0.4)
    seg = VideoJob.from_dict(_version_1("segmented", "none"))
    assert seg.method.segment_mode == "blur"
    assert seg.method.base == restyle.Gatys(iterations=50, gatys_size=256)
    assert seg.temporal == restyle.NoFilter()
    assert VideoJob.from_json(seg.to_json()) == seg and seg.to_dict()["version"] == 2


def test_the_typed_keywords_agree_with_the_declarations():
    """restyle/keywords.py is generated from the declarations; rerun tools/gen_keywords.py."""
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import gen_keywords
    finally:
        sys.path.remove(str(REPO / "tools"))
    written = (REPO / "restyle" / "keywords.py").read_text(encoding="utf-8")
    assert gen_keywords.render() == written, "run python tools/gen_keywords.py"
    from restyle.keywords import PictureOptions, VideoOptions

    assert set(VideoOptions.__annotations__) | set(PictureOptions.__annotations__) == set(
        flat_options()
    ) - {"style"}
    assert set(PictureOptions.__annotations__) == set(flat_options(("look", "method", "engine")))


def test_one_name_per_option_everywhere():
    """The API keyword is the flag without its dashes, for every option."""
    for key, item in flat_options().items():
        assert item.flag == "--" + key.replace("_", "-"), (key, item.flag)
    assert "chunk_workers" not in flat_options() and "painters" in flat_options()
    assert {"method", "temporal"} <= set(flat_options())
    assert GROUPS["method"] is restyle.MethodOptions


def _help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    assert stopped.value.code == 0
    return capsys.readouterr().out


def test_help_shows_the_common_options_and_says_how_to_see_the_rest(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    short = _help(capsys, "video", "--help")
    assert len(short.splitlines()) < 60
    assert "--sharpness" in short and "--iterations" not in short
    words = " ".join(short.split())
    assert "restyle video --help-all" in words and "--method gatys --help" in words
    full = _help(capsys, "video", "--help-all")
    assert "--iterations" in full and "--segment-mode" in full and "--painters" in full
    gatys = _help(capsys, "video", "--method", "gatys", "--help")
    assert "--iterations" in gatys and "--segment-mode" not in gatys
    forward = _help(capsys, "video", "--temporal=forward", "--help")
    assert "--flow-size" in forward and "--iterations" not in forward


def test_restyle_list_describes_the_choices(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "methods:" in out and "filters:" in out and "precisions:" in out
    assert "options: --iterations" in out
    assert main(["list", "methods"]) == 0
    assert "filters:" not in capsys.readouterr().out


def test_a_reader_that_goes_away_ends_the_command_quietly(monkeypatch):
    """``restyle list | head -1``: no traceback when the pipe is closed, the shell's 141."""
    import os

    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    stdout = os.fdopen(write, "w", buffering=1)  # a line at a time, as to a terminal
    monkeypatch.setattr(sys, "stdout", stdout)
    try:
        assert main(["list"]) == 141
    finally:
        stdout.close()
