"""Style schedules: segment values at given times, easing, hold, follow smoothing."""

from __future__ import annotations

import numpy as np
import pytest

from restyle.errors import InputError
from restyle.styles.schedule import Constant, Follow, Segments, ease
from restyle.styles.style import ARBITRARY, Style


def styles(count: int) -> list[Style]:
    """``count`` styles: style k is k times a fixed direction (easy to read the mix off)."""
    base = np.linspace(-1.0, 1.0, 100, dtype=np.float32)
    return [Style(ARBITRARY, k * base, f"s{k}") for k in range(count)]


def amount(style: Style) -> float:
    """Where a style sits on the line through styles(): 0 for s0, 1 for s1, ..."""
    base = np.linspace(-1.0, 1.0, 100, dtype=np.float32)
    return float(style.vector @ base / (base @ base))


@pytest.mark.parametrize("name", ["linear", "smooth", "cosine"])
def test_easing_fixes_the_ends_and_is_monotone(name):
    curve = ease(name)
    u = np.linspace(0.0, 1.0, 201)
    values = np.array([curve(x) for x in u])
    assert values[0] == pytest.approx(0.0) and values[-1] == pytest.approx(1.0)
    assert np.all(np.diff(values) >= -1e-12)
    assert curve(0.5) == pytest.approx(0.5)
    assert curve(-1.0) == 0.0 and curve(2.0) == 1.0


def test_smooth_easing_starts_and_stops_gently():
    smooth, linear = ease("smooth"), ease("linear")
    assert smooth(0.05) < linear(0.05) and smooth(0.95) > linear(0.95)


def test_unknown_easing_is_an_input_error():
    with pytest.raises(InputError, match="easing"):
        ease("bouncy")


def test_segments_values_at_given_times():
    # 3 styles over 9 s: parts of 3 s, middles at 1.5, 4.5, 7.5; hold 1/3 -> pure 1 s around
    # each middle, hand-overs over [2, 4] and [5, 7]
    s = Segments(styles(3), 9.0, easing="linear", hold=1 / 3)
    expect = {
        0.0: 0.0,
        1.5: 0.0,
        2.0: 0.0,
        2.5: 0.25,
        3.0: 0.5,
        3.5: 0.75,
        4.0: 1.0,
        4.5: 1.0,
        6.0: 1.5,
        7.0: 2.0,
        9.0: 2.0,
        12.0: 2.0,
        -1.0: 0.0,
    }
    for t, value in expect.items():
        assert amount(s(t)) == pytest.approx(value, abs=1e-5), t
    assert s.transition(0) == pytest.approx((2.0, 4.0))
    assert s.transition(1) == pytest.approx((5.0, 7.0))


def test_segments_middles_are_pure_and_exact_styles():
    given = styles(4)
    s = Segments(given, 8.0, hold=0.0)
    for k in range(4):
        assert s((k + 0.5) * 2.0) is given[k]


def test_segments_smooth_is_monotone_within_a_transition():
    s = Segments(styles(3), 6.0, easing="smooth", hold=0.3)
    start, end = s.transition(0)
    times = np.linspace(start, end, 50)
    values = [amount(s(t)) for t in times]
    assert values[0] == pytest.approx(0.0, abs=1e-6)
    assert values[-1] == pytest.approx(1.0, abs=1e-6)
    assert np.all(np.diff(values) > 0)
    # eased: slower than linear at the start, faster in the middle
    assert values[2] < (times[2] - start) / (end - start)


def test_hold_one_cuts_and_hold_zero_glides():
    cut = Segments(styles(2), 2.0, hold=1.0)
    assert amount(cut(0.99)) == pytest.approx(0.0)
    assert amount(cut(1.01)) == pytest.approx(1.0)
    glide = Segments(styles(2), 2.0, easing="linear", hold=0.0)
    assert amount(glide(0.75)) == pytest.approx(0.25)


def test_position_names_the_two_styles_and_weight():
    s = Segments(styles(3), 9.0, easing="linear", hold=1 / 3)
    pos = s.position(3.0)
    assert (pos.before, pos.after) == (0, 1) and pos.weight == pytest.approx(0.5)
    assert s.position(0.5).weight == 0.0


def test_one_style_is_constant():
    only = styles(2)[1]
    s = Segments([only], 5.0)
    assert all(s(t) is only for t in (0.0, 2.5, 5.0))
    assert Constant(only)(3.0) is only


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"duration": 0.0}, "duration"),
        ({"hold": 1.5}, "hold"),
        ({"easing": "x"}, "easing"),
    ],
)
def test_bad_segment_options(kwargs, match):
    options = {"duration": 4.0, **kwargs}
    duration = options.pop("duration")
    with pytest.raises(InputError, match=match):
        Segments(styles(2), duration, **options)


def test_segments_refuse_mixed_spaces():
    builtin = Style("builtin", np.eye(26, dtype=np.float32)[0], "builtin:0")
    with pytest.raises(InputError):
        Segments([styles(2)[1], builtin], 4.0)


def test_follow_maps_relative_time_without_smoothing():
    # style video of 10 s sampled at 0, 5; output of 2 s: output 1 s = style video 5 s
    f = Follow([0.0, 5.0], styles(2), source_duration=10.0, duration=2.0, smooth=0.0)
    assert amount(f(0.0)) == pytest.approx(0.0)
    assert amount(f(0.5)) == pytest.approx(0.5)
    assert amount(f(1.0)) == pytest.approx(1.0)
    assert amount(f(1.9)) == pytest.approx(1.0)


def test_follow_smooths_a_cut_in_the_style_video():
    # a hard cut at 5 s of a 10 s style video, sampled every 0.25 s
    times = np.arange(0.0, 10.0, 0.25)
    two = styles(2)
    sampled = [two[0] if t < 5.0 else two[1] for t in times]
    raw = Follow(times, sampled, source_duration=10.0, duration=10.0, smooth=0.0)
    smooth = Follow(times, sampled, source_duration=10.0, duration=10.0, smooth=0.5)
    grid = np.arange(0.0, 10.0, 0.04)
    raw_vals = np.array([amount(raw(t)) for t in grid])
    smooth_vals = np.array([amount(smooth(t)) for t in grid])
    assert np.max(np.abs(np.diff(smooth_vals))) < 0.5 * np.max(np.abs(np.diff(raw_vals)))
    assert np.all(np.diff(smooth_vals) >= -1e-6)  # still one way: no wobble
    assert smooth_vals[0] == pytest.approx(0.0, abs=1e-3)
    assert smooth_vals[-1] == pytest.approx(1.0, abs=1e-3)


def test_follow_checks_its_samples():
    with pytest.raises(InputError):
        Follow([1.0, 0.5], styles(2), source_duration=2.0, duration=2.0)
    with pytest.raises(InputError):
        Follow([0.0], styles(2), source_duration=2.0, duration=2.0)
