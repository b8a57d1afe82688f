"""Fuzzing the readers: a damaged image or video gives a valid result or a RestyleError, never
anything else (no other exception type, no crash, no frames of the wrong size).

Quick here (a few seconds, derandomized so the suite is repeatable); the long campaign is
``python tools/fuzz_readers.py``. Set RESTYLE_FUZZ_EXAMPLES to run more cases here.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from restyle.cli import main
from support.fuzz_media import MUTATIONS, check, make_seeds, mutate, write_case

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("RESTYLE_FUZZ_EXAMPLES", "40"))


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """The seed media's bytes by name, and a folder to write cases in."""
    folder = tmp_path_factory.mktemp("fuzz")
    return make_seeds(folder / "seeds"), folder


def damage(names):
    """A strategy: (seed name, mutation, where, where to, how much)."""
    return st.tuples(
        st.sampled_from(names),
        st.sampled_from(MUTATIONS),
        st.floats(0, 1),
        st.floats(0, 1),
        st.integers(1, 64),
    )


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("family", ["image", "video"])
def test_damaged_media_give_a_result_or_a_restyle_error(seeds, family):
    data, folder = seeds
    names = sorted(n for n in data if n.startswith("photo.") == (family == "image"))

    @FUZZ
    @given(damage(names))
    def run(case):
        name, kind, a, b, count = case
        path = write_case(folder, name, mutate(data[name], kind, a, b, count))
        assert check(name, path, folder) in ("ok", "error")

    run()


def test_the_seeds_themselves_read(seeds):
    data, folder = seeds
    for name, content in data.items():
        assert check(name, write_case(folder, name, content), folder) == "ok", name


CLI_CASES = [("truncate", 0.5, 0.0, 1), ("header", 0.0, 0.0, 40), ("flip-head", 0.3, 0.0, 24)]


@pytest.mark.parametrize("kind, a, b, count", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_damaged_media_on_the_command_line_give_one_line(seeds, capfd, kind, a, b, count):
    """restyle image / video on damaged files: exit 0 or 2, at most one line on stderr (what
    the C libraries or Pillow's logger would print counts too), nothing left in the folder."""
    data, folder = seeds
    out = folder / f"out-{kind}"
    out.mkdir()
    for name in sorted(data):
        path = write_case(folder, name, mutate(data[name], kind, a, b, count))
        if name.startswith("photo."):
            args = ["image", str(path), "-o", str(out / "o.png")]
        else:
            args = ["video", str(path), "-o", str(out / "o.mp4"), "-q", "--temporal", "none"]
        code = main([*args, "-s", "builtin:1", "--device", "cpu"])
        err = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
        if code == 2:
            assert len(err) == 1 and err[0].startswith("restyle: error:"), (name, err)
            assert list(out.iterdir()) == [], name
        else:
            assert code == 0 and all("warning" in line for line in err), (name, code, err)
        for left in out.iterdir():
            left.unlink()  # a valid result; the next case writes the same name


def test_a_tiff_pillow_logs_about_is_still_one_line(tmp_path, capfd):
    """A TIFF claiming 2048 samples a pixel: Pillow logs an error before raising."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (90, 120, 150)).save(buffer, format="TIFF")
    data = buffer.getvalue()
    entry = b"\x15\x01\x03\x00\x01\x00\x00\x00\x03\x00"  # tag 277 SamplesPerPixel = 3
    assert entry in data
    path = tmp_path / "bad.tif"
    path.write_bytes(data.replace(entry, entry[:8] + b"\x00\x08"))
    code = main(["image", str(path), "-s", "builtin:1", "-o", str(tmp_path / "o.png")])
    err = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(err) == 1 and err[0].startswith("restyle: error:"), err
