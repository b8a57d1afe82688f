"""The page's examples: the demo's drawn media, a painted pair to evaluate, style thumbnails.

They are made once per version of the code that draws them and kept in restyle's cache
(``$RESTYLE_CACHE_DIR``, default ``~/.cache/restyle``), then copied into the server's
workspace, the only folder the page serves.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import __version__, api
from ..demo import DEMO_STYLE, scene
from ..demo import media as demo_media
from ..media.image import save_image
from ..models.location import cache_dir
from .jobs import BUILTIN_CHOICES

THUMB_SIZE = (128, 96)


@dataclass(frozen=True)
class Examples:
    """Paths (inside the workspace) of the example media and the built-in style thumbnails."""

    picture: Path
    clip: Path
    style_film: Path
    painted: Path  # the clip with the default flicker removal, lossless (for Evaluate)
    per_frame: Path  # the clip painted frame by frame, lossless (the reference)
    thumbnails: tuple[Path, ...]  # one per built-in style, in order


def _key() -> str:
    """Changes whenever the code that draws or paints the examples changes."""
    digest = hashlib.sha256(__version__.encode())
    for module in (scene, demo_media):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def _make(folder: Path) -> None:
    """Draw and paint every example into ``folder``."""
    media = demo_media.make_demo_media(folder)
    for name, temporal in (("demo_clip_painted.mp4", "flow"), ("demo_clip_per_frame.mp4", "none")):
        api.stylize_video(media.clip, folder / name, DEMO_STYLE, temporal=temporal, crf=0)
    small = scene.picture(*THUMB_SIZE)
    for spec in BUILTIN_CHOICES:
        save_image(api.stylize_image(small, spec), folder / f"thumb_{spec.split(':')[1]}.png")


def cached_examples() -> Path:
    """The folder holding the examples, made (atomically) if this version has none yet."""
    home = cache_dir() / "ui-examples"
    folder = home / _key()
    if not (folder / "done").exists():
        home.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".making-", dir=home))
        try:
            _make(work)
            (work / "done").write_text("ok\n")
            try:
                work.rename(folder)
            except OSError:  # another server made it meanwhile
                pass
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return folder


def install_examples(into: Path) -> Examples:
    """Copy the cached examples into the workspace folder ``into``; returns their paths."""
    source = cached_examples()
    for item in source.iterdir():
        if item.is_file() and item.name != "done":
            shutil.copy2(item, into / item.name)
    return Examples(
        picture=into / "demo_picture.png",
        clip=into / "demo_clip.mp4",
        style_film=into / "demo_style_film.mp4",
        painted=into / "demo_clip_painted.mp4",
        per_frame=into / "demo_clip_per_frame.mp4",
        thumbnails=tuple(into / f"thumb_{i}.png" for i in range(len(BUILTIN_CHOICES))),
    )
