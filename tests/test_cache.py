"""`restyle cache`: the cache folder's parts and sizes, and clearing what restyle remakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from restyle.cli import main
from restyle.models.cache import cache_usage, clear_cache


def _fill(root: Path) -> None:
    """A cache folder as restyle leaves it: graphs, compiled blobs, examples, a download."""
    (root / "generated").mkdir(parents=True)
    (root / "generated" / "net-float-abc.onnx").write_bytes(b"x" * 3000)
    (root / "generated" / "net-float-abc.sha256").write_bytes(b"y" * 64)
    (root / "openvino").mkdir()
    (root / "openvino" / "123.blob").write_bytes(b"z" * 5000)
    (root / "ui-examples" / "k1").mkdir(parents=True)
    (root / "ui-examples" / "k1" / "clip.mp4").write_bytes(b"v" * 700)
    (root / "vgg19.pth").write_bytes(b"w" * 9000)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    _fill(root)
    monkeypatch.setenv("RESTYLE_CACHE_DIR", str(root))
    return root


def test_usage_counts_each_part(cache: Path) -> None:
    parts = {p.name: p for p in cache_usage(cache)}
    assert (parts["generated"].files, parts["generated"].bytes) == (2, 3064)
    assert (parts["openvino"].files, parts["openvino"].bytes) == (1, 5000)
    assert (parts["ui-examples"].files, parts["ui-examples"].bytes) == (1, 700)
    assert (parts["downloads"].files, parts["downloads"].bytes) == (1, 9000)
    assert not parts["downloads"].rebuilt and parts["generated"].rebuilt


def test_clear_keeps_the_downloads_unless_all(cache: Path) -> None:
    assert clear_cache(cache) == 3064 + 5000 + 700
    assert sorted(p.name for p in cache.iterdir()) == ["vgg19.pth"]
    assert clear_cache(cache, downloads=True) == 9000
    assert list(cache.iterdir()) == []


def test_command_lists_then_clears(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cache"]) == 0
    listing = capsys.readouterr().out
    assert str(cache) in listing
    assert "--clear frees 8.8 kB" in listing and "openvino" in listing
    assert main(["cache", "--clear"]) == 0
    assert "freed 8.8 kB" in capsys.readouterr().out
    assert (cache / "vgg19.pth").is_file() and not (cache / "generated").exists()


def test_a_missing_cache_folder_lists_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("RESTYLE_CACHE_DIR", str(tmp_path / "none"))
    assert all(p.files == 0 for p in cache_usage())
    assert main(["cache", "--clear"]) == 0
    assert not (tmp_path / "none").exists()
