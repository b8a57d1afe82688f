"""``restyle ui`` from the command line: the install hint without the extra, bad limits."""

from __future__ import annotations

import subprocess
import sys

import pytest

from restyle.cli import main

WITHOUT_GRADIO = (
    "import sys; sys.modules['gradio'] = None\n"  # what an install without [ui] sees
    "from restyle.cli import main; sys.exit(main(['ui']))"
)


def test_without_the_extra_it_says_how_to_install_it():
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_GRADIO], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == 'restyle: error: restyle ui needs the web page extra: pip install "restyle[ui]"'
    )
    assert done.stdout == ""


@pytest.mark.parametrize(
    "flags", [["--max-seconds", "0"], ["--max-upload-mb", "-1"], ["--port", "x"]]
)
def test_bad_limits_are_one_line(flags, capsys):
    assert main(["ui", *flags]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("restyle: error: ")
