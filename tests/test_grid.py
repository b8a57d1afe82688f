"""Grids of contents (rows) by styles (columns), with headers and labels that sit with them.

Grids are read back from their pixels (:func:`read_grid`): the picture boxes are found as
large solid blocks on the white background, the labels as the small marks of text, so the
checks do not lean on the layout code they check.
"""

from __future__ import annotations

from fractions import Fraction

import cv2
import numpy as np
import pytest

import restyle
from restyle.cli import main
from restyle.media.image import load_image
from restyle.metrics.grid import compose_grid, fit_cell, grid_layout
from restyle.stylizers.swatch import neutral_scene
from support.image_factory import synthetic_painting, synthetic_photo
from support.media_factory import make_video

CELL = 40


def solid(height: int, width: int, colour: tuple[int, int, int]) -> np.ndarray:
    img = np.empty((height, width, 3), np.uint8)
    img[:] = colour
    return img


def read_grid(grid: np.ndarray, cell: int) -> dict:
    """The boxes of a grid's pictures by (row, column), and its label marks, from its pixels.

    Pictures: solid blocks of non-white pixels (filling their bounding box) at least a
    quarter of a cell on each side. Label marks: everything else (glyphs), as centres.
    """
    ink = (grid < 250).any(axis=2).astype(np.uint8)
    count, _, stats, centres = cv2.connectedComponentsWithStats(ink, connectivity=4)
    boxes, marks = [], []
    for k in range(1, count):
        x, y, w, h, area = stats[k]
        if min(w, h) >= cell // 4 and area >= 0.95 * w * h:
            boxes.append((int(x), int(y), int(w), int(h)))
        else:
            marks.append((float(centres[k][0]), float(centres[k][1])))
    lefts = sorted({b[0] + b[2] / 2 for b in boxes})
    tops = sorted({b[1] + b[3] / 2 for b in boxes})

    def groups(values: list[float]) -> list[float]:
        out: list[float] = []
        for v in values:
            if not out or v - out[-1] > cell / 2:
                out.append(v)
        return out

    cols, rows = groups(lefts), groups(tops)
    by_cell = {}
    for b in boxes:
        r = min(range(len(rows)), key=lambda i: abs(rows[i] - (b[1] + b[3] / 2)))
        c = min(range(len(cols)), key=lambda i: abs(cols[i] - (b[0] + b[2] / 2)))
        by_cell[(r, c)] = b
    return {"cells": by_cell, "rows": len(rows), "cols": len(cols), "marks": marks}


def marks_within(found: dict, x0: float, x1: float, y0: float, y1: float) -> int:
    return sum(x0 <= x < x1 and y0 <= y < y1 for x, y in found["marks"])


def test_compose_grid_puts_each_picture_in_its_box():
    rows_h = [solid(30, 50, (200, 0, 0)), solid(60, 20, (0, 200, 0))]
    cols_h = [solid(40, 40, (0, 0, 200)), solid(30, 90, (200, 200, 0)), solid(50, 50, (0, 90, 90))]
    cells = [[solid(20, 20, (10 * (r * 3 + c), 50, 50)) for c in range(3)] for r in range(2)]
    grid = compose_grid(cells, rows_h, cols_h, ["a", "b"], ["x", "y", "z"], cell=CELL)
    found = read_grid(grid, CELL)
    assert (found["rows"], found["cols"]) == (3, 4)  # a header row and a header column
    assert (0, 0) not in found["cells"]  # the empty corner

    def colour(r: int, c: int) -> tuple[int, ...]:
        x, y, w, h = found["cells"][(r, c)]
        return tuple(int(v) for v in grid[y + h // 2, x + w // 2])

    assert colour(1, 0) == (200, 0, 0) and colour(2, 0) == (0, 200, 0)
    assert [colour(0, c) for c in (1, 2, 3)] == [(0, 0, 200), (200, 200, 0), (0, 90, 90)]
    for r in range(2):
        for c in range(3):
            assert colour(r + 1, c + 1) == (10 * (r * 3 + c), 50, 50)
            assert found["cells"][(r + 1, c + 1)][2:] == (CELL, CELL)  # fitted to the cell


def test_labels_sit_with_their_rows_and_columns():
    """Row labels at the left, within their row's height; column labels over their column."""
    cells = [[solid(24, 40, (90, 90, 160))] * 2 for _ in range(3)]
    grid = compose_grid(cells, None, None, ["one", "two", "three"], ["left", "right"], cell=CELL)
    found = read_grid(grid, CELL)
    assert (found["rows"], found["cols"]) == (3, 2)
    first_x = min(b[0] for b in found["cells"].values())
    first_y = min(b[1] for b in found["cells"].values())
    for r in range(3):
        x, y, w, h = found["cells"][(r, 0)]
        assert marks_within(found, 0, first_x, y, y + h) >= 1, f"row {r} has no label beside it"
    gaps = []  # no mark between two rows: nothing can be read as the next row's
    for r in range(2):
        _, y, _, h = found["cells"][(r, 0)]
        gaps.append(marks_within(found, 0, grid.shape[1], y + h, found["cells"][(r + 1, 0)][1]))
    assert gaps == [0, 0]
    for c in range(2):
        x, y, w, h = found["cells"][(0, c)]
        assert marks_within(found, x, x + w, 0, first_y) >= 1, f"column {c} has no label"


def test_rows_are_as_tall_as_their_pictures():
    wide = [[solid(90, 160, (50, 50, 50))] * 2] * 2
    fitted = fit_cell(wide[0][0], CELL).shape[:2]
    layout = grid_layout([[fitted] * 2] * 2, None, None, None, None, CELL)
    grid = compose_grid(wide, cell=CELL)
    assert grid.shape[:2] == (layout.height, layout.width)
    assert layout.heights == (fitted[0], fitted[0]) and fitted[0] < CELL


def test_fit_cell_keeps_the_aspect_ratio():
    assert fit_cell(solid(30, 120, (1, 2, 3)), 60).shape == (15, 60, 3)
    assert fit_cell(solid(10, 5, (1, 2, 3)), 60).shape == (60, 30, 3)


@pytest.mark.slow
def test_style_grid_paints_every_pair_with_swatches_for_built_ins(write_image):
    contents = [synthetic_photo(48, 64, 0), synthetic_photo(70, 40, 1)]
    warm = write_image("warm.png", synthetic_painting(64, 64, "warm"))
    cool = write_image("cool.png", synthetic_painting(64, 64, "cool"))
    seen: list[tuple[int, int]] = []
    grid = restyle.style_grid(
        contents,
        [str(warm), str(cool), "builtin:2"],
        cell=CELL,
        on_progress=lambda e: seen.append((e.done, e.total)),
        device="cpu",
    )
    found = read_grid(grid, CELL)
    assert (found["rows"], found["cols"]) == (3, 4)
    assert seen == [(i, 6) for i in range(1, 7)]
    x, y, w, h = found["cells"][(0, 1)]  # the warm painting's header shows its own pixels
    painting_mean = synthetic_painting(64, 64).mean(axis=(0, 1))
    np.testing.assert_allclose(grid[y : y + h, x : x + w].mean(axis=(0, 1)), painting_mean, atol=12)
    x, y, w, h = found["cells"][(0, 3)]  # the built-in's header: a swatch, not blank
    header = grid[y : y + h, x : x + w].astype(np.float64)
    scene = fit_cell(neutral_scene(), CELL).astype(np.float64)
    assert (w, h) == (CELL, CELL) and header.std() > 20
    assert np.abs(header - scene).mean() > 20  # the neutral scene painted, not the scene itself


@pytest.mark.slow
def test_grid_command(tmp_path, write_image, capsys):
    a = write_image("a.png", synthetic_photo(50, 60, 2))
    b = write_image("b.jpg", synthetic_photo(61, 37, 3))
    s = write_image("s.png", synthetic_painting(64, 80))
    out = tmp_path / "grid.png"
    args = ["grid", "--content", str(a), str(b), "--style", str(s), "builtin:9", "-o", str(out)]
    assert main([*args, "--cell", str(CELL), "--device", "cpu"]) == 0
    assert "2x2" in capsys.readouterr().out
    found = read_grid(load_image(out), CELL)
    assert (found["rows"], found["cols"]) == (3, 3)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """A 4 s clip at 10 fps, 160x96, whose frames differ over time."""
    folder = tmp_path_factory.mktemp("grid")
    return make_video(folder / "clip.mp4", width=160, height=96, frames=40, fps=Fraction(10))


@pytest.mark.parametrize(
    ("extra", "times"),
    [(["--frames", "3"], [0.6, 2.0, 3.3]), (["--at", "0.5", "1.5", "00:03.2"], [0.5, 1.5, 3.2])],
    ids=["frames", "at"],
)
def test_grid_of_a_videos_frames_by_styles(tmp_path, clip, write_image, capsys, extra, times):
    """Seed figure 5: one row per frame (labelled with its time), one column per style."""
    a = write_image("a.png", synthetic_painting(64, 64, "warm"))
    b = write_image("b.png", synthetic_painting(64, 64, "cool"))
    out = tmp_path / "grid.png"
    cell = 64
    args = ["grid", "--content", str(clip), *extra, "--styles", str(a), str(b), "-o", str(out)]
    assert main([*args, "--cell", str(cell), "--device", "cpu"]) == 0
    assert "3x2" in capsys.readouterr().out
    grid = load_image(out)
    found = read_grid(grid, cell)
    assert (found["rows"], found["cols"]) == (4, 3)  # header row + 3 frames, frames + 2 styles
    for r in range(1, 4):
        for c in range(3):
            assert found["cells"][(r, c)][2:] == (cell, round(96 * cell / 160))  # 64x38
    first_x = min(b[0] for b in found["cells"].values())
    for r in range(1, 4):
        _, y, _, h = found["cells"][(r, 0)]
        assert marks_within(found, 0, first_x, y, y + h) >= 2  # its time, beside it
    # the rows show the frames at those times: the red square moves right 3 px a frame
    for r, t in enumerate(times, start=1):
        x, y, w, h = found["cells"][(r, 0)]
        row = grid[y : y + h, x : x + w].astype(int)
        reds = np.flatnonzero(((row[..., 0] > 150) & (row[..., 1] < 90)).any(axis=0))
        expected = (round(t * 10) * 3) % (160 - 24) * w / 160
        assert abs(reds.min() - expected) <= 3, (t, reds.min(), expected)


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--at", "9"], "no frame at 9"), (["--frames", "0"], "positive")],
)
def test_grid_of_a_video_errors(tmp_path, clip, capsys, extra, message):
    out = tmp_path / "grid.png"
    args = ["grid", "--content", str(clip), *extra, "-s", "builtin:1", "-o", str(out)]
    assert main([*args, "--device", "cpu"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert not out.exists()


def test_frames_need_a_video(tmp_path, write_image, capsys):
    a = write_image("a.png", synthetic_photo(40, 40))
    args = ["grid", "--content", str(a), "--frames", "2", "-s", "builtin:1"]
    assert main([*args, "-o", str(tmp_path / "g.png")]) == 2
    assert "video" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra",
    [["--style", "{tmp}/missing.png"], ["--style", "builtin:1", "-o", "{tmp}/grid.gif"], []],
    ids=["missing style", "bad extension", "no style"],
)
def test_grid_command_errors(tmp_path, write_image, capsys, extra):
    a = write_image("a.png", synthetic_photo(40, 40))
    args = ["grid", "--content", str(a), "-o", str(tmp_path / "grid.png")]
    args += [x.format(tmp=tmp_path) for x in extra]
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("restyle: error:")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
