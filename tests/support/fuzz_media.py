"""Damaged media for fuzzing the readers: seeds made here, mutations, and the checks.

The seeds are the tests' own media (a synthetic photo in every image format restyle reads,
small clips in every container it writes, with and without audio). A mutation truncates a
seed, flips bits, keeps only its header, zeroes or repeats a stretch of bytes. Each check
opens a damaged file the way restyle does and returns what happened: ``"ok"`` (a valid
result) or ``"error"`` (a :class:`~restyle.errors.RestyleError`); anything else raised
propagates, and is what the fuzzing looks for. Used by tests/test_fuzz_readers.py (quick,
in the suite) and tools/fuzz_readers.py (the long campaign).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from restyle.errors import RestyleError
from restyle.media.image import load_image
from restyle.media.reader import open_video
from restyle.media.writer import open_writer
from support.image_factory import synthetic_photo
from support.media_factory import make_video

IMAGE_FORMATS = {
    "png": ("PNG", {}),
    "jpg": ("JPEG", {"quality": 90}),
    "webp": ("WEBP", {"quality": 80}),
    "tif": ("TIFF", {}),
    "bmp": ("BMP", {}),
    "gif": ("GIF", {}),
}
VIDEO_SEEDS = {
    "h264.mp4": {"audio": True},
    "h264.mkv": {"audio": True},
    "h264.mov": {"audio": False},
    "vp9.webm": {"audio": True},
}
MUTATIONS = ("truncate", "flip", "flip-head", "header", "zero", "repeat")
HEAD = 1024  # bytes where "flip-head" lands: container headers, codec parameters
MAX_FRAMES = 200  # a damaged file is read this far at most


def make_seeds(folder: Path) -> dict[str, bytes]:
    """Write the seed media into `folder`; return their bytes by file name."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds: dict[str, bytes] = {}
    photo = Image.fromarray(synthetic_photo(48, 64))
    for ext, (fmt, options) in IMAGE_FORMATS.items():
        buffer = io.BytesIO()
        photo.save(buffer, format=fmt, **options)
        seeds[f"photo.{ext}"] = buffer.getvalue()
    for name, options in VIDEO_SEEDS.items():
        path = make_video(folder / name, width=64, height=48, frames=12, **options)
        seeds[name] = path.read_bytes()
    return seeds


def mutate(data: bytes, kind: str, a: float, b: float, count: int) -> bytes:
    """Damage `data`: `a` and `b` (0..1) place the damage, `count` sizes it.

    ``truncate`` keeps the first `a` of the bytes; ``header`` keeps at most the first
    16 + `count` bytes; ``flip`` flips `count` bits, spread from `a`; ``flip-head`` flips
    `count` bits in the first HEAD bytes (headers, codec parameters); ``zero`` zeroes
    `count` bytes at `a`; ``repeat`` copies `count` bytes from `a` to `b`.
    """
    n = len(data)
    at = min(n - 1, int(a * n))
    if kind == "truncate":
        return data[: int(a * n)]
    if kind == "header":
        return data[: min(n, 16 + count)]
    buf = bytearray(data)
    if kind in ("flip", "flip-head"):
        rng = np.random.default_rng(int(a * 1e9) ^ count)
        if kind == "flip":
            spots = (at + rng.integers(0, max(1, n - at), size=count)) % n
        else:
            spots = rng.integers(0, min(n, HEAD), size=count)
        for spot, bit in zip(spots, rng.integers(0, 8, size=count), strict=True):
            buf[spot] ^= 1 << int(bit)
    elif kind == "zero":
        buf[at : at + count] = bytes(len(buf[at : at + count]))
    elif kind == "repeat":
        to = min(n - 1, int(b * n))
        buf[to : to + count] = data[at : at + count]
    else:
        raise ValueError(f"unknown mutation {kind!r}")
    return bytes(buf)


def read_image(path: Path) -> str:
    """load_image on a damaged file: ``"ok"`` with a valid HxWx3 uint8 array, or ``"error"``."""
    try:
        image = load_image(path)
    except RestyleError:
        return "error"
    assert isinstance(image, np.ndarray) and image.dtype == np.uint8, type(image)
    assert image.ndim == 3 and image.shape[2] == 3 and min(image.shape[:2]) >= 1, image.shape
    return "ok"


def read_video(path: Path) -> str:
    """open_video and every frame of a damaged file: valid frames, or ``"error"``."""
    warnings: list[str] = []
    try:
        with open_video(path, on_warning=warnings.append) as reader:
            info = reader.info
            assert info.width > 0 and info.height > 0 and info.frame_rate > 0, info
            last = -1.0
            for frame in reader:
                assert frame.image.shape == (info.height, info.width, 3), frame.image.shape
                assert frame.image.dtype == np.uint8
                assert frame.time > last and frame.duration > 0, (frame.time, frame.duration)
                last = frame.time
                if frame.index >= MAX_FRAMES:
                    break
    except RestyleError:
        return "error"
    return "ok"


def copy_video(path: Path, out: Path) -> str:
    """Read a damaged file and write it again with its audio, as ``restyle video`` does."""
    try:
        with open_video(path, on_warning=lambda _m: None) as reader:
            with open_writer(out, reader.info, audio=reader.audio, preset="ultrafast") as writer:
                for frame in reader:
                    writer.write(frame.image, frame.time, frame.duration)
                    if frame.index >= MAX_FRAMES:
                        break
    except RestyleError:
        return "error"
    finally:
        out.unlink(missing_ok=True)
    return "ok"


def check(name: str, path: Path, out_folder: Path) -> str:
    """Run the check that fits the seed `name` on `path` (video seeds: read, then copy)."""
    if name.startswith("photo."):
        return read_image(path)
    outcome = read_video(path)
    if outcome == "ok":
        copy_video(path, out_folder / f"copy{Path(name).suffix}")
    return outcome


def write_case(folder: Path, name: str, data: bytes) -> Path:
    """Write one damaged file named like its seed (the extension picks the reader)."""
    path = folder / f"case-{name}"
    path.write_bytes(data)
    return path
