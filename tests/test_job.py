"""The job as data: one declaration per option, JSON round trip, errors naming the option."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import restyle
from restyle.cli import build_parser, main, video_job
from restyle.errors import InputError
from restyle.job import GROUPS, SCHEMA_VERSION, VideoJob, flat_options
from restyle.registries import TEMPORAL_FILTERS
from restyle.temporal.filters import TemporalFilter
from support.hashes import frame_hashes
from support.media_factory import make_video

PACKAGE = Path(restyle.__file__).parent


def job(**options) -> VideoJob:
    return VideoJob.build("clip.mp4", "out.mp4", "builtin:3", **options)


def test_a_job_round_trips_through_json():
    original = job(
        strength=0.7,
        sharpness=0.9,
        crf=0,
        start=1.5,
        every=2,
        method="segmented",
        fg_rect=(1, 2, 30, 40),
        style_fg=["a.png"],
        painters=2,
    )
    data = json.loads(original.to_json())
    assert data["version"] == SCHEMA_VERSION
    assert data["look"]["strength"] == 0.7 and data["temporal"]["sharpness"] == 0.9
    assert data["method"]["name"] == "segmented" and data["method"]["fg_rect"] == [1, 2, 30, 40]
    assert VideoJob.from_dict(data) == original
    assert VideoJob.from_json(original.to_json()) == original


def test_paths_are_absolute_so_a_job_means_the_same_elsewhere(tmp_path):
    j = VideoJob.build(
        "clip.mp4", "out.mp4", ["a.jpg:0.7", "builtin:2"], method="segmented", fg_mask="m.png"
    )
    assert Path(j.source).is_absolute() and Path(j.output).is_absolute()
    assert j.styles.styles[0].endswith("a.jpg:0.7") and Path(j.styles.styles[0][:-4]).is_absolute()
    assert j.styles.styles[1] == "builtin:2"
    assert Path(j.method.fg_mask).is_absolute()


def test_the_digest_follows_what_is_painted_not_where_or_how_fast():
    base = job()
    assert base.digest() == job().digest()
    assert base.digest() == base.replace(output="/elsewhere/x.mp4", painters=1, batch=2).digest()
    assert base.digest() != base.replace(strength=0.5).digest()
    assert base.digest() != job(temporal="none").digest()


def test_a_computed_style_travels_in_the_job():
    style = restyle.Style("arbitrary", [0.5] * 100, "mine")
    j = VideoJob.build("c.mp4", "o.mp4", style)
    back = VideoJob.from_json(j.to_json())
    assert back.styles.styles == (style,)


@pytest.mark.parametrize(
    "edit, named",
    [
        (lambda d: d["look"].update(strength=1.5), "--strength (look.strength)"),
        (lambda d: d["look"].update(strength="strong"), "--strength (look.strength) must be a num"),
        (lambda d: d["look"].update(strenght=0.5), "'look.strenght'"),
        (lambda d: d["temporal"].update(filter="wobble"), "--temporal (temporal.filter)"),
        (lambda d: d["temporal"].update(flow_size=10), "--flow-size (temporal.flow_size)"),
        (lambda d: d["encode"].update(crf=70), "--crf (encode.crf)"),
        (lambda d: d["encode"].update(crf=60), "at most 51 for H.264"),
        (lambda d: d["range"].update(every=0), "--every (range.every)"),
        (lambda d: d["run"].update(workers=0), "run.workers"),
        (lambda d: d.update(colour="red"), "unknown key 'colour'"),
        (lambda d: d.update(version=SCHEMA_VERSION + 1), "newer restyle"),
        (lambda d: d.pop("version"), "schema 'version'"),
        (lambda d: d.pop("source"), "no 'source'"),
        (lambda d: d["styles"].update(styles=[]), "no style given"),
        (lambda d: d["styles"].update(styles=["builtin:3:x"]), "bad style weight"),
    ],
)
def test_a_bad_job_names_what_is_wrong(edit, named):
    data = job().to_dict()
    edit(data)
    with pytest.raises(InputError) as caught:
        VideoJob.from_dict(data)
    assert named in str(caught.value)


def test_every_option_is_declared_once_and_flat_names_are_unique():
    from restyle.job import group_declared

    items = [item for group in GROUPS for item in group_declared(group)]
    names = [item.key for item in items]
    assert len(names) == len(set(names))
    assert set(flat_options()) == set(names)
    # an option several filters share (--smooth) means one thing: one flag, one type
    from restyle.registries import STYLIZERS, TEMPORAL_FILTERS

    for registry in (STYLIZERS, TEMPORAL_FILTERS):
        spelled: dict[str, tuple] = {}
        for entry in registry.entries():
            for item in restyle.options.declared(entry.options):
                same = spelled.setdefault(item.key, (item.flag, item.hint, item.default))
                assert same == (item.flag, item.hint, item.default), item.key
    with pytest.raises(InputError, match="unknown option 'sharpnes'"):
        job(sharpnes=0.9)


def test_the_api_and_the_command_line_build_the_same_job(tmp_path):
    clip = tmp_path / "clip.mp4"
    args = build_parser().parse_args(
        [
            "video",
            str(clip),
            "-s",
            "builtin:3",
            "--strength",
            "0.6",
            "--sharpness",
            "0.9",
            "--crf",
            "0",
            "--start",
            "0:01.5",
            "--preserve-color",
            "-o",
            str(tmp_path / "o.mp4"),
        ]
    )
    from_cli = video_job(args)
    from_api = VideoJob.build(
        clip,
        tmp_path / "o.mp4",
        "builtin:3",
        strength=0.6,
        sharpness=0.9,
        crf=0,
        start=1.5,
        preserve_color=True,
    )
    assert from_cli == from_api


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return make_video(tmp_path_factory.mktemp("job") / "clip.mp4", width=96, height=64, frames=10)


def test_print_job_then_run_gives_the_same_frames(clip, tmp_path, capsys):
    options = ["-s", "builtin:5", "--sharpness", "0.9", "--strength", "0.8", "-q"]
    direct = tmp_path / "direct"
    assert main(["video", str(clip), *options, "-o", str(direct / "%03d.png")]) == 0
    capsys.readouterr()
    assert main(["video", str(clip), *options, "--print-job", "-o", "unused.mp4"]) == 0
    printed = capsys.readouterr().out
    assert not Path("unused.mp4").exists()  # nothing was rendered
    job_file = tmp_path / "job.json"
    job_file.write_text(printed)
    saved = tmp_path / "saved"
    assert main(["run", str(job_file), "-o", str(saved / "%03d.png"), "-q"]) == 0
    assert frame_hashes(saved) == frame_hashes(direct) and len(frame_hashes(direct)) == 10


@pytest.mark.parametrize(
    "edit, named",
    [
        (lambda d: d["temporal"].update(sharpness=1.5), "--sharpness (temporal.sharpness)"),
        (lambda d: d["look"].update(colour=True), "'look.colour'"),
        (lambda d: d.update(version=99), "newer restyle"),
    ],
)
def test_run_refuses_a_bad_job_in_one_line(clip, tmp_path, capsys, edit, named):
    data = VideoJob.build(clip, tmp_path / "o.mp4", "builtin:1").to_dict()
    edit(data)
    job_file = tmp_path / "job.json"
    job_file.write_text(json.dumps(data))
    assert main(["run", str(job_file)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and named in err[0], err
    assert not (tmp_path / "o.mp4").exists()


def test_run_refuses_what_is_not_a_job(tmp_path, capsys):
    bad = tmp_path / "job.json"
    bad.write_text("{ not json")
    assert main(["run", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "missing.json")]) == 2
    assert "not found" in capsys.readouterr().err


class Dummy(TemporalFilter):
    """A filter added by a test: the command line must offer it and the job accept it."""


def test_the_command_line_reads_its_choices_from_the_registries(clip, tmp_path, capsys):
    with TEMPORAL_FILTERS.added("dummy", Dummy, "a filter a test registered"):
        with pytest.raises(SystemExit):
            main(["video", "--help"])
        help_text = capsys.readouterr().out
        assert "dummy" in help_text
        assert main(["list", "filters"]) == 0
        assert "a filter a test registered" in capsys.readouterr().out
        out = tmp_path / "d.mp4"
        assert (
            main(
                ["video", str(clip), "-s", "builtin:1", "--temporal", "dummy", "-o", str(out), "-q"]
            )
            == 0
        )
        assert out.exists()
    assert main(["video", str(clip), "-s", "builtin:1", "--temporal", "dummy", "-q"]) == 2
    assert "invalid choice: 'dummy'" in capsys.readouterr().err


def _imports(folder: str) -> set[str]:
    """The restyle modules imported by the modules of one folder of the package."""
    found: set[str] = set()
    for path in (PACKAGE / folder).rglob("*.py"):
        tree = ast.parse(path.read_text())
        package = ".".join(["restyle", *path.relative_to(PACKAGE).parent.parts])
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    found.add(".".join(base + ([node.module] if node.module else [])))
                elif node.module and node.module.startswith("restyle"):
                    found.add(node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("restyle")}
    return found


@pytest.mark.parametrize(
    "folder, forbidden",
    [
        ("temporal", ("restyle.metrics", "restyle.rendering", "restyle.stylizers", "restyle.api")),
        ("rendering", ("restyle.ui", "restyle.cli", "restyle.api")),
        ("media", ("restyle.metrics", "restyle.temporal", "restyle.stylizers", "restyle.models")),
        ("models", ("restyle.metrics", "restyle.temporal", "restyle.stylizers", "restyle.styles")),
        ("imaging", ("restyle.metrics", "restyle.temporal")),
        (
            "motion",  # global camera motion stands alone
            tuple(
                f"restyle.{n}"
                for n in ("media", "models", "stylizers", "styles", "temporal", "metrics")
                + ("rendering", "ui", "api", "cli", "job")
            ),
        ),
    ],
)
def test_no_import_climbs_back_up(folder, forbidden):
    """A folder never imports the floors above it (``rendering`` sits below the front doors)."""
    climbing = sorted(m for m in _imports(folder) if m.startswith(forbidden))
    assert climbing == []


def test_the_progress_bar_draws_on_a_terminal_and_nothing_in_a_log(clip, tmp_path, monkeypatch):
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    log, terminal = io.StringIO(), Terminal()
    monkeypatch.setattr(sys, "stderr", log)
    assert main(["video", str(clip), "-s", "builtin:1", "-o", str(tmp_path / "a.mp4")]) == 0
    assert log.getvalue() == ""  # not a terminal: no bar, no carriage returns
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["video", str(clip), "-s", "builtin:1", "-o", str(tmp_path / "b.mp4")]) == 0
    drawn = terminal.getvalue()
    assert "10/10" in drawn and "frame/s" in drawn and "\r" in drawn


def test_every_module_imports_by_its_dotted_name():
    """``import restyle.rendering.chunked as m`` works: no module is hidden by a function."""
    import importlib

    for path in sorted(Path(restyle.__file__).parent.rglob("*.py")):
        parts = path.relative_to(Path(restyle.__file__).parent.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if ".demo" in name or ".ui" in name or name.endswith("__main__"):
            continue  # the [ui] extra, or runs the command line when imported
        module = importlib.import_module(name)
        walked = restyle
        for part in name.split(".")[1:]:
            walked = getattr(walked, part)
        assert walked is module, name
