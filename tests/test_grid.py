"""Grids of contents (rows) by styles (columns) with the originals as headers."""

from __future__ import annotations

import numpy as np
import pytest

import restyle
from image_factory import synthetic_painting, synthetic_photo
from restyle.cli import main
from restyle.media.image import load_image
from restyle.metrics.grid import GAP, LABEL_HEIGHT, compose_grid, fit_cell

CELL = 40


def solid(height: int, width: int, colour: tuple[int, int, int]) -> np.ndarray:
    img = np.empty((height, width, 3), np.uint8)
    img[:] = colour
    return img


def cell_centre(grid: np.ndarray, row: int, col: int, cell: int = CELL) -> tuple[int, ...]:
    """The colour at the centre of grid cell (row, col), headers counted."""
    y = GAP + row * (cell + LABEL_HEIGHT + GAP) + cell // 2
    x = GAP + col * (cell + GAP) + cell // 2
    return tuple(int(v) for v in grid[y, x])


def grid_size(rows: int, cols: int, cell: int = CELL) -> tuple[int, int]:
    """(height, width) of a grid of rows x cols cells plus one header row and column."""
    return (
        GAP + (rows + 1) * (cell + LABEL_HEIGHT + GAP),
        GAP + (cols + 1) * (cell + GAP),
    )


def test_compose_grid_layout_and_headers():
    reds = [solid(30, 50, (200, 0, 0)), solid(60, 20, (0, 200, 0))]  # row headers
    cols = [solid(40, 40, (0, 0, 200)), solid(10, 90, (200, 200, 0)), solid(50, 50, (0, 90, 90))]
    cells = [[solid(20, 20, (10 * (r * 3 + c), 50, 50)) for c in range(3)] for r in range(2)]
    grid = compose_grid(cells, reds, cols, ["a", "b"], ["x", "y", "z"], cell=CELL)
    assert grid.shape == (*grid_size(2, 3), 3) and grid.dtype == np.uint8
    assert cell_centre(grid, 0, 0) == (255, 255, 255)  # the empty corner
    assert cell_centre(grid, 1, 0) == (200, 0, 0) and cell_centre(grid, 2, 0) == (0, 200, 0)
    assert cell_centre(grid, 0, 1) == (0, 0, 200)
    assert cell_centre(grid, 0, 2) == (200, 200, 0)
    assert cell_centre(grid, 0, 3) == (0, 90, 90)
    for r in range(2):
        for c in range(3):
            assert cell_centre(grid, r + 1, c + 1) == (10 * (r * 3 + c), 50, 50)
    # labels are drawn under the headers: dark pixels in the label strip of header (1, 0)
    y0 = GAP + 1 * (CELL + LABEL_HEIGHT + GAP) + CELL
    strip = grid[y0 : y0 + LABEL_HEIGHT, GAP : GAP + CELL]
    assert (strip.sum(axis=2) < 200).any()


def test_compose_grid_without_headers():
    cells = [[solid(20, 20, (9, 9, 9))] * 2]
    grid = compose_grid(cells, cell=CELL)
    assert grid.shape == (GAP + (CELL + LABEL_HEIGHT + GAP), GAP + 2 * (CELL + GAP), 3)


def test_fit_cell_keeps_the_aspect_ratio():
    assert fit_cell(solid(30, 120, (1, 2, 3)), 60).shape == (15, 60, 3)
    assert fit_cell(solid(10, 5, (1, 2, 3)), 60).shape == (60, 30, 3)


def test_style_grid_paints_every_pair(write_image):
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
    assert grid.shape == (*grid_size(2, 3), 3)
    assert seen == [(i, 6) for i in range(1, 7)]
    # the warm painting's header shows its own pixels; the built-in column has no header
    header = grid[GAP : GAP + CELL, GAP + (CELL + GAP) : GAP + 2 * (CELL + GAP) - GAP]
    painting_mean = synthetic_painting(64, 64).mean(axis=(0, 1))
    np.testing.assert_allclose(header.mean(axis=(0, 1)), painting_mean, atol=12)
    assert cell_centre(grid, 0, 3) == (255, 255, 255)
    # painted cells differ between styles
    assert cell_centre(grid, 1, 1) != cell_centre(grid, 1, 2)


def test_grid_command(tmp_path, write_image, capsys):
    a = write_image("a.png", synthetic_photo(50, 60, 2))
    b = write_image("b.jpg", synthetic_photo(61, 37, 3))
    s = write_image("s.png", synthetic_painting(64, 80))
    out = tmp_path / "grid.png"
    args = ["grid", "--content", str(a), str(b), "--style", str(s), "builtin:9", "-o", str(out)]
    assert main([*args, "--cell", str(CELL), "--device", "cpu"]) == 0
    assert "2x2" in capsys.readouterr().out
    assert load_image(out).shape == (*grid_size(2, 2), 3)


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
