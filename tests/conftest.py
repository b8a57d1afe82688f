"""Shared fixtures: small synthetic photos and paintings, image files, the real media folder."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from restyle.models.session import TELEMETRY_OFF
from support.image_factory import synthetic_painting, synthetic_photo

# tests that import onnxruntime themselves record no usage events either (restyle's own
# import sets this: restyle.models.session.import_onnxruntime); none is imported above
os.environ.setdefault(*TELEMETRY_OFF)

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_MEDIA = REPO_ROOT.parent / "shared" / "media"


@pytest.fixture(scope="session", autouse=True)
def generated_cache(tmp_path_factory) -> Iterator[Path]:
    """Generated graphs and compiled networks go to a folder of the test run, not ~/.cache."""
    import os

    folder = tmp_path_factory.mktemp("restyle-cache")
    before = os.environ.get("RESTYLE_CACHE_DIR")
    os.environ["RESTYLE_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("RESTYLE_CACHE_DIR", None)
    else:
        os.environ["RESTYLE_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def media_dir() -> Path:
    """The real photos, paintings and clips in ../shared/media; skips the test where absent."""
    if not SHARED_MEDIA.is_dir():
        pytest.skip(f"real media not present at {SHARED_MEDIA} (../shared/media)")
    return SHARED_MEDIA


@pytest.fixture
def photo() -> np.ndarray:
    """A 64x96 synthetic content image (HxWx3 uint8)."""
    return synthetic_photo(64, 96)


@pytest.fixture
def painting() -> np.ndarray:
    """A 96x128 synthetic warm-palette style image (HxWx3 uint8)."""
    return synthetic_painting(96, 128, "warm")


@pytest.fixture
def cool_painting() -> np.ndarray:
    """A 80x80 synthetic cool-palette style image (HxWx3 uint8)."""
    return synthetic_painting(80, 80, "cool")


@pytest.fixture
def write_image(tmp_path: Path) -> Callable[..., Path]:
    """Write an array or PIL image into tmp_path under ``name``; returns its path."""

    def write(name: str, image: np.ndarray | Image.Image, **save_options: object) -> Path:
        path = tmp_path / name
        img = image if isinstance(image, Image.Image) else Image.fromarray(image)
        img.save(path, **save_options)
        return path

    return write


@pytest.fixture
def photo_path(write_image, photo) -> Path:
    """The synthetic photo saved as PNG."""
    return write_image("photo.png", photo)


@pytest.fixture
def painting_path(write_image, painting) -> Path:
    """The synthetic warm painting saved as PNG."""
    return write_image("painting.png", painting)


@pytest.fixture
def cool_painting_path(write_image, cool_painting) -> Path:
    """The synthetic cool painting saved as PNG."""
    return write_image("cool.png", cool_painting)
