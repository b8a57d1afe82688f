"""Start-up: once its graphs are in the cache, a render does not import ``onnx``.

``onnx`` is needed to build the painting graphs (once, into the cache) and to cut the tile
painter's; importing it costs 0.4-0.5 s on every command (its ``ml_dtypes`` registers
numpy loops), a tenth of a short clip's render. The graphs are read from the cache by
path, so a warm render must not load it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from support.media_factory import make_video

pytestmark = pytest.mark.slow  # renders, in fresh processes

_RENDER = """
import json, sys
from restyle.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "onnx": "onnx" in sys.modules}))
"""


def _render(args: list[str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _RENDER, *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),  # the test run's RESTYLE_CACHE_DIR (conftest)
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("style", ["builtin:19", "painting"])
def test_a_warm_render_does_not_import_onnx(tmp_path, painting_path, style):
    """The first render may build graphs (and import onnx); the second reads them."""
    clip = make_video(tmp_path / "clip.mp4", frames=3)
    style = str(painting_path) if style == "painting" else style
    for k in range(2):
        out = tmp_path / f"out{k}.mp4"
        result = _render(["video", str(clip), "-s", style, "-o", str(out), "-q"])
        assert result["code"] == 0 and out.is_file()
    assert result["onnx"] is False
