"""Write the demo's drawn media to disk: an H.264/AAC clip, a PNG picture, a style film."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..media.atomic import AtomicFile
from ..media.image import save_image
from . import scene

AUDIO_CHUNK = 1024


@dataclass(frozen=True)
class DemoMedia:
    """Paths of the drawn inputs: the clip (with sound), the picture and the style film."""

    clip: Path
    picture: Path
    style_film: Path


def write_clip(
    path: str | os.PathLike[str],
    draw: Callable[[int], np.ndarray],
    frames: int,
    fps: int,
    audio: np.ndarray | None = None,
) -> Path:
    """Write ``draw(0) .. draw(frames - 1)`` as H.264 (yuv420p, +faststart) with AAC sound.

    The file appears only when complete (written beside it, then renamed).
    """
    path = Path(path)
    first = draw(0)
    height, width = first.shape[:2]
    target = AtomicFile(path)
    try:
        with av.open(
            str(target.path), mode="w", format="mp4", container_options={"movflags": "+faststart"}
        ) as out:
            video = out.add_stream("libx264", rate=Fraction(fps), options={"crf": "18"})
            video.width, video.height, video.pix_fmt = width, height, "yuv420p"
            sound = None
            if audio is not None:
                sound = out.add_stream("aac", rate=scene.AUDIO_RATE)
                sound.layout = "mono"
            for i in range(frames):
                image = first if i == 0 else draw(i)
                out.mux(video.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
            out.mux(video.encode(None))
            if sound is not None and audio is not None:
                for start in range(0, len(audio), AUDIO_CHUNK):
                    chunk = audio[None, start : start + AUDIO_CHUNK]
                    frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
                    frame.sample_rate, frame.pts = scene.AUDIO_RATE, start
                    frame.time_base = Fraction(1, scene.AUDIO_RATE)
                    out.mux(sound.encode(frame))
                out.mux(sound.encode(None))
        target.commit()
    except BaseException:
        target.abort()
        raise
    return path


def make_demo_media(folder: str | os.PathLike[str]) -> DemoMedia:
    """Draw the demo clip, picture and style film into ``folder`` (made if missing)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    clip = write_clip(
        folder / "demo_clip.mp4",
        scene.landscape_frame,
        scene.CLIP_FRAMES,
        scene.CLIP_FPS,
        audio=scene.landscape_audio(scene.CLIP_FRAMES / scene.CLIP_FPS),
    )
    picture = folder / "demo_picture.png"
    save_image(scene.picture(), picture)
    film = write_clip(
        folder / "demo_style_film.mp4",
        scene.style_film_frame,
        scene.style_film_frames(),
        scene.FILM_FPS,
    )
    return DemoMedia(clip, picture, film)
