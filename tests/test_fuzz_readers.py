"""Fuzzing the readers: a damaged image or video gives a valid result or a RestyleError, never
anything else (no other exception type, no crash, no frames of the wrong size).

Quick here (a few seconds, derandomized so the suite is repeatable); the long campaign is
``python benchmarks/fuzz_readers.py``. Set RESTYLE_FUZZ_EXAMPLES to run more cases here.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_media import MUTATIONS, check, make_seeds, mutate, write_case

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
