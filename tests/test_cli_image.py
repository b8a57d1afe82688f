"""The restyle image command: success writes the content's exact size; bad input exits 2 cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from restyle.cli import main
from restyle.media.image import load_image
from support.image_factory import synthetic_painting, synthetic_photo


def run_cli(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m restyle ARGS`` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "restyle", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def assert_one_line_error(stderr: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("restyle: error: ")
    assert "Traceback" not in stderr


@pytest.fixture
def files(tmp_path, write_image) -> dict[str, Path]:
    """A content photo (odd size), a style painting and a few broken inputs in tmp_path."""
    text = tmp_path / "notes.png"
    text.write_text("this is text, not a picture\n")
    return {
        "photo": write_image("photo.png", synthetic_photo(45, 71)),
        "painting": write_image("painting.jpg", synthetic_painting(90, 120)),
        "tiny": write_image("tiny.png", synthetic_photo(20, 50)),
        "tiny_style": write_image("tiny_style.png", synthetic_painting(12, 40)),
        "text": text,
    }


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


@pytest.mark.slow
def test_subprocess_success_writes_the_exact_size(files, tmp_path):
    out = tmp_path / "out.png"
    result = run_cli("image", files["photo"], "--style", files["painting"], "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert str(out) in result.stdout and "71x45" in result.stdout
    image = load_image(out)
    assert image.shape == (45, 71, 3)
    assert np.abs(image.astype(int) - load_image(files["photo"]).astype(int)).mean() > 20


SUBPROCESS_CASES = {
    "missing content": ["{missing}", "-s", "{painting}"],
    "not an image": ["{text}", "-s", "{painting}"],
    "bad style spec": ["{photo}", "-s", "builtin:99"],
    "unknown extension": ["{photo}", "-s", "{painting}", "-o", "{tmp}/out.xyz"],
}


def fill(args: list[str], files: dict[str, Path], tmp_path: Path) -> list[str]:
    """Put the fixture paths into ``{name}`` placeholders of command arguments."""
    names = {key: str(path) for key, path in files.items()}
    names.update(missing=str(tmp_path / "missing.jpg"), tmp=str(tmp_path))
    return [a.format(**names) for a in args]


@pytest.mark.parametrize("case", list(SUBPROCESS_CASES))
@pytest.mark.slow
def test_subprocess_bad_input_exits_2_with_one_line(files, tmp_path, case):
    args = fill(SUBPROCESS_CASES[case], files, tmp_path)
    if "-o" not in args:
        args += ["-o", str(tmp_path / "out.png")]
    before = listing(tmp_path)
    result = run_cli("image", *args)
    assert result.returncode == 2, (case, result.stderr)
    assert_one_line_error(result.stderr)
    assert result.stdout == ""
    assert listing(tmp_path) == before, case


def test_main_success_and_default_output_name(files, tmp_path, capsys):
    assert main(["image", str(files["photo"]), "--style", str(files["painting"])]) == 0
    out = tmp_path / "photo_restyled.png"
    assert load_image(out).shape == (45, 71, 3)
    captured = capsys.readouterr()
    assert captured.err == "" and str(out) in captured.out


def test_main_options_are_passed_through(files, tmp_path, capsys):
    out = tmp_path / "styled.jpg"
    code = main(
        [
            "image",
            str(files["photo"]),
            "--style",
            f"{files['painting']}:0.6",
            "--style",
            f"{files['photo']}:0.4",
            "--strength",
            "0.8",
            "--preserve-color",
            "--style-fit",
            "whole",
            "--max-size",
            "40",
            "--device",
            "cpu",
            "--precision",
            "shipped",
            "-o",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert load_image(out).shape == (45, 71, 3)
    assert main(["image", str(files["photo"]), "-s", "builtin:5", "-o", str(out)]) == 0
    assert load_image(out).shape == (45, 71, 3)


BAD_CASES = {
    "missing content": (["{missing}", "-s", "{painting}"], "file not found"),
    "not an image": (["{text}", "-s", "{painting}"], "not an image"),
    "content under 32 px": (["{tiny}", "-s", "{painting}"], "too small"),
    "style under 16 px": (["{photo}", "-s", "{tiny_style}"], "too small"),
    "bad weight": (["{photo}", "-s", "{painting}:-2"], "weight"),
    "bad builtin": (["{photo}", "-s", "builtin:seven"], "built-in style index"),
    "builtin mixed with image": (["{photo}", "-s", "builtin:1", "-s", "{painting}"], "blend"),
    "no style": (["{photo}"], "no style given"),
    "strength out of range": (["{photo}", "-s", "{painting}", "--strength", "2"], "strength"),
    "unknown device": (["{photo}", "-s", "{painting}", "--device", "tpu"], "device"),
    "unknown extension": (["{photo}", "-s", "{painting}", "-o", "{tmp}/out.xyz"], "extension"),
    "missing output folder": (["{photo}", "-s", "{painting}", "-o", "{tmp}/no/out.png"], "exist"),
    "output under a file": (["{photo}", "-s", "{painting}", "-o", "{text}/out.png"], "exist"),
    "output is a folder": (["{photo}", "-s", "{painting}", "-o", "{tmp}/adir.png"], "folder"),
    # passes the up-front checks; the write itself fails (even for root) after painting
    "output name too long": (
        ["{photo}", "-s", "{painting}", "-o", "{tmp}/" + "n" * 250 + ".png"],
        "write",
    ),
    "output overwrites content": (["{photo}", "-s", "{painting}", "-o", "{photo}"], "overwrite"),
    "missing model dir": (
        ["{photo}", "-s", "{painting}", "--model-dir", "{tmp}/nomodels"],
        "model",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_main_bad_input_exits_2_with_one_line(files, tmp_path, capsys, case):
    (tmp_path / "adir.png").mkdir()
    args, expected = BAD_CASES[case]
    before = listing(tmp_path)
    assert main(["image", *fill(args, files, tmp_path)]) == 2
    captured = capsys.readouterr()
    assert_one_line_error(captured.err)
    assert expected in captured.err, captured.err
    assert captured.out == ""
    assert listing(tmp_path) == before
    assert load_image(files["photo"]).shape == (45, 71, 3)  # the content is untouched


def test_corrupt_weights_in_model_dir_exit_2(files, tmp_path, capsys):
    from restyle.models import get_spec, locate

    folder = tmp_path / "models"
    folder.mkdir()
    data = bytearray(locate("arbitrary_predict").read_bytes())
    data[500] ^= 0x55
    (folder / get_spec("arbitrary_predict").filename).write_bytes(bytes(data))
    out = tmp_path / "out.png"
    args = ["{photo}", "-s", "{painting}", "--model-dir", str(folder), "-o", str(out)]
    code = main(["image", *fill(args, files, tmp_path)])
    assert code == 2
    captured = capsys.readouterr()
    assert_one_line_error(captured.err)
    assert "checksum mismatch" in captured.err
    assert not out.exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_read_only_output_folder_exits_2(files, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        out = locked / "out.png"
        assert (
            main(["image", str(files["photo"]), "-s", str(files["painting"]), "-o", str(out)]) == 2
        )
        assert_one_line_error(capsys.readouterr().err)
        assert os.listdir(locked) == []
    finally:
        locked.chmod(0o700)


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "image" in capsys.readouterr().out


def test_models_command_lists_the_networks(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for name in ("arbitrary_predict", "arbitrary_transform", "multistyle26", "steady_arbitrary"):
        assert name in out
    assert "devices:" in out and "cpu" in out
    assert "models (--model" in out and "steady:" in out and "original:" in out


@pytest.mark.slow
def test_end_to_end_on_real_media(media_dir, tmp_path):
    """restyle image tubingen.jpg --style starry_night.jpg: exact size, looks like the painting."""
    from restyle.models.engine import Engine
    from restyle.styles import embed_images

    photo, painting = media_dir / "tubingen.jpg", media_dir / "starry_night.jpg"
    out = tmp_path / "tubingen_starry.png"
    result = run_cli("image", photo, "--style", painting, "-o", out, "--device", "cpu")
    assert result.returncode == 0, result.stderr
    images = [load_image(p) for p in (photo, painting, out)]
    assert images[2].shape == images[0].shape
    photo_vec, painting_vec, out_vec = embed_images(images, engine=Engine(device="cpu"))
    to_painting = np.linalg.norm(out_vec - painting_vec)
    assert to_painting < np.linalg.norm(photo_vec - painting_vec)
